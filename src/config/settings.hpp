// The generic input of validation: a flat list of key = value settings with positions. The TOML
// loader produces it from a table; the HTTP side produces it from a JSON object, so a setting
// coming over HTTP gets exactly the validation of the config file.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sipline::config {

struct SourcePos {
  std::uint32_t line = 0;  // 0: unknown
  std::uint32_t column = 0;
};

// A value of some other type than the ones a setting can have (array, table, date, ...): only
// its type name is kept, for the error message.
struct OtherValue {
  std::string type_name;
};

// An array whose elements are all strings (TOML `["a", "b"]`, a JSON array of strings).
using StringList = std::vector<std::string>;

struct SettingValue {
  std::variant<std::string, std::int64_t, bool, double, OtherValue, StringList> data;
  std::string as_written;  // the source text of the value, for messages
  SourcePos pos;

  // Values built by code (HTTP): as_written is derived (strings quoted, TOML-style).
  static SettingValue text(std::string s, SourcePos pos = {});
  static SettingValue integer(std::int64_t i, SourcePos pos = {});
  static SettingValue boolean(bool b, SourcePos pos = {});
  static SettingValue floating(double d, SourcePos pos = {});
  static SettingValue other(std::string type_name, std::string as_written, SourcePos pos = {});
  static SettingValue list(StringList items, SourcePos pos = {});
  // "string", "integer", "boolean", "float", "array" or the OtherValue's name.
  std::string type_name() const;
};

struct Setting {
  std::string key;
  SettingValue value;
  SourcePos key_pos;
};
using SettingList = std::vector<Setting>;

// Where a list of settings comes from, for the positions and key names of its problems.
struct SettingsSource {
  std::string file;      // "sipline.toml", "http"
  std::string prefix;    // "account[2]", "daemon", "timers"
  SourcePos table_pos;   // where the table starts: position of "missing key" problems
  std::string base_dir;  // relative password_file / tls_ca_file are resolved against it
};

}  // namespace sipline::config
