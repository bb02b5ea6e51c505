#include "CatalogRows.h"

namespace dad::catalog_rows {

const char* const kAccountColumns =
    "a.id, a.name, a.email, a.type, a.parent_id, a.password_hash, a.quota_bytes, a.disabled, "
    "a.files_root, a.created, p.name, a.quota_files";

AccountRecord account(const SqlRow& row) {
    AccountRecord a;
    a.id = row.integer(0);
    a.name = row.text(1);
    a.email = row.text(2);
    a.type = row.text(3);
    a.parentId = row.optionalInteger(4);
    a.passwordHash = row.text(5);
    a.quotaBytes = row.optionalInteger(6);
    a.disabled = row.integer(7) != 0;
    a.filesRoot = row.integer(8);
    a.created = row.integer(9);
    a.parentName = row.text(10);
    a.quotaFiles = row.optionalInteger(11);
    return a;
}

const char* const kNodeColumns =
    "id, parent_id, root_id, name, is_dir, blob, size, mtime, owner_id";

NodeRecord node(const SqlRow& row) {
    NodeRecord n;
    n.id = row.integer(0);
    n.parentId = row.integer(1);
    n.rootId = row.integer(2);
    n.name = row.text(3);
    n.isDir = row.integer(4) != 0;
    n.blob = row.text(5);
    n.size = static_cast<uint64_t>(row.integer(6));
    n.mtime = row.integer(7);
    n.ownerId = row.integer(8);
    return n;
}

const char* const kUploadColumns =
    "id, account_id, parent_node, root_node, name, temp_name, started";

UploadRecord upload(const SqlRow& row) {
    UploadRecord u;
    u.id = row.integer(0);
    u.accountId = row.integer(1);
    u.parentNode = row.integer(2);
    u.rootNode = row.integer(3);
    u.name = row.text(4);
    u.tempName = row.text(5);
    u.started = row.integer(6);
    return u;
}

const char* const kPackageColumns =
    "k.id, k.pid, k.token, k.sender_id, COALESCE(k.origin_sender, s.name), k.name, k.state, "
    "k.root_node, k.message, "
    "k.expires_at, k.max_downloads, k.password_hash, k.notify, k.forward_to, k.return_of, "
    "k.sent_name, k.created, k.sent_at, k.expires_after, k.withdrawn_by, k.withdrawn_at";

PackageRecord package(const SqlRow& row) {
    PackageRecord p;
    p.id = row.integer(0);
    p.pid = row.text(1);
    p.token = row.text(2);
    p.senderId = row.integer(3);
    p.senderName = row.text(4);
    p.name = row.text(5);
    p.state = row.text(6);
    p.rootNode = row.integer(7);
    p.message = row.text(8);
    p.expiresAt = row.optionalInteger(9);
    p.maxDownloads = row.optionalInteger(10);
    p.passwordHash = row.text(11);
    p.notify = row.text(12);
    p.forwardTo = row.text(13);
    p.returnOf = row.optionalInteger(14);
    p.sentName = row.text(15);
    p.created = row.integer(16);
    p.sentAt = row.optionalInteger(17);
    p.expiresAfter = row.optionalInteger(18);
    p.withdrawnBy = row.text(19);
    p.withdrawnAt = row.optionalInteger(20);
    return p;
}

SqlValue nullable(const std::optional<int64_t>& value) {
    if (value) return SqlValue(*value);
    return SqlValue(nullptr);
}

void addBlobReference(SqlRunner& sql, const std::string& sha256, uint64_t size) {
    sql.execute(
        "INSERT INTO blob (sha256, size, refcount, unreferenced_since) VALUES (?, ?, 1, NULL) "
        "ON CONFLICT (sha256) DO UPDATE SET refcount = blob.refcount + 1, "
        "unreferenced_since = NULL",
        {sha256, static_cast<int64_t>(size)});
}

void dropBlobReference(SqlRunner& sql, const std::string& sha256) {
    sql.execute(
        "UPDATE blob SET refcount = refcount - 1, unreferenced_since = CASE WHEN refcount = 1 "
        "THEN ? ELSE NULL END WHERE sha256 = ?",
        {nowSeconds(), sha256});
}

void removeTree(SqlRunner& sql, int64_t nodeId) {
    for (const SqlRow& row : sql.query("SELECT id FROM node WHERE parent_id = ?", {nodeId})) {
        removeTree(sql, row.integer(0));
    }
    sql.execute("DELETE FROM upload WHERE parent_node = ?", {nodeId});
    if (auto blob = sql.queryOne("SELECT blob FROM node WHERE id = ? AND is_dir = 0", {nodeId})) {
        if (!blob->isNull(0)) dropBlobReference(sql, blob->text(0));
    }
    sql.execute("DELETE FROM node WHERE id = ?", {nodeId});
}

}  // namespace dad::catalog_rows
