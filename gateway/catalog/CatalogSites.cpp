// Sites packages are forwarded to, and each package's forwards.
#include "Catalog.h"

namespace dad {

namespace {

const char* const kSiteColumns = "name, type, url, user, ca_file, host_key, created_at";

SiteRecord site(const SqlRow& row) {
    SiteRecord s;
    s.name = row.text(0);
    s.type = row.text(1);
    s.url = row.text(2);
    s.user = row.text(3);
    s.caFile = row.text(4);
    s.hostKey = row.text(5);
    s.createdAt = row.integer(6);
    return s;
}

const char* const kForwardColumns =
    "package_id, site, state, bytes_done, bytes_total, error, attempts, updated_at, withdrawal, "
    "withdrawal_error";

ForwardRecord forward(const SqlRow& row) {
    ForwardRecord f;
    f.packageId = row.integer(0);
    f.site = row.text(1);
    f.state = row.text(2);
    f.bytesDone = static_cast<uint64_t>(row.integer(3));
    f.bytesTotal = static_cast<uint64_t>(row.integer(4));
    f.error = row.text(5);
    f.attempts = row.integer(6);
    f.updatedAt = row.integer(7);
    f.withdrawal = row.text(8);
    f.withdrawalError = row.text(9);
    return f;
}

}  // namespace

Status Catalog::addSite(const SiteRecord& s) {
    return db_->transaction([&](SqlRunner& sql) {
        if (sql.queryOne("SELECT 1 FROM site WHERE name = ?", {s.name})) {
            return Status::exists("a site named " + s.name + " exists");
        }
        sql.execute(
            "INSERT INTO site (name, type, url, user, ca_file, host_key, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            {s.name, s.type, s.url, s.user, s.caFile, s.hostKey, nowSeconds()});
        return Status::ok();
    });
}

Status Catalog::findSite(const std::string& name, SiteRecord& out) {
    return db_->read([&](SqlRunner& sql) {
        auto row = sql.queryOne(std::string("SELECT ") + kSiteColumns + " FROM site WHERE name = ?",
                                {name});
        if (!row) return Status::notFound("no site named " + name);
        out = site(*row);
        return Status::ok();
    });
}

Status Catalog::listSites(std::vector<SiteRecord>& sites) {
    return db_->read([&](SqlRunner& sql) {
        sites.clear();
        for (const SqlRow& row :
             sql.query(std::string("SELECT ") + kSiteColumns + " FROM site ORDER BY name")) {
            sites.push_back(site(row));
        }
        return Status::ok();
    });
}

Status Catalog::removeSite(const std::string& name) {
    return db_->transaction([&](SqlRunner& sql) {
        if (sql.execute("DELETE FROM site WHERE name = ?", {name}) == 0) {
            return Status::notFound("no site named " + name);
        }
        return Status::ok();
    });
}

Status Catalog::queueForward(int64_t packageId, const std::string& siteName,
                             const std::string& payload, bool& queued) {
    queued = false;
    return db_->transaction([&](SqlRunner& sql) {
        const int64_t now = nowSeconds();
        auto row =
            sql.queryOne("SELECT state FROM package_forward WHERE package_id = ? AND site = ?",
                         {packageId, siteName});
        if (row && (row->text(0) == "queued" || row->text(0) == "running")) return Status::ok();
        if (row) {
            sql.execute(
                "UPDATE package_forward SET state = 'queued', error = '', updated_at = ? "
                "WHERE package_id = ? AND site = ?",
                {now, packageId, siteName});
        } else {
            sql.execute(
                "INSERT INTO package_forward (package_id, site, state, updated_at) "
                "VALUES (?, ?, 'queued', ?)",
                {packageId, siteName, now});
        }
        sql.execute(
            "INSERT INTO job (kind, payload, run_after, created, updated) "
            "VALUES ('forward', ?, ?, ?, ?)",
            {payload, now, now, now});
        queued = true;
        return Status::ok();
    });
}

Status Catalog::updateForward(int64_t packageId, const std::string& siteName,
                              const std::string& state, uint64_t bytesDone, uint64_t bytesTotal,
                              const std::string& error, bool attempt) {
    return db_->transaction([&](SqlRunner& sql) {
        const int64_t now = nowSeconds();
        const std::vector<SqlValue> values{state,
                                           static_cast<int64_t>(bytesDone),
                                           static_cast<int64_t>(bytesTotal),
                                           error,
                                           int64_t{attempt ? 1 : 0},
                                           now,
                                           packageId,
                                           siteName};
        if (sql.execute("UPDATE package_forward SET state = ?, bytes_done = ?, bytes_total = ?, "
                        "error = ?, attempts = attempts + ?, updated_at = ? "
                        "WHERE package_id = ? AND site = ?",
                        values) == 0) {
            // A forward job queued before its row existed (or by hand): the row now.
            sql.execute(
                "INSERT INTO package_forward (state, bytes_done, bytes_total, error, attempts, "
                "updated_at, package_id, site) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                values);
        }
        return Status::ok();
    });
}

Status Catalog::updateWithdrawal(int64_t packageId, const std::string& siteName,
                                 const std::string& withdrawal, const std::string& error) {
    return db_->transaction([&](SqlRunner& sql) {
        sql.execute(
            "UPDATE package_forward SET withdrawal = ?, withdrawal_error = ?, updated_at = ? "
            "WHERE package_id = ? AND site = ?",
            {withdrawal, error, nowSeconds(), packageId, siteName});
        return Status::ok();
    });
}

Status Catalog::listForwards(int64_t packageId, std::vector<ForwardRecord>& forwards) {
    return db_->read([&](SqlRunner& sql) {
        forwards.clear();
        for (const SqlRow& row : sql.query(std::string("SELECT ") + kForwardColumns +
                                               " FROM package_forward WHERE package_id = ? "
                                               "ORDER BY site",
                                           {packageId})) {
            forwards.push_back(forward(row));
        }
        return Status::ok();
    });
}

}  // namespace dad
