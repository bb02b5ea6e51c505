// SftpListing: how a dad::FileInfo looks to an SFTP v3 client: its ATTRS
// (size, permissions, times; no uid/gid) and the `ls -l` style longname that
// OpenSSH's sftp prints for `ls -l`. Pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "Session.h"
#include "SftpCodec.h"

namespace dad {

// S_IFDIR|0755 / S_IFREG|0644, or 0555 / 0444 when the session may not change it.
SftpAttrs sftpAttrsFor(const FileInfo& info);

// "drwxr-xr-x    1 owner    owner        4096 Jan  1 12:00 name"; the time is
// UTC, with the year instead of the hour when more than six months from `now`.
std::string sftpLongName(const FileInfo& info, const std::string& owner, int64_t now);

// Seconds since the epoch as the uint32 of v3 ATTRS (clamped, never wrapped).
uint32_t sftpTime(int64_t seconds);

}  // namespace dad
