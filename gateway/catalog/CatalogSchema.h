// CatalogSchema: the versioned schema of the catalog and its migrations.
// Each migration runs once, in order, inside one transaction with the bump of
// schema_version, so a crash mid-migration leaves the previous version.
#pragma once

#include "Db.h"
#include "Status.h"

namespace dad {

// Brings the catalog up to the newest version. Refuses a catalog newer than
// this build knows.
Status migrateCatalog(Db& db);

int latestCatalogVersion();

}  // namespace dad
