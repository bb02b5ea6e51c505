#include "Db.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/SessionPool.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <sqlite3.h>

namespace dad {

using namespace Poco::Data::Keywords;

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

namespace {

void bindAll(Poco::Data::Statement& statement, const std::vector<SqlValue>& params) {
    for (const SqlValue& p : params) {
        if (auto n = std::get_if<int64_t>(&p)) {
            statement.addBind(bind(static_cast<Poco::Int64>(*n)));
        } else if (auto s = std::get_if<std::string>(&p)) {
            statement.addBind(bind(*s));
        } else {
            statement.addBind(use(null));
        }
    }
}

SqlValue columnValue(Poco::Data::RecordSet& rs, size_t column) {
    const Poco::Dynamic::Var& v = rs.value(column);
    if (v.isEmpty()) return nullptr;
    if (v.isString()) return v.convert<std::string>();
    if (v.isInteger()) return static_cast<int64_t>(v.convert<Poco::Int64>());
    return v.convert<std::string>();
}

}  // namespace

SqlRows SqlRunner::query(const std::string& sql, const std::vector<SqlValue>& params) {
    Poco::Data::Statement statement(session_);
    statement << sql;
    bindAll(statement, params);
    statement.execute();
    Poco::Data::RecordSet rs(statement);
    SqlRows rows;
    const size_t columns = rs.columnCount();
    for (bool more = rs.moveFirst(); more; more = rs.moveNext()) {
        std::vector<SqlValue> values;
        values.reserve(columns);
        for (size_t c = 0; c < columns; ++c)
            values.push_back(columnValue(rs, c));
        rows.emplace_back(std::move(values));
    }
    return rows;
}

std::optional<SqlRow> SqlRunner::queryOne(const std::string& sql,
                                          const std::vector<SqlValue>& params) {
    SqlRows rows = query(sql, params);
    if (rows.empty()) return std::nullopt;
    return rows.front();
}

size_t SqlRunner::execute(const std::string& sql, const std::vector<SqlValue>& params) {
    Poco::Data::Statement statement(session_);
    statement << sql;
    bindAll(statement, params);
    return statement.execute();
}

namespace {
// Pooled connections are kept for the life of the process: prepare() knows a
// connection by its handle, which a closed and reopened one could reuse.
constexpr int kNeverIdle = 10 * 365 * 24 * 3600;
}  // namespace

Status Db::openSqlite(const std::string& path, std::unique_ptr<Db>& db) {
    try {
        Poco::Data::SQLite::Connector::registerConnector();
        std::unique_ptr<Db> created(new Db());
        created->pool_ =
            std::make_unique<Poco::Data::SessionPool>("SQLite", path, 1, 64, kNeverIdle);
        Poco::Data::Session session(created->pool_->get());
        session << "PRAGMA journal_mode=WAL", now;
        db = std::move(created);
        return Status::ok();
    } catch (const Poco::Exception& e) {
        return Status::ioError("cannot open catalog " + path + ": " + e.displayText());
    }
}

Db::~Db() = default;

void Db::prepare(Poco::Data::Session& session, std::optional<Durability> durability) {
    // Settings stay with a pooled connection: set them once, and switch the
    // sync level only when a transaction needs another one.
    sqlite3* handle = Poco::Data::SQLite::Utility::dbHandle(session);
    int wanted = -1;
    if (durability) wanted = *durability == Durability::Full ? 2 : 1;
    std::lock_guard<std::mutex> lock(connectionsMutex_);
    auto known = connections_.find(handle);
    if (known == connections_.end()) {
        sqlite3_busy_timeout(handle, 10000);
        session << "PRAGMA foreign_keys=ON", now;
        known = connections_.emplace(handle, 0).first;
    }
    if (wanted >= 0 && known->second != wanted) {
        // In WAL mode NORMAL syncs at checkpoints only: a process crash loses
        // nothing, a power cut may lose the last relaxed commits.
        session << (wanted == 2 ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"), now;
        known->second = wanted;
    }
}

Status Db::read(const std::function<Status(SqlRunner&)>& fn) {
    try {
        Poco::Data::Session session(pool_->get());
        prepare(session, std::nullopt);
        SqlRunner runner(session);
        return fn(runner);
    } catch (const Poco::Exception& e) {
        return Status::ioError("catalog: " + e.displayText());
    } catch (const std::exception& e) {
        return Status::ioError(std::string("catalog: ") + e.what());
    }
}

Status Db::transaction(const std::function<Status(SqlRunner&)>& fn, Durability durability) {
    std::lock_guard<std::mutex> lock(writeMutex_);
    try {
        Poco::Data::Session session(pool_->get());
        prepare(session, durability);
        SqlRunner runner(session);
        session << "BEGIN IMMEDIATE", now;
        Status result;
        try {
            result = fn(runner);
        } catch (...) {
            session << "ROLLBACK", now;
            throw;
        }
        session << (result ? "COMMIT" : "ROLLBACK"), now;
        return result;
    } catch (const Poco::Exception& e) {
        return Status::ioError("catalog: " + e.displayText());
    } catch (const std::exception& e) {
        return Status::ioError(std::string("catalog: ") + e.what());
    }
}

}  // namespace dad
