#include "usage/sub/bodies/reginfo.hpp"

#include <algorithm>

#include "usage/sub/bodies/xml.hpp"

namespace sipline::usage::sub::bodies {

namespace {

using detail::child;

template <typename E, std::size_t N>
std::optional<E> lookup(const std::pair<std::string_view, E> (&table)[N], std::string_view s) {
  for (const auto& [name, v] : table) {
    if (s == name) return v;
  }
  return std::nullopt;
}

constexpr std::pair<std::string_view, RegState> kRegStates[] = {
    {"init", RegState::kInit},
    {"active", RegState::kActive},
    {"terminated", RegState::kTerminated}};
constexpr std::pair<std::string_view, ContactState> kContactStates[] = {
    {"active", ContactState::kActive}, {"terminated", ContactState::kTerminated}};
constexpr std::pair<std::string_view, ContactEvent> kEvents[] = {
    {"registered", ContactEvent::kRegistered}, {"created", ContactEvent::kCreated},
    {"refreshed", ContactEvent::kRefreshed},   {"shortened", ContactEvent::kShortened},
    {"expired", ContactEvent::kExpired},       {"deactivated", ContactEvent::kDeactivated},
    {"probation", ContactEvent::kProbation},   {"unregistered", ContactEvent::kUnregistered},
    {"rejected", ContactEvent::kRejected}};

BodyResult<RegContact> contact_of(const pugi::xml_node& n) {
  RegContact c;
  c.id = n.attribute("id").value();
  if (c.id.empty()) return base::fail(BodyError{"contact without id"});
  const auto state = lookup(kContactStates, n.attribute("state").value());
  if (!state) return base::fail(BodyError{"contact " + c.id + ": bad state"});
  c.state = *state;
  const auto event = lookup(kEvents, n.attribute("event").value());
  if (!event) return base::fail(BodyError{"contact " + c.id + ": bad event"});
  c.event = *event;
  if (const auto exp = n.attribute("expires")) {
    c.expires = detail::to_u32(exp.value());
    if (!c.expires) return base::fail(BodyError{"contact " + c.id + ": bad expires"});
  }
  c.uri = detail::text(child(n, "uri"));
  if (c.uri.empty()) return base::fail(BodyError{"contact " + c.id + " without <uri>"});
  return c;
}

BodyResult<Registration> registration_of(const pugi::xml_node& n) {
  Registration r;
  r.aor = n.attribute("aor").value();
  r.id = n.attribute("id").value();
  if (r.aor.empty() || r.id.empty()) return base::fail(BodyError{"registration without aor/id"});
  const auto state = lookup(kRegStates, n.attribute("state").value());
  if (!state) return base::fail(BodyError{"registration " + r.id + ": bad state"});
  r.state = *state;
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element || detail::local_name(c) != "contact") continue;
    auto contact = contact_of(c);
    if (!contact) return base::fail(contact.error());
    r.contacts.push_back(std::move(contact).value());
  }
  return r;
}

void merge(Registration& held, const Registration& update) {
  held.state = update.state;
  held.aor = update.aor;
  for (const RegContact& c : update.contacts) {
    auto it = std::find_if(held.contacts.begin(), held.contacts.end(),
                           [&](const RegContact& h) { return h.id == c.id; });
    if (it != held.contacts.end()) {
      *it = c;
    } else {
      held.contacts.push_back(c);
    }
  }
}

}  // namespace

BodyResult<RegInfo> parse_reginfo(std::string_view body, const BodyLimits& limits) {
  pugi::xml_document doc;
  auto root = detail::load_xml(doc, body, limits, "reginfo");
  if (!root) return base::fail(root.error());
  RegInfo out;
  const auto version = detail::to_u32(root->attribute("version").value());
  if (!version) return base::fail(BodyError{"reginfo without a valid version"});
  out.version = *version;
  const std::string_view state = root->attribute("state").value();
  if (state != "full" && state != "partial") {
    return base::fail(BodyError{"reginfo state is neither full nor partial"});
  }
  out.full = state == "full";
  for (pugi::xml_node n = root->first_child(); n; n = n.next_sibling()) {
    if (n.type() != pugi::node_element || detail::local_name(n) != "registration") continue;
    auto r = registration_of(n);
    if (!r) return base::fail(r.error());
    out.registrations.push_back(std::move(r).value());
  }
  return out;
}

Applied RegInfoView::apply(const RegInfo& doc) {
  const Applied verdict = decide_version(version_, doc.version, doc.full);
  if (verdict != Applied::kApplied) return verdict;
  version_ = doc.version;
  if (doc.full) regs_.clear();
  for (const Registration& r : doc.registrations) {
    auto it = std::find_if(regs_.begin(), regs_.end(),
                           [&](const Registration& h) { return h.id == r.id; });
    if (it == regs_.end()) {
      regs_.push_back(r);
    } else {
      merge(*it, r);
    }
  }
  return Applied::kApplied;
}

ContactStatus RegInfoView::query(std::string_view aor, std::string_view contact_uri) const {
  ContactStatus out;
  for (const Registration& r : regs_) {
    if (!sip_uri_equal(r.aor, aor)) continue;
    for (const RegContact& c : r.contacts) {
      if (!sip_uri_equal(c.uri, contact_uri)) continue;
      if (c.state == ContactState::kActive) {  // an active binding wins over old terminated ones
        return {ContactStatus::Kind::kActive, c.expires.value_or(0), c.event};
      }
      out = {ContactStatus::Kind::kTerminated, 0, c.event};
    }
  }
  return out;
}

void RegInfoView::reset() {
  version_.reset();
  regs_.clear();
}

}  // namespace sipline::usage::sub::bodies
