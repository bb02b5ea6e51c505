// copyReadStream: the body of a GET (WebDAV, the package pages' files) from
// a ReadStream, after the reply's headers went out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "Session.h"

namespace dad {

// Hands bytes [offset, offset + length) of `stream` to `write`, at most
// `chunk` bytes at a time; `write` returns false when the client is gone.
// Throws std::runtime_error when a read fails or the file ends early, or
// when `write` returns false: a reply under way can only be cut short (and
// HttpHandlerScaffold then closes its connection).
void copyReadStream(ReadStream& stream, uint64_t offset, uint64_t length, size_t chunk,
                    const std::function<bool(const char* data, size_t length)>& write);

}  // namespace dad
