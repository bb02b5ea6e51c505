// IpNetwork: a range of client addresses, "192.0.2.0/24", "2001:db8::/32" or
// one address ("127.0.0.1", a /32 or /128). An IPv4 address written as IPv6
// ("::ffff:192.0.2.7") is the IPv4 address it maps.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "Status.h"

namespace dad {

class IpNetwork {
public:
    // Invalid with the reason when `text` is not a network.
    static Status parse(const std::string& text, IpNetwork& network);
    // A list separated by commas or blanks; "" is none.
    static Status parseList(const std::string& text, std::vector<IpNetwork>& networks);

    // False for anything that is not an address.
    bool contains(const std::string& address) const;

private:
    bool v4_ = true;
    std::array<uint8_t, 16> bytes_{};
    unsigned prefix_ = 0;
};

}  // namespace dad
