// LuaPolicies: the Lua scripts of the policy directory, asked as one
// PolicyHandler after the built-ins and plugins. Each script may define
// on_<hook>(event) for any hook (on_login, on_before_upload, ...); they are
// asked in file-name order and the first deny wins.
//
// A script that fails (error, runaway loop, memory) is reported (log and
// audit, with script, line and message) and the hook takes the configured
// fallback: deny or allow. A script that fails maxFailures times within the
// window is disabled: reported once, not run again, and each hook it defines
// takes the fallback at once, until the next reload; the other scripts run
// on. reload() replaces the whole set atomically (every script enabled
// again): if any script of the new set fails to load, the old set stays and
// the error is returned. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "AttemptLimiter.h"
#include "LuaScript.h"
#include "Metrics.h"
#include "PolicyEngine.h"

namespace dad {

class Catalog;

class LuaPolicies : public PolicyHandler {
public:
    // `report` receives each script failure ("name:line: message").
    LuaPolicies(std::string directory, bool denyOnError, LuaLimits limits,
                std::function<void(const std::string&)> report);

    // A script failing `maxFailures` times within `windowSeconds` is disabled
    // (0: never). REQUIRES: set before serving. Default: 5 within 60 s.
    void setFailureLimit(int maxFailures, int64_t windowSeconds);
    // Counts each failed script call (an error, a budget hit, a disabled
    // script asked). REQUIRES: set before the first ask, or never.
    void setErrorCounter(Counter* errors) { errors_ = errors; }

    // Each script of the set and whether it is in service.
    struct ScriptState {
        std::string name;
        bool disabled = false;
        std::string reason;  // why it was disabled
    };
    std::vector<ScriptState> states() const;
    // Told the states after every reload and every script disabled, one call
    // at a time, the newest states last.
    // REQUIRES: set before serving.
    void setStateListener(std::function<void(const std::vector<ScriptState>&)> listener) {
        listener_ = std::move(listener);
    }

    // Loads every *.lua of the directory (a missing directory is an empty set).
    Status reload();
    // Loads one script, for `dadctl policy test`.
    static Status loadFile(const std::string& path, const LuaLimits& limits,
                           std::unique_ptr<LuaScript>& script);

    // How dad.group finds a group for the event's account (0: none).
    // REQUIRES: set before serving.
    using GroupLookup = std::function<Status(int64_t accountId, const std::string& name,
                                             std::vector<std::string>& addresses)>;
    void setGroupLookup(GroupLookup lookup) { groups_ = std::move(lookup); }
    // The catalog's groups as an account sees them (Catalog::expandGroup).
    static GroupLookup catalogGroups(Catalog& catalog);
    // What a script may look up during a hook of `accountId`'s event.
    static LuaLookups lookupsFor(const GroupLookup& groups, int64_t accountId);

    std::string name() const override { return "lua"; }
    Decision decide(const PolicyEvent& event) override;

    std::vector<std::string> scriptNames() const;

    // The event table a script sees for `event`.
    static std::map<std::string, LuaValue> eventTable(const PolicyEvent& event);

private:
    struct Entry {
        std::shared_ptr<LuaScript> script;
        std::shared_ptr<ScriptState> state;  // guarded by mutex_
    };
    struct ScriptSet {
        std::vector<Entry> entries;
        std::unique_ptr<AttemptLimiter> failures;
    };

    // Counts a failure of `entry`; disables it at the limit. True when disabled now.
    bool countFailure(const ScriptSet& set, const Entry& entry, const std::string& error);
    // Tells the listener the states. A reload and connection threads may
    // change them at once: one at a time, each snapshot taken in turn, so the
    // last the listener hears is the newest.
    void notifyStates();

    std::string directory_;
    bool denyOnError_;
    LuaLimits limits_;
    std::function<void(const std::string&)> report_;
    Counter* errors_ = nullptr;
    GroupLookup groups_;
    int maxFailures_ = 5;
    int64_t failureWindowSeconds_ = 60;
    std::function<void(const std::vector<ScriptState>&)> listener_;
    std::mutex listenerMutex_;  // held while the listener runs; before mutex_
    mutable std::mutex mutex_;
    std::shared_ptr<const ScriptSet> scripts_;
};

}  // namespace dad
