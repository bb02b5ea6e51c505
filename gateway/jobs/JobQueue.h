// JobQueue: worker threads draining the catalog's durable job queue (the
// seeds' queue manager). A handler is registered per job kind; a job is
// claimed in a transaction, run, then marked done, or retried with
// exponential back-off, or moved to the dead-letter state after maxAttempts
// (at once when the handler answers PermissionDenied or InvalidArgument: a
// refusal that waiting cannot change).
// Jobs of kinds without a handler wait in the queue untouched. A crash loses
// no job: running jobs are queued again at start, so handlers must be
// idempotent (they get the job id to record what they already did).
// Thread-safe.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "Catalog.h"

namespace dad {

struct JobQueueOptions {
    int workers = 2;
    int maxAttempts = 8;
    int64_t firstRetrySeconds = 30;  // then 60, 120, ... up to maxRetrySeconds
    int64_t maxRetrySeconds = 6 * 3600;
    int idlePollSeconds = 30;  // also catches jobs queued by another process (dadctl)
};

class JobQueue {
public:
    using Handler = std::function<Status(const JobRecord& job)>;

    JobQueue(Catalog& catalog, JobQueueOptions options);
    ~JobQueue();

    // REQUIRES: before start().
    void registerHandler(const std::string& kind, Handler handler);
    bool handles(const std::string& kind) const { return handlers_.count(kind) > 0; }
    // Re-queues jobs a crash left running, then starts the workers.
    Status start();
    void stop();
    // Something was queued: wake a worker now rather than at the next poll.
    void wake();

    // Seconds to wait before attempt number `attempts` + 1.
    int64_t retryDelay(int64_t attempts) const;

private:
    void work();
    bool runOne();

    Catalog& catalog_;
    JobQueueOptions options_;
    std::map<std::string, Handler> handlers_;
    std::vector<std::string> kinds_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    uint64_t wakeups_ = 0;
    std::vector<std::thread> threads_;
};

}  // namespace dad
