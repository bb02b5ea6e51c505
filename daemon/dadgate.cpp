// dadgate: the managed-file-transfer gateway daemon.
//
//   dadgate [--config FILE] [--define key=value]...
//       runs in the foreground with every configured listener.
//   dadgate sftp-subsystem [--user NAME] [--config FILE] [--define key=value]...
//       speaks SFTP on stdin/stdout, as OpenSSH sshd's "Subsystem sftp"; the
//       account is NAME, or the user sshd logged in ($USER).
#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/PatternFormatter.h>
#include <Poco/StringTokenizer.h>
#include <Poco/URI.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "Admin.h"
#include "Api.h"
#include "CleanStop.h"
#include "CommandLine.h"
#include "FtpServer.h"
#include "Gateway.h"
#include "HostKeys.h"
#include "Housekeeping.h"
#include "JobQueue.h"
#include "PackagePages.h"
#include "PeerApi.h"
#include "PluginLoader.h"
#include "SftpSubsystem.h"
#include "SshServer.h"
#include "TlsCertificate.h"
#include "WebDavServer.h"

using namespace dad;

namespace {

int fail(const std::string& message) {
    std::cerr << "dadgate: " << message << std::endl;
    return 1;
}

void setUpLogging(const Poco::Util::AbstractConfiguration& config) {
    Poco::AutoPtr<Poco::PatternFormatter> pattern =
        new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%SZ %p %s: %t");
    Poco::AutoPtr<Poco::FormattingChannel> channel =
        new Poco::FormattingChannel(pattern, new Poco::ConsoleChannel(std::cerr));
    Poco::Logger::root().setChannel(channel);
    Poco::Logger::root().setLevel(config.getString("log.level", "information"));
}

// Every held connection is a descriptor: take the whole hard limit (the
// HTTPS front bounds its connections by what this leaves).
void raiseOpenFileLimit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        (void)::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

SshServerOptions sshOptions(const Poco::Util::AbstractConfiguration& config) {
    SshServerOptions o;
    o.address = config.getString("sftp.address", o.address);
    o.port = static_cast<uint16_t>(config.getInt("sftp.port", o.port));
    o.loginGraceSeconds = config.getInt("sftp.login_grace_seconds", o.loginGraceSeconds);
    o.idleTimeoutSeconds = config.getInt("sftp.idle_timeout_seconds", o.idleTimeoutSeconds);
    o.maxConnections = config.getInt("sftp.max_connections", o.maxConnections);
    o.maxConnectionsPerAddress =
        config.getInt("sftp.max_connections_per_address", o.maxConnectionsPerAddress);
    o.maxAuthAttempts = config.getInt("sftp.max_auth_attempts", o.maxAuthAttempts);
    return o;
}

WebDavServerOptions webDavOptions(const Poco::Util::AbstractConfiguration& config,
                                  const std::string& dataDir) {
    WebDavServerOptions o;
    o.address = config.getString("https.address", o.address);
    o.httpsPort = static_cast<uint16_t>(config.getInt("https.port", o.httpsPort));
    o.httpPort = static_cast<uint16_t>(config.getInt("http.port", o.httpPort));
    o.certificateFile = config.getString("tls.certificate", dataDir + "/tls/cert.pem");
    o.privateKeyFile = config.getString("tls.key", dataDir + "/tls/key.pem");
    HttpServerOptions& c = o.connections;
    c.maxWorkers = config.getInt("https.max_threads", c.maxWorkers);
    c.maxConnections = config.getInt("https.max_connections", c.maxConnections);
    c.maxConnectionsPerAddress =
        config.getInt("https.max_connections_per_address", c.maxConnectionsPerAddress);
    c.timeoutSeconds = config.getInt("https.timeout_seconds", c.timeoutSeconds);
    c.keepAliveSeconds = config.getInt("https.keep_alive_seconds", c.keepAliveSeconds);
    c.maxKeepAliveRequests =
        config.getInt("https.max_requests_per_connection", c.maxKeepAliveRequests);
    HttpLimits& l = c.limits;
    l.headerSeconds = config.getInt("https.header_timeout_seconds", l.headerSeconds);
    const auto size = [&config](const char* key, size_t fallback) {
        return static_cast<size_t>(config.getUInt64(key, fallback));
    };
    l.requestLine = size("https.max_request_line", l.requestLine);
    l.fieldLine = size("https.max_field_line", l.fieldLine);
    l.fieldCount = size("https.max_fields", l.fieldCount);
    l.headerSection = size("https.max_header_bytes", l.headerSection);
    l.chunkLine = size("https.max_chunk_line", l.chunkLine);
    l.trailerSection = size("https.max_trailer_bytes", l.trailerSection);
    o.basicOverHttp = config.getBool("http.allow_basic_auth", o.basicOverHttp);
    return o;
}

FtpServerOptions ftpOptions(const Poco::Util::AbstractConfiguration& config,
                            const std::string& dataDir) {
    FtpServerOptions o;
    o.address = config.getString("ftp.address", o.address);
    o.explicitPort = static_cast<uint16_t>(config.getInt("ftp.port", o.explicitPort));
    o.implicitPort = static_cast<uint16_t>(config.getInt("ftps.port", o.implicitPort));
    o.certificateFile = config.getString("tls.certificate", dataDir + "/tls/cert.pem");
    o.keyFile = config.getString("tls.key", dataDir + "/tls/key.pem");
    o.maxConnections = config.getInt("ftp.max_connections", o.maxConnections);
    o.maxConnectionsPerAddress =
        config.getInt("ftp.max_connections_per_address", o.maxConnectionsPerAddress);
    FtpSessionOptions& s = o.session;
    s.allowPlain = config.getBool("ftp.allow_plain", s.allowPlain);
    s.requireProtectedData = config.getBool("ftp.require_prot_p", s.requireProtectedData);
    s.loginGraceSeconds = config.getInt("ftp.login_grace_seconds", s.loginGraceSeconds);
    s.idleTimeoutSeconds = config.getInt("ftp.idle_timeout_seconds", s.idleTimeoutSeconds);
    s.maxLoginAttempts = config.getInt("ftp.max_login_attempts", s.maxLoginAttempts);
    s.transferBufferBytes = static_cast<size_t>(
        config.getInt("ftp.transfer_buffer_bytes", static_cast<int>(s.transferBufferBytes)));
    s.data.passivePortMin = static_cast<uint16_t>(config.getInt("ftp.passive_port_min", 0));
    s.data.passivePortMax = static_cast<uint16_t>(config.getInt("ftp.passive_port_max", 0));
    s.data.masqueradeAddress = config.getString("ftp.masquerade_address", "");
    s.data.requireTlsSessionReuse =
        config.getBool("ftp.require_tls_session_reuse", s.data.requireTlsSessionReuse);
    s.data.timeoutSeconds = config.getInt("ftp.data_timeout_seconds", s.data.timeoutSeconds);
    return o;
}

// A public.url set by the admin whose port neither HTTP(S) listener has (the
// package pages are served there) is most likely a mistake, its links dead,
// unless a proxy in front forwards that port here: warn.
void warnOnUnservedPublicUrl(const Poco::Util::AbstractConfiguration& config,
                             const std::vector<int>& pagePorts) {
    const std::string url = config.getString("public.url", "");
    if (url.empty()) return;
    int port = 0;
    try {
        port = Poco::URI(url).getPort();
    } catch (const Poco::Exception& e) {
        Poco::Logger::get("dadgate").warning("public.url %s: %s", url, e.displayText());
        return;
    }
    if (port == 0 || std::find(pagePorts.begin(), pagePorts.end(), port) == pagePorts.end()) {
        Poco::Logger::get("dadgate").warning(
            "public.url %s names port %d, which no HTTPS or HTTP listener of this dadgate has: "
            "package links work only if a proxy forwards that port here",
            url, port);
    }
}

int runSubsystem(Gateway& gateway, const CommandLine& commandLine) {
    std::map<std::string, std::string> flags;
    std::vector<std::string> positional;
    if (Status s = parseFlags(commandLine.words, 1, {"user"}, {}, flags, positional); !s) {
        return fail(s.message());
    }
    // Under sshd the account defaults to the user sshd authenticated.
    if (!flags.count("user")) {
        const char* user = std::getenv("USER");
        if (!user || !*user) return fail("sftp-subsystem needs --user NAME (or USER set)");
        flags["user"] = user;
    }
    ConnectionInfo connection;
    connection.protocol = "sftp";
    if (const char* ssh = std::getenv("SSH_CONNECTION")) {
        std::istringstream fields(ssh);
        fields >> connection.remoteAddress >> connection.remotePort;
    }
    std::unique_ptr<Session> session;
    if (Status s = gateway.openSession(flags["user"], connection, session); !s) {
        return fail("cannot open a session for " + flags["user"] + ": " + s.message());
    }
    gateway.catalog().audit(
        {flags["user"], connection.remoteAddress, "sftp", "login", "", "through sshd", true});
    return runSftpSubsystem(*session, STDIN_FILENO, STDOUT_FILENO);
}

}  // namespace

