// The sidebar's sections: pinned conversations first, the others by when they last changed.
#pragma once

#include <QDateTime>
#include <QString>

namespace tessera::app {

// "Pinned", "Today", "Yesterday", "Previous 7 days" or "Older", in local time.
QString conversation_group(bool pinned, const QDateTime& updated, const QDateTime& now);

}  // namespace tessera::app
