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

}  // namespace

struct SftpClient::Handles {
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

SftpClient::SftpClient() = default;

SftpClient::~SftpClient() = default;

Status SftpClient::sftpError(const std::string& what) const {
    const int code = handles_ && handles_->sftp ? sftp_get_error(handles_->sftp) : -1;
    if (code == SSH_FX_PERMISSION_DENIED)
        return Status::denied(host_ + ": " + what + ": permission denied");
    if (code == SSH_FX_NO_SUCH_FILE) return Status::failure(host_ + ": " + what + ": no such file");
    if (handles_ && handles_->ssh && !ssh_is_connected(handles_->ssh)) {
        return Status::ioError(host_ + ": " + what + ": the connection was lost");
    }
    const char* detail = handles_ && handles_->ssh ? ssh_get_error(handles_->ssh) : "";
    return Status::ioError(host_ + ": " + what + " failed (SFTP status " + std::to_string(code) +
                           (detail && *detail ? std::string(", ") + detail : std::string()) + ")");
}

Status SftpClient::connect(const SftpEndpoint& endpoint) {
    host_ = endpoint.host + ":" + std::to_string(endpoint.port);
    if (endpoint.hostKey.empty()) {
        return Status::invalid(host_ + ": no host key given; keys are never trusted on first use");
    }
    handles_ = std::make_unique<Handles>();
    ssh_session ssh = handles_->ssh = ssh_new();
    if (!ssh) return Status::failure("cannot create an SSH session");
    const unsigned int port = endpoint.port;
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
    if (ssh_connect(ssh) != SSH_OK) {
        const Status s = Status::ioError(host_ + ": " + ssh_get_error(ssh));
        handles_.reset();
        return s;
    }
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
        handles_.reset();
        return Status::denied(host_ + ": the server's host key " +
                              (fingerprint.empty() ? std::string("(unreadable)") : fingerprint) +
                              " is not the site's " + endpoint.hostKey);
    }
    int auth = SSH_AUTH_DENIED;
    if (endpoint.secret.rfind("-----BEGIN", 0) == 0) {
        ssh_key privateKey = nullptr;
        if (ssh_pki_import_privkey_base64(endpoint.secret.c_str(), nullptr, nullptr, nullptr,
                                          &privateKey) != SSH_OK) {
            handles_.reset();
            return Status::invalid(host_ +
                                   ": the site's private key cannot be read "
                                   "(unencrypted OpenSSH or PEM keys only)");
        }
        auth = ssh_userauth_publickey(ssh, nullptr, privateKey);
        ssh_key_free(privateKey);
    } else {
        auth = ssh_userauth_password(ssh, nullptr, endpoint.secret.c_str());
    }
    if (auth != SSH_AUTH_SUCCESS) {
        const bool lost = !ssh_is_connected(ssh);
        handles_.reset();
        if (lost) return Status::ioError(host_ + ": the connection was lost while authenticating");
        return Status::denied(host_ + ": authentication as " + endpoint.user + " was refused");
    }
    handles_->sftp = sftp_new(ssh);
    if (!handles_->sftp || sftp_init(handles_->sftp) != SSH_OK) {
        const Status s =
            Status::failure(host_ + ": the server does not start SFTP: " + ssh_get_error(ssh));
        handles_.reset();
        return s;
    }
    return Status::ok();
}

Status SftpClient::makeDirectories(const std::string& path) {
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

Status SftpClient::size(const std::string& path, std::optional<uint64_t>& bytes) {
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

Status SftpClient::upload(const std::string& path, uint64_t offset, const Reader& read,
                          const Progress& progress) {
    if (!handles_) return Status::failure("not connected");
    const int flags = O_WRONLY | O_CREAT | (offset == 0 ? O_TRUNC : 0);
    sftp_file file = sftp_open(handles_->sftp, path.c_str(), flags, 0644);
    if (!file) return sftpError("opening " + path);
    Status result;
    if (offset > 0 && sftp_seek64(file, offset) != 0) result = sftpError("seeking in " + path);
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

Status SftpClient::download(const std::string& path, uint64_t offset, const Sink& sink) {
    if (!handles_) return Status::failure("not connected");
    sftp_file file = sftp_open(handles_->sftp, path.c_str(), O_RDONLY, 0);
    if (!file) return sftpError("opening " + path);
    Status result;
    if (offset > 0 && sftp_seek64(file, offset) != 0) result = sftpError("seeking in " + path);
    std::vector<char> buffer(kChunkBytes);
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

void SftpClient::close() {
    handles_.reset();
}

}  // namespace dad
