// Ending a package: history kept, content released.
#include <functional>

#include "Catalog.h"
#include "CatalogRows.h"

namespace dad {

using namespace catalog_rows;

Status Catalog::endPackage(int64_t packageId, const std::string& state) {
    return db_->transaction([&](SqlRunner& sql) {
        auto row = sql.queryOne("SELECT root_node, state FROM package WHERE id = ?", {packageId});
        if (!row) return Status::notFound("no package #" + std::to_string(packageId));
        const int64_t root = row->integer(0);
        std::function<void(int64_t, const std::string&)> archive = [&](int64_t parent,
                                                                       const std::string& prefix) {
            for (const SqlRow& child :
                 sql.query("SELECT id, name, is_dir, size, blob FROM node WHERE parent_id = ?",
                           {parent})) {
                const std::string path =
                    prefix.empty() ? child.text(1) : prefix + "/" + child.text(1);
                if (child.integer(2) != 0) {
                    archive(child.integer(0), path);
                } else {
                    sql.execute(
                        "INSERT INTO package_file_history (package_id, path, size, sha256) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        {packageId, path, child.integer(3), child.text(4)});
                }
            }
        };
        archive(root, "");
        for (const SqlRow& child : sql.query("SELECT id FROM node WHERE parent_id = ?", {root})) {
            removeTree(sql, child.integer(0));
        }
        sql.execute("UPDATE package SET state = ? WHERE id = ?", {state, packageId});
        return Status::ok();
    });
}

Status Catalog::listFileHistory(int64_t packageId,
                                std::vector<std::pair<std::string, NodeRecord>>& files) {
    return db_->read([&](SqlRunner& sql) {
        files.clear();
        for (const SqlRow& row : sql.query("SELECT path, size, sha256 FROM package_file_history "
                                           "WHERE package_id = ? ORDER BY path",
                                           {packageId})) {
            NodeRecord n;
            n.name = row.text(0);
            n.size = static_cast<uint64_t>(row.integer(1));
            n.blob = row.text(2);
            files.emplace_back(row.text(0), n);
        }
        return Status::ok();
    });
}

}  // namespace dad
