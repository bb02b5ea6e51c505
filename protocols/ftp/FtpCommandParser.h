// FtpCommandParser: bytes of an FTP control connection in, commands out.
// Pure (no socket): the session feeds whatever it read and takes lines.
//
// - Telnet commands are removed (IAC IAC is a literal 0xFF byte; IAC WILL/
//   WONT/DO/DONT drop their option byte; IAC SB ... IAC SE is dropped whole).
// - A line ends at LF (CR LF or a bare LF). A CR or NUL inside a line makes
//   it BadLine: a client that sends CR/LF inside a name is refused, never
//   split into two commands.
// - A line longer than maxLineBytes is dropped up to its LF and reported once
//   as LineTooLong; at most maxLineBytes are buffered (memory bounded).
// - The verb is ASCII letters and digits (at most 16), upper-cased; the
//   argument is everything after the first space, unchanged (UTF-8 is checked
//   later, by VirtualPath, where it is a path).
// Not thread-safe; one per control connection.
#pragma once

#include <cstddef>
#include <string>

namespace dad {

struct FtpCommand {
    std::string verb;      // "STOR"
    std::string argument;  // "a b.txt" (may be empty)
};

enum class FtpParse {
    NeedMore,     // no complete line buffered
    Command,      // `command` holds the next command
    LineTooLong,  // a line past the limit was dropped
    BadLine,      // a malformed line (CR/NUL inside, no verb, bad verb) was dropped
};

class FtpCommandParser {
public:
    static constexpr size_t kDefaultMaxLineBytes = 8192;

    explicit FtpCommandParser(size_t maxLineBytes = kDefaultMaxLineBytes)
        : maxLineBytes_(maxLineBytes) {}

    // Appends bytes read from the connection.
    void feed(const char* data, size_t length);
    // Takes the next complete line, if any.
    FtpParse next(FtpCommand& command);
    // Drops every byte received so far that is not yet a returned command
    // (after AUTH TLS: plaintext pipelined behind it must never run).
    void discardBuffered();
    // Bytes waiting (complete lines not yet taken plus a partial line).
    size_t buffered() const { return pending_.size() + lines_.size(); }
    // Whether a complete line is waiting.
    bool hasLine() const { return !lines_.empty(); }

private:
    enum class Telnet { Data, Iac, Option, Sub, SubIac };
    void addByte(char c);
    static FtpParse parseLine(const std::string& line, FtpCommand& command);

    size_t maxLineBytes_;
    Telnet telnet_ = Telnet::Data;
    std::string pending_;  // the line being received
    bool overlong_ = false;
    std::string lines_;  // complete lines, each ended by '\n' ("\x01" marks an overlong one)
};

}  // namespace dad
