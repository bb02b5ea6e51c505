#include "LuaPolicies.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "Catalog.h"
#include "FileSystem.h"

namespace dad {

LuaPolicies::LuaPolicies(std::string directory, bool denyOnError, LuaLimits limits,
                         std::function<void(const std::string&)> report)
    : directory_(std::move(directory)),
      denyOnError_(denyOnError),
      limits_(limits),
      report_(std::move(report)),
      scripts_(std::make_shared<const ScriptSet>()) {}

Status LuaPolicies::loadFile(const std::string& path, const LuaLimits& limits,
                             std::unique_ptr<LuaScript>& script) {
    std::ifstream file(path, std::ios::binary);
    if (!file) return Status::notFound("cannot read " + path);
    std::ostringstream text;
    text << file.rdbuf();
    const std::string name = path.substr(path.rfind('/') + 1);
    return LuaScript::load(name, text.str(), limits, script);
}

Status LuaPolicies::reload() {
    std::vector<std::string> names;
    if (!directory_.empty() && posixFileSystem().exists(directory_)) {
        if (Status s = posixFileSystem().listDirectory(directory_, names); !s) return s;
    }
    std::sort(names.begin(), names.end());
    auto fresh = std::make_shared<ScriptSet>();
    fresh->failures = std::make_unique<AttemptLimiter>(maxFailures_, failureWindowSeconds_);
    for (const std::string& name : names) {
        if (name.size() < 5 || name.compare(name.size() - 4, 4, ".lua") != 0) continue;
        std::unique_ptr<LuaScript> script;
        if (Status s = loadFile(directory_ + "/" + name, limits_, script); !s) {
            return Status::invalid("policy not reloaded, the previous scripts stay: " +
                                   s.message());
        }
        auto state = std::make_shared<ScriptState>();
        state->name = script->name();
        fresh->entries.push_back({std::move(script), std::move(state)});
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        scripts_ = std::move(fresh);
    }
    notifyStates();
    return Status::ok();
}

void LuaPolicies::setFailureLimit(int maxFailures, int64_t windowSeconds) {
    maxFailures_ = maxFailures;
    failureWindowSeconds_ = windowSeconds;
}

std::vector<LuaPolicies::ScriptState> LuaPolicies::states() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<ScriptState> out;
    for (const Entry& entry : scripts_->entries)
        out.push_back(*entry.state);
    return out;
}

void LuaPolicies::notifyStates() {
    if (!listener_) return;
    std::lock_guard<std::mutex> lock(listenerMutex_);
    listener_(states());
}

bool LuaPolicies::countFailure(const ScriptSet& set, const Entry& entry, const std::string& error) {
    const std::string& name = entry.script->name();
    if (maxFailures_ <= 0) return false;
    set.failures->recordFailure(name);
    if (!set.failures->blocked(name)) return false;
    const std::string reason = std::to_string(maxFailures_) + " failures within " +
                               std::to_string(failureWindowSeconds_) + " s; the last: " + error;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (entry.state->disabled) return false;
        entry.state->disabled = true;
        entry.state->reason = reason;
    }
    report_(name + " disabled until the policy is reloaded (" + reason + ")");
    notifyStates();
    return true;
}

LuaPolicies::GroupLookup LuaPolicies::catalogGroups(Catalog& catalog) {
    return [&catalog](int64_t accountId, const std::string& name, std::vector<std::string>& out) {
        return catalog.expandGroup(
            name, accountId > 0 ? std::optional<int64_t>(accountId) : std::nullopt, out);
    };
}

LuaLookups LuaPolicies::lookupsFor(const GroupLookup& groups, int64_t accountId) {
    LuaLookups lookups;
    if (groups) {
        lookups.group = [groups, accountId](const std::string& name,
                                            std::vector<std::string>& out) {
            return groups(accountId, name, out);
        };
    }
    return lookups;
}

std::vector<std::string> LuaPolicies::scriptNames() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> names;
    for (const Entry& entry : scripts_->entries)
        names.push_back(entry.script->name());
    return names;
}

