// What the package pages look up: a package by its share token.
#include "Catalog.h"
#include "CatalogRows.h"

namespace dad {

Status Catalog::findPackageByToken(const std::string& token, PackageRecord& package) {
    return db_->read([&](SqlRunner& sql) {
        auto row = sql.queryOne(std::string("SELECT ") + catalog_rows::kPackageColumns +
                                    " FROM package k JOIN account s ON s.id = k.sender_id "
                                    "WHERE k.token = ?",
                                {token});
        if (!row) return Status::notFound("no such package");
        package = catalog_rows::package(*row);
        return Status::ok();
    });
}

}  // namespace dad
