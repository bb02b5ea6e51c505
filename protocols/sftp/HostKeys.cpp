#include "HostKeys.h"

#include <libssh/libssh.h>

#include <sys/stat.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "AtomicFile.h"

namespace dad {

namespace {

struct KeySpec {
    const char* fileName;
    ssh_keytypes_e type;
    int bits;  // ignored for ed25519
};

constexpr KeySpec kHostKeys[] = {
    {"ssh_host_ed25519_key", SSH_KEYTYPE_ED25519, 0},
    {"ssh_host_rsa_key", SSH_KEYTYPE_RSA, 3072},
};

Status checkExistingKey(const std::string& path) {
    ssh_key key = nullptr;
    int rc = ssh_pki_import_privkey_file(path.c_str(), nullptr, nullptr, nullptr, &key);
    ssh_key_free(key);
    if (rc != SSH_OK) {
        return Status::invalid(path + " exists but is not a readable unencrypted private key");
    }
    return Status::ok();
}

Status generateKey(const KeySpec& spec, const std::string& path) {
    ssh_key key = nullptr;
    if (ssh_pki_generate(spec.type, spec.bits, &key) != SSH_OK) {
        return Status::failure(std::string("cannot generate host key ") + spec.fileName);
    }
    // The base64 export is the same text ssh_pki_export_privkey_file writes;
    // writing it ourselves gives mode 0600 from the start, fsync and rename.
    char* text = nullptr;
    int rc = ssh_pki_export_privkey_base64(key, nullptr, nullptr, nullptr, &text);
    ssh_key_free(key);
    if (rc != SSH_OK || text == nullptr) {
        return Status::failure(std::string("cannot export host key ") + spec.fileName);
    }
    std::string content(text);
    // Wipe the private key text before giving the memory back.
    std::memset(text, 0, content.size());
    ssh_string_free_char(text);
    Status status = writeFileAtomically(path, content, 0600);
    std::fill(content.begin(), content.end(), '\0');
    return status;
}

}  // namespace

Status ensureHostKeys(const std::string& dir, std::vector<std::string>& keyFiles) {
    keyFiles.clear();
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        return Status::ioError("cannot create host key directory " + dir + ": " +
                               std::strerror(errno));
    }
    std::vector<std::string> paths;
    for (const KeySpec& spec : kHostKeys) {
        std::string path = dir + "/" + spec.fileName;
        struct stat st;
        Status status;
        if (::lstat(path.c_str(), &st) == 0) {
            status = checkExistingKey(path);
        } else if (errno == ENOENT) {
            status = generateKey(spec, path);
        } else {
            status = Status::ioError("cannot stat " + path + ": " + std::strerror(errno));
        }
        if (!status) {
            return status;
        }
        paths.push_back(path);
    }
    keyFiles = std::move(paths);
    return Status::ok();
}

}  // namespace dad
