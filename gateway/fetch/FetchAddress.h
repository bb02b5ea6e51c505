// FetchAddress: the server-side request forgery guard of fetches. A host is
// resolved once; the address the fetcher connects to is the one checked here
// (never a second lookup, so DNS rebinding cannot swap it).
#pragma once

#include <Poco/Net/IPAddress.h>

#include <string>
#include <vector>

#include "Status.h"

namespace dad {

class FetchAddress {
public:
    // Whether `address` is not a public unicast address: unspecified, loopback,
    // link-local (cloud metadata 169.254.169.254 among them), private
    // (10/8, 172.16/12, 192.168/16), shared (100.64/10), unique-local
    // (fc00::/7), multicast, broadcast, reserved, or an IPv6 form embedding
    // such an IPv4 address (::ffff:0:0/96, ::/96, 64:ff9b::/96, 2002::/16).
    static bool isPrivate(const Poco::Net::IPAddress& address);

    // Resolves `host` (a name or a literal) and picks the first address that
    // may be used: any when `allowPrivate`, else the first public one or one
    // listed in `exceptions` (numeric addresses an admin allowed by name).
    // PermissionDenied names the refused address when none may be used;
    // NotFound when the name does not resolve.
    static Status resolve(const std::string& host, bool allowPrivate, Poco::Net::IPAddress& address,
                          const std::vector<std::string>& exceptions = {});
};

}  // namespace dad
