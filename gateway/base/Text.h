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

}  // namespace dad
