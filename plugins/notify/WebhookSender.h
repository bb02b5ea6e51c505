// WebhookSender: one JSON POST to webhook.url, signed with
// "X-Dadgate-Signature: sha256=<hex HMAC-SHA256 of the body>" using the
// secret from webhook.secret_file. A non-2xx answer (or no answer) is a
// failed attempt; the job queue retries it with back-off. Thread-safe.
#pragma once

#include <string>

#include "Status.h"

namespace dad {

std::string hmacSha256Hex(const std::string& key, const std::string& data);

class WebhookSender {
public:
    WebhookSender(std::string url, std::string secret, int timeoutSeconds = 30)
        : url_(std::move(url)), secret_(std::move(secret)), timeoutSeconds_(timeoutSeconds) {}
    Status post(const std::string& body) const;

private:
    std::string url_;
    std::string secret_;
    int timeoutSeconds_;
};

}  // namespace dad
