#include "PageSigner.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "Secrets.h"

namespace dad {

PageSigner::PageSigner() : key_(randomToken(32)) {}

PageSigner::PageSigner(std::string key) : key_(std::move(key)) {}

std::string PageSigner::mac(const std::string& message) const {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
    static const char* const kHex = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 15];
    }
    return hex;
}

std::string PageSigner::passwordCookie(const std::string& token, const std::string& passwordHash,
                                       int64_t expiresAt) const {
    const std::string expiry = std::to_string(expiresAt);
    return expiry + "." +
           mac(std::string("password\n") + token + "\n" + passwordHash + "\n" + expiry);
}

bool PageSigner::validPasswordCookie(const std::string& value, const std::string& token,
                                     const std::string& passwordHash, int64_t now) const {
    const size_t dot = value.find('.');
    if (dot == std::string::npos || dot == 0 || dot > 18) return false;
    const std::string expiry = value.substr(0, dot);
    int64_t expiresAt = 0;
    for (char c : expiry) {
        if (c < '0' || c > '9') return false;
        expiresAt = expiresAt * 10 + (c - '0');
    }
    if (expiresAt <= now) return false;
    const std::string expected =
        mac(std::string("password\n") + token + "\n" + passwordHash + "\n" + expiry);
    return constantTimeEquals(value.substr(dot + 1), expected);
}

std::string PageSigner::formToken(const std::string& token) const {
    return mac("return\n" + token);
}

bool PageSigner::validFormToken(const std::string& value, const std::string& token) const {
    return constantTimeEquals(value, formToken(token));
}

}  // namespace dad
