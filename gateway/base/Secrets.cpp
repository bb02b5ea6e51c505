#include "Secrets.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace dad {

namespace {

constexpr uint64_t kScryptN = 1 << 15;
constexpr uint64_t kScryptR = 8;
constexpr uint64_t kScryptP = 1;
constexpr size_t kHashBytes = 32;

std::string base64(const unsigned char* data, size_t length) {
    std::string out(4 * ((length + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data,
                                  static_cast<int>(length));
    out.resize(static_cast<size_t>(n));
    return out;
}

bool unbase64(const std::string& text, std::vector<unsigned char>& out) {
    if (text.empty() || text.size() % 4 != 0) return false;
    out.assign(text.size() / 4 * 3 + 1, 0);
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0) return false;
    size_t length = static_cast<size_t>(n);
    for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i)
        --length;
    out.resize(length);
    return true;
}

bool scrypt(const std::string& password, const std::vector<unsigned char>& salt, uint64_t n,
            uint64_t r, uint64_t p, unsigned char* out, size_t outLength) {
    return EVP_PBE_scrypt(password.data(), password.size(), salt.data(), salt.size(), n, r, p,
                          64 * 1024 * 1024, out, outLength) == 1;
}

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
        const size_t end = text.find(separator, start);
        parts.push_back(text.substr(start, end - start));
        if (end == std::string::npos) return parts;
        start = end + 1;
    }
}

}  // namespace

std::string hashPassword(const std::string& password) {
    std::vector<unsigned char> salt(16);
    if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
        throw std::runtime_error("no randomness available");
    }
    unsigned char hash[kHashBytes];
    if (!scrypt(password, salt, kScryptN, kScryptR, kScryptP, hash, sizeof hash)) {
        throw std::runtime_error("scrypt failed");
    }
    return "scrypt$" + std::to_string(kScryptN) + "$" + std::to_string(kScryptR) + "$" +
           std::to_string(kScryptP) + "$" + base64(salt.data(), salt.size()) + "$" +
           base64(hash, sizeof hash);
}

bool verifyPassword(const std::string& password, const std::string& storedHash) {
    const std::vector<std::string> parts = split(storedHash, '$');
    if (parts.size() != 6 || parts[0] != "scrypt") return false;
    std::vector<unsigned char> salt, expected;
    if (!unbase64(parts[4], salt) || !unbase64(parts[5], expected) || expected.empty()) {
        return false;
    }
    uint64_t n, r, p;
    try {
        n = std::stoull(parts[1]);
        r = std::stoull(parts[2]);
        p = std::stoull(parts[3]);
    } catch (const std::exception&) {
        return false;
    }
    if (n > (1u << 20) || r > 32 || p > 16) return false;
    std::vector<unsigned char> actual(expected.size());
    if (!scrypt(password, salt, n, r, p, actual.data(), actual.size())) return false;
    return CRYPTO_memcmp(actual.data(), expected.data(), expected.size()) == 0;
}

std::string randomToken(size_t bytes) {
    std::vector<unsigned char> raw(bytes);
    if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) {
        throw std::runtime_error("no randomness available");
    }
    std::string text = base64(raw.data(), raw.size());
    for (char& c : text) {
        if (c == '+') c = '-';
        if (c == '/') c = '_';
    }
    while (!text.empty() && text.back() == '=')
        text.pop_back();
    return text;
}

bool constantTimeEquals(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace dad
