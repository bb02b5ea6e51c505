#include "PasswordVerifier.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "Catalog.h"
#include "Secrets.h"

namespace dad {

namespace {
constexpr size_t kMaxRemembered = 10000;
}

PasswordVerifier::PasswordVerifier(int concurrency, int64_t rememberSeconds)
    : key_(randomToken(32)), rememberSeconds_(rememberSeconds), freeSlots_(concurrency) {}

std::string PasswordVerifier::cacheKey(const std::string& user, const std::string& password,
                                       const std::string& storedHash,
                                       const std::string& scope) const {
    const std::string message = user + '\0' + password + '\0' + storedHash + '\0' + scope;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
    return std::string(reinterpret_cast<const char*>(mac), length);
}

bool PasswordVerifier::verify(const std::string& user, const std::string& password,
                              const std::string& storedHash, const std::string& scope,
                              bool* remembered) {
    const std::string key = cacheKey(user, password, storedHash, scope);
    const int64_t now = nowSeconds();
    if (remembered) *remembered = false;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        auto found = remembered_.find(key);
        if (found != remembered_.end()) {
            if (found->second > now) {
                if (remembered) *remembered = true;
                return true;
            }
            remembered_.erase(found);
        }
        slotFree_.wait(lock, [this] { return freeSlots_ > 0; });
        --freeSlots_;
    }
    const bool ok = verifyPassword(password, storedHash);
    std::lock_guard<std::mutex> lock(mutex_);
    ++freeSlots_;
    slotFree_.notify_one();
    if (ok) {
        if (remembered_.size() >= kMaxRemembered) {
            for (auto it = remembered_.begin(); it != remembered_.end();) {
                it = it->second <= now ? remembered_.erase(it) : std::next(it);
            }
            if (remembered_.size() >= kMaxRemembered) remembered_.clear();
        }
        remembered_[key] = now + rememberSeconds_;
    }
    return ok;
}

}  // namespace dad
