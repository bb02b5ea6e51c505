// FetchRequest: what a user asked the gateway to fetch (seed 003), in the one
// form every producer writes into a `fetch` job: dadctl fetch, a `*.fetch`
// request file uploaded into /fetch (FetchArea), and Lua's dad.fetch(url).
//
// The job payload is JSON: {"user":..., "url":..., "into":..., "credentials":...,
// "package":..., "request":..., "host_key":...}, and once the job stored the
// content also "stored", "bytes" and "sha256". It never holds a password:
// credentials from a request file are kept in a file of their own
// (FetchCredentials) named by an opaque token.
//
// URLs are checked for syntax only here (no network): scheme http, https,
// ftp, ftps or sftp; a host; no user:password part; at most kMaxUrlBytes.
#pragma once

#include <cstdint>
#include <string>

#include "Status.h"

namespace dad {

struct FetchRequest {
    std::string user;         // the account the content is stored for
    std::string url;          // checked by checkFetchUrl
    std::string into;         // "" (= /files/), a folder ending in "/", or a full path
    std::string credentials;  // token of a FetchCredentials file; "" for none
    std::string package;      // PID of the package a policy acted on; "" for none
    std::string request;      // name of the request file in /fetch; "" for none
    std::string hostKey;      // SFTP: the server's key, "SHA256:<base64>" (required)
    // The result, recorded by the job once the content is stored.
    std::string stored;  // the path it was stored at; "" until then
    uint64_t bytes = 0;
    std::string sha256;
    bool removed = false;  // the user removed the request file after the job ended
};

// The `*.fetch` request file: key = value lines, '#' comments, blank lines.
// Keys: url (required), at (2026-12-01 or 2026-12-01T10:00:00Z, optional),
// into (optional), user with password or private_key (optional; private_key
// is a key file in base64 on one line, kept as the password), host_key
// (SHA256:<base64 of 43 characters>, the SFTP server's key; sftp URLs only).
// Unknown keys, repeated keys and bad values are refused with the line number.
struct FetchRequestFile {
    std::string url;
    int64_t at = 0;  // seconds since the epoch; 0: now
    std::string into;
    std::string user;
    std::string password;  // or the decoded private key ("-----BEGIN ...")
    std::string hostKey;
};

class FetchRequestCodec {
public:
    static constexpr size_t kMaxUrlBytes = 4096;
    static constexpr size_t kMaxFileBytes = 8 * 1024;

    static Status checkUrl(const std::string& url);
    // Whether `hostKey` is an OpenSSH SHA-256 fingerprint, "SHA256:" and 43
    // characters of unpadded base64.
    static Status checkHostKey(const std::string& hostKey);
    // Whether `into` is a place a fetch may write: under /files/ or a draft
    // /outbox/<draft>/ (normalized, no "..").
    static Status checkInto(const std::string& into);

    static std::string toJson(const FetchRequest& request);
    static Status fromJson(const std::string& payload, FetchRequest& request);

    // Parses a request file; errors read "<name> line N: ...".
    static Status parseFile(const std::string& name, const std::string& text,
                            FetchRequestFile& file);
};

// Credentials of a fetch, kept out of the job payload and the logs: one file
// per request under <dataDir>/fetch-credentials (SecretFiles), mode 0600, "user\npassword".
class FetchCredentials {
public:
    static Status save(const std::string& dataDir, const std::string& user,
                       const std::string& password, std::string& token);
    static Status load(const std::string& dataDir, const std::string& token, std::string& user,
                       std::string& password);
    static void remove(const std::string& dataDir, const std::string& token);
};

}  // namespace dad
