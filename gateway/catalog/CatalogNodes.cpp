// The node tree, partial uploads and blobs.
#include <functional>

#include "Catalog.h"
#include "CatalogRows.h"

namespace dad {

using namespace catalog_rows;

namespace {

const std::string kSelectNode = std::string("SELECT ") + kNodeColumns + " FROM node ";
const std::string kSelectUpload = std::string("SELECT ") + kUploadColumns + " FROM upload ";

std::optional<NodeRecord> child(SqlRunner& sql, int64_t parentId, const std::string& name) {
    auto row = sql.queryOne(kSelectNode + "WHERE parent_id = ? AND name = ?", {parentId, name});
    if (!row) return std::nullopt;
    return catalog_rows::node(*row);
}

std::optional<NodeRecord> nodeById(SqlRunner& sql, int64_t id) {
    auto row = sql.queryOne(kSelectNode + "WHERE id = ?", {id});
    if (!row) return std::nullopt;
    return catalog_rows::node(*row);
}

// Links a blob at parent/name (one reference more), replacing a file there.
Status link(SqlRunner& sql, int64_t parentId, const std::string& name, int64_t ownerId,
            const std::string& sha256, uint64_t size, int64_t mtime, bool replace) {
    auto parent = nodeById(sql, parentId);
    if (!parent || !parent->isDir) return Status::notFound("the folder no longer exists");
    addBlobReference(sql, sha256, size);
    if (auto existing = child(sql, parentId, name)) {
        if (existing->isDir) return Status::error(StatusCode::IsADirectory, name + " is a folder");
        if (!replace) return Status::exists(name + " already exists");
        dropBlobReference(sql, existing->blob);
        sql.execute("UPDATE node SET blob = ?, size = ?, mtime = ?, owner_id = ? WHERE id = ?",
                    {sha256, static_cast<int64_t>(size), mtime, ownerId, existing->id});
        return Status::ok();
    }
    sql.execute(
        "INSERT INTO node (parent_id, root_id, name, is_dir, blob, size, mtime, owner_id) "
        "VALUES (?, ?, ?, 0, ?, ?, ?, ?)",
        {parentId, parent->rootId, name, sha256, static_cast<int64_t>(size), mtime, ownerId});
    return Status::ok();
}

}  // namespace

Status Catalog::findChild(int64_t parentId, const std::string& name,
                          std::optional<NodeRecord>& node) {
    return db_->read([&](SqlRunner& sql) {
        node = child(sql, parentId, name);
        return Status::ok();
    });
}

Status Catalog::findNode(int64_t id, NodeRecord& node) {
    return db_->read([&](SqlRunner& sql) {
        auto found = nodeById(sql, id);
        if (!found) return Status::notFound("no such file or folder");
        node = *found;
        return Status::ok();
    });
}

Status Catalog::listChildren(int64_t parentId, std::vector<NodeRecord>& children) {
    return db_->read([&](SqlRunner& sql) {
        children.clear();
        for (const SqlRow& row :
             sql.query(kSelectNode + "WHERE parent_id = ? ORDER BY name", {parentId})) {
            children.push_back(catalog_rows::node(row));
        }
        return Status::ok();
    });
}

Status Catalog::listFilesUnder(int64_t rootId,
                               std::vector<std::pair<std::string, NodeRecord>>& files) {
    return db_->read([&](SqlRunner& sql) {
        files.clear();
        std::function<void(int64_t, const std::string&)> walk = [&](int64_t parent,
                                                                    const std::string& prefix) {
            for (const SqlRow& row :
                 sql.query(kSelectNode + "WHERE parent_id = ? ORDER BY name", {parent})) {
                NodeRecord n = catalog_rows::node(row);
                const std::string path = prefix.empty() ? n.name : prefix + "/" + n.name;
                if (n.isDir) {
                    walk(n.id, path);
                } else {
                    files.emplace_back(path, n);
                }
            }
        };
        walk(rootId, "");
        return Status::ok();
    });
}

Status Catalog::createDirectory(int64_t parentId, const std::string& name, int64_t ownerId,
                                int64_t& id) {
    return db_->transaction([&](SqlRunner& sql) {
        auto parent = nodeById(sql, parentId);
        if (!parent || !parent->isDir) return Status::notFound("the folder no longer exists");
        if (child(sql, parentId, name)) return Status::exists(name + " already exists");
        id = sql.queryOne(
                    "INSERT INTO node (parent_id, root_id, name, is_dir, mtime, owner_id) "
                    "VALUES (?, ?, ?, 1, ?, ?) RETURNING id",
                    {parentId, parent->rootId, name, nowSeconds(), ownerId})
                 ->integer(0);
        return Status::ok();
    });
}

Status Catalog::linkFile(int64_t parentId, const std::string& name, int64_t ownerId,
                         const std::string& sha256, uint64_t size, int64_t mtime, bool replace) {
    return db_->transaction([&](SqlRunner& sql) {
        return link(sql, parentId, name, ownerId, sha256, size, mtime, replace);
    });
}

Status Catalog::removeNode(int64_t id) {
    return db_->transaction([&](SqlRunner& sql) {
        auto node = nodeById(sql, id);
        if (!node) return Status::notFound("no such file or folder");
        if (node->isDir && (sql.queryOne("SELECT 1 FROM node WHERE parent_id = ?", {id}) ||
                            sql.queryOne("SELECT 1 FROM upload WHERE parent_node = ?", {id}))) {
            return Status::error(StatusCode::NotEmpty, "folder is not empty");
        }
        removeTree(sql, id);
        return Status::ok();
    });
}

Status Catalog::moveNode(int64_t id, int64_t newParentId, const std::string& newName,
                         bool replace) {
    return db_->transaction([&](SqlRunner& sql) {
        auto node = nodeById(sql, id);
        auto parent = nodeById(sql, newParentId);
        if (!node) return Status::notFound("no such file or folder");
        if (!parent || !parent->isDir) return Status::notFound("the target folder does not exist");
        // A folder cannot move into itself or below itself.
        for (auto walk = parent; walk; walk = nodeById(sql, walk->parentId)) {
            if (walk->id == id) return Status::invalid("cannot move a folder into itself");
            if (walk->parentId == 0) break;
        }
        if (auto existing = child(sql, newParentId, newName)) {
            if (existing->id == id) return Status::ok();
            if (!replace) return Status::exists(newName + " already exists");
            if (existing->isDir || node->isDir) {
                return Status::exists(newName + " already exists");
            }
            removeTree(sql, existing->id);
        }
        sql.execute("UPDATE node SET parent_id = ?, name = ? WHERE id = ?",
                    {newParentId, newName, id});
        if (node->rootId != parent->rootId) {
            // Moving between trees (for example /files into a draft): fix root_id below.
            std::function<void(int64_t)> reroot = [&](int64_t n) {
                sql.execute("UPDATE node SET root_id = ? WHERE id = ?", {parent->rootId, n});
                sql.execute("UPDATE upload SET root_node = ? WHERE parent_node = ?",
                            {parent->rootId, n});
                for (const SqlRow& r : sql.query("SELECT id FROM node WHERE parent_id = ?", {n})) {
                    reroot(r.integer(0));
                }
            };
            reroot(id);
        }
        return Status::ok();
    });
}

Status Catalog::setModificationTime(int64_t id, int64_t mtime) {
    return db_->transaction([&](SqlRunner& sql) {
        sql.execute("UPDATE node SET mtime = ? WHERE id = ?", {mtime, id});
        return Status::ok();
    });
}

Status Catalog::usedBytes(int64_t accountId, uint64_t& bytes) {
    return db_->read([&](SqlRunner& sql) {
        bytes = static_cast<uint64_t>(
            sql.queryOne("SELECT coalesce(sum(size), 0) FROM node WHERE owner_id = ? AND "
                         "is_dir = 0",
                         {accountId})
                ->integer(0));
        return Status::ok();
    });
}

Status Catalog::findUpload(int64_t parentNode, const std::string& name, int64_t accountId,
                           std::optional<UploadRecord>& upload) {
    return db_->read([&](SqlRunner& sql) {
        auto row = sql.queryOne(kSelectUpload +
                                    "WHERE parent_node = ? AND name = ? AND "
                                    "account_id = ?",
                                {parentNode, name, accountId});
        upload.reset();
        if (row) upload = catalog_rows::upload(*row);
        return Status::ok();
    });
}

Status Catalog::createUpload(UploadRecord& upload) {
    return db_->transaction(
        [&](SqlRunner& sql) {
            upload.started = nowSeconds();
            upload.id = sql.queryOne(
                               "INSERT INTO upload (account_id, parent_node, root_node, name, "
                               "temp_name, started) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                               {upload.accountId, upload.parentNode, upload.rootNode, upload.name,
                                upload.tempName, upload.started})
                            ->integer(0);
            return Status::ok();
        },
        Db::Durability::Relaxed);
}

