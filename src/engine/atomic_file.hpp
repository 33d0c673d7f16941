// Writing a file of the state directory so that a crash leaves the old or the new content, never
// a mix: a temporary file beside it (mode 0600: settings may hold a password, the call history
// names who called), fsync, rename. Used by the stored settings and the call history.
#pragma once
#include <string>

namespace sipline::engine {

// Creates the parent directory when missing. False with `error` (the file and why) on failure;
// the old file is then untouched and no temporary file is left.
bool write_atomically(const std::string& path, const std::string& text, std::string& error);

}  // namespace sipline::engine
