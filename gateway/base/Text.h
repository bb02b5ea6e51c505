// Text: the small parsers of protocol text that every front shares, strict
// and ASCII-only (a client's locale never changes what a byte means).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dad {

// `text` without the spaces and tabs around it (HTTP's optional white space,
// the separators of manifest and folder-name lists).
std::string trimBlanks(std::string_view text);

// A decimal number of 1 to 19 ASCII digits, nothing else (no sign, no
// blanks), so it always fits in 64 bits. False leaves `value` unspecified.
bool parseDecimal(std::string_view text, uint64_t& value);

// The value of one hex digit (either case), or -1.
int hexDigitValue(char c);

// The longest text that reaches a log line, the audit or a client from
// something untrusted wrote (a policy script's reason, error or log line).
constexpr size_t kPrintableLimit = 1024;

// `text` made safe to print on one line: control characters (and DEL) as
// \n, \r, \t or \xNN, cut to at most `limit` bytes (never inside an escape
// or a UTF-8 sequence) with "... (N bytes)" saying how long it was (`whole`,
// when `text` is already only the start of something longer). Reads only
// about `limit` bytes of `text`.
std::string printableExcerpt(std::string_view text, size_t limit = kPrintableLimit,
                             size_t whole = 0);

}  // namespace dad
