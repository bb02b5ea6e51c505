// AtomicFile: writes a whole small file so that readers see either the old
// content or the new one, never a torn file, even across a crash.
#pragma once

#include <sys/types.h>
#include <string>

#include "Status.h"

namespace dad {

// Writes `content` to a temporary file beside `path` created with `mode`
// (not widened by the umask), fsyncs it, renames it over `path` and fsyncs
// the directory. On failure `path` is untouched and the temporary is removed.
// Thread-safe (distinct paths); concurrent writers to one path: last wins.
Status writeFileAtomically(const std::string& path, const std::string& content, mode_t mode);

// Reads a whole file. NotFound when it does not exist.
Status readWholeFile(const std::string& path, std::string& content);

}  // namespace dad
