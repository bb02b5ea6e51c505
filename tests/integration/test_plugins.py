"""C++ policy plugins: one built here out of the tree against the installed
plugin header is loaded and asked at the hooks; a wrong ABI version, a
duplicate name or a refused configuration stops the start with a message
naming the plugin and the reason; the built-in quota is itself a plugin."""

import os
import shutil
import subprocess
import tempfile
import unittest

from harness import PLUGIN_DIR, REPO_ROOT, Gateway, close_client

HEADER_DIR = os.path.join(REPO_ROOT, "plugins", "include")

BLOCKER = r"""
#include <dadgate/plugin.h>

namespace {
class Blocker : public dadgate::Policy {
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
std::unique_ptr<dadgate::Policy> create(const dadgate::PluginConfig& config, std::string& error) {
    if (!config.has("suffix")) { error = "suffix is required"; return nullptr; }
    return std::make_unique<Blocker>(config.get("suffix", ""));
}
const dadgate::PluginInfo kInfo = {ABI, NAME, create};
}
extern "C" const dadgate::PluginInfo* dadgate_plugin_entry() { return &kInfo; }
"""


def build_plugin(directory, file_name, name="blocker", abi="dadgate::kPluginAbiVersion"):
    source = os.path.join(directory, file_name + ".cpp")
    with open(source, "w", encoding="utf-8") as f:
        f.write(BLOCKER.replace("ABI", abi).replace("NAME", '"%s"' % name))
    output = os.path.join(directory, file_name + ".so")
    subprocess.run(["g++", "-std=c++17", "-shared", "-fPIC", "-Wall", "-Werror", "-I", HEADER_DIR,
                    "-o", output, source], check=True, timeout=120)
    os.remove(source)
    return output


class PluginTest(unittest.TestCase):
    def setUp(self):
        self.plugins = tempfile.mkdtemp(prefix="dadgate-plugins-")
        self.addCleanup(shutil.rmtree, self.plugins, True)

    def gateway(self, **defines):
        gateway = Gateway(extra_defines=dict({"plugins.dir": self.plugins}, **defines))
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
