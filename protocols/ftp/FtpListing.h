// FtpListing: directory entries as FTP listings, pure.
//   LIST: one `ls -l` line ("-rw-r--r-- 1 owner group size Mon dd hh:mm name"),
//   MLSD/MLST: RFC 3659 facts "type=file;size=N;modify=YYYYMMDDHHMMSS;perm=...; name".
// Names are written as they are (UTF-8); a name holding CR or LF never gets
// here (VirtualPath refuses control characters).
#pragma once

#include <cstdint>
#include <string>

#include "Session.h"

namespace dad {

// `now` (seconds, UTC) decides between "hh:mm" and the year, as ls does (six months).
std::string ftpListLine(const FileInfo& info, const std::string& owner, int64_t now);

// The facts of an entry, ending with "; " (the caller appends the name).
// `type` overrides the type fact ("cdir", "pdir") when non-empty.
std::string ftpFacts(const FileInfo& info, const std::string& type = std::string());

// "YYYYMMDDHHMMSS" in UTC (MDTM, modify fact).
std::string ftpTimeVal(int64_t seconds);
// Parses "YYYYMMDDHHMMSS[.sss]" (MFMT); false when malformed.
bool ftpParseTimeVal(const std::string& text, int64_t& seconds);

}  // namespace dad
