#include "PolicyEngine.h"

namespace dad {

const char* hookName(Hook hook) {
    switch (hook) {
        case Hook::Connect:
            return "connect";
        case Hook::Login:
            return "login";
        case Hook::BeforeUpload:
            return "before_upload";
        case Hook::AfterUpload:
            return "after_upload";
        case Hook::PackageSent:
            return "package_sent";
        case Hook::BeforeDownload:
            return "before_download";
        case Hook::AfterDownload:
            return "after_download";
        case Hook::PackageExpired:
            return "package_expired";
        case Hook::FetchRequested:
            return "fetch_requested";
        case Hook::NotificationOut:
            return "notification_out";
    }
    return "unknown";
}

void PolicyEngine::add(std::unique_ptr<PolicyHandler> handler) {
    handlers_.push_back(std::move(handler));
}

Status PolicyEngine::ask(const PolicyEvent& event, std::vector<PolicyAction>* actions) {
    for (const auto& handler : handlers_) {
        Decision d = handler->decide(event);
        if (actions) {
            for (PolicyAction& a : d.actions)
                actions->push_back(std::move(a));
        }
        if (d.verdict == Verdict::Deny) return Status::error(d.code, d.reason);
    }
    return Status::ok();
}

}  // namespace dad
