// The durable job queue.
#include "Catalog.h"

namespace dad {

namespace {

const char* const kJobColumns =
    "id, kind, payload, state, attempts, run_after, last_error, created, updated";

JobRecord job(const SqlRow& row) {
    JobRecord j;
    j.id = row.integer(0);
    j.kind = row.text(1);
    j.payload = row.text(2);
    j.state = row.text(3);
    j.attempts = row.integer(4);
    j.runAfter = row.integer(5);
    j.lastError = row.text(6);
    j.created = row.integer(7);
    j.updated = row.integer(8);
    return j;
}

// "kind IN (?, ?, ...)" for `kinds`, appending them to `params`.
std::string kindFilter(const std::vector<std::string>& kinds, std::vector<SqlValue>& params) {
    std::string filter = "kind IN (";
    for (size_t i = 0; i < kinds.size(); ++i) {
        filter += i ? ", ?" : "?";
        params.push_back(kinds[i]);
    }
    return filter + ")";
}

}  // namespace

Status Catalog::requeueRunningJobs() {
    return db_->transaction([&](SqlRunner& sql) {
        sql.execute("UPDATE job SET state = 'queued', updated = ? WHERE state = 'running'",
                    {nowSeconds()});
        return Status::ok();
    });
}

Status Catalog::claimJob(const std::vector<std::string>& kinds, std::optional<JobRecord>& claimed) {
    claimed.reset();
    if (kinds.empty()) return Status::ok();
    return db_->transaction([&](SqlRunner& sql) {
        const int64_t now = nowSeconds();
        std::vector<SqlValue> params{now};
        const std::string filter = kindFilter(kinds, params);
        auto row = sql.queryOne(std::string("SELECT ") + kJobColumns +
                                    " FROM job WHERE state = 'queued' AND run_after <= ? AND " +
                                    filter + " ORDER BY run_after, id LIMIT 1",
                                params);
        if (!row) return Status::ok();
        JobRecord j = job(*row);
        sql.execute(
            "UPDATE job SET state = 'running', attempts = attempts + 1, updated = ? "
            "WHERE id = ?",
            {now, j.id});
        j.state = "running";
        ++j.attempts;
        claimed = j;
        return Status::ok();
    });
}

Status Catalog::completeJob(int64_t id) {
    return db_->transaction([&](SqlRunner& sql) {
        sql.execute("UPDATE job SET state = 'done', last_error = NULL, updated = ? WHERE id = ?",
                    {nowSeconds(), id});
        return Status::ok();
    });
}

Status Catalog::failJob(int64_t id, const std::string& error, std::optional<int64_t> retryAt) {
    return db_->transaction([&](SqlRunner& sql) {
        if (retryAt) {
            sql.execute(
                "UPDATE job SET state = 'queued', run_after = ?, last_error = ?, "
                "updated = ? WHERE id = ?",
                {*retryAt, error, nowSeconds(), id});
        } else {
            sql.execute("UPDATE job SET state = 'dead', last_error = ?, updated = ? WHERE id = ?",
                        {error, nowSeconds(), id});
        }
        return Status::ok();
    });
}

Status Catalog::nextJobDue(const std::vector<std::string>& kinds, std::optional<int64_t>& at) {
    at.reset();
    if (kinds.empty()) return Status::ok();
    return db_->read([&](SqlRunner& sql) {
        std::vector<SqlValue> params;
        const std::string filter = kindFilter(kinds, params);
        auto row = sql.queryOne(
            "SELECT min(run_after) FROM job WHERE state = 'queued' AND " + filter, params);
        if (row && !row->isNull(0)) at = row->integer(0);
        return Status::ok();
    });
}

Status Catalog::listJobs(const std::string& state, std::vector<JobRecord>& jobs) {
    return db_->read([&](SqlRunner& sql) {
        jobs.clear();
        SqlRows rows =
            state.empty()
                ? sql.query(std::string("SELECT ") + kJobColumns + " FROM job ORDER BY id")
                : sql.query(std::string("SELECT ") + kJobColumns +
                                " FROM job WHERE state = ? ORDER BY id",
                            {state});
        for (const SqlRow& row : rows)
            jobs.push_back(job(row));
        return Status::ok();
    });
}

Status Catalog::retryJob(int64_t id) {
    return db_->transaction([&](SqlRunner& sql) {
        if (sql.execute("UPDATE job SET state = 'queued', attempts = 0, run_after = ?, updated = ? "
                        "WHERE id = ? AND state IN ('dead', 'cancelled')",
                        {nowSeconds(), nowSeconds(), id}) == 0) {
            return Status::notFound("no dead or cancelled job #" + std::to_string(id));
        }
        return Status::ok();
    });
}

Status Catalog::cancelJob(int64_t id) {
    return db_->transaction([&](SqlRunner& sql) {
        if (sql.execute("UPDATE job SET state = 'cancelled', updated = ? WHERE id = ? AND state "
                        "IN ('queued', 'dead')",
                        {nowSeconds(), id}) == 0) {
            return Status::notFound("no queued or dead job #" + std::to_string(id));
        }
        return Status::ok();
    });
}

Status Catalog::setJobPayload(int64_t id, const std::string& payload) {
    return db_->transaction([&](SqlRunner& sql) {
        if (sql.execute("UPDATE job SET payload = ?, updated = ? WHERE id = ?",
                        {payload, nowSeconds(), id}) == 0) {
            return Status::notFound("no job #" + std::to_string(id));
        }
        return Status::ok();
    });
}

Status Catalog::findJobs(const std::string& kind, const std::vector<std::string>& fragments,
                         std::vector<JobRecord>& jobs) {
    return db_->read([&](SqlRunner& sql) {
        jobs.clear();
        std::string where = "kind = ?";
        std::vector<SqlValue> params{kind};
        for (const std::string& fragment : fragments) {
            std::string pattern = "%";
            for (char c : fragment) {
                if (c == '%' || c == '_' || c == '\\') pattern += '\\';
                pattern += c;
            }
            where += " AND payload LIKE ? ESCAPE '\\'";
            params.push_back(pattern + "%");
        }
        for (const SqlRow& row : sql.query(
                 std::string("SELECT ") + kJobColumns + " FROM job WHERE " + where + " ORDER BY id",
                 params)) {
            jobs.push_back(job(row));
        }
        return Status::ok();
    });
}

}  // namespace dad
