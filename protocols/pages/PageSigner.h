// PageSigner: the package pages' signed values, under a key drawn at random
// when the process starts (a restart asks for the password again):
//   - the password cookie: "<expiry>.<hmac>", valid for one token and the
//     package's current password hash until expiry (seconds since epoch);
//   - the return form's token: an HMAC of the share token, so the form is
//     only accepted from a page this gateway served.
// Comparisons are constant-time. Thread-safe (immutable after construction).
#pragma once

#include <cstdint>
#include <string>

namespace dad {

class PageSigner {
public:
    PageSigner();  // random key
    explicit PageSigner(std::string key);

    std::string passwordCookie(const std::string& token, const std::string& passwordHash,
                               int64_t expiresAt) const;
    bool validPasswordCookie(const std::string& value, const std::string& token,
                             const std::string& passwordHash, int64_t now) const;

    std::string formToken(const std::string& token) const;
    bool validFormToken(const std::string& value, const std::string& token) const;

private:
    std::string mac(const std::string& message) const;  // lower-case hex
    std::string key_;
};

}  // namespace dad
