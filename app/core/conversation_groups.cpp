#include "conversation_groups.h"

#include <QCoreApplication>

namespace tessera::app {

QString conversation_group(bool pinned, const QDateTime& updated, const QDateTime& now) {
    if (pinned) return QCoreApplication::translate("ConversationListModel", "Pinned");
    const qint64 days = updated.toLocalTime().date().daysTo(now.toLocalTime().date());
    if (days <= 0) return QCoreApplication::translate("ConversationListModel", "Today");
    if (days == 1) return QCoreApplication::translate("ConversationListModel", "Yesterday");
    if (days < 7) return QCoreApplication::translate("ConversationListModel", "Previous 7 days");
    return QCoreApplication::translate("ConversationListModel", "Older");
}

}  // namespace tessera::app
