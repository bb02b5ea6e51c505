// Row mapping and reference counting shared by the Catalog's source files.
// Internal to the catalog.
#pragma once

#include <string>

#include "Catalog.h"

namespace dad::catalog_rows {

extern const char* const kAccountColumns;
AccountRecord account(const SqlRow& row);

extern const char* const kNodeColumns;
NodeRecord node(const SqlRow& row);

extern const char* const kUploadColumns;
UploadRecord upload(const SqlRow& row);

extern const char* const kPackageColumns;
PackageRecord package(const SqlRow& row);

// NULL for an absent value.
SqlValue nullable(const std::optional<int64_t>& value);

// One more reference to a blob (creating its row).
void addBlobReference(SqlRunner& sql, const std::string& sha256, uint64_t size);
// One reference fewer; at zero the blob waits for the collector's grace time.
void dropBlobReference(SqlRunner& sql, const std::string& sha256);
// Removes a node and, recursively, everything under it.
void removeTree(SqlRunner& sql, int64_t nodeId);

}  // namespace dad::catalog_rows
