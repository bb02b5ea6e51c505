#include "HttpWorkers.h"

#include <system_error>

namespace dad {

HttpWorkers::HttpWorkers(int count, Done done) : count_(count), done_(std::move(done)) {}

HttpWorkers::~HttpWorkers() {
    stop();
}

Status HttpWorkers::start() {
    if (count_ <= 0) return Status::invalid("the HTTP worker count must be positive");
    stopping_ = false;
    try {
        for (int i = 0; i < count_; ++i)
            threads_.emplace_back([this] { work(); });
    } catch (const std::system_error& e) {
        stop();
        return Status::failure(std::string("cannot start the HTTP workers: ") + e.what());
    }
    return Status::ok();
}

void HttpWorkers::post(HttpConnection* connection) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        queue_.push_back(connection);
    }
    ready_.notify_one();
}

void HttpWorkers::work() {
    for (;;) {
        HttpConnection* connection = nullptr;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            connection = queue_.front();
            queue_.pop_front();
        }
        done_(connection, connection->serve());
    }
}

void HttpWorkers::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        queue_.clear();
    }
    ready_.notify_all();
    for (std::thread& thread : threads_)
        if (thread.joinable()) thread.join();
    threads_.clear();
}

}  // namespace dad
