#include "ReadStreamCopy.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace dad {

void copyReadStream(ReadStream& stream, uint64_t offset, uint64_t length, size_t chunk,
                    const std::function<bool(const char* data, size_t length)>& write) {
    std::vector<char> buffer(chunk);
    for (uint64_t remaining = length; remaining > 0;) {
        size_t got = 0;
        const size_t want = static_cast<size_t>(std::min<uint64_t>(remaining, buffer.size()));
        if (Status s = stream.read(offset, buffer.data(), want, got); !s || got == 0) {
            throw std::runtime_error("read failed");
        }
        if (!write(buffer.data(), got)) throw std::runtime_error("client went away");
        offset += got;
        remaining -= got;
    }
}

}  // namespace dad
