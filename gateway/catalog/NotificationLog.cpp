#include "NotificationLog.h"

#include "Catalog.h"

namespace dad {

Status NotificationLog::wasSent(const std::string& key, bool& sent) {
    return db_.read([&](SqlRunner& sql) {
        sent = sql.queryOne("SELECT 1 FROM notification_sent WHERE key = ?", {key}).has_value();
        return Status::ok();
    });
}

Status NotificationLog::recordSent(const std::string& key) {
    return db_.transaction([&](SqlRunner& sql) {
        sql.execute("INSERT OR IGNORE INTO notification_sent (key, sent_at) VALUES (?, ?)",
                    {key, nowSeconds()});
        return Status::ok();
    });
}

Status NotificationLog::addDigestLine(int64_t senderId, const std::string& line, bool& first) {
    return db_.transaction([&](SqlRunner& sql) {
        first =
            !sql.queryOne("SELECT 1 FROM receipt_digest WHERE sender_id = ? AND sent_at IS NULL",
                          {senderId})
                 .has_value();
        sql.execute("INSERT INTO receipt_digest (sender_id, line, created) VALUES (?, ?, ?)",
                    {senderId, line, nowSeconds()});
        return Status::ok();
    });
}

Status NotificationLog::pendingDigestLines(int64_t senderId,
                                           std::vector<std::pair<int64_t, std::string>>& lines) {
    return db_.read([&](SqlRunner& sql) {
        lines.clear();
        for (const SqlRow& row : sql.query("SELECT id, line FROM receipt_digest WHERE sender_id "
                                           "= ? AND sent_at IS NULL ORDER BY id",
                                           {senderId})) {
            lines.emplace_back(row.integer(0), row.text(1));
        }
        return Status::ok();
    });
}

Status NotificationLog::markDigestSent(int64_t senderId, int64_t lastId, bool& more) {
    return db_.transaction([&](SqlRunner& sql) {
        sql.execute(
            "UPDATE receipt_digest SET sent_at = ? WHERE sender_id = ? AND id <= ? AND "
            "sent_at IS NULL",
            {nowSeconds(), senderId, lastId});
        more = sql.queryOne("SELECT 1 FROM receipt_digest WHERE sender_id = ? AND sent_at IS NULL",
                            {senderId})
                   .has_value();
        return Status::ok();
    });
}

Status NotificationLog::enqueueAt(const std::string& kind, const std::string& payload,
                                  int64_t runAfter) {
    return db_.transaction([&](SqlRunner& sql) {
        const int64_t now = nowSeconds();
        sql.execute(
            "INSERT INTO job (kind, payload, run_after, created, updated) VALUES (?, ?, ?, ?, ?)",
            {kind, payload, runAfter, now, now});
        return Status::ok();
    });
}

}  // namespace dad
