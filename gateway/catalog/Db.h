// Db: the SQL seam of the catalog, on Poco Data. SQLite (WAL) is the embedded
// default; the same statements are written to run on PostgreSQL too (plain
// SQL, "?" placeholders, INSERT ... RETURNING id).
//
// Poco Data opens and pools the connections; statements run on SQLite's own
// API with a per-connection cache of compiled statements (compiling every
// query again was the largest CPU cost on small files).
//
// Reads take a pooled session. Writes go through transaction(): one writer at
// a time in this process (BEGIN IMMEDIATE on SQLite), committed when the
// callback returns Ok, rolled back otherwise or on any exception. Durable
// transactions that arrive while another commits are committed together
// (group commit: one flush for all), each in its own savepoint.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "Status.h"

namespace Poco::Data {
class Session;
class SessionPool;
}  // namespace Poco::Data

struct sqlite3;

namespace dad {

class Histogram;

using SqlValue = std::variant<std::nullptr_t, int64_t, std::string>;

// One result row; columns in SELECT order.
class SqlRow {
public:
    explicit SqlRow(std::vector<SqlValue> values) : values_(std::move(values)) {}
    bool isNull(size_t i) const { return std::holds_alternative<std::nullptr_t>(values_.at(i)); }
    int64_t integer(size_t i, int64_t fallback = 0) const;
    std::string text(size_t i) const;  // "" for NULL
    std::optional<int64_t> optionalInteger(size_t i) const;
    std::optional<std::string> optionalText(size_t i) const;

private:
    std::vector<SqlValue> values_;
};

using SqlRows = std::vector<SqlRow>;

// Statements compiled once per connection and kept (sqlite3_stmt by SQL text).
class StatementCache;

// Runs statements on one connection (a transaction's, or a pooled one).
// Throws std::runtime_error with SQLite's message on failure; Db turns that
// into an IoError.
class SqlRunner {
public:
    SqlRunner(sqlite3* handle, StatementCache& cache) : handle_(handle), cache_(cache) {}
    SqlRows query(const std::string& sql, const std::vector<SqlValue>& params = {});
    std::optional<SqlRow> queryOne(const std::string& sql,
                                   const std::vector<SqlValue>& params = {});
    // Returns the number of rows changed.
    size_t execute(const std::string& sql, const std::vector<SqlValue>& params = {});

private:
    sqlite3* handle_;
    StatementCache& cache_;
};

class Db {
public:
    // Opens (creating if needed) the SQLite catalog at `path`.
    static Status openSqlite(const std::string& path, std::unique_ptr<Db>& db);
    ~Db();

    // Runs `fn` on a pooled session, outside any transaction. Exceptions from
    // the driver become IoError.
    Status read(const std::function<Status(SqlRunner&)>& fn);
    enum class Durability {
        Full,    // the commit is on disk when transaction() returns (acknowledged changes)
        Relaxed  // survives a crash of the process, maybe not of the machine (bookkeeping)
    };
    // Runs `fn` in a write transaction (see above).
    Status transaction(const std::function<Status(SqlRunner&)>& fn,
                       Durability durability = Durability::Full);
    // Where the time each COMMIT takes is observed (null: nowhere).
    // REQUIRES: set before other threads use this Db.
    void setCommitHistogram(Histogram* histogram) { commitSeconds_ = histogram; }

private:
    Db() = default;

    std::unique_ptr<Poco::Data::SessionPool> pool_;
    struct PendingTransaction {
        const std::function<Status(SqlRunner&)>& fn;
        Status result;
        bool done;
    };
    // Runs the batch in one transaction, each in its own savepoint, one commit.
    void runBatch(std::vector<PendingTransaction*>& batch, Durability durability);

    Histogram* commitSeconds_ = nullptr;
    std::mutex writeMutex_;
    std::mutex groupMutex_;  // the queue of durable transactions waiting to commit
    std::condition_variable groupDone_;
    std::vector<PendingTransaction*> queue_;
    bool leaderActive_ = false;
    struct Connection {
        int syncLevel = 0;  // 0: not set yet, 1: NORMAL, 2: FULL
        std::unique_ptr<StatementCache> statements;
    };
    // Returns the connection's bookkeeping (set up on first use).
    Connection& connection(Poco::Data::Session& session, sqlite3*& handle);

    std::mutex connectionsMutex_;
    std::map<sqlite3*, Connection> connections_;
};

}  // namespace dad
