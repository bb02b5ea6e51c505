// Quota bookkeeping: what accounts store, and their limits.
#include "Catalog.h"
#include "CatalogRows.h"

namespace dad {

using namespace catalog_rows;

Status Catalog::usage(const std::vector<int64_t>& accountIds, uint64_t& bytes, uint64_t& files) {
    return db_->read([&](SqlRunner& sql) {
        bytes = 0;
        files = 0;
        for (int64_t id : accountIds) {
            auto row = sql.queryOne(
                "SELECT coalesce(sum(size), 0), count(*) FROM node WHERE owner_id = ? AND "
                "is_dir = 0",
                {id});
            bytes += static_cast<uint64_t>(row->integer(0));
            files += static_cast<uint64_t>(row->integer(1));
        }
        return Status::ok();
    });
}

Status Catalog::listSubUsers(int64_t adminId, std::vector<int64_t>& ids) {
    return db_->read([&](SqlRunner& sql) {
        ids.clear();
        for (const SqlRow& row :
             sql.query("SELECT id FROM account WHERE parent_id = ?", {adminId})) {
            ids.push_back(row.integer(0));
        }
        return Status::ok();
    });
}

Status Catalog::listReturningGuests(int64_t accountId, std::vector<int64_t>& ids) {
    return db_->read([&](SqlRunner& sql) {
        ids.clear();
        for (const SqlRow& row : sql.query(
                 "SELECT DISTINCT r.sender_id FROM package r JOIN package o ON o.id = r.return_of "
                 "JOIN account a ON a.id = r.sender_id WHERE o.sender_id = ? AND a.type = 'guest'",
                 {accountId})) {
            ids.push_back(row.integer(0));
        }
        return Status::ok();
    });
}

Status Catalog::returnedTo(int64_t guestId, int64_t& accountId) {
    return db_->read([&](SqlRunner& sql) {
        auto row = sql.queryOne(
            "SELECT o.sender_id FROM package r JOIN package o ON o.id = r.return_of "
            "JOIN account a ON a.id = r.sender_id WHERE r.sender_id = ? AND a.type = 'guest' "
            "LIMIT 1",
            {guestId});
        accountId = row ? row->integer(0) : 0;
        return Status::ok();
    });
}

Status Catalog::setQuota(const std::string& name, std::optional<int64_t> bytes,
                         std::optional<int64_t> files) {
    return db_->transaction([&](SqlRunner& sql) {
        if (sql.execute("UPDATE account SET quota_bytes = ?, quota_files = ? WHERE name = ?",
                        {nullable(bytes), nullable(files), name}) == 0) {
            return Status::notFound("no account " + name);
        }
        return Status::ok();
    });
}

Status Catalog::listAudit(const std::string& action, int64_t limit,
                          std::vector<std::pair<int64_t, AuditEvent>>& events) {
    return db_->read([&](SqlRunner& sql) {
        events.clear();
        SqlRows rows = sql.query(
            "SELECT at, account, remote_address, protocol, action, path, detail, ok FROM audit "
            "WHERE action = ? ORDER BY id DESC LIMIT ?",
            {action, limit});
        for (auto row = rows.rbegin(); row != rows.rend(); ++row) {
            events.emplace_back(row->integer(0),
                                AuditEvent{row->text(1), row->text(2), row->text(3), row->text(4),
                                           row->text(5), row->text(6), row->integer(7) != 0});
        }
        return Status::ok();
    });
}

}  // namespace dad
