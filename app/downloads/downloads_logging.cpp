#include "downloads/downloads_logging.h"

Q_LOGGING_CATEGORY(lcDownloads, "tessera.downloads")
