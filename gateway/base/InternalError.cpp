#include "InternalError.h"

#include <Poco/Logger.h>
#include <openssl/rand.h>

#include <cstdio>

namespace dad {

namespace {

const char* const kPrefix = "internal error (reference ";

std::string newReference() {
    unsigned char bytes[4] = {0, 0, 0, 0};
    (void)RAND_bytes(bytes, sizeof bytes);
    char text[9];
    std::snprintf(text, sizeof text, "%02x%02x%02x%02x", bytes[0], bytes[1], bytes[2], bytes[3]);
    return text;
}

}  // namespace

Status internalError(const std::string& logger, const std::string& detail, StatusCode code) {
    const std::string reference = newReference();
    try {
        Poco::Logger::get(logger).error("%s: %s", reference, detail);
    } catch (...) {  // logging never turns into a second failure
    }
    return Status::error(code, std::string(kPrefix) + reference + ")");
}

}  // namespace dad
