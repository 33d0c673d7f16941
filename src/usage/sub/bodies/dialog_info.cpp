#include "usage/sub/bodies/dialog_info.hpp"

#include <algorithm>

#include "usage/sub/bodies/xml.hpp"

namespace sipline::usage::sub::bodies {

namespace {

using detail::child;
using detail::iequals;

std::optional<DialogState> state_of(std::string_view s) {
  static constexpr std::pair<std::string_view, DialogState> kStates[] = {
      {"trying", DialogState::kTrying},
      {"proceeding", DialogState::kProceeding},
      {"early", DialogState::kEarly},
      {"confirmed", DialogState::kConfirmed},
      {"terminated", DialogState::kTerminated}};
  for (const auto& [name, st] : kStates) {
    if (iequals(s, name)) return st;
  }
  return std::nullopt;
}

Party party_of(const pugi::xml_node& n) {
  Party p;
  if (!n) return p;
  if (const auto id = child(n, "identity")) {
    p.uri = detail::text(id);
    p.display = id.attribute("display").value();
  }
  if (p.uri.empty()) {
    if (const auto target = child(n, "target")) p.uri = target.attribute("uri").value();
  }
  return p;
}

BodyResult<Dialog> dialog_of(const pugi::xml_node& n) {
  Dialog d;
  d.id = n.attribute("id").value();
  if (d.id.empty()) return base::fail(BodyError{"dialog without id"});
  const auto st = child(n, "state");
  if (!st) return base::fail(BodyError{"dialog " + d.id + " without <state>"});
  const auto state = state_of(detail::text(st));
  if (!state) return base::fail(BodyError{"dialog " + d.id + ": unknown state"});
  d.state = *state;
  const std::string_view dir = n.attribute("direction").value();
  if (dir == "initiator") {
    d.direction = DialogDirection::kInitiator;
  } else if (dir == "recipient") {
    d.direction = DialogDirection::kRecipient;
  } else if (!dir.empty()) {
    return base::fail(BodyError{"dialog " + d.id + ": bad direction"});
  }
  d.remote = party_of(child(n, "remote"));
  d.local = party_of(child(n, "local"));
  return d;
}

}  // namespace

BodyResult<DialogInfo> parse_dialog_info(std::string_view body, const BodyLimits& limits) {
  pugi::xml_document doc;
  auto root = detail::load_xml(doc, body, limits, "dialog-info");
  if (!root) return base::fail(root.error());
  DialogInfo out;
  const auto version = detail::to_u32(root->attribute("version").value());
  if (!version) return base::fail(BodyError{"dialog-info without a valid version"});
  out.version = *version;
  const std::string_view state = root->attribute("state").value();
  if (state != "full" && state != "partial") {
    return base::fail(BodyError{"dialog-info state is neither full nor partial"});
  }
  out.full = state == "full";
  out.entity = root->attribute("entity").value();
  if (out.entity.empty()) return base::fail(BodyError{"dialog-info without entity"});
  for (pugi::xml_node n = root->first_child(); n; n = n.next_sibling()) {
    if (n.type() != pugi::node_element || detail::local_name(n) != "dialog") continue;
    auto d = dialog_of(n);
    if (!d) return base::fail(d.error());
    out.dialogs.push_back(std::move(d).value());
  }
  return out;
}

Applied BlfView::apply(const DialogInfo& doc) {
  const Applied verdict = decide_version(version_, doc.version, doc.full);
  if (verdict != Applied::kApplied) return verdict;
  version_ = doc.version;
  if (doc.full) dialogs_.clear();
  for (const Dialog& d : doc.dialogs) {
    auto it = std::find_if(dialogs_.begin(), dialogs_.end(),
                           [&](const Dialog& held) { return held.id == d.id; });
    if (d.state == DialogState::kTerminated) {
      if (it != dialogs_.end()) dialogs_.erase(it);
    } else if (it != dialogs_.end()) {
      *it = d;
    } else {
      dialogs_.push_back(d);
    }
  }
  return Applied::kApplied;
}

BlfState BlfView::state() const {
  bool busy = false;
  for (const Dialog& d : dialogs_) {
    if (d.state == DialogState::kEarly) return BlfState::kRinging;
    if (d.state != DialogState::kTerminated) busy = true;
  }
  return busy ? BlfState::kBusy : BlfState::kIdle;
}

Party BlfView::remote() const {
  const BlfState s = state();
  for (const Dialog& d : dialogs_) {
    if (s == BlfState::kRinging && d.state == DialogState::kEarly) return d.remote;
    if (s == BlfState::kBusy && d.state != DialogState::kTerminated) return d.remote;
  }
  return {};
}

void BlfView::reset() {
  version_.reset();
  dialogs_.clear();
}

}  // namespace sipline::usage::sub::bodies
