// The data side of FtpSession: PASV/EPSV/PORT/EPRT, RETR/STOR/APPE, the
// listings and ABOR. One transfer at a time, on the session's thread.
#include <Poco/Logger.h>

#include <poll.h>

#include <cerrno>
#include <chrono>
#include <ctime>

#include "FtpListing.h"
#include "FtpReplies.h"
#include "FtpSession.h"
#include "FtpStatusMap.h"

namespace dad {

namespace {
enum ListKind { kList = 0, kNlst = 1, kMlsd = 2 };

// LIST/NLST arguments may start with ls options ("-la"); they are ignored.
std::string stripListOptions(const std::string& arg) {
    std::string rest = arg;
    while (rest.size() >= 2 && rest[0] == '-' && rest[1] != ' ') {
        size_t space = rest.find(' ');
        rest = space == std::string::npos ? std::string() : rest.substr(space + 1);
    }
    return rest;
}
}  // namespace

// ---- setting up data connections -------------------------------------------

void FtpSession::cmdPasv(const std::string&) {
    if (epsvAll_) return reply(503, "EPSV ALL was sent: use EPSV");
    std::string host;
    uint16_t port = 0;
    if (Status s = data_.listenPassive(host, port); !s) return reply(425, ftpStatusText(s));
    if (host.find(':') != std::string::npos) {
        data_.reset();
        return reply(425, "PASV needs IPv4: use EPSV");
    }
    for (char& c : host) {
        if (c == '.') c = ',';
    }
    reply(227, "Entering Passive Mode (" + host + "," + std::to_string(port / 256) + "," +
                   std::to_string(port % 256) + ")");
}

void FtpSession::cmdEpsv(const std::string& arg) {
    if (arg == "ALL" || arg == "all") {
        epsvAll_ = true;
        return reply(200, "EPSV ALL: only EPSV from now on");
    }
    if (!arg.empty() && arg != "1" && arg != "2")
        return reply(522, "Protocol not supported, use (1,2)");
    std::string host;
    uint16_t port = 0;
    if (Status s = data_.listenPassive(host, port); !s) return reply(425, ftpStatusText(s));
    reply(229, "Entering Extended Passive Mode (|||" + std::to_string(port) + "|)");
}

void FtpSession::cmdPort(const std::string& arg) {
    if (epsvAll_) return reply(503, "EPSV ALL was sent: use EPSV");
    std::string host;
    uint16_t port = 0;
    if (!ftpParsePortArgument(arg, host, port)) return reply(501, "PORT h1,h2,h3,h4,p1,p2");
    if (Status s = data_.setActive(host, port); !s) return reply(504, ftpStatusText(s));
    reply(200, "PORT command successful");
}

void FtpSession::cmdEprt(const std::string& arg) {
    if (epsvAll_) return reply(503, "EPSV ALL was sent: use EPSV");
    std::string host;
    uint16_t port = 0;
    if (!ftpParseEprtArgument(arg, host, port))
        return reply(522, "Protocol not supported, use (1,2)");
    if (Status s = data_.setActive(host, port); !s) return reply(504, ftpStatusText(s));
    reply(200, "EPRT command successful");
}

bool FtpSession::openData(std::unique_ptr<NetSocket>& socket) {
    SSL_CTX* tls = control_->isTls() && protectedData_ ? tls_ : nullptr;
    if (Status s = data_.open(tls, socket); !s) {
        reply(425, "Cannot open data connection: " + ftpStatusText(s));
        return false;
    }
    return true;
}

// `clean`: the transfer ended normally, so TLS is closed with close_notify
// both ways; otherwise the connection is just cut.
void FtpSession::closeData(std::unique_ptr<NetSocket>& socket, bool clean) {
    data_.track(nullptr);
    if (!socket) return;
    if (clean) {
        (void)socket->close(options_.data.timeoutSeconds * 1000);
    } else {
        socket->shutdown();
    }
    socket.reset();
}

bool FtpSession::sendBytes(NetSocket& socket, const std::string& bytes) {
    return static_cast<bool>(
        socket.writeAll(bytes.data(), bytes.size(), options_.data.timeoutSeconds * 1000));
}

bool FtpSession::abortRequested(uint64_t bytesSoFar) {
    if (abortSeen_) return true;
    if (!control_->readable()) return false;
    char buffer[4096];
    size_t got = 0;
    Status s = control_->read(buffer, sizeof buffer, got, 0);
    if (s.code() == StatusCode::Busy) return false;  // a TLS record without data
    if (!s || got == 0) {
        quit_ = true;  // the control connection is gone: stop the transfer
        return true;
    }
    parser_.feed(buffer, got);
    FtpCommand command;
    for (FtpParse r; (r = parser_.next(command)) != FtpParse::NeedMore;) {
        if (r != FtpParse::Command) {
            reply(500, "Syntax error");
        } else if (command.verb == "ABOR") {
            abortSeen_ = true;
        } else if (command.verb == "STAT") {
            reply(213, "Transfer in progress, " + std::to_string(bytesSoFar) + " bytes so far");
        } else if (command.verb == "NOOP") {
            reply(200, "OK");
        } else {
            reply(503, command.verb + " refused: a transfer is in progress (ABOR first)");
        }
    }
    return abortSeen_;
}

bool FtpSession::waitForData(NetSocket& data, uint64_t bytesSoFar) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(options_.data.timeoutSeconds);
    while (!data.readable()) {
        if (abortRequested(bytesSoFar) || quit_ || cut_) return false;
        pollfd fds[2] = {{data.fd(), POLLIN, 0}, {control_->fd(), POLLIN, 0}};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0) return true;  // the read below reports the timeout
        if (::poll(fds, 2, static_cast<int>(left)) < 0 && errno != EINTR) return true;
    }
    return true;
}

