// Internal: checking one setting's value against its KeyInfo.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/fields.hpp"
#include "config/problem.hpp"
#include "config/settings.hpp"

namespace sipline::config::detail {

std::string full_key(const SettingsSource& src, std::string_view key);

// A problem about setting `s` (position of its value, key with prefix, value as written, or
// "<hidden>" for secrets).
Problem problem_at(const SettingsSource& src, const Setting& s, const KeyInfo* info,
                   ProblemCode code, std::string message);

// The accepted value, or nullopt after appending the problem to `out`.
std::optional<Accepted> check_value(const KeyInfo& info, const Setting& s,
                                    const SettingsSource& src, Diagnostics& out);

// Reads a regular file of at most `max_bytes` (never blocks on a FIFO or reads /dev/zero
// forever): false with the reason ("cannot read: ...", "file larger than N KiB") otherwise.
// A regular file that opens for reading; its size in *size when given.
bool readable_file(const std::string& path, std::string& error, std::uintmax_t* size = nullptr);
bool read_file(const std::string& path, std::size_t max_bytes, std::string& content,
               std::string& error);

// Reads a secret file: content with trailing CR/LF stripped, or the reason it failed.
bool read_secret_file(const std::string& path, std::string& content, std::string& error);

// `path` as is when absolute or base_dir is empty, else base_dir/path.
std::string resolve_path(const std::string& base_dir, const std::string& path);

}  // namespace sipline::config::detail
