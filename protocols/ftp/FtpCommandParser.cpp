#include "FtpCommandParser.h"

namespace dad {

namespace {
constexpr unsigned char kIac = 255, kDont = 254, kWill = 251, kSb = 250, kSe = 240;
constexpr size_t kMaxVerbBytes = 16;
constexpr char kOverlongMark = '\x01';  // cannot be in a valid line (a control char)
}  // namespace

void FtpCommandParser::feed(const char* data, size_t length) {
    for (size_t i = 0; i < length; ++i)
        addByte(data[i]);
}

void FtpCommandParser::addByte(char c) {
    const auto u = static_cast<unsigned char>(c);
    switch (telnet_) {
        case Telnet::Iac:
            if (u == kIac) break;  // IAC IAC: a literal 0xFF, handled below
            telnet_ = (u >= kWill && u <= kDont) ? Telnet::Option
                      : (u == kSb)               ? Telnet::Sub
                                                 : Telnet::Data;
            return;
        case Telnet::Option:
            telnet_ = Telnet::Data;
            return;
        case Telnet::Sub:
            if (u == kIac) telnet_ = Telnet::SubIac;
            return;
        case Telnet::SubIac:
            telnet_ = (u == kSe) ? Telnet::Data : Telnet::Sub;
            return;
        case Telnet::Data:
            if (u == kIac) {
                telnet_ = Telnet::Iac;
                return;
            }
            break;
    }
    telnet_ = Telnet::Data;
    if (c == '\n') {
        if (overlong_) {
            lines_ += kOverlongMark;
        } else {
            lines_ += pending_;
        }
        lines_ += '\n';
        pending_.clear();
        overlong_ = false;
        return;
    }
    if (overlong_) return;
    if (pending_.size() >= maxLineBytes_) {
        overlong_ = true;
        pending_.clear();
        pending_.shrink_to_fit();
        return;
    }
    pending_ += c;
}

FtpParse FtpCommandParser::next(FtpCommand& command) {
    size_t end = lines_.find('\n');
    if (end == std::string::npos) return FtpParse::NeedMore;
    std::string line = lines_.substr(0, end);
    lines_.erase(0, end + 1);
    if (line.size() == 1 && line[0] == kOverlongMark) return FtpParse::LineTooLong;
    return parseLine(line, command);
}

FtpParse FtpCommandParser::parseLine(const std::string& raw, FtpCommand& command) {
    std::string line = raw;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find('\r') != std::string::npos || line.find('\0') != std::string::npos) {
        return FtpParse::BadLine;
    }
    size_t space = line.find(' ');
    std::string verb = line.substr(0, space);
    if (verb.empty() || verb.size() > kMaxVerbBytes) return FtpParse::BadLine;
    for (char& v : verb) {
        if (v >= 'a' && v <= 'z') {
            v = static_cast<char>(v - 'a' + 'A');
        } else if (!((v >= 'A' && v <= 'Z') || (v >= '0' && v <= '9'))) {
            return FtpParse::BadLine;
        }
    }
    command.verb = verb;
    command.argument = space == std::string::npos ? std::string() : line.substr(space + 1);
    return FtpParse::Command;
}

void FtpCommandParser::discardBuffered() {
    pending_.clear();
    lines_.clear();
    overlong_ = false;
    telnet_ = Telnet::Data;
}

}  // namespace dad
