// ForwardJobs: the `forward` job handler (a package pushed to a site; seed
// 000 Figure 11). The payload is {"package": PID, "site": NAME}, written by
// Sites::queueForward for every producer (the manifest's forward_to, Lua's
// dad.forward, dadctl package forward).
//
// Per job: the sent package is read from the catalog (without its .dad
// manifest, which may hold the package's password) into a ForwardPackage,
// the site and its secret are loaded, and the target registered for the
// site's type pushes it, reading content from the blob store. The
// package_forward row follows along: running with bytes done/total, done, or
// failed with the reason (or queued again with it while retries remain).
// Refusals that waiting cannot heal (bad credentials, an unknown host key,
// a package no longer sent, a site removed) answer PermissionDenied or
// InvalidArgument, so the queue does not retry them.
//
// A forward that ends after its package was withdrawn queues the
// withdrawal of the copy it made, as the withdrawal does for forwards made
// before it.
//
// Run by the forward plugin (ForwardPlugin.cpp), which registers the targets.
// Thread-safe: several workers run forwards at once.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "Catalog.h"
#include "ForwardTarget.h"
#include "Gateway.h"

namespace dad {

class ForwardJobs {
public:
    ForwardJobs(Gateway& gateway, int maxAttempts);

    // The target for sites of `type` (peer, ftp, ftps, sftp), replacing any.
    void addTarget(const std::string& type, std::unique_ptr<ForwardTarget> target);

    Status run(const JobRecord& job);
    // A Sites::kWithdrawalJob: the copy forwarded to the site withdrawn
    // there, or (refused, unsupported, out of attempts) the tracking says it
    // was not and the sender is told.
    Status withdraw(const JobRecord& job);

private:
    Status load(const std::string& pid, const std::string& siteName, PackageRecord& record,
                ForwardPackage& package, Site& site);
    Status loadSite(const std::string& siteName, Site& site);
    std::shared_ptr<ForwardTarget> targetFor(const std::string& type);
    // After a push: a package withdrawn while it ran has its copy withdrawn.
    void withdrawIfWithdrawn(const PackageRecord& record, const std::string& site);

    Gateway& gateway_;
    int maxAttempts_;
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<ForwardTarget>> targets_;
};

}  // namespace dad
