// SshServer against real clients: OpenSSH's sftp and scp (as child processes,
// each bounded by coreutils `timeout`), libssh's client API where a test needs
// to stop between protocol steps, and raw TCP sockets for the limits.
#include <cppunit/extensions/HelperMacros.h>

#include <libssh/libssh.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "Authenticator.h"
#include "HostKeys.h"
#include "MemorySession.h"
#include "SshServer.h"

namespace {

const char kUser[] = "alice";
const char kPassword[] = "correct horse";
const char kScpRefusal[] =
    "dadgate: legacy scp protocol is not supported; use scp without -O (SFTP)";

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void writeFile(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    CPPUNIT_ASSERT(out.good());
}

struct CommandResult {
    int exitStatus = -1;
    std::string output;  // stdout and stderr together
};

// Runs a shell command, bounded by `timeout` so a hung client fails the test
// instead of hanging it.
CommandResult run(const std::string& command) {
    std::string bounded = "timeout -k 5 60 " + command + " 2>&1";
    CommandResult result;
    FILE* pipe = ::popen(bounded.c_str(), "r");
    CPPUNIT_ASSERT(pipe != nullptr);
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
        result.output.append(buffer, n);
    }
    int status = ::pclose(pipe);
    result.exitStatus = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

// The fixture's one account: a password and one public key (authorized_keys
// form "type base64 comment").
class TestAuthenticator : public dad::Authenticator {
public:
    explicit TestAuthenticator(const std::string& authorizedKey) {
        std::istringstream in(authorizedKey);
        in >> keyType_ >> keyBase64_;
    }

    dad::Status checkPassword(const std::string& user, const std::string& password,
                              const dad::ConnectionInfo& connection) override {
        if (connection.protocol != "sftp" || connection.remoteAddress != "127.0.0.1") {
            return dad::Status::failure("unexpected connection info");
        }
        if (user == kUser && password == kPassword) {
            return dad::Status::ok();
        }
        return dad::Status::denied("wrong user name or password");
    }
    dad::Status checkPublicKey(const std::string& user, const std::string& keyType,
                               const std::string& keyBase64, const dad::ConnectionInfo&) override {
        if (user == kUser && keyType == keyType_ && keyBase64 == keyBase64_) {
            return dad::Status::ok();
        }
        return dad::Status::denied("key not known");
    }
    dad::Status openSession(const std::string& user, const dad::ConnectionInfo&,
                            std::unique_ptr<dad::Session>& session) override {
        if (user != kUser) {
            return dad::Status::denied("no such account");
        }
        auto memory = std::make_unique<dad::test::MemorySession>();
        memory->directories.insert("/files");
        memory->addFile("/files/hello.txt", "hello from dadgate\n");
        session = std::move(memory);
        return dad::Status::ok();
    }

private:
    std::string keyType_, keyBase64_;
};

// Everything made once per test run: a directory, host keys, client keys.
struct Fixture {
    std::string dir;
    std::vector<std::string> hostKeys;
    std::string userKey, strangerKey;

    Fixture() {
        char pattern[] = "/tmp/dad-sshserver-XXXXXX";
        if (::mkdtemp(pattern) == nullptr) {
            std::abort();
        }
        dir = pattern;
        if (!dad::ensureHostKeys(dir + "/hostkeys", hostKeys)) {
            std::abort();
        }
        userKey = dir + "/user_key";
        strangerKey = dir + "/stranger_key";
        for (const std::string& key : {userKey, strangerKey}) {
            if (run("ssh-keygen -q -t ed25519 -N '' -C test -f " + key).exitStatus != 0) {
                std::abort();
            }
        }
    }
    ~Fixture() {
        std::string command = "rm -rf '" + dir + "'";
        [[maybe_unused]] int rc = std::system(command.c_str());
    }
};

Fixture& fixture() {
    static Fixture instance;
    return instance;
}

// A TCP connection that only reads: what the server sends before it closes.
struct RawConnection {
    int fd = -1;
    explicit RawConnection(uint16_t port) {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        CPPUNIT_ASSERT(fd >= 0);
        timeval timeout{10, 0};  // bounds every read below
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        CPPUNIT_ASSERT_EQUAL(0, ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr));
    }
    ~RawConnection() { ::close(fd); }

