// InTreePlugin: what the plugins built with dadgate (notify, fetch) share to
// run dadgate's own job handlers behind the public plugin API. They link the
// shared core (dadcore) and reach the Gateway and the configuration through
// PluginHost::internal, which out-of-tree plugins must not use.
#pragma once

#include <dadgate/plugin.h>

#include <string>

#include "Catalog.h"
#include "Gateway.h"
#include "Status.h"

namespace dad {

// The start of an in-tree plugin's create(): its own section takes no key
// (its settings are the documented top-level ones, named by `settingsHint`),
// and it gets the Gateway and configuration of the dadgate that loaded it.
// False, with `error`, on a key or when the host offers no internals (a
// dadgate of another build).
inline bool openInTree(dadgate::PluginHost& host, const dadgate::PluginConfig& section,
                       const std::string& settingsHint, Gateway*& gateway,
                       const Poco::Util::AbstractConfiguration*& config, std::string& error) {
    if (!section.keys().empty()) {
        error = "unknown key '" + section.keys().front() + "' (configure " + settingsHint + ")";
        return false;
    }
    gateway = static_cast<Gateway*>(host.internal("dadgate.gateway"));
    config = static_cast<const Poco::Util::AbstractConfiguration*>(host.internal("dadgate.config"));
    if (!gateway || !config) error = "this dadgate offers no gateway to in-tree plugins";
    return gateway && config;
}

inline JobRecord jobRecordOf(const dadgate::PluginJob& job) {
    JobRecord record;
    record.id = job.id;
    record.kind = job.kind;
    record.payload = job.payload;
    record.attempts = job.attempt;
    return record;
}

// A handler's Status in the plugin API's terms, as the JobQueue reads it:
// a refusal (PermissionDenied, InvalidArgument) cannot heal by waiting.
inline dadgate::JobOutcome outcomeOf(const Status& s) {
    if (s) return dadgate::JobOutcome::done();
    if (s.code() == StatusCode::PermissionDenied || s.code() == StatusCode::InvalidArgument) {
        return dadgate::JobOutcome::giveUp(s.message());
    }
    return dadgate::JobOutcome::retryLater(s.message());
}

}  // namespace dad
