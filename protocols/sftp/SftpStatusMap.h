// SftpStatusMap: the one table from a dad::Status to an SFTP v3 status reply.
// NotFound -> SSH_FX_NO_SUCH_FILE, PermissionDenied -> SSH_FX_PERMISSION_DENIED,
// Unsupported -> SSH_FX_OP_UNSUPPORTED, Ok -> SSH_FX_OK, anything else ->
// SSH_FX_FAILURE. The Status message becomes the reply's text (language "en").
#pragma once

#include <cstdint>
#include <string>

#include "Status.h"

namespace dad {

constexpr const char* kSftpLanguageTag = "en";

uint32_t sftpStatusCode(StatusCode code);

// The text sent with a status: the Status message, or a generic sentence for
// the code when the message is empty (clients print it).
std::string sftpStatusMessage(const Status& status);

// The standard sentence for an SFTP status code ("Success", "End of file"...).
const char* sftpDefaultMessage(uint32_t sftpCode);

}  // namespace dad
