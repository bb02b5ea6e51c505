#include "FetchAdmission.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include "Gateway.h"
#include "PolicyEngine.h"
#include "Quota.h"
#include "VirtualPath.h"

namespace dad {

std::string FetchAdmission::nameFor(const std::string& url, const std::string& fallback) {
    std::string name;
    try {
        const std::string path = Poco::URI(url).getPath();
        const size_t slash = path.find_last_of('/');
        name = slash == std::string::npos ? path : path.substr(slash + 1);
    } catch (const Poco::Exception&) {
        name.clear();
    }
    if (name.empty() || name == "." || name == ".." || name[0] == '.' ||
        !VirtualPath::checkName(name)) {
        return fallback;
    }
    return name;
}

std::string FetchAdmission::fallbackName(const FetchRequest& request, int64_t jobId) {
    const std::string suffix = ".fetch";
    const std::string& r = request.request;
    if (r.size() > suffix.size() &&
        r.compare(r.size() - suffix.size(), suffix.size(), suffix) == 0) {
        return r.substr(0, r.size() - suffix.size());
    }
    return "fetched-" + std::to_string(jobId);
}

Status FetchAdmission::targetPath(Session& session, const std::string& into,
                                  const std::string& name, std::string& path) {
    if (into.empty()) return VirtualPath::resolve("/", "/files/" + name, path);
    std::string resolved;
    if (Status s = VirtualPath::resolve("/", into, resolved); !s) return s;
    FileInfo info;
    if (into.back() == '/' || (session.stat(resolved, info) && info.isDirectory())) {
        return VirtualPath::resolve("/", resolved + "/" + name, path);
    }
    path = resolved;
    return Status::ok();
}

Status FetchAdmission::admit(Gateway& gateway, Session& session, const AccountRecord& account,
                             const FetchRequest& request, int64_t jobId, std::string& path) {
    const std::string name = nameFor(request.url, fallbackName(request, jobId));
    if (Status s = targetPath(session, request.into, name, path); !s) {
        return Status::invalid(s.message());
    }
    QuotaState quota;
    if (Status s = readQuota(gateway.catalog(), account, quota); !s) return s;
    FileInfo existing;
    if (!session.stat(path, existing)) {
        if (Status s = quota.roomForOneFile(); !s) return s;
    }
    if (quota.remainingBytes() == 0) {
        return Status::error(StatusCode::QuotaExceeded,
                             "no bytes left to fetch into (" + quota.tightestBytes().scope + ")");
    }
    PolicyEvent event;
    event.hook = Hook::FetchRequested;
    event.user = account.name;
    event.accountId = account.id;
    event.connection.protocol = "fetch";
    try {
        event.connection.remoteAddress = Poco::URI(request.url).getHost();
    } catch (const Poco::Exception&) {
        return Status::invalid("the URL is malformed");
    }
    event.path = path;
    event.packagePid = request.package;
    const QuotaLimit& tightest = quota.tightestBytes();
    event.usedBytes = tightest.usedBytes;
    event.quotaBytes = tightest.limitBytes;
    if (Status s = gateway.policy().ask(event); !s) {
        return Status::denied("policy refused the fetch: " + s.message());
    }
    return Status::ok();
}

}  // namespace dad
