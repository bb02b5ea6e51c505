// InternalError: a failure whose own text is not for a client (the catalog
// driver's message, an exception's what(), a system call on a path of the
// server). The client gets a short plain sentence naming a reference; the
// detail goes to the log once, under that reference, so an administrator
// can find it. Thread-safe.
#pragma once

#include <string>

#include "Status.h"

namespace dad {

// Logs "<reference>: <detail>" as an error on `logger` (a Poco logger name)
// and returns a Status of `code` whose message is "internal error
// (reference <reference>)": eight hex digits drawn from the CSPRNG.
Status internalError(const std::string& logger, const std::string& detail,
                     StatusCode code = StatusCode::IoError);

}  // namespace dad
