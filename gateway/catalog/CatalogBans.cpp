// Login bans: client addresses and accounts refused password logins for a time.
#include "Catalog.h"

namespace dad {

namespace {

const char* const kBanColumns = "kind, subject, until, reason, created";

LoginBan ban(const SqlRow& row) {
    LoginBan b;
    b.kind = row.text(0);
    b.subject = row.text(1);
    b.until = row.integer(2);
    b.reason = row.text(3);
    b.created = row.integer(4);
    return b;
}

}  // namespace

Status Catalog::addLoginBan(const LoginBan& b) {
    return db_->transaction([&](SqlRunner& sql) {
        const int64_t now = nowSeconds();
        sql.execute("DELETE FROM login_ban WHERE until <= ?", {now});
        sql.execute(
            "INSERT OR REPLACE INTO login_ban (kind, subject, until, reason, created) "
            "VALUES (?, ?, ?, ?, ?)",
            {b.kind, b.subject, b.until, b.reason, now});
        return Status::ok();
    });
}

Status Catalog::findLoginBan(const std::string& address, const std::string& account,
                             LoginBan& out) {
    return db_->read([&](SqlRunner& sql) {
        auto row = sql.queryOne(std::string("SELECT ") + kBanColumns +
                                    " FROM login_ban WHERE until > ? AND ((kind = 'address' AND "
                                    "subject = ?) OR (kind = 'account' AND subject = ?)) "
                                    "ORDER BY until DESC LIMIT 1",
                                {nowSeconds(), address, account});
        if (!row) return Status::notFound("no login ban");
        out = ban(*row);
        return Status::ok();
    });
}

Status Catalog::listLoginBans(std::vector<LoginBan>& bans) {
    return db_->read([&](SqlRunner& sql) {
        bans.clear();
        for (const SqlRow& row : sql.query(std::string("SELECT ") + kBanColumns +
                                               " FROM login_ban WHERE until > ? "
                                               "ORDER BY kind DESC, subject",
                                           {nowSeconds()})) {
            bans.push_back(ban(row));
        }
        return Status::ok();
    });
}

Status Catalog::removeLoginBan(const std::string& kind, const std::string& subject) {
    return db_->transaction([&](SqlRunner& sql) {
        if (sql.execute("DELETE FROM login_ban WHERE kind = ? AND subject = ? AND until > ?",
                        {kind, subject, nowSeconds()}) == 0) {
            return Status::notFound("no login ban on " + kind + " " + subject);
        }
        return Status::ok();
    });
}

}  // namespace dad
