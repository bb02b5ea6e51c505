"""C++ plugins (ABI v2): ones built here out of the tree against the plugin
header are loaded, asked at the hooks, and run the durable jobs of the kinds
they name (queued with dadctl, retried, given up, queuing more through their
host); a wrong ABI version (a v1 plugin), a duplicate name, a refused
configuration or two plugins claiming one job kind stops the start with a
message naming the plugin(s) and the reason; the built-in quota is itself a
plugin."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import PLUGIN_DIR, REPO_ROOT, Gateway, close_client, wait_until

HEADER_DIR = os.path.join(REPO_ROOT, "include")

BLOCKER = r"""
#include <dadgate/plugin.h>

namespace {
class Blocker : public dadgate::Plugin {
public:
    explicit Blocker(std::string suffix) : suffix_(std::move(suffix)) {}
    dadgate::PluginDecision decide(const dadgate::PluginEvent& e) override {
        if (e.hook == "before_upload" && e.path.size() >= suffix_.size() &&
            e.path.compare(e.path.size() - suffix_.size(), suffix_.size(), suffix_) == 0) {
            return dadgate::PluginDecision::deny("blocked by plugin: " + e.path);
        }
        return {};
    }
private:
    std::string suffix_;
};
std::unique_ptr<dadgate::Plugin> create(dadgate::PluginHost&, const dadgate::PluginConfig& config,
                                        std::string& error) {
    if (!config.has("suffix")) { error = "suffix is required"; return nullptr; }
    return std::make_unique<Blocker>(config.get("suffix", ""));
}
const dadgate::PluginInfo kInfo = {ABI, NAME, create};
}
extern "C" const dadgate::PluginInfo* dadgate_plugin_entry() { return &kInfo; }
"""


# Runs `stamp` jobs: writes "<payload> attempt <n> site <site.id> link <public.url>" to the file
# <state dir>/<job id>; payload "flaky" fails its first attempt, "bad" gives up,
# "chain:X" also queues a stamp job with payload X through the host.
STAMPER = r"""
#include <dadgate/plugin.h>
#include <fstream>

