#include "FetchArea.h"

#include <Poco/JSON/Object.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "FetchAdmission.h"
#include "Gateway.h"
#include "PackageReport.h"
#include "VirtualPath.h"

namespace dad {

namespace {

// `"key":"value"` as Poco's JSON writes it into a payload, to narrow a search.
std::string jsonMember(const std::string& key, const std::string& value) {
    Poco::JSON::Object object;
    object.set(key, value);
    std::ostringstream out;
    object.stringify(out);
    const std::string text = out.str();
    return text.substr(1, text.size() - 2);
}

// Buffers a request file in memory (it is small) and hands it to
// FetchArea::submit when the upload closes. A cut upload keeps nothing.
class RequestUpload : public WriteStream {
public:
    RequestUpload(Gateway& gateway, const AccountRecord& account, Session& session,
                  ConnectionInfo connection, std::string name)
        : gateway_(gateway),
          account_(account),
          session_(session),
          connection_(std::move(connection)),
          name_(std::move(name)) {}

    Status write(uint64_t offset, const char* data, size_t length) override {
        if (!open_) return Status::failure("the upload is closed");
        if (offset + length > FetchRequestCodec::kMaxFileBytes) {
            return Status::invalid(name_ + " is larger than " +
                                   std::to_string(FetchRequestCodec::kMaxFileBytes) + " bytes");
        }
        const size_t end = static_cast<size_t>(offset) + length;
        if (text_.size() < end) text_.resize(end, '\0');
        std::copy(data, data + length, text_.begin() + static_cast<std::ptrdiff_t>(offset));
        return Status::ok();
    }
    uint64_t size() const override { return text_.size(); }
    Status sync() override { return Status::ok(); }
    Status close() override {
        if (!open_) return Status::failure("the upload is closed");
        open_ = false;
        Status s = FetchArea(gateway_, account_).submit(session_, connection_, name_, text_);
        clear();
        return s;
    }
    void abandon() override { discard(); }
    void discard() override {
        open_ = false;
        clear();
    }

private:
    // The text may hold a password: overwrite it before letting go.
    void clear() {
        std::fill(text_.begin(), text_.end(), '\0');
        text_.clear();
    }

