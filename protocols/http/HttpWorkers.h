// HttpWorkers: the bounded pool of threads (https.max_threads) that run the
// requests HttpReactor hands over once their head is read: a handler blocks
// on bodies, fsync and catalog commits, which the event loop must not. A
// request waits in the queue while every worker is busy; a client that is
// slow to send its head never takes a worker.
//
// Thread-safety: post() from any thread; start() and stop() from the owner.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "HttpConnection.h"
#include "Status.h"

namespace dad {

class HttpWorkers {
public:
    // Called on the worker with what serve() answered.
    using Done = std::function<void(HttpConnection* connection, HttpStep step)>;

    HttpWorkers(int count, Done done);
    ~HttpWorkers();  // stops
    HttpWorkers(const HttpWorkers&) = delete;
    HttpWorkers& operator=(const HttpWorkers&) = delete;

    Status start();
    // Queues a connection whose head is read; it stays the caller's.
    void post(HttpConnection* connection);
    // Lets running requests finish (cut them first to hurry them), drops the
    // queued ones and joins every worker. Idempotent.
    void stop();

private:
    void work();

    const int count_;
    const Done done_;
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<HttpConnection*> queue_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace dad
