#include "Sha256.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace dad {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_) throw std::bad_alloc();
    reset();
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(ctx_);
}

void Sha256::reset() {
    EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
}

void Sha256::update(const void* data, size_t length) {
    EVP_DigestUpdate(ctx_, data, length);
}

std::string Sha256::finishHex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx_, digest, &length);
    reset();
    static const char* kHex = "0123456789abcdef";
    std::string out;
    out.reserve(length * 2);
    for (unsigned i = 0; i < length; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 15];
    }
    return out;
}

std::string Sha256::hex(const std::string& data) {
    Sha256 h;
    h.update(data.data(), data.size());
    return h.finishHex();
}

bool Sha256::isHexDigest(const std::string& text) {
    if (text.size() != 64) return false;
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

}  // namespace dad
