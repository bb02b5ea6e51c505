// MarkupEscape: text made safe for XML and HTML, in element content and in
// attribute values quoted with either ' or ". One function for the WebDAV
// replies (multistatus, lock discovery, collection listings) and the package
// pages, so both escape the same characters.
#pragma once

#include <string>

namespace dad {

// & < > " ' as entities, and CR as &#13; (an XML parser would otherwise turn
// a bare CR, or CR LF, into LF: a dead property must come back unchanged).
std::string escapeMarkup(const std::string& text);
// The same, appended to `out` (no temporary string).
void appendEscapedMarkup(std::string& out, const std::string& text);

}  // namespace dad