namespace {
class Stamper : public dadgate::Plugin {
public:
    explicit Stamper(dadgate::PluginHost& host) : host_(host) {}
    std::vector<std::string> jobKinds() const override { return {"stamp"}; }
    dadgate::JobOutcome run(const dadgate::PluginJob& job) override {
        if (job.payload == "bad") return dadgate::JobOutcome::giveUp("bad payload");
        if (job.payload == "flaky" && job.attempt == 1) {
            return dadgate::JobOutcome::retryLater("first attempts fail");
        }
        if (job.payload.rfind("chain:", 0) == 0) {
            std::string error;
            if (host_.queueJob("stamp", job.payload.substr(6), 0, error) < 0) {
                return dadgate::JobOutcome::retryLater(error);
            }
        }
        std::ofstream out(host_.stateDirectory() + "/" + std::to_string(job.id));
        out << job.payload << " attempt " << job.attempt << " site " << host_.siteId()
            << " link " << host_.setting("public.url", "none");
        host_.log(dadgate::LogLevel::Information, "stamped job " + std::to_string(job.id));
        return dadgate::JobOutcome::done();
    }
private:
    dadgate::PluginHost& host_;
};
std::unique_ptr<dadgate::Plugin> create(dadgate::PluginHost& host, const dadgate::PluginConfig&,
                                        std::string&) {
    return std::make_unique<Stamper>(host);
}
const dadgate::PluginInfo kInfo = {ABI, NAME, create};
}
extern "C" const dadgate::PluginInfo* dadgate_plugin_entry() { return &kInfo; }
"""

# A plugin as dadgate 0.1 (plugin ABI 1) had it: its entry's first member says 1.
V1_PLUGIN = r"""
#include <memory>
#include <string>
namespace v1 {
struct PluginConfig;
struct Policy { virtual ~Policy() = default; };
struct PluginInfo {
    int abiVersion;
    const char* name;
    std::unique_ptr<Policy> (*create)(const PluginConfig& config, std::string& error);
};
std::unique_ptr<Policy> create(const PluginConfig&, std::string&) {
    return std::make_unique<Policy>();
}
const PluginInfo kInfo = {1, "old", create};
}
extern "C" const v1::PluginInfo* dadgate_plugin_entry() { return &v1::kInfo; }
"""


def build_plugin(directory, file_name, name="blocker", abi="dadgate::kPluginAbiVersion",
                 source_text=BLOCKER):
    source = os.path.join(directory, file_name + ".cpp")
    with open(source, "w", encoding="utf-8") as f:
        f.write(source_text.replace("ABI", abi).replace("NAME", '"%s"' % name))
    output = os.path.join(directory, file_name + ".so")
    subprocess.run(["g++", "-std=c++17", "-shared", "-fPIC", "-Wall", "-Werror", "-I", HEADER_DIR,
                    "-o", output, source], check=True, timeout=120)
    os.remove(source)
    return output


class PluginTest(unittest.TestCase):
    def setUp(self):
        self.plugins = tempfile.mkdtemp(prefix="dadgate-plugins-")
        self.addCleanup(shutil.rmtree, self.plugins, True)

    def gateway(self, web=False, **defines):
        gateway = Gateway(extra_defines=dict({"plugins.dir": self.plugins}, **defines), web=web)
        self.addCleanup(gateway.cleanup)
        return gateway

    def start_fails(self, gateway):
        with self.assertRaises(AssertionError) as failed:
            gateway.start()
        return str(failed.exception)

    def test_out_of_tree_plugin_is_asked_at_the_hooks(self):
        build_plugin(self.plugins, "blocker")
        gateway = self.gateway(**{"plugins.blocker.suffix": ".blocked"})
        gateway.start()
        gateway.add_user("alice", "alice-pw")
        client = gateway.connect("alice", "alice-pw")
        try:
            with self.assertRaises(IOError) as refused:
                with client.open("/files/x.blocked", "wb") as f:
                    f.write(b"data")
            self.assertIn("blocked by plugin: /files/x.blocked", str(refused.exception))
            with client.open("/files/x.fine", "wb") as f:
                f.write(b"data")
            self.assertEqual(client.stat("/files/x.fine").st_size, 4)
        finally:
            close_client(client)

    def test_wrong_abi_version_stops_the_start(self):
        build_plugin(self.plugins, "old", abi="999")
        message = self.start_fails(self.gateway(**{"plugins.blocker.suffix": ".x"}))
        self.assertIn("old.so", message)
        self.assertIn("built for plugin ABI 999", message)

    def test_v1_plugin_is_refused_naming_both_versions(self):
        build_plugin(self.plugins, "v1", source_text=V1_PLUGIN)
        message = self.start_fails(self.gateway())
        self.assertIn("v1.so", message)
        self.assertIn("built for plugin ABI 1, this dadgate has 2", message)

    def test_out_of_tree_plugin_runs_its_job_kind(self):
        build_plugin(self.plugins, "stamper", name="stamper", source_text=STAMPER)
        gateway = self.gateway(web=True, **{"site.id": "stampsite", "jobs.idle_poll_seconds": "1",
                                            "jobs.first_retry_seconds": "1"})
        gateway.start()
        # public.url is not set: the host answers the link base in force.
        site = " site stampsite link https://localhost:%d" % gateway.https_port
        state = os.path.join(gateway.data_dir, "plugins", "stamper")

        def add(payload):
            rc, out, err = gateway.dadctl("job", "add", "stamp", payload)
            self.assertEqual(rc, 0, err)
            return re.search(r"job #(\d+)", out).group(1)

        def stamp(job_id):
            path = os.path.join(state, job_id)
            if not os.path.exists(path):
                return None
            with open(path, encoding="utf-8") as f:
                return f.read()

        def job_line(job_id):
            rc, out, err = gateway.dadctl("job", "list")
            self.assertEqual(rc, 0, err)
            return next((line for line in out.splitlines()
                         if line.startswith("#%s  " % job_id)), "")

        first = add("chain:second")
        flaky = add("flaky")
        bad = add("bad")
        wait_until(lambda: "stamp  done" in job_line(first), 60, what="job %s done" % first)
        self.assertEqual(stamp(first), "chain:second attempt 1" + site)
        # The job the plugin queued through its host ran too.
        wait_until(lambda: any(stamp(name) == "second attempt 1" + site
                               for name in os.listdir(state)), 60, what="the chained job")
        # Retried after its failed first attempt, then done.
        wait_until(lambda: "stamp  done" in job_line(flaky), 60, what="job %s done" % flaky)
        self.assertEqual(stamp(flaky), "flaky attempt 2" + site)
        # Given up at once, with the plugin's reason, and never stamped.
        wait_until(lambda: "stamp  dead" in job_line(bad), 60, what="job %s dead" % bad)
        self.assertIn("attempts 1", job_line(bad))
        self.assertIn("last error: bad payload", job_line(bad))
        self.assertIsNone(stamp(bad))
        log = gateway.log_text()
        self.assertIn("dadgate.plugin.stamper: stamped job %s" % first, log)
        self.assertIn("job kind stamp: plugin stamper", log)
        # Without the built-in plugins, their jobs wait, and the log says so.
        self.assertIn("no handler for job kind notify", log)
        self.assertIn("no handler for job kind fetch", log)

    def test_two_plugins_claiming_one_job_kind_stop_the_start(self):
        build_plugin(self.plugins, "one", name="stamper", source_text=STAMPER)
        build_plugin(self.plugins, "two", name="stamper2", source_text=STAMPER)
        message = self.start_fails(self.gateway())
        self.assertIn("plugins stamper and stamper2 both handle job kind 'stamp'", message)

    def test_duplicate_name_stops_the_start(self):
        build_plugin(self.plugins, "a")
        build_plugin(self.plugins, "b")
        message = self.start_fails(self.gateway(**{"plugins.blocker.suffix": ".x"}))
        self.assertIn("a second plugin named 'blocker'", message)

    def test_refused_config_stops_the_start(self):
        build_plugin(self.plugins, "blocker")
        message = self.start_fails(self.gateway())
        self.assertIn("plugin blocker", message)
        self.assertIn("suffix is required", message)

    def test_library_without_entry_stops_the_start(self):
        source = os.path.join(self.plugins, "empty.cpp")
        with open(source, "w", encoding="utf-8") as f:
            f.write("int nothing_here() { return 0; }\n")
        subprocess.run(["g++", "-shared", "-fPIC", "-o", os.path.join(self.plugins, "empty.so"),
                        source], check=True, timeout=120)
        self.assertIn("no dadgate_plugin_entry", self.start_fails(self.gateway()))

    def test_builtin_quota_plugin_refuses_with_its_numbers(self):
        gateway = Gateway(extra_defines={"plugins.dir": PLUGIN_DIR})
        self.addCleanup(gateway.cleanup)
        gateway.start()
        gateway.add_user("q", "q-pw", quota=100)
        client = gateway.connect("q", "q-pw")
        try:
            with client.open("/files/a", "wb") as f:
                f.write(b"x" * 100)
            with self.assertRaises(IOError) as refused:
                with client.open("/files/b", "wb") as f:
                    f.write(b"y")
            self.assertIn("quota exceeded: 100 of 100 bytes used", str(refused.exception))
        finally:
            close_client(client)

    def test_builtin_quota_plugin_refuses_a_bad_config(self):
        gateway = Gateway(extra_defines={"plugins.dir": PLUGIN_DIR,
                                         "plugins.quota.default_bytes": "lots"})
        self.addCleanup(gateway.cleanup)
        message = self.start_fails(gateway)
        self.assertIn("plugin quota", message)
        self.assertIn("default_bytes must be a number of bytes, not 'lots'", message)


if __name__ == "__main__":
    unittest.main()
