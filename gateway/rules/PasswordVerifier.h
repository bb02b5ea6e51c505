// PasswordVerifier: checks passwords against their slow hashes for logins.
// At most `concurrency` scrypt computations run at once (each takes 32 MiB),
// and a successful check is remembered for `rememberSeconds` under a keyed
// HMAC of (user, password, stored hash, scope), so a client that opens many
// connections (or, over HTTP, sends its credentials with every request) pays
// for the slow hash once. It is the one such memory for every protocol. A
// wrong password, a changed hash or an expired entry always goes through the
// slow hash. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace dad {

class PasswordVerifier {
public:
    explicit PasswordVerifier(int concurrency = 4, int64_t rememberSeconds = 300);
    // `scope` (for logins: the client's address) narrows what is remembered:
    // a check remembered for one scope does not answer for another.
    // `remembered` (optional) tells whether the answer came from memory.
    bool verify(const std::string& user, const std::string& password, const std::string& storedHash,
                const std::string& scope = "", bool* remembered = nullptr);

private:
    std::string cacheKey(const std::string& user, const std::string& password,
                         const std::string& storedHash, const std::string& scope) const;

    std::string key_;  // random, for this process only
    int64_t rememberSeconds_;
    std::mutex mutex_;
    std::condition_variable slotFree_;
    int freeSlots_;
    std::map<std::string, int64_t> remembered_;  // HMAC -> expiry (seconds)
};

}  // namespace dad
