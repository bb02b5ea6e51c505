// TlsClient: the TLS client context of connections dadgate opens to other
// servers (FTPS sites and fetches): TLS 1.2 or newer, the peer's certificate
// verified against `caFile` (PEM; the system's CAs when empty), and a
// certificate that does not verify is refused, never asked about.
#pragma once

#include <string>

#include <Poco/Net/Context.h>

namespace dad {

Poco::Net::Context::Ptr tlsClientContext(const std::string& caFile);

}  // namespace dad
