#include "config/settings.hpp"

#include <cstdio>

namespace sipline::config {
namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

}  // namespace

SettingValue SettingValue::text(std::string s, SourcePos pos) {
  std::string written = quote(s);
  return SettingValue{std::move(s), std::move(written), pos};
}
SettingValue SettingValue::integer(std::int64_t i, SourcePos pos) {
  return SettingValue{i, std::to_string(i), pos};
}
SettingValue SettingValue::boolean(bool b, SourcePos pos) {
  return SettingValue{b, b ? "true" : "false", pos};
}
SettingValue SettingValue::floating(double d, SourcePos pos) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", d);
  return SettingValue{d, buf, pos};
}
SettingValue SettingValue::other(std::string type_name, std::string as_written, SourcePos pos) {
  return SettingValue{OtherValue{std::move(type_name)}, std::move(as_written), pos};
}

SettingValue SettingValue::list(StringList items, SourcePos pos) {
  std::string written = "[";
  for (const auto& i : items) written += (written.size() > 1 ? ", " : "") + quote(i);
  written += "]";
  return SettingValue{std::move(items), std::move(written), pos};
}

std::string SettingValue::type_name() const {
  switch (data.index()) {
    case 0:
      return "string";
    case 1:
      return "integer";
    case 2:
      return "boolean";
    case 3:
      return "float";
    case 5:
      return "array";
    default:
      return std::get<OtherValue>(data).type_name;
  }
}

}  // namespace sipline::config
