// Internal: [[fleet]] templates, each expanding into `count` accounts. The template's settings
// are every [[account]] key plus `count` and `first`; `{n}` / `{n:0W}` in the text keys that name
// an account (name, user_id, auth_id, password, display_name, mwi_uri, blf) become each
// account's number n = first .. first + count - 1 (zero-padded to W digits with `{n:0W}`).
// `password_file` holds one password per line, line k for the k-th account. `local_sip_port`
// and `local_tls_port` are the first account's ports, the next ones counting up by 2 as the
// defaults do. The template is validated once (for its first and its last n), then copied.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/problem.hpp"
#include "config/settings.hpp"
#include "config/validate.hpp"

namespace sipline::config::detail {

// One piece of a pattern: literal text, or the number n (width 0: as is).
struct PatternPiece {
  std::string literal;
  bool number = false;
  int width = 0;
};
using Pattern = std::vector<PatternPiece>;

// Splits `text` at its `{n}` / `{n:0W}` (W 1..9) fields; false with the reason for any other
// brace. A text without braces is one literal piece.
bool parse_pattern(std::string_view text, Pattern& out, std::string& why);
std::string expand_pattern(const Pattern& p, long long n);

// Validates the [[fleet]] table `settings` (problems named `src.prefix`, e.g. "fleet[2]") and,
// when it is valid, appends its accounts and their origins. `accounts.size()` before the call
// decides the accounts' numbers, hence their default names and ports.
void expand_fleet(const SettingList& settings, const SettingsSource& src,
                  std::vector<AccountConfig>& accounts, std::vector<AccountOrigin>& origins,
                  Diagnostics& out);

}  // namespace sipline::config::detail