void FtpSession::cmdAbor(const std::string&) {
    data_.reset();
    reply(225, "No transfer to abort");
}

// ---- transfers ---------------------------------------------------------------

void FtpSession::cmdRetr(const std::string& arg) {
    std::string path;
    if (!resolve(arg, path, FtpContext::Path)) return;
    if (!data_.ready()) return reply(425, "Use PASV, EPSV, PORT or EPRT first");
    if (!dataAllowed()) return;
    std::unique_ptr<ReadStream> stream;
    if (Status s = session_->openRead(path, stream); !s) return replyStatus(s, FtpContext::Path);
    const uint64_t size = stream->size();
    uint64_t offset = restOffset_;
    if (offset > size) {
        (void)stream->close();
        return reply(554, "REST offset past the end of the file (" + std::to_string(size) + ")");
    }
    reply(150, "Opening data connection for " + path + " (" + std::to_string(size) + " bytes)");
    std::unique_ptr<NetSocket> socket;
    if (!openData(socket)) return;
    abortSeen_ = false;
    std::string buffer(options_.transferBufferBytes, '\0');
    Status failure;
    while (offset < size) {
        size_t got = 0;
        failure = stream->read(offset, &buffer[0], buffer.size(), got);
        if (!failure || got == 0) break;
        failure = socket->writeAll(buffer.data(), got, options_.data.timeoutSeconds * 1000);
        if (!failure) break;
        offset += got;
        if (abortRequested(offset)) break;
    }
    const bool complete = offset >= size && failure && !abortSeen_;
    closeData(socket, complete);
    (void)stream->close();
    if (abortSeen_) {
        abortSeen_ = false;
        reply(426, "Transfer aborted");
        return reply(226, "ABOR successful");
    }
    if (!complete) {
        return reply(
            426, "Transfer failed: " + (failure ? "connection closed" : ftpStatusText(failure)));
    }
    control_->issueSessionTicket();
    reply(226, "Transfer complete");
}

void FtpSession::cmdStor(const std::string& arg) {
    store(arg, false);
}

void FtpSession::cmdAppe(const std::string& arg) {
    store(arg, true);
}

