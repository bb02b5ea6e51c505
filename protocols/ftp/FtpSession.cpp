#include "FtpSession.h"

#include <Poco/Logger.h>
#include <Poco/String.h>

#include <algorithm>
#include <ctime>
#include <unordered_map>

#include "FtpListing.h"
#include "FtpReplies.h"
#include "FtpStatusMap.h"
#include "Text.h"
#include "VirtualPath.h"

namespace dad {

namespace {
constexpr size_t kControlReadBytes = 16 * 1024;
constexpr int kTlsHandshakeMs = 30000;
constexpr int kControlWriteMs = 60000;

// What FEAT lists: exactly the extensions implemented below.
const std::vector<std::string> kFeatures = {"Extensions supported:",
                                            "AUTH TLS",
                                            "PBSZ",
                                            "PROT",
                                            "UTF8",
                                            "EPSV",
                                            "EPRT",
                                            "REST STREAM",
                                            "SIZE",
                                            "MDTM",
                                            "MFMT",
                                            "MLST type*;size*;modify*;perm*;",
                                            "HASH SHA-256*",
                                            "XSHA256",
                                            "TVFS",
                                            "End"};

}  // namespace

struct FtpSession::Handler {
    void (FtpSession::*run)(const std::string&);
    bool needsLogin;
};

const FtpSession::Handler* FtpSession::findHandler(const std::string& verb) {
    static const std::unordered_map<std::string, Handler> table = {
        {"USER", {&FtpSession::cmdUser, false}}, {"PASS", {&FtpSession::cmdPass, false}},
        {"AUTH", {&FtpSession::cmdAuth, false}}, {"PBSZ", {&FtpSession::cmdPbsz, false}},
        {"PROT", {&FtpSession::cmdProt, false}}, {"FEAT", {&FtpSession::cmdFeat, false}},
        {"OPTS", {&FtpSession::cmdOpts, false}}, {"HELP", {&FtpSession::cmdHelp, false}},
        {"STAT", {&FtpSession::cmdStat, true}},  {"PWD", {&FtpSession::cmdPwd, true}},
        {"XPWD", {&FtpSession::cmdPwd, true}},   {"CWD", {&FtpSession::cmdCwd, true}},
        {"XCWD", {&FtpSession::cmdCwd, true}},   {"CDUP", {&FtpSession::cmdCdup, true}},
        {"XCUP", {&FtpSession::cmdCdup, true}},  {"MKD", {&FtpSession::cmdMkd, true}},
        {"XMKD", {&FtpSession::cmdMkd, true}},   {"RMD", {&FtpSession::cmdRmd, true}},
        {"XRMD", {&FtpSession::cmdRmd, true}},   {"DELE", {&FtpSession::cmdDele, true}},
        {"RNFR", {&FtpSession::cmdRnfr, true}},  {"RNTO", {&FtpSession::cmdRnto, true}},
        {"SIZE", {&FtpSession::cmdSize, true}},  {"MDTM", {&FtpSession::cmdMdtm, true}},
        {"MFMT", {&FtpSession::cmdMfmt, true}},  {"TYPE", {&FtpSession::cmdType, true}},
        {"MODE", {&FtpSession::cmdMode, true}},  {"STRU", {&FtpSession::cmdStru, true}},
        {"REST", {&FtpSession::cmdRest, true}},  {"MLST", {&FtpSession::cmdMlst, true}},
        {"HASH", {&FtpSession::cmdHash, true}},  {"XSHA256", {&FtpSession::cmdXsha256, true}},
        {"PASV", {&FtpSession::cmdPasv, true}},  {"EPSV", {&FtpSession::cmdEpsv, true}},
        {"PORT", {&FtpSession::cmdPort, true}},  {"EPRT", {&FtpSession::cmdEprt, true}},
        {"RETR", {&FtpSession::cmdRetr, true}},  {"STOR", {&FtpSession::cmdStor, true}},
        {"APPE", {&FtpSession::cmdAppe, true}},  {"LIST", {&FtpSession::cmdList, true}},
        {"NLST", {&FtpSession::cmdNlst, true}},  {"MLSD", {&FtpSession::cmdMlsd, true}},
        {"ABOR", {&FtpSession::cmdAbor, true}},
    };
    auto it = table.find(verb);
    return it == table.end() ? nullptr : &it->second;
}

FtpSession::FtpSession(std::unique_ptr<NetSocket> control, const ConnectionInfo& connection,
                       const sockaddr_storage& peer, const sockaddr_storage& local,
                       bool implicitTls, SSL_CTX* tls, const FtpSessionOptions& options,
                       Authenticator& authenticator, Poco::Logger& logger)
    : control_(std::move(control)),
      connection_(connection),
      implicitTls_(implicitTls),
      tls_(tls),
      options_(options),
      authenticator_(authenticator),
      logger_(logger),
      parser_(options.maxLineBytes),
      data_(options.data, peer, local),
      started_(Clock::now()) {}

FtpSession::~FtpSession() = default;

void FtpSession::cut() {
    cut_ = true;
    data_.cut();
    control_->shutdown();
}

void FtpSession::reply(int code, const std::string& text) {
    std::string bytes = ftpReply(code, text);
    if (!control_->writeAll(bytes.data(), bytes.size(), kControlWriteMs)) quit_ = true;
}

void FtpSession::replyLines(int code, const std::vector<std::string>& lines) {
    std::string bytes = ftpMultilineReply(code, lines);
    if (!control_->writeAll(bytes.data(), bytes.size(), kControlWriteMs)) quit_ = true;
}

void FtpSession::replyStatus(const Status& status, FtpContext context) {
    reply(ftpReplyCode(status.code(), context), ftpStatusText(status));
}

bool FtpSession::resolve(const std::string& raw, std::string& path, FtpContext context) {
    if (Status s = VirtualPath::resolve(cwd_, raw.empty() ? "." : raw, path); !s) {
        replyStatus(s, context);
        return false;
    }
    return true;
}

void FtpSession::run() {
    if (implicitTls_) {
        if (Status s = control_->startTls(tls_, kTlsHandshakeMs); !s) {
            logger_.information("ftps " + connection_.remoteAddress + ": " + s.message());
            return;
        }
        protectedData_ = true;  // implicit FTPS: data is protected unless PROT C
    }
    reply(220, "dadgate FTP server ready");
    FtpCommand command;
    while (!quit_ && !cut_ && readCommand(command))
        dispatch(command);
    data_.reset();
    if (!cut_) (void)control_->close(2000);
}

// Reads until a whole command is there; false when the session must end.
bool FtpSession::readCommand(FtpCommand& command) {
    for (;;) {
        switch (parser_.next(command)) {
            case FtpParse::Command:
                return true;
            case FtpParse::LineTooLong:
                reply(500, "Command line too long");
                continue;
            case FtpParse::BadLine:
                reply(500, "Syntax error (CR, LF or NUL inside a command, or no command)");
                continue;
            case FtpParse::NeedMore:
                break;
        }
        if (quit_) return false;
        int timeoutMs = options_.idleTimeoutSeconds * 1000;
        if (!session_) {
            auto left =
                std::chrono::seconds(options_.loginGraceSeconds) - (Clock::now() - started_);
            timeoutMs = static_cast<int>(std::max<int64_t>(
                0, std::chrono::duration_cast<std::chrono::milliseconds>(left).count()));
        }
        char buffer[kControlReadBytes];
        size_t got = 0;
        Status s = control_->read(buffer, sizeof buffer, got, timeoutMs);
        if (s.code() == StatusCode::Busy) {
            reply(421, session_ ? "Idle timeout, closing the connection"
                                : "Login time exceeded, closing the connection");
            return false;
        }
        if (!s || got == 0) return false;
        parser_.feed(buffer, got);
    }
}

void FtpSession::dispatch(const FtpCommand& command) {
    const std::string& verb = command.verb;
    if (verb == "QUIT") {
        reply(221, "Goodbye");
        quit_ = true;
        return;
    }
    if (verb == "NOOP") return reply(200, "OK");
    if (verb == "SYST") return reply(215, "UNIX Type: L8");
    if (verb == "ALLO") return reply(202, "No storage allocation necessary");
    const Handler* handler = findHandler(verb);
    if (handler == nullptr) return reply(502, "Command not implemented: " + verb);
    if (handler->needsLogin && !session_) return reply(530, "Please log in with USER and PASS");
    if (verb != "RNTO" && verb != "RNFR") renameFrom_.clear();
    (this->*(handler->run))(command.argument);
    // REST applies to the next command only (used there by RETR/STOR).
    if (verb != "REST") restOffset_ = 0;
}

// ---- login and TLS -------------------------------------------------------

void FtpSession::cmdUser(const std::string& arg) {
    if (session_) return reply(503, "Already logged in");
    if (!control_->isTls() && !options_.allowPlain) {
        return reply(530, "TLS required: use AUTH TLS (or implicit FTPS) before logging in");
    }
    if (arg.empty()) return reply(501, "USER needs a name");
    user_ = arg;
    userGiven_ = true;
    reply(331, "Password required for " + user_);
}

void FtpSession::cmdPass(const std::string& arg) {
    if (session_) return reply(503, "Already logged in");
    if (!userGiven_) return reply(503, "Send USER first");
    userGiven_ = false;
    Status s = authenticator_.checkPassword(user_, arg, connection_);
    if (s) s = authenticator_.openSession(user_, connection_, session_);
    if (!s) {
        session_.reset();
        ++failedLogins_;
        // The Authenticator already slowed the refusal (LoginThrottle); Busy:
        // this address failed too often, so the connection ends at once.
        if (failedLogins_ >= options_.maxLoginAttempts || s.code() == StatusCode::Busy) {
            reply(421, "Too many failed logins, closing the connection");
            quit_ = true;
            return;
        }
        return reply(530, "Login incorrect");
    }
    cwd_ = session_->homeDirectory();
    logger_.information("ftp " + connection_.remoteAddress + ": " + user_ + " logged in" +
                        (control_->isTls() ? " (" + control_->tlsDescription() + ")" : " (plain)"));
    reply(230, "User " + user_ + " logged in");
}

void FtpSession::cmdAuth(const std::string& arg) {
    const std::string mechanism = Poco::toUpper(arg);
    if (control_->isTls()) return reply(503, "TLS is already on");
    if (mechanism != "TLS" && mechanism != "TLS-C" && mechanism != "SSL" && mechanism != "TLS-P") {
        return reply(504, "AUTH TLS only");
    }
    reply(234, "AUTH " + mechanism + " OK, starting TLS");
    // STARTTLS injection: nothing received in clear after AUTH may run.
    parser_.discardBuffered();
    if (Status s = control_->startTls(tls_, kTlsHandshakeMs); !s) {
        logger_.information("ftp " + connection_.remoteAddress + ": " + s.message());
        quit_ = true;
        return;
    }
    // A fresh TLS session starts from scratch (RFC 4217 section 4).
    userGiven_ = false;
    protectedData_ = mechanism == "TLS-P" || mechanism == "SSL";
}

void FtpSession::cmdPbsz(const std::string& arg) {
    if (!control_->isTls()) return reply(503, "PBSZ needs AUTH TLS first");
    pbszGiven_ = true;
    (void)arg;  // any size: TLS needs no buffer size, the answer is always 0
    reply(200, "PBSZ=0");
}

void FtpSession::cmdProt(const std::string& arg) {
    if (!control_->isTls()) return reply(503, "PROT needs AUTH TLS first");
    const std::string level = Poco::toUpper(arg);
    if (level == "P") {
        protectedData_ = true;
        return reply(200, "Data connections will be protected");
    }
    if (level == "C") {
        if (options_.requireProtectedData) return reply(534, "Data must be protected: PROT P");
        protectedData_ = false;
        return reply(200, "Data connections will be in clear");
    }
    reply(504, "PROT " + level + " not supported");
}

bool FtpSession::dataAllowed() {
    if (control_->isTls() && !protectedData_ && options_.requireProtectedData) {
        reply(521, "Data connections must be protected: send PBSZ 0 and PROT P");
        return false;
    }
    return true;
}

// ---- information -----------------------------------------------------------

void FtpSession::cmdFeat(const std::string&) {
    replyLines(211, kFeatures);
}

void FtpSession::cmdOpts(const std::string& arg) {
    const std::string option = Poco::toUpper(arg.substr(0, arg.find(' ')));
    const std::string value =
        arg.find(' ') == std::string::npos ? "" : Poco::toUpper(arg.substr(arg.find(' ') + 1));
    if (option == "UTF8" || option == "UTF-8") {
        if (value.empty() || value == "ON") return reply(200, "UTF8 is always on");
        return reply(504, "UTF8 cannot be turned off");
    }
    if (option == "HASH") {
        if (value.empty() || value == "SHA-256") return reply(200, "SHA-256");
        return reply(504, "Only SHA-256 is available");
    }
    if (option == "MLST") return reply(200, "MLST OPTS type;size;modify;perm;");
    reply(501, "Unknown option");
}

void FtpSession::cmdHelp(const std::string&) {
    replyLines(214, {"Commands:",
                     "USER PASS AUTH PBSZ PROT QUIT NOOP SYST FEAT OPTS HELP STAT PWD CWD CDUP",
                     "MKD RMD DELE RNFR RNTO LIST NLST MLSD MLST SIZE MDTM MFMT TYPE MODE STRU",
                     "ALLO PASV EPSV PORT EPRT REST STOR APPE RETR ABOR HASH XSHA256", "End"});
}

void FtpSession::cmdStat(const std::string& arg) {
    if (arg.empty()) {
        return replyLines(
            211,
            {"dadgate FTP status", "Logged in as " + user_,
             control_->isTls() ? "TLS: " + control_->tlsDescription() : "Not encrypted",
             std::string("Data protection: ") + (protectedData_ ? "P" : "C"), "End of status"});
    }
    std::string path;
    if (!resolve(arg, path, FtpContext::Path)) return;
    FileInfo info;
    if (Status s = session_->stat(path, info); !s) return replyStatus(s, FtpContext::Path);
    std::vector<FileInfo> entries;
    if (info.isDirectory()) {
        if (Status s = session_->list(path, entries); !s) return replyStatus(s, FtpContext::Path);
    } else {
        entries.push_back(info);
    }
    std::vector<std::string> lines = {"Status of " + path + ":"};
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    for (const FileInfo& e : entries)
        lines.push_back(ftpListLine(e, user_, now));
    lines.push_back("End of status");
    replyLines(213, lines);
}

// ---- navigation and names --------------------------------------------------

void FtpSession::cmdPwd(const std::string&) {
    reply(257, ftpQuotePath(cwd_) + " is the current directory");
}

void FtpSession::cmdCwd(const std::string& arg) {
    std::string path;
    if (!resolve(arg, path, FtpContext::Path)) return;
    FileInfo info;
    if (Status s = session_->stat(path, info); !s) return replyStatus(s, FtpContext::Path);
    if (!info.isDirectory()) return reply(550, path + " is not a directory");
    cwd_ = path;
    reply(250, "Directory changed to " + cwd_);
}

void FtpSession::cmdCdup(const std::string&) {
    cmdCwd("..");
}

void FtpSession::cmdMkd(const std::string& arg) {
    std::string path;
    if (!resolve(arg, path, FtpContext::NewName)) return;
    if (Status s = session_->makeDirectory(path); !s) return replyStatus(s, FtpContext::NewName);
    reply(257, ftpQuotePath(path) + " created");
}

void FtpSession::cmdRmd(const std::string& arg) {
    std::string path;
    if (!resolve(arg, path, FtpContext::Path)) return;
    if (Status s = session_->removeDirectory(path); !s) return replyStatus(s, FtpContext::Path);
    reply(250, "Directory removed");
}

void FtpSession::cmdDele(const std::string& arg) {
    std::string path;
    if (!resolve(arg, path, FtpContext::Path)) return;
    if (Status s = session_->removeFile(path); !s) return replyStatus(s, FtpContext::Path);
    reply(250, "File removed");
}

void FtpSession::cmdRnfr(const std::string& arg) {
    std::string path;
    renameFrom_.clear();
    if (!resolve(arg, path, FtpContext::Path)) return;
    FileInfo info;
    if (Status s = session_->stat(path, info); !s) return replyStatus(s, FtpContext::Path);
    renameFrom_ = path;
    reply(350, "Ready for RNTO");
}

void FtpSession::cmdRnto(const std::string& arg) {
    if (renameFrom_.empty()) return reply(503, "Send RNFR first");
    std::string from = renameFrom_, to;
    renameFrom_.clear();
    if (!resolve(arg, to, FtpContext::NewName)) return;
    // Like rename(2): a file replaces an existing file (atomically).
    if (Status s = session_->rename(from, to, true); !s) return replyStatus(s, FtpContext::NewName);
    reply(250, "Renamed");
}

void FtpSession::cmdSize(const std::string& arg) {
    std::string path;
    if (!resolve(arg, path, FtpContext::Path)) return;
    FileInfo info;
    if (Status s = session_->stat(path, info); !s) return replyStatus(s, FtpContext::Path);
    if (info.isDirectory()) return reply(550, path + " is not a file");
    reply(213, std::to_string(info.size));
}

void FtpSession::cmdMdtm(const std::string& arg) {
    std::string path;
    if (!resolve(arg, path, FtpContext::Path)) return;
    FileInfo info;
    if (Status s = session_->stat(path, info); !s) return replyStatus(s, FtpContext::Path);
    reply(213, ftpTimeVal(info.mtime));
}

void FtpSession::cmdMfmt(const std::string& arg) {
    size_t space = arg.find(' ');
    int64_t when = 0;
    if (space == std::string::npos || !ftpParseTimeVal(arg.substr(0, space), when)) {
        return reply(501, "MFMT YYYYMMDDHHMMSS path");
    }
    std::string path;
    if (!resolve(arg.substr(space + 1), path, FtpContext::Path)) return;
    if (Status s = session_->setModificationTime(path, when); !s) {
        return replyStatus(s, FtpContext::Path);
    }
    reply(213, "Modify=" + ftpTimeVal(when) + "; " + path);
}

void FtpSession::cmdType(const std::string& arg) {
    const std::string type = Poco::toUpper(arg);
    if (type == "I" || type == "L 8" || type == "A" || type == "A N") {
        // ASCII is accepted and sent as is: every byte moves unchanged.
        return reply(200, "Type set to " + type);
    }
    reply(504, "Type not supported");
}

void FtpSession::cmdMode(const std::string& arg) {
    if (Poco::toUpper(arg) == "S") return reply(200, "Mode S");
    reply(504, "Only stream mode");
}

void FtpSession::cmdStru(const std::string& arg) {
    if (Poco::toUpper(arg) == "F") return reply(200, "Structure F");
    reply(504, "Only file structure");
}

void FtpSession::cmdRest(const std::string& arg) {
    uint64_t offset = 0;
    if (!parseDecimal(arg, offset)) return reply(501, "REST needs a byte offset");
    restOffset_ = offset;
    reply(350, "Restarting at " + std::to_string(offset) + ". Send STOR or RETR");
}

void FtpSession::cmdMlst(const std::string& arg) {
    std::string path;
    if (!resolve(arg, path, FtpContext::Path)) return;
    FileInfo info;
    if (Status s = session_->stat(path, info); !s) return replyStatus(s, FtpContext::Path);
    replyLines(250, {"Listing " + path, ftpFacts(info) + path, "End"});
}

void FtpSession::cmdHash(const std::string& arg) {
    std::string path;
    if (!resolve(arg, path, FtpContext::Path)) return;
    FileInfo info;
    if (Status s = session_->stat(path, info); !s) return replyStatus(s, FtpContext::Path);
    if (info.isDirectory()) return reply(550, path + " is not a file");
    std::string hex;
    if (Status s = session_->contentHash(path, hex); !s) return replyStatus(s, FtpContext::Path);
    // draft-bryan-ftpext-hash: "213 <algorithm> <start>-<end> <hash> <name>".
    reply(213, "SHA-256 0-" + std::to_string(info.size) + " " + hex + " " + arg);
}

void FtpSession::cmdXsha256(const std::string& arg) {
    std::string path;
    if (!resolve(arg, path, FtpContext::Path)) return;
    std::string hex;
    if (Status s = session_->contentHash(path, hex); !s) return replyStatus(s, FtpContext::Path);
    reply(213, hex);
}

}  // namespace dad
