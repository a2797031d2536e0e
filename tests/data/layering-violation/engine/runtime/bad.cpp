// A fixture for architecture.layering_detects_violation: the engine must not include these.
#include <sqlite3.h>

#include "persistence/sqlite_store.h"