    Gateway& gateway_;
    const AccountRecord& account_;
    Session& session_;
    ConnectionInfo connection_;
    std::string name_;
    std::string text_;
    bool open_ = true;
};

}  // namespace

FetchArea::FetchArea(Gateway& gateway, const AccountRecord& account)
    : gateway_(gateway), account_(account) {}

Status FetchArea::checkRequestName(const std::string& name) {
    const std::string suffix = ".fetch";
    if (Status s = VirtualPath::checkName(name); !s) return s;
    if (name.size() <= suffix.size() || name[0] == '.' ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
        return Status::invalid("only request files named NAME.fetch go into /fetch, not " + name);
    }
    return Status::ok();
}

Status FetchArea::requests(std::vector<Request>& out) {
    out.clear();
    std::vector<JobRecord> jobs;
    if (Status s = gateway_.catalog().findJobs(
            "fetch", {jsonMember("user", account_.name), "\"request\":"}, jobs);
        !s) {
        return s;
    }
    std::map<std::string, Request> newest;  // jobs come oldest first
    for (const JobRecord& job : jobs) {
        Request r{job, FetchRequest()};
        if (!FetchRequestCodec::fromJson(job.payload, r.request) ||
            r.request.user != account_.name || r.request.request.empty()) {
            continue;
        }
        newest[r.request.request] = r;
    }
    for (auto& [name, r] : newest) {
        if (r.job.state != "cancelled" && !r.request.removed) out.push_back(r);
    }
    return Status::ok();
}

Status FetchArea::findRequest(const std::string& name, std::optional<Request>& out) {
    out.reset();
    std::vector<Request> all;
    if (Status s = requests(all); !s) return s;
    for (Request& r : all) {
        if (r.request.request == name) out = r;
    }
    return Status::ok();
}

std::string FetchArea::statusText(const Request& r) {
    const FetchRequest& q = r.request;
    std::string text = "# " + q.request + ": fetch request, job #" + std::to_string(r.job.id) +
                       "; remove this file to cancel it or forget it\n";
    text += "url = " + q.url + "\n";
    text += "at = " + PackageReport::formatTime(r.job.runAfter) + "\n";
    if (!q.into.empty()) text += "into = " + q.into + "\n";
    if (!q.hostKey.empty()) text += "host_key = " + q.hostKey + "\n";
    if (r.job.state == "done") {
        text += "state = done\nstored = " + q.stored + "\nbytes = " + std::to_string(q.bytes) +
                "\nsha256 = " + q.sha256 + "\n";
    } else if (r.job.state == "dead") {
        text += "state = failed\nreason = " + r.job.lastError + "\n";
    } else {
        text += "state = " + r.job.state + "\n";
        if (!r.job.lastError.empty()) text += "last_error = " + r.job.lastError + "\n";
        if (r.job.attempts > 0) text += "attempts = " + std::to_string(r.job.attempts) + "\n";
    }
    return text;
}

Status FetchArea::list(std::vector<Entry>& entries) {
    entries.clear();
    std::vector<Request> all;
    if (Status s = requests(all); !s) return s;
    for (const Request& r : all) {
        entries.push_back({r.request.request, statusText(r), r.job.updated});
    }
    return Status::ok();
}

Status FetchArea::find(const std::string& name, std::optional<Entry>& entry) {
    entry.reset();
    std::optional<Request> r;
    if (Status s = findRequest(name, r); !s) return s;
    if (r) entry = Entry{name, statusText(*r), r->job.updated};
    return Status::ok();
}

Status FetchArea::openUpload(Session& session, const ConnectionInfo& connection,
                             const std::string& name, std::unique_ptr<WriteStream>& stream) {
    if (Status s = checkRequestName(name); !s) return s;
    std::optional<Request> previous;
    if (Status s = findRequest(name, previous); !s) return s;
    if (previous && previous->job.state == "running") {
        return Status::error(StatusCode::Busy, name + " is being fetched now");
    }
    stream = std::make_unique<RequestUpload>(gateway_, account_, session, connection, name);
    return Status::ok();
}

Status FetchArea::submit(Session& session, const ConnectionInfo& connection,
                         const std::string& name, const std::string& text) {
    if (Status s = checkRequestName(name); !s) return s;
    FetchRequestFile file;
    if (Status s = FetchRequestCodec::parseFile(name, text, file); !s) return s;
    FetchRequest request;
    request.user = account_.name;
    request.url = file.url;
    request.into = file.into;
    request.request = name;
    request.hostKey = file.hostKey;
    std::string path;
    if (Status s = FetchAdmission::admit(gateway_, session, account_, request, 0, path); !s) {
        return s;
    }
    std::optional<Request> previous;
    if (Status s = findRequest(name, previous); !s) return s;
    if (previous && previous->job.state == "running") {
        return Status::error(StatusCode::Busy, name + " is being fetched now");
    }
    const std::string dataDir = gateway_.options().dataDir;
    if (!file.user.empty()) {
        if (Status s =
                FetchCredentials::save(dataDir, file.user, file.password, request.credentials);
            !s) {
            return s;
        }
    }
    Catalog& catalog = gateway_.catalog();
    if (previous && previous->job.state == "queued") {
        // The new request replaces the one that has not started.
        (void)catalog.cancelJob(previous->job.id);
        if (!previous->request.credentials.empty()) {
            FetchCredentials::remove(dataDir, previous->request.credentials);
        }
    }
    int64_t id = 0;
    Status s = catalog.enqueueJobAt("fetch", FetchRequestCodec::toJson(request),
                                    file.at ? file.at : nowSeconds(), id);
    if (!s && !request.credentials.empty()) FetchCredentials::remove(dataDir, request.credentials);
    catalog.audit({account_.name, connection.remoteAddress, connection.protocol, "fetch-request",
                   "/fetch/" + name,
                   s ? "job #" + std::to_string(id) + " into " + path : s.message(), s.isOk()});
    return s;
}

Status FetchArea::remove(const std::string& name) {
    std::optional<Request> r;
    if (Status s = findRequest(name, r); !s) return s;
    if (!r) return Status::notFound("no fetch request " + name);
    Catalog& catalog = gateway_.catalog();
    if (r->job.state == "running") {
        return Status::error(StatusCode::Busy, name + " is being fetched now");
    }
    if (r->job.state == "queued") {
        if (Status s = catalog.cancelJob(r->job.id); !s) return s;
        if (!r->request.credentials.empty()) {
            FetchCredentials::remove(gateway_.options().dataDir, r->request.credentials);
        }
        return Status::ok();
    }
    r->request.removed = true;
    return catalog.setJobPayload(r->job.id, FetchRequestCodec::toJson(r->request));
}

}  // namespace dad
