// policy_hook_bench [calls]: what one hook costs through the Lua host, as
// the session asks it (LuaPolicies::decide: the event table, the protected
// call, the budgets, the answer), for a trivial script and for the shipped
// delivery policy's hook. Prints p50, p99 and the maximum in microseconds.
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "LuaPolicies.h"

namespace {

struct Case {
    const char* name;
    const char* source;
    dad::Hook hook;
};

const Case kCases[] = {
    {"trivial on_login",
     "function on_login(e) if e.user == 'mallory' then return deny('no') end end",
     dad::Hook::Login},
    {"no-executables on_before_upload",
     "local BLOCKED = {'%.exe$', '%.bat$', '%.cmd$', '%.scr$', '%.vbs$'}\n"
     "function on_before_upload(e)\n"
     "  for _, p in ipairs(BLOCKED) do\n"
     "    if e.path:lower():find(p) then return deny('no executables') end\n"
     "  end\n"
     "end\n",
     dad::Hook::BeforeUpload},
    {"no script for the hook", "function on_login(e) end", dad::Hook::AfterDownload},
};

double percentile(std::vector<double>& sorted, double p) {
    return sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()))];
}

}  // namespace

int main(int argc, char** argv) {
    const int calls = argc > 1 ? std::atoi(argv[1]) : 20000;
    char pattern[] = "/tmp/dad-policy-bench-XXXXXX";
    const std::string dir = mkdtemp(pattern);
    for (const Case& c : kCases) {
        std::filesystem::remove_all(dir);
        std::filesystem::create_directory(dir);
        std::ofstream(dir + "/bench.lua") << c.source;
        dad::LuaPolicies policies(dir, true, dad::LuaLimits(), [](const std::string&) {});
        if (dad::Status s = policies.reload(); !s) {
            std::fprintf(stderr, "%s\n", s.message().c_str());
            return 1;
        }
        dad::PolicyEvent event;
        event.hook = c.hook;
        event.user = "alice";
        event.connection = {"sftp", "192.0.2.10", 50000};
        event.path = "/outbox/report/plan.pdf";
        std::vector<double> micros;
        micros.reserve(calls);
        for (int i = 0; i < calls; ++i) {
            const auto start = std::chrono::steady_clock::now();
            const dad::Decision d = policies.decide(event);
            micros.push_back(
                std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
                    .count());
            if (d.verdict == dad::Verdict::Deny) return 2;
        }
        std::sort(micros.begin(), micros.end());
        std::printf("%-34s %6d calls  p50 %7.1f us  p99 %7.1f us  max %8.1f us\n", c.name, calls,
                    percentile(micros, 0.50), percentile(micros, 0.99), micros.back());
    }
    std::filesystem::remove_all(dir);
    return 0;
}
