// ConnectionInfo: who is on the other end of a connection, as every layer
// that logs, audits or decides about a client sees it.
#pragma once

#include <cstdint>
#include <string>

namespace dad {

struct ConnectionInfo {
    std::string protocol;       // "sftp", "ftps", "webdav", "https"
    std::string remoteAddress;  // numeric address of the client
    uint16_t remotePort = 0;
    // HTTP: every request carries the credentials again, so a login repeated
    // while the password verifier remembers it is not audited again.
    bool perRequest = false;
};

}  // namespace dad
