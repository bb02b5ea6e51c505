#include "Db.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/SessionPool.h>
#include <Poco/Exception.h>
#include <sqlite3.h>

#include <chrono>
#include <stdexcept>

#include "InternalError.h"
#include "Metrics.h"

namespace dad {

int64_t SqlRow::integer(size_t i, int64_t fallback) const {
    const SqlValue& v = values_.at(i);
    if (auto p = std::get_if<int64_t>(&v)) return *p;
    if (auto s = std::get_if<std::string>(&v)) return s->empty() ? fallback : std::stoll(*s);
    return fallback;
}

std::string SqlRow::text(size_t i) const {
    const SqlValue& v = values_.at(i);
    if (auto p = std::get_if<std::string>(&v)) return *p;
    if (auto n = std::get_if<int64_t>(&v)) return std::to_string(*n);
    return {};
}

std::optional<int64_t> SqlRow::optionalInteger(size_t i) const {
    if (isNull(i)) return std::nullopt;
    return integer(i);
}

std::optional<std::string> SqlRow::optionalText(size_t i) const {
    if (isNull(i)) return std::nullopt;
    return text(i);
}

class StatementCache {
public:
    explicit StatementCache(sqlite3* handle) : handle_(handle) {}
    ~StatementCache() {
        for (auto& [sql, statement] : statements_)
            sqlite3_finalize(statement);
    }
    // A compiled statement, reset and unbound, ready for new parameters.
    sqlite3_stmt* get(const std::string& sql) {
        auto found = statements_.find(sql);
        if (found != statements_.end()) {
            sqlite3_reset(found->second);
            sqlite3_clear_bindings(found->second);
            return found->second;
        }
        sqlite3_stmt* statement = nullptr;
        if (sqlite3_prepare_v3(handle_, sql.c_str(), static_cast<int>(sql.size()),
                               SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK) {
            throw std::runtime_error(sqlite3_errmsg(handle_));
        }
        statements_.emplace(sql, statement);
        return statement;
    }

private:
    sqlite3* handle_;
    std::map<std::string, sqlite3_stmt*> statements_;
};

namespace {

void bindAll(sqlite3* handle, sqlite3_stmt* statement, const std::vector<SqlValue>& params) {
    for (size_t i = 0; i < params.size(); ++i) {
        const int index = static_cast<int>(i + 1);
        int rc;
        if (auto n = std::get_if<int64_t>(&params[i])) {
            rc = sqlite3_bind_int64(statement, index, *n);
        } else if (auto text = std::get_if<std::string>(&params[i])) {
            rc = sqlite3_bind_text(statement, index, text->data(), static_cast<int>(text->size()),
                                   SQLITE_TRANSIENT);
        } else {
            rc = sqlite3_bind_null(statement, index);
        }
        if (rc != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(handle));
    }
}

SqlValue columnValue(sqlite3_stmt* statement, int column) {
    switch (sqlite3_column_type(statement, column)) {
        case SQLITE_NULL:
            return nullptr;
        case SQLITE_INTEGER:
            return static_cast<int64_t>(sqlite3_column_int64(statement, column));
        default: {
            const auto* text =
                reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
            return std::string(text ? text : "",
                               static_cast<size_t>(sqlite3_column_bytes(statement, column)));
        }
    }
}

// Runs a statement to its end; rows go to `rows` when given.
void run(sqlite3* handle, sqlite3_stmt* statement, SqlRows* rows) {
    const int columns = sqlite3_column_count(statement);
    for (;;) {
        const int rc = sqlite3_step(statement);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) {
            const std::string message = sqlite3_errmsg(handle);
            sqlite3_reset(statement);
            throw std::runtime_error(message);
        }
        if (!rows) continue;
        std::vector<SqlValue> values;
        values.reserve(static_cast<size_t>(columns));
        for (int c = 0; c < columns; ++c)
            values.push_back(columnValue(statement, c));
        rows->emplace_back(std::move(values));
    }
    sqlite3_reset(statement);
}

void exec(sqlite3* handle, const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(handle, sql, nullptr, nullptr, &error) != SQLITE_OK) {
        const std::string message = error ? error : sqlite3_errmsg(handle);
        sqlite3_free(error);
        throw std::runtime_error(message);
    }
}

// The driver's text names tables and constraints: for the log, not for a client.
Status catalogError(const std::exception& e) {
    const auto* poco = dynamic_cast<const Poco::Exception*>(&e);
    return internalError("dadgate.catalog", poco ? poco->displayText() : std::string(e.what()));
}

// Pooled connections are kept for the life of the process: a connection is
// known by its handle, which a closed and reopened one could reuse.
constexpr int kNeverIdle = 10 * 365 * 24 * 3600;

}  // namespace

SqlRows SqlRunner::query(const std::string& sql, const std::vector<SqlValue>& params) {
    sqlite3_stmt* statement = cache_.get(sql);
    bindAll(handle_, statement, params);
    SqlRows rows;
    run(handle_, statement, &rows);
    return rows;
}