int main(int argc, char** argv) {
    signal(SIGPIPE, SIG_IGN);
    raiseOpenFileLimit();
    CommandLine commandLine;
    if (Status s = CommandLine::parse(argc, argv, commandLine); !s) return fail(s.message());
    // The daemon takes its stop and reload signals only in sigwait below. They
    // are blocked before any thread starts (Gateway::open already starts
    // Poco's timer threads), so every thread inherits the mask: a signal that
    // arrives while the main thread is busy (a SIGHUP during a reload) waits
    // for it, instead of going to another thread and ending the process with
    // the default action. The sftp-subsystem keeps the defaults sshd expects.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGHUP);
    if (commandLine.words.empty()) pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    Poco::AutoPtr<Poco::Util::LayeredConfiguration> config;
    if (Status s = commandLine.loadConfig(config); !s) return fail(s.message());
    setUpLogging(*config);

    std::unique_ptr<Gateway> gateway;
    if (Status s = Gateway::open(gatewayOptions(*config), gateway); !s) return fail(s.message());
    if (!commandLine.words.empty()) {
        if (commandLine.words[0] == "sftp-subsystem") return runSubsystem(*gateway, commandLine);
        return fail("unknown command " + commandLine.words[0]);
    }

    if (Status s = gateway->catalog().closeInterruptedDownloads(); !s) return fail(s.message());
    std::string adminPassword;
    if (Status s = gateway->ensureAdmin(adminPassword); !s) return fail(s.message());
    if (!adminPassword.empty()) {
        std::cout << "dadgate: created admin account \"admin\" with password: " << adminPassword
                  << "\ndadgate: this password is shown only once; change it with "
                     "`dadctl user passwd admin`"
                  << std::endl;
    }
    const std::string dataDir = gateway->options().dataDir;
    for (const char* dir : {"/tls", "/ssh"}) {
        if (Status s = posixFileSystem().makeDirectories(dataDir + dir); !s) {
            return fail(s.message());
        }
    }
    if (Status s = ensureSelfSignedCertificate(dataDir + "/tls/cert.pem", dataDir + "/tls/key.pem",
                                               config->getString("tls.common_name", "localhost"));
        !s) {
        return fail(s.message());
    }

    std::unique_ptr<SshServer> sftp;
    SshServerOptions ssh = sshOptions(*config);
    if (ssh.port != 0) {
        if (Status s = ensureHostKeys(dataDir + "/ssh", ssh.hostKeyFiles); !s) {
            return fail(s.message());
        }
        sftp = std::make_unique<SshServer>(ssh, *gateway);
        if (Status s = sftp->start(); !s) return fail("sftp: " + s.message());
        std::cout << "dadgate: sftp listening on " << ssh.address << ":" << sftp->boundPort()
                  << std::endl;
    }
    std::unique_ptr<WebDavServer> webdav;
    WebDavServerOptions dav = webDavOptions(*config, dataDir);
    if (dav.httpsPort != 0 || dav.httpPort != 0) {
        Gateway& gw = *gateway;
        // The package pages (/p/<token>) on the same listeners.
        PackagePagesOptions pageOptions;
        pageOptions.maxReturnBytes = static_cast<uint64_t>(config->getInt64(
            "pages.max_return_bytes", static_cast<Poco::Int64>(pageOptions.maxReturnBytes)));
        pageOptions.maxReturnTotalBytes =
            config->getInt64("pages.max_return_total_bytes",
                             static_cast<Poco::Int64>(pageOptions.maxReturnTotalBytes));
        pageOptions.maxConcurrentZips =
            config->getInt("pages.max_zips", pageOptions.maxConcurrentZips);
        pageOptions.tempDirectory = dataDir + "/tmp";
        auto pages = std::make_shared<PackagePages>(gw, pageOptions);
        // The peer API: another dadgate forwarding a package here (HTTPS only).
        PeerReceiverOptions peerOptions;
        Poco::StringTokenizer peerAccounts(
            config->getString("peer.accounts", ""), ",",
            Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
        peerOptions.accounts.insert(peerAccounts.begin(), peerAccounts.end());
        auto peerReceiver = std::make_shared<PeerReceiver>(gw, peerOptions);
        auto peers = std::make_shared<PeerApi>(gw, *peerReceiver);
        // The REST API (/api/v1/) over the one admin layer; a reload asked
        // there is this process's own.
        auto admin = std::make_shared<Admin>(gw, [&gw](std::string& message) {
            if (Status s = gw.reloadPolicies(); !s) return s;
            message = "policy scripts reloaded";
            return Status::ok();
        });
        ApiOptions apiOptions;
        apiOptions.sessionSeconds =
            config->getInt64("api.session_seconds", apiOptions.sessionSeconds);
        auto api = std::make_shared<Api>(*admin, apiOptions);
        webdav = std::make_unique<WebDavServer>(
            dav, gw,
            [&gw](const std::string& user, std::unique_ptr<DeadProperties>& properties) {
                return DeadProperties::open(gw, user, properties);
            },
            [pages, peers, peerReceiver, admin, api](const Poco::Net::HTTPServerRequest& request,
                                                     bool secure) {
                if (Poco::Net::HTTPRequestHandler* peer = peers->handlerFor(request, secure)) {
                    return peer;
                }
                if (Poco::Net::HTTPRequestHandler* handler = api->handlerFor(request, secure)) {
                    return handler;
                }
                return pages->handlerFor(request, secure);
            });
        if (Status s = webdav->start(); !s) return fail("webdav: " + s.message());
        if (webdav->httpsPort() != 0) {
            std::cout << "dadgate: https listening on " << dav.address << ":" << webdav->httpsPort()
                      << std::endl;
        }
        if (webdav->httpPort() != 0) {
            std::cout << "dadgate: http listening on " << dav.address << ":" << webdav->httpPort()
                      << std::endl;
        }
    }
    std::unique_ptr<FtpServer> ftp;
    FtpServerOptions ftpConfig = ftpOptions(*config, dataDir);
    if (ftpConfig.explicitPort != 0 || ftpConfig.implicitPort != 0) {
        ftp = std::make_unique<FtpServer>(ftpConfig, *gateway);
        if (Status s = ftp->start(); !s) return fail("ftp: " + s.message());
        if (ftp->explicitPort() != 0) {
            std::cout << "dadgate: ftp listening on " << ftpConfig.address << ":"
                      << ftp->explicitPort() << std::endl;
        }
        if (ftp->implicitPort() != 0) {
            std::cout << "dadgate: ftps listening on " << ftpConfig.address << ":"
                      << ftp->implicitPort() << std::endl;
        }
    }
    std::vector<int> pagePorts;
    if (webdav) pagePorts = {webdav->httpsPort(), webdav->httpPort()};
    warnOnUnservedPublicUrl(*config, pagePorts);
    Housekeeping housekeeping(*gateway, config->getInt("housekeeping.interval_seconds", 600));
    housekeeping.start();
    // The durable job queue; delivery plugins register their handlers here.
    JobQueueOptions jobOptions;
    jobOptions.workers = config->getInt("jobs.workers", jobOptions.workers);
    jobOptions.maxAttempts = config->getInt("jobs.max_attempts", jobOptions.maxAttempts);
    jobOptions.firstRetrySeconds =
        config->getInt64("jobs.first_retry_seconds", jobOptions.firstRetrySeconds);
    jobOptions.maxRetrySeconds =
        config->getInt64("jobs.max_retry_seconds", jobOptions.maxRetrySeconds);
    jobOptions.idlePollSeconds =
        config->getInt("jobs.idle_poll_seconds", jobOptions.idlePollSeconds);
    JobQueue jobs(gateway->catalog(), jobOptions);
    // The job kinds of the C++ plugins (plugins.dir), each claimed by one plugin.
    for (const PluginJobKind& kind : gateway->plugins().jobKinds()) {
        jobs.registerHandler(kind.kind, kind.run);
        Poco::Logger::get("dadgate.jobs")
            .information("job kind %s: plugin %s", kind.kind, kind.plugin);
    }
    gateway->plugins().setJobWaker([&jobs] { jobs.wake(); });
    for (const char* kind : {"notify", "fetch", "forward"}) {
        if (!jobs.handles(kind)) {
            Poco::Logger::get("dadgate.jobs")
                .warning(
                    "no handler for job kind %s: its jobs wait in the queue (no plugin in "
                    "plugins.dir runs it, or it is not configured)",
                    std::string(kind));
        }
    }
    if (Status s = jobs.start(); !s) return fail("jobs: " + s.message());
    // dadctl finds the daemon here to ask it to reload its policy scripts.
    const std::string pidFile = dataDir + "/dadgate.pid";
    {
        std::ofstream pid(pidFile, std::ios::trunc);
        pid << getpid() << "\n";
    }
    std::cout << "dadgate: ready" << std::endl;

    for (;;) {
        int signal = 0;
        sigwait(&stopSignals, &signal);
        if (signal != SIGHUP) break;
        // SIGHUP (or `dadctl policy reload`): new policy scripts, atomically.
        if (Status s = gateway->reloadPolicies(); !s) {
            Poco::Logger::get("dadgate.policy").error(s.message());
        } else {
            Poco::Logger::get("dadgate.policy").information("policy scripts reloaded");
        }
    }
    (void)posixFileSystem().remove(pidFile);
    // A clean stop: no new connection anywhere, the transfers in progress
    // finish within the grace, then every connection is cut.
    Poco::Logger& log = Poco::Logger::get("dadgate");
    log.information("stopping: no longer accepting connections");
    if (sftp) sftp->stopAccepting();
    if (webdav) webdav->stopAccepting();
    if (ftp) ftp->stopAccepting();
    (void)waitForTransfers(gateway->metrics(), config->getInt("shutdown.grace_seconds", 30), log);
    if (webdav) webdav->stop();
    if (ftp) ftp->stop();
    if (sftp) sftp->stop();
    housekeeping.stop();
    gateway->plugins().setJobWaker(nullptr);
    log.information("stopping: waiting for the running jobs");
    jobs.stop();
    log.information("stopped");
    return 0;
}
