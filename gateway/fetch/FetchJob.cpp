#include "FetchJob.h"

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/URI.h>

#include <sstream>

#include "FetchAdmission.h"
#include "FetchRequest.h"
#include "VirtualPath.h"

namespace dad {

namespace {

// The URL as the audit log keeps it: no query or fragment (they may hold tokens).
std::string auditUrl(const std::string& url) {
    try {
        Poco::URI uri(url);
        uri.setQuery("");
        uri.setFragment("");
        return uri.toString();
    } catch (const Poco::Exception&) {
        return "(malformed URL)";
    }
}

std::string notificationPayload(const std::string& user, const std::string& path, uint64_t bytes,
                                const std::string& sha256) {
    Poco::JSON::Object object;
    object.set("type", "fetched");
    object.set("user", user);
    object.set("path", path);
    object.set("bytes", bytes);
    object.set("sha256", sha256);
    std::ostringstream out;
    object.stringify(out);
    return out.str();
}

}  // namespace

Status FetchJob::run(const JobRecord& job) {
    FetchRequest request;
    if (Status s = FetchRequestCodec::fromJson(job.payload, request); !s) return s;
    const std::string dataDir = gateway_.options().dataDir;
    // Credentials go once the job can end no other way than it does now.
    auto finish = [&](Status s) {
        if (!request.credentials.empty() && (s.isOk() || s.code() == StatusCode::PermissionDenied ||
                                             s.code() == StatusCode::InvalidArgument)) {
            FetchCredentials::remove(dataDir, request.credentials);
        }
        if (!s) {
            gateway_.catalog().audit({request.user, "", "fetch", "fetch", auditUrl(request.url),
                                      "job #" + std::to_string(job.id) + ": " + s.message(),
                                      false});
        }
        return s;
    };
    AccountRecord account;
    if (Status s = gateway_.catalog().findAccount(request.user, account); !s) {
        return finish(Status::invalid("no account " + request.user));
    }
    std::string user, password;
    if (!request.credentials.empty()) {
        if (Status s = FetchCredentials::load(dataDir, request.credentials, user, password); !s) {
            return finish(Status::invalid(s.message()));
        }
    }
    const std::string host = Poco::URI(request.url).getHost();
    ConnectionInfo connection;
    connection.protocol = "fetch";
    connection.remoteAddress = host;
    std::unique_ptr<Session> session;
    if (Status s = gateway_.openSession(request.user, connection, session); !s) {
        return finish(
            Status::denied("cannot open a session for " + request.user + ": " + s.message()));
    }
    std::string path;
    if (Status s = FetchAdmission::admit(gateway_, *session, account, request, job.id, path); !s) {
        return finish(s.code() == StatusCode::QuotaExceeded ? Status::invalid(s.message()) : s);
    }
    WriteOptions options;
    options.truncate = true;
    std::unique_ptr<WriteStream> stream;
    Status opened = makeParentDirectories(*session, path);
    if (opened) opened = session->openWrite(path, options, stream);
    if (Status s = opened; !s) {
        return finish(s.code() == StatusCode::IoError || s.code() == StatusCode::Busy
                          ? s
                          : Status::invalid("cannot write " + path + ": " + s.message()));
    }
    uint64_t offset = 0;
    Fetcher fetcher(limits_);
    Status fetched = fetcher.fetch(
        request.url, user, password,
        [&](const char* data, size_t n) {
            Status s = stream->write(offset, data, n);
            offset += n;
            return s;
        },
        request.hostKey);
    if (!fetched) {
        stream->discard();
        if (fetched.code() == StatusCode::QuotaExceeded) {
            fetched = Status::invalid(fetched.message());
        }
        return finish(fetched);
    }
    if (Status s = stream->close(); !s) {
        stream->discard();
        return finish(s.code() == StatusCode::QuotaExceeded ? Status::invalid(s.message()) : s);
    }
    std::string sha256;
    (void)session->contentHash(path, sha256);
    gateway_.catalog().audit({request.user, host, "fetch", "fetch", path,
                              auditUrl(request.url) + ": " + std::to_string(offset) +
                                  " bytes sha256 " + sha256 + " (job #" + std::to_string(job.id) +
                                  ")",
                              true});
    Poco::Logger::get("dadgate.fetch")
        .information("job #%Ld: fetched %Lu bytes into %s for %s", static_cast<Poco::Int64>(job.id),
                     static_cast<Poco::UInt64>(offset), path, request.user);
    // The result, for `dadctl job list` and the request's status in /fetch.
    request.stored = path;
    request.bytes = offset;
    request.sha256 = sha256;
    (void)gateway_.catalog().setJobPayload(job.id, FetchRequestCodec::toJson(request));
    (void)gateway_.catalog().enqueueJob("notify",
                                        notificationPayload(request.user, path, offset, sha256));
    return finish(Status::ok());
}

}  // namespace dad
