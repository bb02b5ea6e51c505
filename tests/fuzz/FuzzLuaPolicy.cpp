// libFuzzer target: random Lua source through the policy host. The script is
// loaded under the default limits and each hook it defines is called twice
// (state left by one call must not hurt the next). A crash, a sanitizer
// report, or a load or call that uses more CPU than its budget by more than
// the margin is a finding.
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "LuaScript.h"

namespace {

// Generous: under ASan the host's own work (freezing, event, copies) is slow.
constexpr double kMarginSeconds = 1.0;

double cpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void check(double started, const dad::LuaLimits& limits, const char* what) {
    const double used = cpuSeconds() - started;
    if (used > static_cast<double>(limits.callBudgetMs) / 1000 + kMarginSeconds) {
        std::fprintf(stderr, "%s used %.3f s of CPU (budget %llu ms)\n", what, used,
                     static_cast<unsigned long long>(limits.callBudgetMs));
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string source(reinterpret_cast<const char*>(data), size);
    dad::LuaLimits limits;
    std::unique_ptr<dad::LuaScript> script;
    double started = cpuSeconds();
    const dad::Status loaded = dad::LuaScript::load("fuzz.lua", source, limits, script);
    check(started, limits, "load");
    if (!loaded) return 0;
    std::map<std::string, dad::LuaValue> event;
    event["hook"] = dad::LuaValue::of("login");
    event["user"] = dad::LuaValue::of("alice");
    event["path"] = dad::LuaValue::of("/outbox/report/plan.pdf");
    event["bytes"] = dad::LuaValue::of(int64_t{1048576});
    event["recipients"] = dad::LuaValue::listOf({"bob", "carol@example.com"});
    for (const char* hook : {"on_connect", "on_login", "on_before_upload", "on_package_sent"}) {
        for (int round = 0; round < 2; ++round) {
            dad::LuaOutcome outcome;
            started = cpuSeconds();
            script->call(hook, event, outcome);
            check(started, limits, hook);
        }
    }
    return 0;
}
