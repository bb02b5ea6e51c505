#include "JobQueue.h"

#include <Poco/Logger.h>

#include <algorithm>

namespace dad {

JobQueue::JobQueue(Catalog& catalog, JobQueueOptions options)
    : catalog_(catalog), options_(options) {}

JobQueue::~JobQueue() {
    stop();
}

void JobQueue::registerHandler(const std::string& kind, Handler handler) {
    handlers_[kind] = std::move(handler);
    kinds_.push_back(kind);
}

Status JobQueue::start() {
    if (Status s = catalog_.requeueRunningJobs(); !s) return s;
    for (int i = 0; i < options_.workers; ++i)
        threads_.emplace_back([this] { work(); });
    return Status::ok();
}

void JobQueue::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_)
        t.join();
    threads_.clear();
}

void JobQueue::wake() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        ++wakeups_;
    }
    wake_.notify_one();
}

int64_t JobQueue::retryDelay(int64_t attempts) const {
    int64_t delay = options_.firstRetrySeconds;
    for (int64_t i = 1; i < attempts && delay < options_.maxRetrySeconds; ++i)
        delay *= 2;
    return std::min(delay, options_.maxRetrySeconds);
}

bool JobQueue::runOne() {
    std::optional<JobRecord> job;
    if (!catalog_.claimJob(kinds_, job) || !job) return false;
    Poco::Logger& log = Poco::Logger::get("dadgate.jobs");
    Status result;
    try {
        result = handlers_.at(job->kind)(*job);
    } catch (const std::exception& e) {
        result = Status::failure(std::string("handler threw: ") + e.what());
    }
    if (result) {
        (void)catalog_.completeJob(job->id);
        return true;
    }
    // A refusal (policy, address, size, malformed job) cannot heal by waiting.
    const bool permanent = result.code() == StatusCode::PermissionDenied ||
                           result.code() == StatusCode::InvalidArgument;
    if (permanent || job->attempts >= options_.maxAttempts) {
        log.error("job #%Ld %s failed for good after %Ld attempts: %s",
                  static_cast<Poco::Int64>(job->id), job->kind,
                  static_cast<Poco::Int64>(job->attempts), result.message());
        (void)catalog_.failJob(job->id, result.message(), std::nullopt);
    } else {
        log.warning("job #%Ld %s failed (attempt %Ld), retrying: %s",
                    static_cast<Poco::Int64>(job->id), job->kind,
                    static_cast<Poco::Int64>(job->attempts), result.message());
        (void)catalog_.failJob(job->id, result.message(), nowSeconds() + retryDelay(job->attempts));
    }
    return true;
}

void JobQueue::work() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        while (runOne()) {
            std::lock_guard<std::mutex> check(mutex_);
            if (stopping_) return;
        }
        std::optional<int64_t> due;
        (void)catalog_.nextJobDue(kinds_, due);
        int64_t wait = options_.idlePollSeconds;
        if (due) wait = std::clamp<int64_t>(*due - nowSeconds(), 0, wait);
        lock.lock();
        const uint64_t seen = wakeups_;
        wake_.wait_for(lock, std::chrono::seconds(wait),
                       [&] { return stopping_ || wakeups_ != seen; });
    }
}

}  // namespace dad
