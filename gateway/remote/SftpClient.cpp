#include "SftpClient.h"

#include <fcntl.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <vector>

#include "Secrets.h"

namespace dad {

namespace {

// One SFTP write or read request; OpenSSH and most servers take 32 KiB
// and more, every server takes this much.
constexpr size_t kChunkBytes = 32 * 1024;

std::string withoutPadding(std::string fingerprint) {
    while (!fingerprint.empty() && fingerprint.back() == '=')
        fingerprint.pop_back();
    return fingerprint;
}

struct Handles {
    ssh_session ssh = nullptr;
    sftp_session sftp = nullptr;

    ~Handles() {
        if (sftp) sftp_free(sftp);
        if (ssh) {
            if (ssh_is_connected(ssh)) ssh_disconnect(ssh);
            ssh_free(ssh);
        }
    }
};

// An authenticated session with SFTP started; `host` ("host:port") names
// the server in messages.
class SftpClient : public RemoteFiles {
public:
    SftpClient(std::unique_ptr<Handles> handles, std::string host)
        : handles_(std::move(handles)), host_(std::move(host)) {}

    Status makeDirectories(const std::string& path) override {
        if (!handles_) return Status::failure("not connected");
        for (const std::string& prefix : folderPrefixes(path)) {
            sftp_attributes attributes = sftp_stat(handles_->sftp, prefix.c_str());
            if (attributes) {
                sftp_attributes_free(attributes);
            } else if (sftp_mkdir(handles_->sftp, prefix.c_str(), 0755) != 0) {
                return sftpError("making " + prefix);
            }
        }
        return Status::ok();
    }

    Status size(const std::string& path, std::optional<uint64_t>& bytes) override {
        bytes.reset();
        if (!handles_) return Status::failure("not connected");
        sftp_attributes attributes = sftp_stat(handles_->sftp, path.c_str());
        if (!attributes) {
            if (sftp_get_error(handles_->sftp) == SSH_FX_NO_SUCH_FILE) return Status::ok();
            return sftpError("stat " + path);
        }
        bytes = attributes->size;
        sftp_attributes_free(attributes);
        return Status::ok();
    }

    Status upload(const std::string& path, uint64_t offset, const Reader& read,
                  const Progress& progress) override {
        const int flags = O_WRONLY | O_CREAT | (offset == 0 ? O_TRUNC : 0);
        sftp_file file = nullptr;
        if (Status s = openAt(path, flags, 0644, offset, file); !s) return s;
        Status result;
        std::vector<char> buffer(kChunkBytes);
        while (result) {
            size_t got = 0;
            result = read(offset, buffer.data(), buffer.size(), got);
            if (!result || got == 0) break;
            size_t written = 0;
            while (result && written < got) {
                const ssize_t n = sftp_write(file, buffer.data() + written, got - written);
                if (n <= 0) {
                    result = sftpError("writing " + path);
                } else {
                    written += static_cast<size_t>(n);
                }
            }
            offset += written;
            if (result && progress) progress(offset);
        }
        if (sftp_close(file) != 0 && result) result = sftpError("closing " + path);
        return result;
    }

    Status download(const std::string& path, uint64_t offset, const Sink& sink) override {
        sftp_file file = nullptr;
        if (Status s = openAt(path, O_RDONLY, 0, offset, file); !s) return s;
        std::vector<char> buffer(kChunkBytes);
        Status result;
        while (result) {
            const ssize_t n = sftp_read(file, buffer.data(), buffer.size());
            if (n < 0) {
                result = sftpError("reading " + path);
            } else if (n == 0) {
                break;
            } else {
                result = sink(buffer.data(), static_cast<size_t>(n));
            }
        }
        sftp_close(file);
        return result;
    }

    void close() override { handles_.reset(); }

private:
    // OPENs `path` and moves to `offset`; on failure `file` stays null.
    Status openAt(const std::string& path, int flags, mode_t mode, uint64_t offset,
                  sftp_file& file) {
        if (!handles_) return Status::failure("not connected");
        sftp_file opened = sftp_open(handles_->sftp, path.c_str(), flags, mode);
        if (!opened) return sftpError("opening " + path);
        if (offset > 0 && sftp_seek64(opened, offset) != 0) {
            const Status s = sftpError("seeking in " + path);
            sftp_close(opened);
            return s;
        }
        file = opened;
        return Status::ok();
    }