std::map<std::string, LuaValue> LuaPolicies::eventTable(const PolicyEvent& e) {
    std::map<std::string, LuaValue> t;
    t["hook"] = LuaValue::of(hookName(e.hook));
    t["user"] = LuaValue::of(e.user);
    t["protocol"] = LuaValue::of(e.connection.protocol);
    t["address"] = LuaValue::of(e.connection.remoteAddress);
    t["path"] = LuaValue::of(e.path);
    t["bytes"] = LuaValue::of(static_cast<int64_t>(e.bytes));
    t["used_bytes"] = LuaValue::of(static_cast<int64_t>(e.usedBytes));
    if (e.quotaBytes >= 0) t["quota_bytes"] = LuaValue::of(e.quotaBytes);
    if (!e.packagePid.empty()) {
        LuaValue package;
        package.kind = LuaValue::Kind::Table;
        package.table["pid"] = LuaValue::of(e.packagePid);
        package.table["name"] = LuaValue::of(e.packageName);
        package.table["recipients"] = LuaValue::listOf(e.recipients);
        package.table["groups"] = LuaValue::listOf(e.groups);
        if (e.expiresAfter >= 0) package.table["expires_after"] = LuaValue::of(e.expiresAfter);
        if (e.expiresAt >= 0) package.table["expires_at"] = LuaValue::of(e.expiresAt);
        if (e.maxDownloads >= 0) package.table["max_downloads"] = LuaValue::of(e.maxDownloads);
        t["package"] = package;
    }
    if (e.notification) {
        LuaValue n;
        n.kind = LuaValue::Kind::Table;
        n.table["event"] = LuaValue::of(e.notification->event);
        n.table["to"] = LuaValue::of(e.notification->to);
        n.table["subject"] = LuaValue::of(e.notification->subject);
        n.table["body"] = LuaValue::of(e.notification->body);
        t["notification"] = n;
    }
    return t;
}

namespace {

// Action arguments as text: numbers without a fraction as integers, lists
// spread out ({"a", "b"} -> "a", "b").
std::vector<std::string> flatten(const std::vector<LuaValue>& values) {
    std::vector<std::string> out;
    for (const LuaValue& v : values) {
        switch (v.kind) {
            case LuaValue::Kind::String:
                out.push_back(v.text);
                break;
            case LuaValue::Kind::Boolean:
                out.push_back(v.boolean ? "true" : "false");
                break;
            case LuaValue::Kind::Number: {
                const auto whole = static_cast<int64_t>(v.number);
                out.push_back(static_cast<double>(whole) == v.number ? std::to_string(whole)
                                                                     : std::to_string(v.number));
                break;
            }
            case LuaValue::Kind::List: {
                for (const std::string& item : flatten(v.list))
                    out.push_back(item);
                break;
            }
            default:
                break;
        }
    }
    return out;
}

}  // namespace

Decision LuaPolicies::decide(const PolicyEvent& event) {
    std::shared_ptr<const ScriptSet> scripts;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        scripts = scripts_;
    }
    const std::string function = std::string("on_") + hookName(event.hook);
    const auto table = eventTable(event);
    const LuaLookups lookups = lookupsFor(groups_, event.accountId);
    Decision result = Decision::noOpinion();
    for (const Entry& entry : scripts->entries) {
        const auto& script = entry.script;
        if (!script->defines(function)) continue;
        bool disabled = false;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            disabled = entry.state->disabled;
        }
        Status s = Status::ok();
        LuaOutcome outcome;
        if (!disabled) {
            s = script->call(function, table, outcome, &lookups);
            for (const std::string& line : outcome.logLines)
                report_(script->name() + ": " + line);
            if (!s) {
                report_(s.message());
                countFailure(*scripts, entry, s.message());
            }
        }
        if (disabled || !s) {
            if (errors_ != nullptr) errors_->add();
            if (denyOnError_) {
                return Decision::deny("refused: the site's policy failed (" + script->name() +
                                      (disabled ? ", disabled" : "") + ")");
            }
            continue;
        }
        for (const auto& [name, arguments] : outcome.actions) {
            result.actions.push_back({name, flatten(arguments)});
        }
        if (outcome.answer == LuaOutcome::Answer::Deny) {
            Decision deny = Decision::deny(outcome.reason);
            deny.actions = std::move(result.actions);
            return deny;
        }
        if (outcome.answer == LuaOutcome::Answer::Allow) result.verdict = Verdict::Allow;
    }
    return result;
}

}  // namespace dad
