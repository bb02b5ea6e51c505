// FtpSession: one FTP control connection, from the greeting to QUIT. Reads
// commands through FtpCommandParser, answers through FtpReplies, and
// translates every file operation into the user's Session; FtpStatusMap is
// the only place a Status becomes a reply code. Transfers run on this
// connection's thread; during one, the control connection is watched for
// ABOR, STAT and NOOP (anything else gets 503).
//
// Security rules enforced here: without TLS nothing but AUTH/FEAT/QUIT-like
// commands work unless plain FTP is allowed; after AUTH TLS every plaintext
// byte pipelined behind it is discarded; PROT P is required for data by
// default; commands other than the login ones get 530 before login.
#pragma once

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "Authenticator.h"
#include "ConnectionThreads.h"
#include "FtpCommandParser.h"
#include "FtpDataChannel.h"
#include "FtpStatusMap.h"
#include "NetSocket.h"
#include "Session.h"

namespace Poco {
class Logger;
}

namespace dad {

struct FtpSessionOptions {
    bool allowPlain = false;           // log in without TLS (ftp.allow_plain)
    bool requireProtectedData = true;  // PROT P required on TLS sessions (ftp.require_prot_p)
    int loginGraceSeconds = 60;        // from connect to a successful PASS
    int idleTimeoutSeconds = 900;      // no command for this long closes the session
    // Failed PASS before the connection is closed. The delay after each is
    // the Authenticator's (login.failed_delay_ms).
    int maxLoginAttempts = 3;
    size_t transferBufferBytes = 512 * 1024;
    size_t maxLineBytes = FtpCommandParser::kDefaultMaxLineBytes;
    FtpDataOptions data;
};

class FtpSession : public Connection {
public:
    // `tls` is the server context (never null); `implicitTls`: the TLS
    // handshake comes first (the ftps.port listener). `control` is connected.
    FtpSession(std::unique_ptr<NetSocket> control, const ConnectionInfo& connection,
               const sockaddr_storage& peer, const sockaddr_storage& local, bool implicitTls,
               SSL_CTX* tls, const FtpSessionOptions& options, Authenticator& authenticator,
               Poco::Logger& logger);
    ~FtpSession() override;

    // Serves the connection until QUIT, a timeout, an error or cut().
    // An upload in progress at the end is abandoned (kept for a resume).
    void run() override;
    // Ends the session from another thread: control and data are shut down.
    void cut() override;

private:
    using Clock = std::chrono::steady_clock;
    struct Handler;
    static const Handler* findHandler(const std::string& verb);

    void reply(int code, const std::string& text);
    void replyLines(int code, const std::vector<std::string>& lines);
    void replyStatus(const Status& status, FtpContext context);
    bool readCommand(FtpCommand& command);
    void dispatch(const FtpCommand& command);
    bool resolve(const std::string& raw, std::string& path, FtpContext context);
    bool dataAllowed();

    // FtpSession.cpp: login, TLS, navigation, names.
    void cmdUser(const std::string& arg);
    void cmdPass(const std::string& arg);
    void cmdAuth(const std::string& arg);
    void cmdPbsz(const std::string& arg);
    void cmdProt(const std::string& arg);
    void cmdFeat(const std::string& arg);
    void cmdOpts(const std::string& arg);
    void cmdHelp(const std::string& arg);
    void cmdStat(const std::string& arg);
    void cmdPwd(const std::string& arg);
    void cmdCwd(const std::string& arg);
    void cmdCdup(const std::string& arg);
    void cmdMkd(const std::string& arg);
    void cmdRmd(const std::string& arg);
    void cmdDele(const std::string& arg);
    void cmdRnfr(const std::string& arg);
    void cmdRnto(const std::string& arg);
    void cmdSize(const std::string& arg);
    void cmdMdtm(const std::string& arg);
    void cmdMfmt(const std::string& arg);
    void cmdType(const std::string& arg);
    void cmdMode(const std::string& arg);
    void cmdStru(const std::string& arg);
    void cmdRest(const std::string& arg);
    void cmdMlst(const std::string& arg);
    void cmdHash(const std::string& arg);
    void cmdXsha256(const std::string& arg);

    // FtpTransfers.cpp: data connections and transfers.
    void cmdPasv(const std::string& arg);
    void cmdEpsv(const std::string& arg);
    void cmdPort(const std::string& arg);
    void cmdEprt(const std::string& arg);
    void cmdRetr(const std::string& arg);
    void cmdStor(const std::string& arg);
    void cmdAppe(const std::string& arg);
    void cmdList(const std::string& arg);
    void cmdNlst(const std::string& arg);
    void cmdMlsd(const std::string& arg);
    void cmdAbor(const std::string& arg);
    void store(const std::string& arg, bool append);
    void listing(const std::string& arg, int kind);
    bool openData(std::unique_ptr<NetSocket>& socket);
    void closeData(std::unique_ptr<NetSocket>& socket, bool clean);
    bool sendBytes(NetSocket& socket, const std::string& bytes);
    // Waits until `data` has bytes, watching the control connection too;
    // false on a timeout or when ABOR came (abortSeen_).
    bool waitForData(NetSocket& data, uint64_t bytesSoFar);
    // Watches the control connection during a transfer; true when ABOR came.
    bool abortRequested(uint64_t bytesSoFar);

    std::unique_ptr<NetSocket> control_;
    ConnectionInfo connection_;
    const bool implicitTls_;
    SSL_CTX* tls_;
    const FtpSessionOptions options_;
    Authenticator& authenticator_;
    Poco::Logger& logger_;
    FtpCommandParser parser_;
    FtpDataChannel data_;
    Clock::time_point started_;

    std::unique_ptr<Session> session_;
    std::string user_;
    bool userGiven_ = false;
    int failedLogins_ = 0;
    std::string cwd_ = "/";
    uint64_t restOffset_ = 0;
    std::string renameFrom_;
    bool protectedData_ = false;
    bool pbszGiven_ = false;
    bool epsvAll_ = false;
    bool quit_ = false;
    bool abortSeen_ = false;
    std::atomic<bool> cut_{false};
};

}  // namespace dad
