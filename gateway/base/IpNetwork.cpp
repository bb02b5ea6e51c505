#include "IpNetwork.h"

#include <arpa/inet.h>

#include <cstring>

namespace dad {

namespace {

// The address's bytes: 4 for IPv4 (an IPv4-mapped IPv6 one included), else 16.
bool addressBytes(const std::string& text, bool& v4, std::array<uint8_t, 16>& bytes) {
    bytes.fill(0);
    in_addr a4{};
    if (inet_pton(AF_INET, text.c_str(), &a4) == 1) {
        v4 = true;
        std::memcpy(bytes.data(), &a4, 4);
        return true;
    }
    in6_addr a6{};
    if (inet_pton(AF_INET6, text.c_str(), &a6) != 1) return false;
    static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(a6.s6_addr, kMapped, 12) == 0) {
        v4 = true;
        std::memcpy(bytes.data(), a6.s6_addr + 12, 4);
        return true;
    }
    v4 = false;
    std::memcpy(bytes.data(), a6.s6_addr, 16);
    return true;
}

}  // namespace

Status IpNetwork::parse(const std::string& text, IpNetwork& network) {
    const size_t slash = text.find('/');
    const std::string address = text.substr(0, slash);
    if (!addressBytes(address, network.v4_, network.bytes_)) {
        return Status::invalid("not an IP network: '" + text + "'");
    }
    const unsigned bits = network.v4_ ? 32 : 128;
    network.prefix_ = bits;
    if (slash != std::string::npos) {
        const std::string prefix = text.substr(slash + 1);
        if (prefix.empty() || prefix.size() > 3 ||
            prefix.find_first_not_of("0123456789") != std::string::npos ||
            std::stoul(prefix) > bits) {
            return Status::invalid("not an IP network: '" + text + "' (prefix 0 to " +
                                   std::to_string(bits) + ")");
        }
        network.prefix_ = static_cast<unsigned>(std::stoul(prefix));
    }
    return Status::ok();
}

Status IpNetwork::parseList(const std::string& text, std::vector<IpNetwork>& networks) {
    networks.clear();
    std::string item;
    for (size_t i = 0; i <= text.size(); ++i) {
        const char c = i < text.size() ? text[i] : ',';
        if (c != ',' && c != ' ' && c != '\t') {
            item += c;
            continue;
        }
        if (item.empty()) continue;
        IpNetwork network;
        if (Status s = parse(item, network); !s) return s;
        networks.push_back(network);
        item.clear();
    }
    return Status::ok();
}

bool IpNetwork::contains(const std::string& address) const {
    bool v4 = false;
    std::array<uint8_t, 16> bytes{};
    if (!addressBytes(address, v4, bytes) || v4 != v4_) return false;
    const unsigned whole = prefix_ / 8;
    if (std::memcmp(bytes.data(), bytes_.data(), whole) != 0) return false;
    const unsigned rest = prefix_ % 8;
    if (rest == 0) return true;
    const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
    return (bytes[whole] & mask) == (bytes_[whole] & mask);
}

}  // namespace dad
