// PolicyEngine: "may this happen, and what follows". The session layer asks
// it at fixed hooks; handlers answer allow, deny(reason) or no opinion, in
// the order they were added (built-ins, then plugins, then Lua); the first
// deny wins. Protocol code never calls a handler directly.
// Thread-safe once handlers are added (add them before serving).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ConnectionInfo.h"
#include "Status.h"

namespace dad {

enum class Hook {
    Connect,
    Login,
    BeforeUpload,
    AfterUpload,
    PackageSent,
    BeforeDownload,
    AfterDownload,
    PackageExpired,
    FetchRequested,
    NotificationOut,
};

const char* hookName(Hook hook);

struct PolicyEvent {
    Hook hook = Hook::Connect;
    std::string user;
    int64_t accountId = 0;
    ConnectionInfo connection;
    std::string path;         // virtual path of the file or package
    uint64_t bytes = 0;       // size so far / being added
    uint64_t usedBytes = 0;   // the user's stored bytes before this change
    int64_t quotaBytes = -1;  // -1: unlimited
    std::string packagePid;
    // For package hooks: what the package is set to when the hook runs.
    std::string packageName;
    std::vector<std::string> recipients;
    // package_sent: address-book groups the draft's name or manifest names
    // ("@team" -> "team"), not expanded; the delivery policy expands them.
    std::vector<std::string> groups;
    int64_t expiresAfter = -1;  // seconds after sending; -1: not set
    int64_t expiresAt = -1;     // a fixed time (seconds since the epoch); -1: not set
    int64_t maxDownloads = -1;  // -1: unlimited
    // For notification_out: the message about to go out. A handler may deny
    // (the message is cancelled) or ask set_message(subject, body).
    struct Notification {
        std::string event;  // package_received, package_sent, receipt, digest, quota, policy
        std::string to;
        std::string subject;
        std::string body;
    };
    std::optional<Notification> notification;
};

enum class Verdict { Allow, Deny, NoOpinion };

// Something a handler asks the gateway to do after the hook: its name
// (set_expiry, send, notify, ...) and arguments.
struct PolicyAction {
    std::string name;
    std::vector<std::string> arguments;
};

struct Decision {
    Verdict verdict = Verdict::NoOpinion;
    std::string reason;
    StatusCode code = StatusCode::PermissionDenied;  // for Deny: how protocols report it
    std::vector<PolicyAction> actions;               // asked for even when denying
    static Decision allow() { return {Verdict::Allow, {}, StatusCode::Ok, {}}; }
    static Decision noOpinion() { return {}; }
    static Decision deny(std::string why, StatusCode code = StatusCode::PermissionDenied) {
        return {Verdict::Deny, std::move(why), code, {}};
    }
};

class PolicyHandler {
public:
    virtual ~PolicyHandler() = default;
    virtual std::string name() const = 0;
    virtual Decision decide(const PolicyEvent& event) = 0;
};

class PolicyEngine {
public:
    void add(std::unique_ptr<PolicyHandler> handler);
    // Ok unless a handler denies; then the Status carries its reason. The
    // actions handlers asked for (up to the deny) are appended to `actions`.
    Status ask(const PolicyEvent& event, std::vector<PolicyAction>* actions = nullptr);

private:
    std::vector<std::unique_ptr<PolicyHandler>> handlers_;
};

}  // namespace dad
