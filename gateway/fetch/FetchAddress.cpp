#include "FetchAddress.h"

#include <Poco/Net/DNS.h>
#include <Poco/Net/HostEntry.h>
#include <Poco/Net/NetException.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace dad {

namespace {

bool privateV4(const uint8_t* b) {
    if (b[0] == 0 || b[0] == 10 || b[0] == 127) return true;  // 0/8, 10/8, 127/8
    if (b[0] == 100 && (b[1] & 0xC0) == 64) return true;      // 100.64/10
    if (b[0] == 169 && b[1] == 254) return true;              // link-local, metadata
    if (b[0] == 172 && (b[1] & 0xF0) == 16) return true;      // 172.16/12
    if (b[0] == 192 && b[1] == 168) return true;              // 192.168/16
    if (b[0] == 192 && b[1] == 0 && (b[2] == 0 || b[2] == 2))
        return true;                                            // 192.0.0/24, TEST-NET-1
    if (b[0] == 198 && (b[1] & 0xFE) == 18) return true;        // 198.18/15 benchmarking
    if (b[0] == 198 && b[1] == 51 && b[2] == 100) return true;  // TEST-NET-2
    if (b[0] == 203 && b[1] == 0 && b[2] == 113) return true;   // TEST-NET-3
    return b[0] >= 224;                                         // multicast, reserved, broadcast
}

bool privateV6(const uint8_t* b) {
    static const uint8_t zeros[16] = {};
    if (std::memcmp(b, zeros, 12) == 0) return true;  // ::, ::1, ::/96 (IPv4-compatible)
    if (std::memcmp(b, zeros, 10) == 0 && b[10] == 0xFF && b[11] == 0xFF) {
        return privateV4(b + 12);  // ::ffff:a.b.c.d
    }
    static const uint8_t nat64[12] = {0x00, 0x64, 0xFF, 0x9B};
    if (std::memcmp(b, nat64, 12) == 0) return privateV4(b + 12);  // 64:ff9b::/96
    if (b[0] == 0x20 && b[1] == 0x02) return privateV4(b + 2);     // 6to4
    if ((b[0] & 0xFE) == 0xFC) return true;                        // fc00::/7
    if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return true;        // fe80::/10
    if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) return true;        // fec0::/10 (site-local)
    if (b[0] == 0xFF) return true;                                 // multicast
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) return true;  // docs
    return false;
}

}  // namespace

bool FetchAddress::isPrivate(const Poco::Net::IPAddress& address) {
    const auto* bytes = static_cast<const uint8_t*>(address.addr());
    if (address.family() == Poco::Net::IPAddress::IPv4) return privateV4(bytes);
    return privateV6(bytes);
}

Status FetchAddress::resolve(const std::string& host, bool allowPrivate,
                             Poco::Net::IPAddress& address,
                             const std::vector<std::string>& exceptions) {
    std::vector<Poco::Net::IPAddress> candidates;
    Poco::Net::IPAddress literal;
    if (Poco::Net::IPAddress::tryParse(host, literal)) {
        candidates.push_back(literal);
    } else {
        try {
            const Poco::Net::HostEntry entry = Poco::Net::DNS::hostByName(host, 0);
            candidates = entry.addresses();
        } catch (const Poco::Exception& e) {
            return Status::notFound("cannot resolve " + host + ": " + e.displayText());
        }
    }
    if (candidates.empty()) return Status::notFound("cannot resolve " + host);
    for (const Poco::Net::IPAddress& candidate : candidates) {
        const bool excepted = std::find(exceptions.begin(), exceptions.end(),
                                        candidate.toString()) != exceptions.end();
        if (allowPrivate || excepted || !isPrivate(candidate)) {
            address = candidate;
            return Status::ok();
        }
    }
    return Status::denied("refused to fetch from " + host + " (" + candidates[0].toString() +
                          "): a loopback, link-local or private address (fetch.allow_private "
                          "is false)");
}

}  // namespace dad
