// Housekeeping: the daemon's background chores until a durable job queue
// takes them over: expire packages whose time has passed, collect
// unreferenced blobs after their grace time and remove partial-upload files
// the catalog no longer names.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

#include "Gateway.h"

namespace dad {

class Housekeeping {
public:
    Housekeeping(Gateway& gateway, int intervalSeconds);
    ~Housekeeping();
    void start();
    void stop();
    // One round, now.
    void runOnce();

private:
    Gateway& gateway_;
    int intervalSeconds_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace dad
