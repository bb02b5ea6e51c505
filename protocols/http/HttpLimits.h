// HttpLimits: how much of a request the HTTP front reads before it answers
// with an error and closes (https.max_* settings). Each limit has its status:
// a request line over requestLine is 414, a field line over fieldLine, more
// than fieldCount fields or a header section over headerSection 431, a chunk
// line (size and extensions) over chunkLine or a trailer section over
// trailerSection 400, and a header section not complete after headerSeconds
// 408.
#pragma once

#include <cstddef>

namespace dad {

struct HttpLimits {
    size_t requestLine = 8 * 1024;
    size_t fieldLine = 8 * 1024;
    size_t fieldCount = 100;
    size_t headerSection = 64 * 1024;
    size_t chunkLine = 1024;
    size_t trailerSection = 8 * 1024;
    int headerSeconds = 20;
};

}  // namespace dad