    // Reads the server's identification line ("SSH-2.0-...").
    std::string banner() {
        std::string line;
        char c;
        while (line.size() < 255 && ::recv(fd, &c, 1, 0) == 1 && c != '\n') {
            line += c;
        }
        return line;
    }
    // Reads until the server closes; false when it did not within 10 s.
    bool closedByServer(std::string* received = nullptr) {
        char buffer[4096];
        for (;;) {
            ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n == 0 || (n < 0 && errno == ECONNRESET)) {
                return true;
            }
            if (n < 0) {
                return false;
            }
            if (received != nullptr) {
                received->append(buffer, static_cast<size_t>(n));
            }
        }
    }
};

// libssh's client, for tests that stop between protocol steps.
struct LibsshClient {
    ssh_session session = ssh_new();
    ssh_channel channel = nullptr;

    explicit LibsshClient(uint16_t port) {
        unsigned int p = port;
        long timeout = 10;
        ssh_options_set(session, SSH_OPTIONS_HOST, "127.0.0.1");
        ssh_options_set(session, SSH_OPTIONS_PORT, &p);
        ssh_options_set(session, SSH_OPTIONS_USER, kUser);
        ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &timeout);
        int noConfig = 0;
        ssh_options_set(session, SSH_OPTIONS_PROCESS_CONFIG, &noConfig);
        CPPUNIT_ASSERT_EQUAL(SSH_OK, ssh_connect(session));
    }
    ~LibsshClient() {
        if (channel != nullptr) {
            ssh_channel_free(channel);
        }
        ssh_disconnect(session);
        ssh_free(session);
    }
    int login(const char* password) { return ssh_userauth_password(session, nullptr, password); }
    void startSftp() {
        channel = ssh_channel_new(session);
        CPPUNIT_ASSERT(channel != nullptr);
        CPPUNIT_ASSERT_EQUAL(SSH_OK, ssh_channel_open_session(channel));
        CPPUNIT_ASSERT_EQUAL(SSH_OK, ssh_channel_request_subsystem(channel, "sftp"));
    }
    // Waits (at most 10 s) for the server to end the channel or the connection.
    bool endedByServer() {
        char buffer[1024];
        for (;;) {
            int n = ssh_channel_read_timeout(channel, buffer, sizeof buffer, 0, 10000);
            if (n < 0 || ssh_channel_is_eof(channel) || ssh_channel_is_closed(channel)) {
                return true;
            }
            if (n == 0) {
                return false;
            }
        }
    }
};

}  // namespace

class SshServerTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SshServerTest);
    CPPUNIT_TEST(testPasswordLoginUploadsAndDownloads);
    CPPUNIT_TEST(testWrongPasswordIsRefused);
    CPPUNIT_TEST(testPublicKeyLogin);
    CPPUNIT_TEST(testUnknownKeyIsRefused);
    CPPUNIT_TEST(testLegacyScpGetsClearRefusal);
    CPPUNIT_TEST(testShellIsRefused);
    CPPUNIT_TEST(testTooManyFailedLoginsDisconnect);
    CPPUNIT_TEST(testLoginGraceTimeDisconnects);
    CPPUNIT_TEST(testIdleSessionIsClosed);
    CPPUNIT_TEST(testPerAddressLimitRefusesAfterAccept);
    CPPUNIT_TEST(testTotalLimitRefusesAfterAccept);
    CPPUNIT_TEST(testStopEndsSessions);
    CPPUNIT_TEST(testBadHostKeyFailsStart);
    CPPUNIT_TEST_SUITE_END();

    std::unique_ptr<TestAuthenticator> authenticator_;
    std::unique_ptr<dad::SshServer> server_;
    std::string work_;

    dad::SshServerOptions options() {
        dad::SshServerOptions o;
        o.address = "127.0.0.1";
        o.port = 0;
        o.hostKeyFiles = fixture().hostKeys;
        return o;
    }

    void startServer(dad::SshServerOptions o) {
        server_ = std::make_unique<dad::SshServer>(std::move(o), *authenticator_);
        dad::Status status = server_->start();
        CPPUNIT_ASSERT_MESSAGE(status.message(), status.isOk());
        CPPUNIT_ASSERT(server_->boundPort() != 0);
    }

    std::string port() const { return std::to_string(server_->boundPort()); }

    std::string clientOptions() const {
        return " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"
               " -o GlobalKnownHostsFile=/dev/null -o ConnectTimeout=10 -o LogLevel=ERROR"
               " -F /dev/null ";
    }

    // sftp with password login. -oBatchMode=no must come before -b, which
    // would otherwise switch password prompts off (ssh keeps the first value).
    CommandResult sftpWithPassword(const std::string& password, const std::string& batch) {
        writeFile(work_ + "/batch", batch);
        return run("sshpass -p '" + password + "' sftp -oBatchMode=no -b " + work_ + "/batch -P " +
                   port() + clientOptions() +
                   "-o PubkeyAuthentication=no -o PreferredAuthentications=password"
                   " -o NumberOfPasswordPrompts=1 " +
                   kUser + "@127.0.0.1");
    }

    CommandResult sftpWithKey(const std::string& key, const std::string& batch) {
        writeFile(work_ + "/batch", batch);
        return run("sftp -b " + work_ + "/batch -P " + port() + clientOptions() + "-i " + key +
                   " -o IdentitiesOnly=yes -o IdentityAgent=none"
                   " -o PreferredAuthentications=publickey " +
                   kUser + "@127.0.0.1");
    }

