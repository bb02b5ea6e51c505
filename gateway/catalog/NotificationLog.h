// NotificationLog: what the notify workers remember in the catalog (tables
// of catalog v6), so a job retried after a crash does not send a mail twice
// when it can be avoided, and receipts can wait for a daily digest.
// Thread-safe (each method is one transaction or read).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "Db.h"
#include "Status.h"

namespace dad {

class NotificationLog {
public:
    explicit NotificationLog(Db& db) : db_(db) {}

    // Whether `key` (one message to one recipient) was recorded as sent.
    Status wasSent(const std::string& key, bool& sent);
    // Records `key` as sent (no-op when it already is).
    Status recordSent(const std::string& key);

    // Adds a receipt line for the sender's next digest; `first` tells whether
    // no other line was waiting (then the caller schedules the digest).
    Status addDigestLine(int64_t senderId, const std::string& line, bool& first);
    // The lines waiting for the sender, oldest first (id, line).
    Status pendingDigestLines(int64_t senderId,
                              std::vector<std::pair<int64_t, std::string>>& lines);
    // Marks the sender's lines up to `lastId` sent; `more` tells whether
    // newer lines still wait.
    Status markDigestSent(int64_t senderId, int64_t lastId, bool& more);

    // Queues a job to run no earlier than `runAfter` (seconds since the epoch).
    Status enqueueAt(const std::string& kind, const std::string& payload, int64_t runAfter);

private:
    Db& db_;
};

}  // namespace dad
