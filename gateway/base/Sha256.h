// Sha256: incremental SHA-256 through OpenSSL's EVP API (hardware-accelerated).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

struct evp_md_ctx_st;

namespace dad {

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(const void* data, size_t length);
    // Lower-case hex digest; the hasher starts over afterwards.
    std::string finishHex();
    void reset();

    static std::string hex(const std::string& data);
    static bool isHexDigest(const std::string& text);

private:
    evp_md_ctx_st* ctx_;
};

}  // namespace dad
