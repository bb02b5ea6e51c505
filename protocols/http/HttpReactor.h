// HttpReactor: the event loop of one HttpServer listener. One thread owns
// the listening socket and every connection, and watches them with epoll
// while they need no thread (in the TLS handshake, reading a request head,
// idle between kept-alive requests, draining after a refusal); a connection
// whose head is whole goes to HttpWorkers and comes back after its response.
// Thousands of slow or idle clients so cost a socket and a small state each,
// and never a worker.
//
// The limits are decided here, at the accept: at most maxConnections at once
// (held or working) and maxConnectionsPerAddress from one client address;
// more are refused (a 503 in clear, a close under TLS). Each connection's
// deadline (the header deadline, the keep-alive wait, the drain) is kept in
// an ordered set the loop's wait is bounded by.
//
// Thread-safety: start() and stop() from the owner; the rest is the loop's.
#pragma once

#include <Poco/Logger.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "HttpConnection.h"
#include "HttpWorkers.h"
#include "Status.h"

namespace dad {

class HttpReactor {
public:
    // `name` prefixes log lines ("https", "http"). `shared` outlives it.
    HttpReactor(std::string name, HttpConnectionShared& shared, Poco::Logger& logger);
    ~HttpReactor();  // stops
    HttpReactor(const HttpReactor&) = delete;
    HttpReactor& operator=(const HttpReactor&) = delete;

    // Takes the listening socket (closed by stop()) and starts the loop and
    // the workers.
    Status start(int listener);
    // Stops accepting, cuts the connections being served, joins the workers
    // and the loop, closes every connection. Idempotent.
    void stop();
    // Closes the listening socket; the connections held go on being served
    // until stop(). Callable from any thread; idempotent.
    void stopAccepting();

private:
    struct Held {
        std::unique_ptr<HttpConnection> connection;
        std::string address;
        uint32_t events = 0;  // what epoll watches; 0: not in epoll (with a worker)
        int64_t deadline = 0;
        bool working = false;
    };

    void loop();
    void acceptSome();
    std::string checkLimits(const std::string& address) const;
    void apply(uint64_t id, Held& held, HttpStep step);
    void watch(uint64_t id, Held& held, uint32_t events);
    void remove(uint64_t id, Held& held);
    void takeBack();  // connections the workers are done with
    void expireDue(int64_t now);
    int waitMs(int64_t now) const;
    void setListening(bool on);
    bool mayListen() const { return !acceptStopped_ && listener_ >= 0; }
    void closeListenerWhenStopped();
    void wake();

    const std::string name_;
    HttpConnectionShared& shared_;
    Poco::Logger& logger_;
    HttpWorkers workers_;

    int listener_ = -1;
    int epoll_ = -1;
    int wakeFd_ = -1;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> acceptStopped_{false};
    bool started_ = false;

    // The loop's own (no lock).
    uint64_t nextId_ = 2;  // 0 and 1 name the wake-up and the listener in epoll
    std::unordered_map<uint64_t, Held> held_;
    std::unordered_map<HttpConnection*, uint64_t> ids_;
    std::map<std::string, int> perAddress_;
    std::set<std::pair<int64_t, uint64_t>> deadlines_;
    std::vector<char> scratch_;
    bool listening_ = false;
    int64_t acceptPausedUntil_ = 0;

    std::mutex returnedMutex_;  // guards returned_
    std::vector<std::pair<HttpConnection*, HttpStep>> returned_;
};

}  // namespace dad
