// The download engine's logging category (enable with QT_LOGGING_RULES="tessera.downloads=true").
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcDownloads)
