#include "FtpListing.h"

#include <ctime>

namespace dad {

namespace {
const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr int64_t kSixMonths = 183LL * 24 * 3600;

std::tm utc(int64_t seconds) {
    std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return tm;
}

std::string twoDigits(int n) {
    return std::string(1, static_cast<char>('0' + (n / 10) % 10)) + static_cast<char>('0' + n % 10);
}
}  // namespace

std::string ftpTimeVal(int64_t seconds) {
    std::tm tm = utc(seconds);
    return std::to_string(tm.tm_year + 1900) + twoDigits(tm.tm_mon + 1) + twoDigits(tm.tm_mday) +
           twoDigits(tm.tm_hour) + twoDigits(tm.tm_min) + twoDigits(tm.tm_sec);
}

bool ftpParseTimeVal(const std::string& text, int64_t& seconds) {
    if (text.size() < 14) return false;
    for (size_t i = 0; i < 14; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
    }
    if (text.size() > 14) {
        if (text[14] != '.' || text.size() > 18 || text.size() == 15) return false;
        for (size_t i = 15; i < text.size(); ++i) {
            if (text[i] < '0' || text[i] > '9') return false;
        }
    }
    auto num = [&](size_t at, size_t n) { return std::stoi(text.substr(at, n)); };
    std::tm tm{};
    tm.tm_year = num(0, 4) - 1900;
    tm.tm_mon = num(4, 2) - 1;
    tm.tm_mday = num(6, 2);
    tm.tm_hour = num(8, 2);
    tm.tm_min = num(10, 2);
    tm.tm_sec = num(12, 2);
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60 || tm.tm_year < 0) {
        return false;
    }
    seconds = static_cast<int64_t>(timegm(&tm));
    return true;
}

std::string ftpListLine(const FileInfo& info, const std::string& owner, int64_t now) {
    std::string mode = info.isDirectory() ? (info.writable ? "drwxr-xr-x" : "dr-xr-xr-x")
                                          : (info.writable ? "-rw-r--r--" : "-r--r--r--");
    std::tm tm = utc(info.mtime);
    std::string when = std::string(kMonths[tm.tm_mon]) + " " + (tm.tm_mday < 10 ? " " : "") +
                       std::to_string(tm.tm_mday) + " ";
    if (info.mtime > now - kSixMonths && info.mtime < now + 3600) {
        when += twoDigits(tm.tm_hour) + ":" + twoDigits(tm.tm_min);
    } else {
        when += " " + std::to_string(tm.tm_year + 1900);
    }
    std::string size = std::to_string(info.isDirectory() ? 4096 : info.size);
    if (size.size() < 13) size.insert(0, 13 - size.size(), ' ');
    return mode + " 1 " + owner + " " + owner + " " + size + " " + when + " " + info.name;
}

std::string ftpFacts(const FileInfo& info, const std::string& type) {
    std::string out = "type=" + (!type.empty() ? type : info.isDirectory() ? "dir" : "file") + ";";
    if (!info.isDirectory()) out += "size=" + std::to_string(info.size) + ";";
    out += "modify=" + ftpTimeVal(info.mtime) + ";";
    if (info.isDirectory()) {
        out += info.writable ? "perm=cdeflmp;" : "perm=el;";
    } else {
        out += info.writable ? "perm=adfrw;" : "perm=r;";
    }
    return out + " ";
}

}  // namespace dad
