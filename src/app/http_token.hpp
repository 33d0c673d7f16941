// The HTTP side's bearer token file ([daemon] http_token_file): created by the daemon on first
// start (32 random bytes as 64 hex digits, mode 0600, parent directory created), read by the
// daemon and by `sipline status`.
#pragma once
#include <string>

namespace sipline::app {

// Reads the token of `path`; creates the file first when it does not exist (`created` true).
// False and `error` when it cannot be read or written, or is empty.
bool load_or_create_token(const std::string& path, std::string& token, bool& created,
                          std::string& error);

// Reads an existing token file (trailing whitespace dropped). False and `error` otherwise.
bool read_token(const std::string& path, std::string& token, std::string& error);

}  // namespace sipline::app
