// Ending a package: history kept, content released.
#include <functional>

#include "Catalog.h"
#include "CatalogRows.h"

namespace dad {

using namespace catalog_rows;

namespace {

// Keeps the file list of package `packageId` as history and removes its
// files (their blobs collected once nothing else references them).
Status releaseFiles(SqlRunner& sql, int64_t packageId) {
    auto row = sql.queryOne("SELECT root_node FROM package WHERE id = ?", {packageId});
    if (!row) return Status::notFound("no package #" + std::to_string(packageId));
    const int64_t root = row->integer(0);
    std::function<void(int64_t, const std::string&)> archive = [&](int64_t parent,
                                                                   const std::string& prefix) {
        for (const SqlRow& child : sql.query(
                 "SELECT id, name, is_dir, size, blob FROM node WHERE parent_id = ?", {parent})) {
            const std::string path = prefix.empty() ? child.text(1) : prefix + "/" + child.text(1);
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
    return Status::ok();
}

// `fragment` as a LIKE pattern matching it anywhere.
std::string containing(const std::string& fragment) {
    std::string pattern = "%";
    for (char c : fragment) {
        if (c == '%' || c == '_' || c == '\\') pattern += '\\';
        pattern += c;
    }
    return pattern + "%";
}

}  // namespace

Status Catalog::endPackage(int64_t packageId, const std::string& state) {
    return db_->transaction([&](SqlRunner& sql) {
        if (Status s = releaseFiles(sql, packageId); !s) return s;
        sql.execute("UPDATE package SET state = ? WHERE id = ?", {state, packageId});
        return Status::ok();
    });
}

Status Catalog::withdrawPackage(
    int64_t packageId, const std::string& withdrawnBy, const std::vector<std::string>& jobFragments,
    const std::string& withdrawalKind,
    const std::function<std::string(const std::string&)>& withdrawalPayload) {
    return db_->transaction([&](SqlRunner& sql) {
        auto row = sql.queryOne("SELECT state FROM package WHERE id = ?", {packageId});
        if (!row) return Status::notFound("no package #" + std::to_string(packageId));
        if (row->text(0) != "sent") {
            return Status::invalid("the package is " + row->text(0) +
                                   "; only a sent package can be withdrawn");
        }
        if (Status s = releaseFiles(sql, packageId); !s) return s;
        const int64_t now = nowSeconds();
        sql.execute(
            "UPDATE package SET state = 'withdrawn', withdrawn_by = ?, withdrawn_at = ? WHERE "
            "id = ?",
            {withdrawnBy, now, packageId});
        // What was still to go out for it does not.
        for (const std::string& fragment : jobFragments) {
            sql.execute(
                "UPDATE job SET state = 'cancelled', updated = ? WHERE state IN ('queued', "
                "'dead') AND payload LIKE ? ESCAPE '\\'",
                {now, containing(fragment)});
        }
        sql.execute(
            "UPDATE package_forward SET state = 'failed', error = 'withdrawn before it was "
            "forwarded', updated_at = ? WHERE package_id = ? AND state IN ('queued', 'failed')",
            {now, packageId});
        // A forward under way finds the package withdrawn when it ends (ForwardJobs).
        for (const SqlRow& f :
             sql.query("SELECT site FROM package_forward WHERE package_id = ? AND state = 'done'",
                       {packageId})) {
            sql.execute(
                "UPDATE package_forward SET withdrawal = 'queued', withdrawal_error = '', "
                "updated_at = ? WHERE package_id = ? AND site = ?",
                {now, packageId, f.text(0)});
            sql.execute(
                "INSERT INTO job (kind, payload, run_after, created, updated) "
                "VALUES (?, ?, ?, ?, ?)",
                {withdrawalKind, withdrawalPayload(f.text(0)), now, now, now});
        }
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
