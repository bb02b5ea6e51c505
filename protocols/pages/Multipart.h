// Multipart: a streaming multipart/form-data parser (RFC 7578, RFC 2046
// section 5.1). Bytes go in as they arrive, in chunks of any size; parts
// come out through a MultipartHandler, their bodies in pieces, so a part of
// several GiB is never held in memory. Memory is bounded by the caps below;
// malformed input, or input past a cap, is InvalidArgument, never a crash.
// A Status other than Ok from the handler stops parsing and is returned.
#pragma once

#include <cstddef>
#include <string>

#include "Status.h"

namespace dad {

struct MultipartPart {
    std::string name;      // Content-Disposition name
    std::string fileName;  // Content-Disposition filename, as sent
    bool hasFileName = false;
    std::string contentType;  // "" when absent
};

class MultipartHandler {
public:
    virtual ~MultipartHandler() = default;
    virtual Status partBegin(const MultipartPart& part) = 0;
    virtual Status partData(const char* data, size_t length) = 0;
    virtual Status partEnd() = 0;
};

class MultipartParser {
public:
    static constexpr size_t kMaxHeaderBytes = 8192;  // one part's header block
    static constexpr size_t kMaxParts = 16;
    static constexpr size_t kMaxPreambleBytes = 4096;
    static constexpr size_t kMaxBoundary = 70;

    // The boundary parameter of a multipart/form-data Content-Type; false
    // when it is another type or the boundary is missing or malformed.
    static bool boundaryOf(const std::string& contentType, std::string& boundary);

    // REQUIRES: `boundary` from boundaryOf().
    MultipartParser(const std::string& boundary, MultipartHandler& handler);

    Status feed(const char* data, size_t length);
    // The body ended: InvalidArgument unless the closing delimiter was seen.
    Status finish();
    // The closing delimiter was seen (what follows is ignored).
    bool done() const { return state_ == State::Epilogue; }

private:
    enum class State { Preamble, AfterDelimiter, Headers, Body, Epilogue, Failed };

    Status run();
    Status parseHeaders(const std::string& block, MultipartPart& part);
    Status fail(const std::string& message);

    MultipartHandler& handler_;
    std::string delimiter_;  // CRLF "--" boundary
    std::string buffer_;
    State state_ = State::Preamble;
    size_t preambleBytes_ = 0;
    size_t parts_ = 0;
};

}  // namespace dad
