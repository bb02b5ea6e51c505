#include "SftpListing.h"

#include <cstdint>
#include <cstdio>
#include <ctime>

namespace dad {

namespace {

constexpr int64_t kSixMonths = 182LL * 24 * 3600;

std::string padRight(const std::string& text, size_t width) {
    return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

std::string padLeft(const std::string& text, size_t width) {
    return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

// Month names are fixed here so the locale cannot change what clients parse.
std::string formatTime(int64_t mtime, int64_t now) {
    static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::time_t t = static_cast<std::time_t>(mtime);
    std::tm tm{};
    if (gmtime_r(&t, &tm) == nullptr) return "Jan  1  1970";
    char buffer[32];
    const bool recent = mtime > now - kSixMonths && mtime < now + kSixMonths;
    if (recent) {
        std::snprintf(buffer, sizeof buffer, "%s %2d %02d:%02d", kMonths[tm.tm_mon], tm.tm_mday,
                      tm.tm_hour, tm.tm_min);
    } else {
        std::snprintf(buffer, sizeof buffer, "%s %2d  %d", kMonths[tm.tm_mon], tm.tm_mday,
                      tm.tm_year + 1900);
    }
    return buffer;
}

}  // namespace

uint32_t sftpTime(int64_t seconds) {
    if (seconds < 0) return 0;
    if (seconds > int64_t{UINT32_MAX}) return UINT32_MAX;
    return static_cast<uint32_t>(seconds);
}

SftpAttrs sftpAttrsFor(const FileInfo& info) {
    SftpAttrs attrs;
    attrs.flags = sftp::kAttrSize | sftp::kAttrPermissions | sftp::kAttrAcModTime;
    attrs.size = info.size;
    if (info.isDirectory()) {
        attrs.permissions = sftp::kModeDirectory | (info.writable ? 0755 : 0555);
    } else {
        attrs.permissions = sftp::kModeRegular | (info.writable ? 0644 : 0444);
    }
    attrs.atime = attrs.mtime = sftpTime(info.mtime);
    return attrs;
}

std::string sftpLongName(const FileInfo& info, const std::string& owner, int64_t now) {
    std::string mode;
    if (info.isDirectory()) {
        mode = info.writable ? "drwxr-xr-x" : "dr-xr-xr-x";
    } else {
        mode = info.writable ? "-rw-r--r--" : "-r--r--r--";
    }
    return mode + "    1 " + padRight(owner, 8) + " " + padRight(owner, 8) + " " +
           padLeft(std::to_string(info.size), 8) + " " + formatTime(info.mtime, now) + " " +
           info.name;
}

}  // namespace dad