void FtpSession::store(const std::string& arg, bool append) {
    std::string path;
    if (!resolve(arg, path, FtpContext::NewName)) return;
    if (!data_.ready()) return reply(425, "Use PASV, EPSV, PORT or EPRT first");
    if (!dataAllowed()) return;
    WriteOptions options;
    options.append = append;
    // STOR starts over; REST + STOR and APPE continue a partial or stored file.
    options.truncate = !append && restOffset_ == 0;
    std::unique_ptr<WriteStream> stream;
    if (Status s = session_->openWrite(path, options, stream); !s) {
        return replyStatus(s, FtpContext::NewName);
    }
    uint64_t offset = append ? stream->size() : restOffset_;
    if (offset > stream->size()) {
        const uint64_t have = stream->size();
        stream->abandon();
        return reply(554, "REST offset past the bytes stored (" + std::to_string(have) + ")");
    }
    reply(150, "Ready to receive " + path + (offset ? " from byte " + std::to_string(offset) : ""));
    std::unique_ptr<NetSocket> socket;
    if (!openData(socket)) {
        stream->abandon();
        return;
    }
    abortSeen_ = false;
    std::string buffer(options_.transferBufferBytes, '\0');
    Status failure;      // from the network
    Status refused;      // from the session (quota, policy, disk)
    bool atEnd = false;  // the client ended the data (the only complete case)
    bool stopped = false;
    while (!atEnd && !stopped) {
        // Fill the buffer before writing: fewer, bigger writes to the store.
        size_t filled = 0;
        while (filled < buffer.size()) {
            if (filled == 0 && !waitForData(*socket, offset)) {
                stopped = true;
                break;
            }
            size_t got = 0;
            failure = socket->read(&buffer[filled], buffer.size() - filled, got,
                                   options_.data.timeoutSeconds * 1000);
            if (!failure) {
                stopped = true;
                break;
            }
            if (got == 0) {
                atEnd = true;
                break;
            }
            filled += got;
            if (!socket->readable()) break;  // never block with bytes in hand
        }
        if (filled > 0) {
            refused = stream->write(offset, buffer.data(), filled);
            if (!refused) break;
            offset += filled;
        }
        if (!atEnd && !stopped && abortRequested(offset)) stopped = true;
    }
    const bool complete = atEnd && failure && refused && !abortSeen_;
    closeData(socket, complete);
    if (!complete) {
        if (failure && refused && !abortSeen_) {
            failure =
                Status::ioError(quit_ ? "control connection lost" : "data connection timed out");
        }
        stream->abandon();  // kept for a resume (REST + STOR, APPE)
        if (abortSeen_) {
            abortSeen_ = false;
            reply(426, "Transfer aborted; the partial upload is kept for a resume");
            return reply(226, "ABOR successful");
        }
        if (!refused) return replyStatus(refused, FtpContext::Upload);
        return reply(426, "Transfer cut: " + ftpStatusText(failure) +
                              "; the partial upload is kept for a resume");
    }
    // 226 only once the bytes are durable and the catalog committed.
    if (Status s = stream->close(); !s) return replyStatus(s, FtpContext::Upload);
    control_->issueSessionTicket();
    reply(226, "Transfer complete, " + std::to_string(offset) + " bytes stored");
}

void FtpSession::cmdList(const std::string& arg) {
    listing(arg, kList);
}

void FtpSession::cmdNlst(const std::string& arg) {
    listing(arg, kNlst);
}

void FtpSession::cmdMlsd(const std::string& arg) {
    listing(arg, kMlsd);
}

void FtpSession::listing(const std::string& arg, int kind) {
    std::string path;
    if (!resolve(kind == kMlsd ? arg : stripListOptions(arg), path, FtpContext::Path)) return;
    if (!data_.ready()) return reply(425, "Use PASV, EPSV, PORT or EPRT first");
    if (!dataAllowed()) return;
    FileInfo info;
    if (Status s = session_->stat(path, info); !s) return replyStatus(s, FtpContext::Path);
    std::vector<FileInfo> entries;
    if (info.isDirectory()) {
        if (Status s = session_->list(path, entries); !s) return replyStatus(s, FtpContext::Path);
    } else if (kind == kMlsd) {
        return reply(501, path + " is not a directory");
    } else {
        entries.push_back(info);
    }
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    std::string text;
    for (const FileInfo& e : entries) {
        if (kind == kList) {
            text += ftpListLine(e, user_, now);
        } else if (kind == kNlst) {
            text += e.name;
        } else {
            text += ftpFacts(e) + e.name;
        }
        text += "\r\n";
    }
    reply(150, "Here comes the listing");
    std::unique_ptr<NetSocket> socket;
    if (!openData(socket)) return;
    const bool sent = sendBytes(*socket, text);
    closeData(socket, sent);
    if (!sent) return reply(426, "Listing cut");
    control_->issueSessionTicket();
    reply(226, "Listing sent");
}

}  // namespace dad
