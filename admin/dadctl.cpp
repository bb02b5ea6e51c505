// dadctl: administration of a dadgate, on its catalog and store.
#include <iostream>

#include "CommandLine.h"
#include "Commands.h"

using namespace dad;

namespace {

const char* const kUsage = R"(usage: dadctl [--config FILE] [--define key=value]... COMMAND
  user add NAME [--email ADDR] [--admin] [--parent ADMIN] [--quota BYTES] [--quota-files N]
                                                                           (password on stdin)
  user show NAME            details and usage | user quota NAME [--bytes N|none] [--files N|none]
  user list | user disable NAME | user enable NAME | user remove NAME
  user passwd NAME                                                         (password on stdin)
  user key add NAME PUBKEYFILE | user key list NAME
  package list [--user NAME] | package show PID
  package forward PID SITE  queue the forward of a sent package to a site
  package withdraw PID [--as ADMIN]   withdraw a sent package at once (an admin: its own
                            or its sub-users' packages)
  package notify PID        queue the notification of every recipient again
  site add NAME --type peer|ftp|ftps|sftp --url URL [--user NAME] [--ca FILE]
           [--host-key SHA256:...]             (password, token or private key on stdin)
  site list | site remove NAME                 sites packages are forwarded to
  group add NAME [MEMBER...] | group remove NAME | group list | group show NAME
  group members add|remove NAME MEMBER...      address-book groups; each takes [--owner USER]
                            (personal groups); a member is an account, an e-mail or @GROUP
  ban list | ban remove ADDRESS | ban remove --user NAME
                            addresses and accounts refused password logins, and lifting a ban
  token create NAME [--user ACCOUNT] [--scope read|write|admin] [--expires 30d]
                            an API token for /api/v1/, printed once (ACCOUNT: admin)
  token list [--user ACCOUNT] | token revoke NAME|ID [--user ACCOUNT]
  check                     verify that the catalog and the blob store agree
  job list [--state S] | job retry ID | job cancel ID       the durable job queue
  job add KIND [PAYLOAD]    queue a job (e.g. of a plugin's kind); dadgate runs it at its next poll
  policy test SCRIPT [--hook HOOK] [--user NAME]   run a script against a sample event
  policy reload             check the policy scripts, then have dadgate load them (SIGHUP)
  policy errors             the latest policy script failures and log lines
  fetch USER URL [--at TIME] [--into PATH] [--host-key SHA256:...]
                                            queue a fetch of URL for USER; prints the job id
)";

}  // namespace

namespace dad::ctl {

int fail(const std::string& message, int code) {
    std::cerr << "dadctl: " << message << std::endl;
    return code;
}

}  // namespace dad::ctl

int main(int argc, char** argv) {
    CommandLine commandLine;
    if (Status s = CommandLine::parse(argc, argv, commandLine); !s)
        return ctl::fail(s.message(), 2);
    if (commandLine.words.empty() || commandLine.words[0] == "help" ||
        commandLine.words[0] == "--help") {
        std::cout << kUsage;
        return commandLine.words.empty() ? 2 : 0;
    }
    Poco::AutoPtr<Poco::Util::LayeredConfiguration> config;
    if (Status s = commandLine.loadConfig(config); !s) return ctl::fail(s.message());
    std::unique_ptr<Gateway> gateway;
    GatewayOptions options = gatewayOptions(*config);
    options.loadPolicies = false;  // dadctl works even while a script is broken
    if (Status s = Gateway::open(options, gateway); !s) {
        return ctl::fail(s.message());
    }
    Admin admin(*gateway);
    const std::string& group = commandLine.words[0];
    if (group == "user") return ctl::userCommand(admin, commandLine.words);
    if (group == "package") return ctl::packageCommand(admin, commandLine.words);
    if (group == "check") return ctl::checkCommand(admin);
    if (group == "job") return ctl::jobCommand(admin, commandLine.words);
    if (group == "policy") return ctl::policyCommand(admin, commandLine.words);
    if (group == "fetch") return ctl::fetchCommand(admin, commandLine.words);
    if (group == "site") return ctl::siteCommand(admin, commandLine.words);
    if (group == "group") return ctl::groupCommand(admin, commandLine.words);
    if (group == "ban") return ctl::banCommand(admin, commandLine.words);
    if (group == "token") return ctl::tokenCommand(admin, commandLine.words);
    std::cerr << kUsage;
    return ctl::fail("unknown command " + group, 2);
}
