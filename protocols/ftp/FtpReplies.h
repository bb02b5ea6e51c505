// FtpReplies: formatting of FTP replies (RFC 959 section 4.2), pure.
// Text never breaks the framing: CR is dropped, other control characters
// become '?', and a text with LF becomes a multi-line reply whose inner lines
// start with a space (so no inner line can look like the end "NNN ").
#pragma once

#include <string>
#include <vector>

namespace dad {

// "226 Transfer complete\r\n"; a multi-line reply where `text` holds LFs.
// REQUIRES: 100 <= code <= 599.
std::string ftpReply(int code, const std::string& text);

// "211-first\r\n inner\r\n211 last\r\n"; one line gives a single-line reply,
// none gives "code \r\n".
std::string ftpMultilineReply(int code, const std::vector<std::string>& lines);

// `text` without CR/LF or other control characters (each becomes '?', CR is
// dropped): safe inside one reply line.
std::string ftpSanitizeLine(const std::string& text);

// A path quoted for a 257 reply: '"' doubled (RFC 959 appendix II).
std::string ftpQuotePath(const std::string& path);

}  // namespace dad
