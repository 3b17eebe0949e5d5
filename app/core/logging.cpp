#include "logging.h"

Q_LOGGING_CATEGORY(lcEngine, "tessera.engine")
Q_LOGGING_CATEGORY(lcChat, "tessera.chat")
Q_LOGGING_CATEGORY(lcHistory, "tessera.history")
Q_LOGGING_CATEGORY(lcSecrets, "tessera.secrets")
Q_LOGGING_CATEGORY(lcServer, "tessera.server")
Q_LOGGING_CATEGORY(lcRemote, "tessera.remote")
