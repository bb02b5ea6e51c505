#include <iostream>

#include "CommandLine.h"
#include "Commands.h"
#include "PackageReport.h"

namespace dad::ctl {

namespace {

bool jobId(const std::string& text, int64_t& id) {
    try {
        size_t used = 0;
        id = std::stoll(text, &used);
        return used == text.size() && id > 0;
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace

int jobCommand(Admin& admin, const std::vector<std::string>& words) {
    const std::string verb = words.size() > 1 ? words[1] : "";
    const Caller& caller = operatorCaller();
    if (verb == "list") {
        std::map<std::string, std::string> flags;
        std::vector<std::string> positional;
        if (Status s = parseFlags(words, 2, {"state"}, {}, flags, positional);
            !s || !positional.empty()) {
            return fail("usage: job list [--state queued|running|done|dead|cancelled]", 2);
        }
        std::vector<JobRecord> jobs;
        if (Status s = admin.listJobs(caller, flags["state"], jobs); !s) return fail(s.message());
        for (const JobRecord& j : jobs) {
            std::cout << "#" << j.id << "  " << j.kind << "  " << j.state << "  attempts "
                      << j.attempts << "  next " << PackageReport::formatTime(j.runAfter) << "  "
                      << j.payload << (j.lastError.empty() ? "" : "  last error: " + j.lastError)
                      << "\n";
        }
        return 0;
    }
    int64_t id = 0;
    if (verb == "add" && (words.size() == 3 || words.size() == 4)) {
        const std::string payload = words.size() == 4 ? words[3] : "";
        if (Status s = admin.addJob(caller, words[2], payload, id); !s) {
            return fail(s.message(), s.code() == StatusCode::InvalidArgument ? 2 : 1);
        }
        std::cout << "queued: job #" << id << "\n";
        return 0;
    }
    if ((verb == "retry" || verb == "cancel") && words.size() == 3 && jobId(words[2], id)) {
        Status s = verb == "retry" ? admin.retryJob(caller, id) : admin.cancelJob(caller, id);
        if (!s) return fail(s.message());
        std::cout << verb << ": job #" << id << " done\n";
        return 0;
    }
    return fail(
        "usage: job list [--state S] | job add KIND [PAYLOAD] | job retry ID | job cancel ID", 2);
}

}  // namespace dad::ctl
