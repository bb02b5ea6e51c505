// HttpBodyError: what a request body's stream throws when the body cannot be
// read to its end: its framing is malformed (a bad chunk) or the client cut
// it off (the connection closed or stopped sending). Either way nothing of
// the body may be kept as if it were whole, and the connection closes.
#pragma once

#include <stdexcept>
#include <string>

namespace dad {

class HttpBodyError : public std::runtime_error {
public:
    // `cutOff`: the client stopped sending (nothing was malformed).
    HttpBodyError(int status, const std::string& reason, bool cutOff)
        : std::runtime_error(reason), status_(status), cutOff_(cutOff) {}

    int status() const { return status_; }
    bool cutOff() const { return cutOff_; }

private:
    int status_;
    bool cutOff_;
};

}  // namespace dad
