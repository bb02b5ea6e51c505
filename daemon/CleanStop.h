// CleanStop: what dadgate does between SIGTERM and its exit. The listeners
// stop accepting first; the transfers in progress (uploads and downloads,
// counted by the session layer in Metrics::transfers) then get up to the
// grace time to finish, and only then are the connections cut. A cut upload
// is kept for its client to resume; nothing acknowledged is lost either way,
// since an upload is acknowledged only after its commit.
#pragma once

#include <functional>
#include <string>

#include "Metrics.h"

namespace Poco {
class Logger;
}

namespace dad {

// "3 transfers (2 sftp, 1 webdav)"; "no transfer" when there is none.
std::string describeTransfers(const Metrics& metrics);

// Waits until no transfer is in progress or `graceSeconds` have passed,
// saying in the log what it waits for. Returns true when every transfer
// finished within the grace.
bool waitForTransfers(const Metrics& metrics, int graceSeconds, Poco::Logger& logger);

}  // namespace dad