std::optional<SqlRow> SqlRunner::queryOne(const std::string& sql,
                                          const std::vector<SqlValue>& params) {
    SqlRows rows = query(sql, params);
    if (rows.empty()) return std::nullopt;
    return rows.front();
}

size_t SqlRunner::execute(const std::string& sql, const std::vector<SqlValue>& params) {
    sqlite3_stmt* statement = cache_.get(sql);
    bindAll(handle_, statement, params);
    run(handle_, statement, nullptr);
    return static_cast<size_t>(sqlite3_changes(handle_));
}

Status Db::openSqlite(const std::string& path, std::unique_ptr<Db>& db) {
    try {
        Poco::Data::SQLite::Connector::registerConnector();
        std::unique_ptr<Db> created(new Db());
        created->pool_ =
            std::make_unique<Poco::Data::SessionPool>("SQLite", path, 1, 64, kNeverIdle);
        Poco::Data::Session session(created->pool_->get());
        exec(Poco::Data::SQLite::Utility::dbHandle(session), "PRAGMA journal_mode=WAL");
        db = std::move(created);
        return Status::ok();
    } catch (const Poco::Exception& e) {
        return Status::ioError("cannot open catalog " + path + ": " + e.displayText());
    } catch (const std::exception& e) {
        return Status::ioError("cannot open catalog " + path + ": " + e.what());
    }
}

Db::~Db() = default;

Db::Connection& Db::connection(Poco::Data::Session& session, sqlite3*& handle) {
    handle = Poco::Data::SQLite::Utility::dbHandle(session);
    std::lock_guard<std::mutex> lock(connectionsMutex_);
    auto known = connections_.find(handle);
    if (known == connections_.end()) {
        sqlite3_busy_timeout(handle, 10000);
        exec(handle, "PRAGMA foreign_keys=ON");
        Connection fresh;
        fresh.statements = std::make_unique<StatementCache>(handle);
        known = connections_.emplace(handle, std::move(fresh)).first;
    }
    return known->second;
}

Status Db::read(const std::function<Status(SqlRunner&)>& fn) {
    try {
        Poco::Data::Session session(pool_->get());
        sqlite3* handle = nullptr;
        Connection& c = connection(session, handle);
        SqlRunner runner(handle, *c.statements);
        return fn(runner);
    } catch (const std::exception& e) {
        return catalogError(e);
    }
}

void Db::runBatch(std::vector<PendingTransaction*>& batch, Durability durability) {
    std::lock_guard<std::mutex> lock(writeMutex_);
    std::optional<Poco::Data::Session> session;
    sqlite3* handle = nullptr;
    try {
        session.emplace(pool_->get());
        Connection& c = connection(*session, handle);
        // In WAL mode NORMAL syncs at checkpoints only: a process crash loses
        // nothing, a power cut may lose the last relaxed commits.
        const int level = durability == Durability::Full ? 2 : 1;
        if (c.syncLevel != level) {
            exec(handle, level == 2 ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
            c.syncLevel = level;
        }
        SqlRunner runner(handle, *c.statements);
        exec(handle, "BEGIN IMMEDIATE");
        for (PendingTransaction* pending : batch) {
            // Each caller's work in a savepoint: one failing undoes only itself.
            exec(handle, "SAVEPOINT one");
            try {
                pending->result = pending->fn(runner);
            } catch (const std::exception& e) {
                pending->result = catalogError(e);
            }
            if (!pending->result) exec(handle, "ROLLBACK TO one");
            exec(handle, "RELEASE one");
        }
        const auto start = std::chrono::steady_clock::now();
        exec(handle, "COMMIT");
        if (commitSeconds_ != nullptr) {
            commitSeconds_->observe(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        }
    } catch (const std::exception& e) {
        // Nothing of the batch committed: every caller learns so, and the
        // pooled connection is not left inside a transaction.
        if (handle && sqlite3_get_autocommit(handle) == 0) {
            sqlite3_exec(handle, "ROLLBACK", nullptr, nullptr, nullptr);
        }
        const Status failed = catalogError(e);
        for (PendingTransaction* pending : batch) {
            if (pending->result) pending->result = failed;
        }
    }
}

Status Db::transaction(const std::function<Status(SqlRunner&)>& fn, Durability durability) {
    PendingTransaction me{fn, Status::ok(), false};
    if (durability == Durability::Relaxed) {
        std::vector<PendingTransaction*> alone{&me};
        runBatch(alone, durability);
        return me.result;
    }
    // Group commit: while one thread commits (and waits for the disk), the
    // others queue; the next leader commits them all with one flush.
    std::unique_lock<std::mutex> lock(groupMutex_);
    queue_.push_back(&me);
    while (!me.done) {
        if (leaderActive_) {
            groupDone_.wait(lock);
            continue;
        }
        leaderActive_ = true;
        std::vector<PendingTransaction*> batch;
        batch.swap(queue_);
        lock.unlock();
        runBatch(batch, Durability::Full);
        lock.lock();
        for (PendingTransaction* pending : batch)
            pending->done = true;
        leaderActive_ = false;
        groupDone_.notify_all();
    }
    return me.result;
}

}  // namespace dad