public:
    void setUp() override {
        authenticator_ = std::make_unique<TestAuthenticator>(readFile(fixture().userKey + ".pub"));
        work_ = fixture().dir + "/work";
        CPPUNIT_ASSERT_EQUAL(0, std::system(("rm -rf " + work_ + " && mkdir " + work_).c_str()));
    }
    void tearDown() override {
        if (server_) {
            server_->stop();
            CPPUNIT_ASSERT_EQUAL(0, server_->connectionCount());
        }
        server_.reset();
    }

    void testPasswordLoginUploadsAndDownloads() {
        startServer(options());
        std::string payload(3 * 1024 * 1024 + 17, '\0');
        std::mt19937 random(42);
        for (char& c : payload) {
            c = static_cast<char>(random());
        }
        writeFile(work_ + "/up.bin", payload);
        CommandResult r = sftpWithPassword(kPassword, "put " + work_ + "/up.bin /files/up.bin\n" +
                                                          "get /files/up.bin " + work_ +
                                                          "/down.bin\n"
                                                          "get /files/hello.txt " +
                                                          work_ + "/hello.txt\nls -l /files\n");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.output, 0, r.exitStatus);
        CPPUNIT_ASSERT(readFile(work_ + "/down.bin") == payload);
        CPPUNIT_ASSERT_EQUAL(std::string("hello from dadgate\n"), readFile(work_ + "/hello.txt"));
        CPPUNIT_ASSERT_MESSAGE(r.output, r.output.find("up.bin") != std::string::npos);
    }

    void testWrongPasswordIsRefused() {
        startServer(options());
        CommandResult r = sftpWithPassword("wrong", "ls /\n");
        CPPUNIT_ASSERT_MESSAGE(r.output, r.exitStatus != 0);
        CPPUNIT_ASSERT_MESSAGE(r.output, r.output.find("/files") == std::string::npos);
    }

    void testPublicKeyLogin() {
        startServer(options());
        CommandResult r =
            sftpWithKey(fixture().userKey, "get /files/hello.txt " + work_ + "/hello.txt\n");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.output, 0, r.exitStatus);
        CPPUNIT_ASSERT_EQUAL(std::string("hello from dadgate\n"), readFile(work_ + "/hello.txt"));
    }

    void testUnknownKeyIsRefused() {
        startServer(options());
        CommandResult r = sftpWithKey(fixture().strangerKey, "ls /\n");
        CPPUNIT_ASSERT_MESSAGE(r.output, r.exitStatus != 0);
        CPPUNIT_ASSERT_MESSAGE(r.output, r.output.find("Permission denied") != std::string::npos);
    }

    void testLegacyScpGetsClearRefusal() {
        startServer(options());
        writeFile(work_ + "/a.txt", "a\n");
        CommandResult r = run("scp -O -P " + port() + clientOptions() + "-i " + fixture().userKey +
                              " -o IdentitiesOnly=yes -o IdentityAgent=none " + work_ + "/a.txt " +
                              kUser + "@127.0.0.1:/files/a.txt");
        CPPUNIT_ASSERT_MESSAGE(r.output, r.exitStatus != 0);
        CPPUNIT_ASSERT_MESSAGE(r.output, r.output.find(kScpRefusal) != std::string::npos);
    }

    void testShellIsRefused() {
        startServer(options());
        CommandResult r =
            run("ssh -T -p " + port() + clientOptions() + "-i " + fixture().userKey +
                " -o IdentitiesOnly=yes -o IdentityAgent=none " + kUser + "@127.0.0.1 id");
        CPPUNIT_ASSERT_MESSAGE(r.output, r.exitStatus != 0);
        CPPUNIT_ASSERT_MESSAGE(r.output, r.output.find("uid=") == std::string::npos);
    }

    void testTooManyFailedLoginsDisconnect() {
        dad::SshServerOptions o = options();
        o.maxAuthAttempts = 3;
        startServer(o);
        LibsshClient client(server_->boundPort());
        for (int i = 0; i < 3; ++i) {
            CPPUNIT_ASSERT_EQUAL(int(SSH_AUTH_DENIED), client.login("wrong"));
        }
        // The server hung up after the third failure: even the right password is too late.
        CPPUNIT_ASSERT_EQUAL(int(SSH_AUTH_ERROR), client.login(kPassword));
    }

    void testLoginGraceTimeDisconnects() {
        dad::SshServerOptions o = options();
        o.loginGraceSeconds = 1;
        startServer(o);
        RawConnection silent(server_->boundPort());
        CPPUNIT_ASSERT_EQUAL(std::string("SSH-2.0-"), silent.banner().substr(0, 8));
        auto before = std::chrono::steady_clock::now();
        CPPUNIT_ASSERT(silent.closedByServer());
        CPPUNIT_ASSERT(std::chrono::steady_clock::now() - before < std::chrono::seconds(5));
    }

    void testIdleSessionIsClosed() {
        dad::SshServerOptions o = options();
        o.idleTimeoutSeconds = 1;
        startServer(o);
        LibsshClient client(server_->boundPort());
        CPPUNIT_ASSERT_EQUAL(int(SSH_AUTH_SUCCESS), client.login(kPassword));
        client.startSftp();
        CPPUNIT_ASSERT(client.endedByServer());
    }

    void testPerAddressLimitRefusesAfterAccept() {
        dad::SshServerOptions o = options();
        o.maxConnectionsPerAddress = 1;
        startServer(o);
        RawConnection first(server_->boundPort());
        CPPUNIT_ASSERT_EQUAL(std::string("SSH-2.0-"), first.banner().substr(0, 8));
        RawConnection second(server_->boundPort());
        std::string received;
        CPPUNIT_ASSERT(second.closedByServer(&received));
        CPPUNIT_ASSERT(received.empty());
    }

    void testTotalLimitRefusesAfterAccept() {
        dad::SshServerOptions o = options();
        o.maxConnections = 1;
        startServer(o);
        RawConnection first(server_->boundPort());
        CPPUNIT_ASSERT_EQUAL(std::string("SSH-2.0-"), first.banner().substr(0, 8));
        CPPUNIT_ASSERT_EQUAL(1, server_->connectionCount());
        RawConnection second(server_->boundPort());
        std::string received;
        CPPUNIT_ASSERT(second.closedByServer(&received));
        CPPUNIT_ASSERT(received.empty());
    }

    void testStopEndsSessions() {
        startServer(options());
        LibsshClient client(server_->boundPort());
        CPPUNIT_ASSERT_EQUAL(int(SSH_AUTH_SUCCESS), client.login(kPassword));
        client.startSftp();
        RawConnection unauthenticated(server_->boundPort());
        CPPUNIT_ASSERT_EQUAL(std::string("SSH-2.0-"), unauthenticated.banner().substr(0, 8));
        server_->stop();
        CPPUNIT_ASSERT_EQUAL(0, server_->connectionCount());
        CPPUNIT_ASSERT(client.endedByServer());
        CPPUNIT_ASSERT(unauthenticated.closedByServer());
    }

    void testBadHostKeyFailsStart() {
        dad::SshServerOptions o = options();
        o.hostKeyFiles = {work_ + "/missing_key"};
        dad::SshServer server(o, *authenticator_);
        dad::Status status = server.start();
        CPPUNIT_ASSERT(!status);
        CPPUNIT_ASSERT_EQUAL(uint16_t(0), server.boundPort());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SshServerTest);
