// Secrets: password hashing (scrypt, salted), random tokens from the CSPRNG,
// and constant-time comparison. Nothing here logs or keeps a secret.
#pragma once

#include <string>

namespace dad {

// "scrypt$N$r$p$<salt b64>$<hash b64>". Slow on purpose (~50 ms).
std::string hashPassword(const std::string& password);
// Constant-time in the hash's length; false for a malformed or empty hash.
bool verifyPassword(const std::string& password, const std::string& storedHash);
// `bytes` random bytes as URL-safe base64 without padding.
std::string randomToken(size_t bytes);
bool constantTimeEquals(const std::string& a, const std::string& b);

}  // namespace dad
