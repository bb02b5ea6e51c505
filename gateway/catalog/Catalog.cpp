#include "Catalog.h"

#include <chrono>

#include "CatalogRows.h"
#include "CatalogSchema.h"

namespace dad {

using namespace catalog_rows;

int64_t nowSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Status Catalog::openSqlite(const std::string& path, std::unique_ptr<Catalog>& catalog) {
    std::unique_ptr<Db> db;
    if (Status s = Db::openSqlite(path, db); !s) return s;
    if (Status s = migrateCatalog(*db); !s) return s;
    catalog = std::make_unique<Catalog>(std::move(db));
    return Status::ok();
}

Catalog::Catalog(std::unique_ptr<Db> db) : db_(std::move(db)) {}

namespace {

const std::string kSelectAccount = std::string("SELECT ") + kAccountColumns +
                                   " FROM account a LEFT JOIN account p ON p.id = a.parent_id ";

std::optional<int64_t> accountId(SqlRunner& sql, const std::string& name) {
    auto row = sql.queryOne("SELECT id FROM account WHERE name = ?", {name});
    if (!row) return std::nullopt;
    return row->integer(0);
}

}  // namespace

Status Catalog::createAccount(AccountRecord& account) {
    return db_->transaction([&](SqlRunner& sql) {
        if (accountId(sql, account.name)) {
            return Status::exists("account " + account.name + " already exists");
        }
        account.created = nowSeconds();
        account.id = sql.queryOne(
                            "INSERT INTO account (name, email, type, parent_id, password_hash, "
                            "quota_bytes, quota_files, disabled, created) VALUES (?, ?, ?, ?, ?, "
                            "?, ?, 0, ?) RETURNING id",
                            {account.name, account.email, account.type, nullable(account.parentId),
                             account.passwordHash, nullable(account.quotaBytes),
                             nullable(account.quotaFiles), account.created})
                         ->integer(0);
        account.filesRoot = sql.queryOne(
                                   "INSERT INTO node (parent_id, name, is_dir, mtime, owner_id) "
                                   "VALUES (NULL, ?, 1, ?, ?) RETURNING id",
                                   {"files:" + account.name, account.created, account.id})
                                ->integer(0);
        sql.execute("UPDATE node SET root_id = id WHERE id = ?", {account.filesRoot});
        sql.execute("UPDATE account SET files_root = ? WHERE id = ?",
                    {account.filesRoot, account.id});
        return Status::ok();
    });
}

Status Catalog::findAccount(const std::string& name, AccountRecord& account) {
    return db_->read([&](SqlRunner& sql) {
        auto row = sql.queryOne(kSelectAccount + "WHERE a.name = ?", {name});
        if (!row) return Status::notFound("no account " + name);
        account = catalog_rows::account(*row);
        return Status::ok();
    });
}

Status Catalog::findAccountById(int64_t id, AccountRecord& account) {
    return db_->read([&](SqlRunner& sql) {
        auto row = sql.queryOne(kSelectAccount + "WHERE a.id = ?", {id});
        if (!row) return Status::notFound("no account #" + std::to_string(id));
        account = catalog_rows::account(*row);
        return Status::ok();
    });
}

Status Catalog::findAccountByAddress(const std::string& address, AccountRecord& account) {
    return db_->read([&](SqlRunner& sql) {
        auto row = sql.queryOne(kSelectAccount +
                                    "WHERE a.name = ? OR lower(a.email) = lower(?) "
                                    "ORDER BY a.name = ? DESC LIMIT 1",
                                {address, address, address});
        if (!row) return Status::notFound("no account " + address);
        account = catalog_rows::account(*row);
        return Status::ok();
    });
}

Status Catalog::listAccounts(std::vector<AccountRecord>& accounts) {
    return db_->read([&](SqlRunner& sql) {
        accounts.clear();
        for (const SqlRow& row : sql.query(kSelectAccount + "ORDER BY a.name")) {
            accounts.push_back(catalog_rows::account(row));
        }
        return Status::ok();
    });
}

Status Catalog::countAccounts(int64_t& count) {
    return db_->read([&](SqlRunner& sql) {
        count = sql.queryOne("SELECT count(*) FROM account")->integer(0);
        return Status::ok();
    });
}

Status Catalog::setDisabled(const std::string& name, bool disabled) {
    return db_->transaction([&](SqlRunner& sql) {
        if (sql.execute("UPDATE account SET disabled = ? WHERE name = ?",
                        {int64_t{disabled ? 1 : 0}, name}) == 0) {
            return Status::notFound("no account " + name);
        }
        return Status::ok();
    });
}

Status Catalog::setPasswordHash(const std::string& name, const std::string& hash) {
    return db_->transaction([&](SqlRunner& sql) {
        if (sql.execute("UPDATE account SET password_hash = ? WHERE name = ?", {hash, name}) == 0) {
            return Status::notFound("no account " + name);
        }
        return Status::ok();
    });
}

Status Catalog::removeAccount(const std::string& name) {
    return db_->transaction([&](SqlRunner& sql) {
        auto row = sql.queryOne("SELECT id, files_root FROM account WHERE name = ?", {name});
        if (!row) return Status::notFound("no account " + name);
        const int64_t id = row->integer(0);
        if (sql.queryOne("SELECT 1 FROM account WHERE parent_id = ?", {id})) {
            return Status::error(StatusCode::NotEmpty,
                                 "account " + name + " has sub-users; remove them first");
        }
        if (sql.queryOne("SELECT 1 FROM package WHERE sender_id = ? AND sent_at IS NOT NULL",
                         {id}) ||
            sql.queryOne("SELECT 1 FROM download WHERE account_id = ?", {id}) ||
            sql.queryOne("SELECT 1 FROM download d JOIN package k ON k.id = d.package_id WHERE "
                         "k.sender_id = ?",
                         {id})) {
            // Sent packages and download records are history: keep them, close the door.
            sql.execute("UPDATE account SET disabled = 1, password_hash = '' WHERE id = ?", {id});
            sql.execute("DELETE FROM ssh_key WHERE account_id = ?", {id});
            return Status::ok();
        }
        for (const SqlRow& draft :
             sql.query("SELECT id, root_node FROM package WHERE sender_id = ?", {id})) {
            sql.execute("DELETE FROM recipient WHERE package_id = ?", {draft.integer(0)});
            sql.execute("DELETE FROM package WHERE id = ?", {draft.integer(0)});
            removeTree(sql, draft.integer(1));
        }
        sql.execute("UPDATE recipient SET account_id = NULL WHERE account_id = ?", {id});
        sql.execute("DELETE FROM upload WHERE account_id = ?", {id});
        removeTree(sql, row->integer(1));
        sql.execute("DELETE FROM account WHERE id = ?", {id});
        return Status::ok();
    });
}

Status Catalog::addKey(const std::string& name, const SshKeyRecord& key) {
    return db_->transaction([&](SqlRunner& sql) {
        auto id = accountId(sql, name);
        if (!id) return Status::notFound("no account " + name);
        if (sql.queryOne("SELECT 1 FROM ssh_key WHERE account_id = ? AND key_type = ? AND "
                         "key_base64 = ?",
                         {*id, key.type, key.base64})) {
            return Status::exists("this key is already registered for " + name);
        }
        sql.execute(
            "INSERT INTO ssh_key (account_id, key_type, key_base64, comment, created) "
            "VALUES (?, ?, ?, ?, ?)",
            {*id, key.type, key.base64, key.comment, nowSeconds()});
        return Status::ok();
    });
}

Status Catalog::listKeys(const std::string& name, std::vector<SshKeyRecord>& keys) {
    return db_->read([&](SqlRunner& sql) {
        auto id = accountId(sql, name);
        if (!id) return Status::notFound("no account " + name);
        keys.clear();
        for (const SqlRow& row : sql.query("SELECT key_type, key_base64, comment FROM ssh_key "
                                           "WHERE account_id = ? ORDER BY id",
                                           {*id})) {
            keys.push_back({row.text(0), row.text(1), row.text(2)});
        }
        return Status::ok();
    });
}

void Catalog::audit(const AuditEvent& e) {
    // The audit trail must not fail a transfer: an error here is only lost.
    (void)db_->transaction(
        [&](SqlRunner& sql) {
            sql.execute(
                "INSERT INTO audit (at, account, remote_address, protocol, action, path, "
                "detail, ok) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                {nowSeconds(), e.account, e.remoteAddress, e.protocol, e.action, e.path, e.detail,
                 int64_t{e.ok ? 1 : 0}});
            return Status::ok();
        },
        Db::Durability::Relaxed);
}

Status Catalog::enqueueJob(const std::string& kind, const std::string& payload) {
    return db_->transaction([&](SqlRunner& sql) {
        const int64_t now = nowSeconds();
        sql.execute(
            "INSERT INTO job (kind, payload, run_after, created, updated) VALUES (?, ?, "
            "?, ?, ?)",
            {kind, payload, now, now, now});
        return Status::ok();
    });
}

Status Catalog::enqueueJobAt(const std::string& kind, const std::string& payload, int64_t runAfter,
                             int64_t& id) {
    return db_->transaction([&](SqlRunner& sql) {
        const int64_t now = nowSeconds();
        std::optional<SqlRow> row = sql.queryOne(
            "INSERT INTO job (kind, payload, run_after, created, updated) VALUES (?, ?, "
            "?, ?, ?) RETURNING id",
            {kind, payload, runAfter, now, now});
        if (!row) return Status::failure("the job was not queued");
        id = row->integer(0);
        return Status::ok();
    });
}

}  // namespace dad