    Status sftpError(const std::string& what) const {
        const int code = handles_ && handles_->sftp ? sftp_get_error(handles_->sftp) : -1;
        if (code == SSH_FX_PERMISSION_DENIED)
            return Status::denied(host_ + ": " + what + ": permission denied");
        if (code == SSH_FX_NO_SUCH_FILE)
            return Status::failure(host_ + ": " + what + ": no such file");
        if (handles_ && handles_->ssh && !ssh_is_connected(handles_->ssh)) {
            return Status::ioError(host_ + ": " + what + ": the connection was lost");
        }
        const char* detail = handles_ && handles_->ssh ? ssh_get_error(handles_->ssh) : "";
        return Status::ioError(
            host_ + ": " + what + " failed (SFTP status " + std::to_string(code) +
            (detail && *detail ? std::string(", ") + detail : std::string()) + ")");
    }

    std::unique_ptr<Handles> handles_;
    std::string host_;
};

}  // namespace

Status openSftpClient(const RemoteEndpoint& endpoint, std::unique_ptr<RemoteFiles>& remote) {
    const unsigned int port = endpoint.port ? endpoint.port : 22;
    const std::string host = endpoint.host + ":" + std::to_string(port);
    if (endpoint.hostKey.empty()) {
        return Status::invalid(host + ": no host key given; keys are never trusted on first use");
    }
    // Freed (and disconnected) on every way out but the last.
    auto handles = std::make_unique<Handles>();
    ssh_session ssh = handles->ssh = ssh_new();
    if (!ssh) return Status::failure("cannot create an SSH session");
    const long timeout = endpoint.timeoutSeconds;
    const bool no = false;
    const int yes = 1;
    ssh_options_set(ssh, SSH_OPTIONS_PROCESS_CONFIG, &no);
    // Each SFTP write waits for its status: without this, Nagle and delayed
    // ACKs cost ~40 ms a request.
    ssh_options_set(ssh, SSH_OPTIONS_NODELAY, &yes);
    ssh_options_set(ssh, SSH_OPTIONS_HOST, endpoint.host.c_str());
    ssh_options_set(ssh, SSH_OPTIONS_PORT, &port);
    ssh_options_set(ssh, SSH_OPTIONS_TIMEOUT, &timeout);
    ssh_options_set(ssh, SSH_OPTIONS_USER, endpoint.user.c_str());
    if (ssh_connect(ssh) != SSH_OK) return Status::ioError(host + ": " + ssh_get_error(ssh));
    ssh_key key = nullptr;
    unsigned char* hash = nullptr;
    size_t hashLength = 0;
    std::string fingerprint;
    if (ssh_get_server_publickey(ssh, &key) == SSH_OK &&
        ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hashLength) == 0) {
        char* text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hashLength);
        if (text) fingerprint = text;
        ssh_string_free_char(text);
        ssh_clean_pubkey_hash(&hash);
    }
    ssh_key_free(key);
    if (fingerprint.empty() ||
        !constantTimeEquals(withoutPadding(fingerprint), withoutPadding(endpoint.hostKey))) {
        return Status::denied(host + ": the server's host key " +
                              (fingerprint.empty() ? std::string("(unreadable)") : fingerprint) +
                              " is not the site's " + endpoint.hostKey);
    }
    int auth = SSH_AUTH_DENIED;
    if (endpoint.secret.rfind("-----BEGIN", 0) == 0) {
        ssh_key privateKey = nullptr;
        if (ssh_pki_import_privkey_base64(endpoint.secret.c_str(), nullptr, nullptr, nullptr,
                                          &privateKey) != SSH_OK) {
            return Status::invalid(host +
                                   ": the site's private key cannot be read "
                                   "(unencrypted OpenSSH or PEM keys only)");
        }
        auth = ssh_userauth_publickey(ssh, nullptr, privateKey);
        ssh_key_free(privateKey);
    } else {
        auth = ssh_userauth_password(ssh, nullptr, endpoint.secret.c_str());
    }
    if (auth != SSH_AUTH_SUCCESS) {
        if (!ssh_is_connected(ssh)) {
            return Status::ioError(host + ": the connection was lost while authenticating");
        }
        return Status::denied(host + ": authentication as " + endpoint.user + " was refused");
    }
    handles->sftp = sftp_new(ssh);
    if (!handles->sftp || sftp_init(handles->sftp) != SSH_OK) {
        return Status::failure(host + ": the server does not start SFTP: " + ssh_get_error(ssh));
    }
    remote = std::make_unique<SftpClient>(std::move(handles), host);
    return Status::ok();
}

}  // namespace dad
