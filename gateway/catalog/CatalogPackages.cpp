// Packages and recipients.
#include "Catalog.h"
#include "CatalogRows.h"

namespace dad {

using namespace catalog_rows;

namespace {

const std::string kSelectPackage = std::string("SELECT ") + kPackageColumns +
                                   " FROM package k JOIN account s ON s.id = k.sender_id ";

std::optional<PackageRecord> packageWhere(SqlRunner& sql, const std::string& where,
                                          const std::vector<SqlValue>& params) {
    auto row = sql.queryOne(kSelectPackage + where, params);
    if (!row) return std::nullopt;
    return catalog_rows::package(*row);
}

// `base`, or `base-2`, `base-3`... the first that `taken` says is free.
template <typename Taken>
std::string uniqueName(const std::string& base, Taken taken) {
    if (!taken(base)) return base;
    for (int n = 2;; ++n) {
        std::string candidate = base + "-" + std::to_string(n);
        if (!taken(candidate)) return candidate;
    }
}

}  // namespace

Status Catalog::createPackage(PackageRecord& p) {
    return db_->transaction([&](SqlRunner& sql) {
        p.created = nowSeconds();
        p.rootNode = sql.queryOne(
                            "INSERT INTO node (parent_id, name, is_dir, mtime, owner_id) "
                            "VALUES (NULL, ?, 1, ?, ?) RETURNING id",
                            {"package:" + p.pid, p.created, p.senderId})
                         ->integer(0);
        sql.execute("UPDATE node SET root_id = id WHERE id = ?", {p.rootNode});
        p.id = sql.queryOne(
                      "INSERT INTO package (pid, token, sender_id, name, state, root_node, "
                      "message, notify, return_of, sent_name, created, sent_at) VALUES "
                      "(?, ?, ?, ?, ?, ?, '', '', ?, ?, ?, ?) RETURNING id",
                      {p.pid, p.token, p.senderId, p.name, p.state, p.rootNode,
                       nullable(p.returnOf), p.sentName, p.created, nullable(p.sentAt)})
                   ->integer(0);
        return Status::ok();
    });
}

Status Catalog::findPackage(int64_t id, PackageRecord& package) {
    return db_->read([&](SqlRunner& sql) {
        auto p = packageWhere(sql, "WHERE k.id = ?", {id});
        if (!p) return Status::notFound("no package #" + std::to_string(id));
        package = *p;
        return Status::ok();
    });
}

Status Catalog::findPackageByPid(const std::string& pid, PackageRecord& package) {
    return db_->read([&](SqlRunner& sql) {
        auto p = packageWhere(sql, "WHERE k.pid = ?", {pid});
        if (!p) return Status::notFound("no package " + pid);
        package = *p;
        return Status::ok();
    });
}

Status Catalog::findDraft(int64_t senderId, const std::string& name,
                          std::optional<PackageRecord>& p) {
    return db_->read([&](SqlRunner& sql) {
        p = packageWhere(sql, "WHERE k.sender_id = ? AND k.state = 'draft' AND k.name = ?",
                         {senderId, name});
        return Status::ok();
    });
}

Status Catalog::findSent(int64_t senderId, const std::string& sentName,
                         std::optional<PackageRecord>& p) {
    return db_->read([&](SqlRunner& sql) {
        p = packageWhere(sql, "WHERE k.sender_id = ? AND k.state <> 'draft' AND k.sent_name = ?",
                         {senderId, sentName});
        return Status::ok();
    });
}

Status Catalog::listPackagesOfSender(int64_t senderId, const std::string& state,
                                     std::vector<PackageRecord>& packages) {
    return db_->read([&](SqlRunner& sql) {
        packages.clear();
        // A removed draft was never sent: it is in neither /outbox nor /sent.
        const std::string where =
            state == "draft" ? "k.state = 'draft'" : "k.state <> 'draft' AND k.sent_at IS NOT NULL";
        for (const SqlRow& row :
             sql.query(kSelectPackage + "WHERE k.sender_id = ? AND " + where + " ORDER BY k.id",
                       {senderId})) {
            packages.push_back(catalog_rows::package(row));
        }
        return Status::ok();
    });
}

Status Catalog::listInbox(int64_t accountId,
                          std::vector<std::pair<std::string, PackageRecord>>& packages) {
    return db_->read([&](SqlRunner& sql) {
        packages.clear();
        for (const SqlRow& row : sql.query(std::string("SELECT r.inbox_name, k.id") +
                                               " FROM recipient r JOIN package k ON k.id = "
                                               "r.package_id JOIN account s ON s.id = "
                                               "k.sender_id WHERE r.account_id = ? AND k.state "
                                               "= 'sent' AND r.hidden_at IS NULL ORDER BY "
                                               "r.inbox_name",
                                           {accountId})) {
            SqlRows shifted = sql.query(kSelectPackage + "WHERE k.id = ?", {row.integer(1)});
            if (shifted.empty()) continue;
            packages.emplace_back(row.text(0), catalog_rows::package(shifted.front()));
        }
        return Status::ok();
    });
}

Status Catalog::findInbox(int64_t accountId, const std::string& inboxName,
                          std::optional<PackageRecord>& package, bool hidden) {
    return db_->read([&](SqlRunner& sql) {
        package = packageWhere(sql,
                               std::string("JOIN recipient r ON r.package_id = k.id WHERE "
                                           "r.account_id = ? AND r.inbox_name = ? AND k.state = "
                                           "'sent' AND r.hidden_at IS ") +
                                   (hidden ? "NOT NULL" : "NULL"),
                               {accountId, inboxName});
        return Status::ok();
    });
}

Status Catalog::listPackages(std::optional<int64_t> accountId,
                             std::vector<PackageRecord>& packages) {
    return db_->read([&](SqlRunner& sql) {
        packages.clear();
        SqlRows rows = accountId
                           ? sql.query(kSelectPackage +
                                           "WHERE k.sender_id = ? OR k.id IN (SELECT package_id "
                                           "FROM recipient WHERE account_id = ?) ORDER BY k.id",
                                       {*accountId, *accountId})
                           : sql.query(kSelectPackage + "ORDER BY k.id");
        for (const SqlRow& row : rows)
            packages.push_back(catalog_rows::package(row));
        return Status::ok();
    });
}

Status Catalog::updatePackageSettings(const PackageRecord& p) {
    return db_->transaction([&](SqlRunner& sql) {
        sql.execute(
            "UPDATE package SET message = ?, expires_at = ?, expires_after = ?, "
            "max_downloads = ?, password_hash = ?, notify = ?, forward_to = ? WHERE id = ?",
            {p.message, nullable(p.expiresAt), nullable(p.expiresAfter), nullable(p.maxDownloads),
             p.passwordHash, p.notify, p.forwardTo, p.id});
        return Status::ok();
    });
}

Status Catalog::setRecipients(int64_t packageId, const std::vector<RecipientRecord>& recipients) {
    return db_->transaction([&](SqlRunner& sql) {
        sql.execute("DELETE FROM recipient WHERE package_id = ?", {packageId});
        for (const RecipientRecord& r : recipients) {
            sql.execute(
                "INSERT INTO recipient (package_id, address, account_id, kind) VALUES "
                "(?, ?, ?, ?) ON CONFLICT (package_id, address) DO NOTHING",
                {packageId, r.address, nullable(r.accountId), r.kind});
        }
        return Status::ok();
    });
}

Status Catalog::listRecipients(int64_t packageId, std::vector<RecipientRecord>& recipients) {
    return db_->read([&](SqlRunner& sql) {
        recipients.clear();
        for (const SqlRow& row :
             sql.query("SELECT id, package_id, address, account_id, kind, "
                       "inbox_name, hidden_at FROM recipient WHERE package_id = ? "
                       "ORDER BY id",
                       {packageId})) {
            RecipientRecord r;
            r.id = row.integer(0);
            r.packageId = row.integer(1);
            r.address = row.text(2);
            r.accountId = row.optionalInteger(3);
            r.kind = row.text(4);
            r.inboxName = row.text(5);
            r.hiddenAt = row.optionalInteger(6);
            recipients.push_back(r);
        }
        return Status::ok();
    });
}

Status Catalog::sendPackage(int64_t packageId, const std::string& preferredName) {
    return db_->transaction([&](SqlRunner& sql) {
        auto p = packageWhere(sql, "WHERE k.id = ?", {packageId});
        if (!p) return Status::notFound("the draft no longer exists");
        if (p->state != "draft") return Status::invalid("the package was already sent");
        if (sql.queryOne("SELECT 1 FROM upload WHERE root_node = ?", {p->rootNode})) {
            return Status::error(StatusCode::Busy,
                                 "an upload into this draft is unfinished; finish or remove it "
                                 "before sending");
        }
        const std::string sentName = uniqueName(preferredName, [&](const std::string& n) {
            return sql
                .queryOne(
                    "SELECT 1 FROM package WHERE sender_id = ? AND state <> 'draft' AND "
                    "sent_name = ?",
                    {p->senderId, n})
                .has_value();
        });
        for (const SqlRow& r : sql.query("SELECT id, account_id FROM recipient WHERE package_id "
                                         "= ? AND account_id IS NOT NULL",
                                         {packageId})) {
            const int64_t account = r.integer(1);
            const std::string inboxName =
                uniqueName(p->senderName + "-" + p->name, [&](const std::string& n) {
                    return sql
                        .queryOne(
                            "SELECT 1 FROM recipient WHERE account_id = ? AND inbox_name "
                            "= ?",
                            {account, n})
                        .has_value();
                });
            sql.execute("UPDATE recipient SET inbox_name = ? WHERE id = ?",
                        {inboxName, r.integer(0)});
        }
        const int64_t now = nowSeconds();
        SqlValue expiresAt = nullable(p->expiresAt);
        if (p->expiresAfter) expiresAt = now + *p->expiresAfter;
        sql.execute(
            "UPDATE package SET state = 'sent', sent_name = ?, sent_at = ?, expires_at = ? "
            "WHERE id = ?",
            {sentName, now, expiresAt, packageId});
        return Status::ok();
    });
}

Status Catalog::renameDraft(int64_t packageId, const std::string& newName) {
    return db_->transaction([&](SqlRunner& sql) {
        auto p = packageWhere(sql, "WHERE k.id = ?", {packageId});
        if (!p) return Status::notFound("the draft no longer exists");
        if (packageWhere(sql, "WHERE k.sender_id = ? AND k.state = 'draft' AND k.name = ?",
                         {p->senderId, newName})) {
            return Status::exists(newName + " already exists");
        }
        sql.execute("UPDATE package SET name = ? WHERE id = ?", {newName, packageId});
        return Status::ok();
    });
}

Status Catalog::removeDraft(int64_t packageId, const std::string& removedBy) {
    return db_->transaction([&](SqlRunner& sql) {
        auto p = packageWhere(sql, "WHERE k.id = ? AND k.state = 'draft'", {packageId});
        if (!p) return Status::notFound("no such draft");
        if (sql.queryOne("SELECT 1 FROM node WHERE parent_id = ?", {p->rootNode}) ||
            sql.queryOne("SELECT 1 FROM upload WHERE root_node = ?", {p->rootNode})) {
            return Status::error(StatusCode::NotEmpty, "the draft is not empty");
        }
        // Its link may have been handed out and used: the package stays, as
        // withdrawn (never sent), so the link says it is gone and the
        // downloads it served stay in the tracking.
        sql.execute(
            "UPDATE package SET state = 'withdrawn', withdrawn_by = ?, withdrawn_at = ? WHERE "
            "id = ?",
            {removedBy, nowSeconds(), packageId});
        return Status::ok();
    });
}

Status Catalog::hideFromInbox(int64_t packageId, int64_t accountId) {
    return db_->transaction([&](SqlRunner& sql) {
        if (sql.execute("UPDATE recipient SET hidden_at = ? WHERE package_id = ? AND account_id = "
                        "? AND hidden_at IS NULL",
                        {nowSeconds(), packageId, accountId}) == 0) {
            return Status::notFound("the package is not in this inbox");
        }
        return Status::ok();
    });
}

Status Catalog::setPackageState(int64_t packageId, const std::string& state) {
    return db_->transaction([&](SqlRunner& sql) {
        sql.execute("UPDATE package SET state = ? WHERE id = ?", {state, packageId});
        return Status::ok();
    });
}

Status Catalog::findReply(int64_t originalId, int64_t replierId, std::optional<PackageRecord>& p) {
    return db_->read([&](SqlRunner& sql) {
        p = packageWhere(sql, "WHERE k.return_of = ? AND k.sender_id = ?", {originalId, replierId});
        return Status::ok();
    });
}

}  // namespace dad