Status Catalog::removeUpload(int64_t id) {
    return db_->transaction([&](SqlRunner& sql) {
        sql.execute("DELETE FROM upload WHERE id = ?", {id});
        return Status::ok();
    });
}

Status Catalog::listUploads(int64_t parentNode, int64_t accountId,
                            std::vector<UploadRecord>& uploads) {
    return db_->read([&](SqlRunner& sql) {
        uploads.clear();
        for (const SqlRow& row : sql.query(kSelectUpload + "WHERE parent_node = ? AND "
                                                           "account_id = ? ORDER BY name",
                                           {parentNode, accountId})) {
            uploads.push_back(catalog_rows::upload(row));
        }
        return Status::ok();
    });
}

Status Catalog::countUploadsUnder(int64_t rootNode, int64_t& count) {
    return db_->read([&](SqlRunner& sql) {
        count =
            sql.queryOne("SELECT count(*) FROM upload WHERE root_node = ?", {rootNode})->integer(0);
        return Status::ok();
    });
}

Status Catalog::listAllUploads(std::vector<UploadRecord>& uploads) {
    return db_->read([&](SqlRunner& sql) {
        uploads.clear();
        for (const SqlRow& row : sql.query(kSelectUpload + "ORDER BY id")) {
            uploads.push_back(catalog_rows::upload(row));
        }
        return Status::ok();
    });
}

