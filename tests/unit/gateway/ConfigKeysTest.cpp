#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>
#include <Poco/Util/MapConfiguration.h>
#include <cppunit/extensions/HelperMacros.h>

#include <fstream>
#include <string>

#include "CommandLine.h"
#include "ConfigKeys.h"

using dad::CommandLine;

class ConfigKeysTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ConfigKeysTest);
    CPPUNIT_TEST(testEditDistance);
    CPPUNIT_TEST(testUnknownKeyNamedWithTheNearestKnownOne);
    CPPUNIT_TEST(testKnownKeysAndPluginSectionsPass);
    CPPUNIT_TEST(testUnknownDefineRefusedAtLoad);
    CPPUNIT_TEST(testRelativePathsInTheFileFollowTheFile);
    CPPUNIT_TEST(testPluginsDefaultBesideTheBinary);
    CPPUNIT_TEST(testPublicUrlFollowsTheHttpsPort);
    CPPUNIT_TEST_SUITE_END();

    static Poco::AutoPtr<Poco::Util::MapConfiguration> configOf(
        std::initializer_list<std::pair<std::string, std::string>> values) {
        Poco::AutoPtr<Poco::Util::MapConfiguration> config = new Poco::Util::MapConfiguration();
        for (const auto& [key, value] : values)
            config->setString(key, value);
        return config;
    }

public:
    void testEditDistance() {
        CPPUNIT_ASSERT_EQUAL(size_t(0), dad::editDistance("sftp.port", "sftp.port"));
        CPPUNIT_ASSERT_EQUAL(size_t(2), dad::editDistance("sftp.prot", "sftp.port"));
        CPPUNIT_ASSERT_EQUAL(size_t(3), dad::editDistance("kitten", "sitting"));
        CPPUNIT_ASSERT_EQUAL(size_t(4), dad::editDistance("", "abcd"));
    }

    void testUnknownKeyNamedWithTheNearestKnownOne() {
        const dad::Status s = dad::checkConfigKeys(*configOf({{"sftp.prot", "22"}}));
        CPPUNIT_ASSERT(!s);
        CPPUNIT_ASSERT(s.message().find("'sftp.prot'") != std::string::npos);
        CPPUNIT_ASSERT(s.message().find("did you mean 'sftp.port'") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string("https.max_threads"),
                             dad::nearestConfigKey("https.max_thread"));
        CPPUNIT_ASSERT(!dad::checkConfigKeys(*configOf({{"bogus.key", "1"}})));
        // A key under a known one, or a plugin name without a key, is not a key.
        CPPUNIT_ASSERT(!dad::checkConfigKeys(*configOf({{"sftp.port.x", "1"}})));
        CPPUNIT_ASSERT(!dad::checkConfigKeys(*configOf({{"plugins.quota", "1"}})));
    }

    void testKnownKeysAndPluginSectionsPass() {
        CPPUNIT_ASSERT(dad::checkConfigKeys(*configOf({{"sftp.port", "22"},
                                                       {"smtp.host", "mail"},
                                                       {"plugins.dir", "/p"},
                                                       {"plugins.quota.default_bytes", "10"},
                                                       {"plugins.expiry.default", "7d"}})));
    }

    void testUnknownDefineRefusedAtLoad() {
        CommandLine line;
        line.defines = {{"sftp.port", "2222"}, {"bogus.key", "1"}};
        Poco::AutoPtr<Poco::Util::LayeredConfiguration> config;
        const dad::Status s = line.loadConfig(config);
        CPPUNIT_ASSERT(!s);
        CPPUNIT_ASSERT(s.message().find("'bogus.key'") != std::string::npos);
    }

    void testRelativePathsInTheFileFollowTheFile() {
        Poco::TemporaryFile dir;
        dir.createDirectories();
        const std::string file = dir.path() + "/dadgate.properties";
        std::ofstream(file) << "data.dir = ../var\npolicy.dir = policies\n"
                            << "tls.certificate = /etc/cert.pem\nsite.id = s1\n";
        CommandLine line;
        line.configFile = file;
        line.defines = {{"notify.templates_dir", "templates"}};
        Poco::AutoPtr<Poco::Util::LayeredConfiguration> config;
        CPPUNIT_ASSERT(line.loadConfig(config));
        CPPUNIT_ASSERT_EQUAL(Poco::Path(dir.path()).parent().toString() + "var",
                             config->getString("data.dir"));
        CPPUNIT_ASSERT_EQUAL(dir.path() + "/policies", config->getString("policy.dir"));
        CPPUNIT_ASSERT_EQUAL(std::string("/etc/cert.pem"), config->getString("tls.certificate"));
        CPPUNIT_ASSERT_EQUAL(std::string("s1"), config->getString("site.id"));
        // A --define's path is the shell's, relative to where dadgate starts.
        CPPUNIT_ASSERT_EQUAL(std::string("templates"), config->getString("notify.templates_dir"));
    }

    void testPluginsDefaultBesideTheBinary() {
        Poco::TemporaryFile dir;
        Poco::File(dir.path() + "/sbin").createDirectories();
        // Installed: /usr/sbin/dadgate and /usr/lib/dadgate/plugins.
        CPPUNIT_ASSERT_EQUAL(dir.path() + "/lib/dadgate/plugins",
                             dad::builtInPluginDirectory(dir.path() + "/sbin"));
        // A build tree: build/dadgate and build/lib/dadgate/plugins.
        Poco::File(dir.path() + "/sbin/lib/dadgate/plugins").createDirectories();
        CPPUNIT_ASSERT_EQUAL(dir.path() + "/sbin/lib/dadgate/plugins",
                             dad::builtInPluginDirectory(dir.path() + "/sbin"));
        CommandLine line;
        Poco::AutoPtr<Poco::Util::LayeredConfiguration> config;
        CPPUNIT_ASSERT(line.loadConfig(config));
        CPPUNIT_ASSERT_EQUAL(dad::builtInPluginDirectory(dad::executableDirectory()),
                             config->getString("plugins.dir"));
        CPPUNIT_ASSERT(!dad::executableDirectory().empty());
    }

    void testPublicUrlFollowsTheHttpsPort() {
        CPPUNIT_ASSERT_EQUAL(std::string("https://localhost:28443"),
                             dad::gatewayOptions(*configOf({{"https.address", "127.0.0.1"},
                                                            {"https.port", "28443"}}))
                                 .publicUrl);
        CPPUNIT_ASSERT_EQUAL(
            std::string("https://files.example.com"),
            dad::gatewayOptions(
                *configOf({{"public.url", "https://files.example.com"}, {"https.port", "28443"}}))
                .publicUrl);
        // Only plain HTTP listening: links are plain too.
        CPPUNIT_ASSERT_EQUAL(
            std::string("http://localhost:8080"),
            dad::defaultPublicUrl(*configOf(
                {{"https.address", "127.0.0.1"}, {"https.port", "0"}, {"http.port", "8080"}})));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ConfigKeysTest);