Status Catalog::completeUpload(const UploadRecord& upload, const std::string& sha256, uint64_t size,
                               int64_t mtime) {
    return db_->transaction([&](SqlRunner& sql) {
        if (!sql.queryOne("SELECT 1 FROM upload WHERE id = ?", {upload.id})) {
            return Status::notFound("the upload was cancelled");
        }
        Status s =
            link(sql, upload.parentNode, upload.name, upload.accountId, sha256, size, mtime, true);
        if (!s) return s;
        sql.execute("DELETE FROM upload WHERE id = ?", {upload.id});
        return Status::ok();
    });
}

Status Catalog::findBlob(const std::string& sha256, std::optional<BlobRecord>& blob) {
    return db_->read([&](SqlRunner& sql) {
        auto row =
            sql.queryOne("SELECT sha256, size, refcount FROM blob WHERE sha256 = ?", {sha256});
        blob.reset();
        if (row)
            blob =
                BlobRecord{row->text(0), static_cast<uint64_t>(row->integer(1)), row->integer(2)};
        return Status::ok();
    });
}

Status Catalog::listBlobs(std::vector<BlobRecord>& blobs) {
    return db_->read([&](SqlRunner& sql) {
        blobs.clear();
        for (const SqlRow& row : sql.query("SELECT sha256, size, refcount FROM blob")) {
            blobs.push_back({row.text(0), static_cast<uint64_t>(row.integer(1)), row.integer(2)});
        }
        return Status::ok();
    });
}

Status Catalog::takeCollectableBlobs(int64_t cutoff, std::vector<std::string>& sha256s) {
    return db_->transaction([&](SqlRunner& sql) {
        sha256s.clear();
        for (const SqlRow& row : sql.query("SELECT sha256 FROM blob WHERE refcount <= 0 AND "
                                           "unreferenced_since < ?",
                                           {cutoff})) {
            sha256s.push_back(row.text(0));
        }
        for (const std::string& sha : sha256s) {
            sql.execute("DELETE FROM blob WHERE sha256 = ? AND refcount <= 0", {sha});
        }
        return Status::ok();
    });
}

Status Catalog::checkReferenceCounts(std::vector<std::string>& problems) {
    return db_->read([&](SqlRunner& sql) {
        for (const SqlRow& row : sql.query(
                 "SELECT b.sha256, b.refcount, (SELECT count(*) FROM node n WHERE n.blob = "
                 "b.sha256) FROM blob b WHERE b.refcount <> (SELECT count(*) FROM node n WHERE "
                 "n.blob = b.sha256)")) {
            problems.push_back("blob " + row.text(0) + " counts " + row.text(1) +
                               " references but " + row.text(2) + " files use it");
        }
        for (const SqlRow& row : sql.query("SELECT n.id, n.blob FROM node n WHERE n.is_dir = 0 "
                                           "AND NOT EXISTS (SELECT 1 FROM blob b WHERE b.sha256 "
                                           "= n.blob)")) {
            problems.push_back("file #" + row.text(0) + " uses unknown blob " + row.text(1));
        }
        return Status::ok();
    });
}

}  // namespace dad
