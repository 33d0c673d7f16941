#include "account/watchers.hpp"

#include <spdlog/spdlog.h>

namespace sipline::account {

namespace bodies = usage::sub::bodies;
using usage::sub::Package;

namespace {

std::string_view blf_name(bodies::BlfState s) {
  switch (s) {
    case bodies::BlfState::kIdle:
      return "idle";
    case bodies::BlfState::kRinging:
      return "ringing";
    case bodies::BlfState::kBusy:
      return "busy";
  }
  return "unknown";
}

std::string_view event_text(bodies::ContactEvent e) {
  switch (e) {
    case bodies::ContactEvent::kRegistered:
      return "registered";
    case bodies::ContactEvent::kCreated:
      return "created";
    case bodies::ContactEvent::kRefreshed:
      return "refreshed";
    case bodies::ContactEvent::kShortened:
      return "shortened";
    case bodies::ContactEvent::kExpired:
      return "expired";
    case bodies::ContactEvent::kDeactivated:
      return "deactivated";
    case bodies::ContactEvent::kProbation:
      return "probation";
    case bodies::ContactEvent::kUnregistered:
      return "unregistered";
    case bodies::ContactEvent::kRejected:
      return "rejected";
  }
  return "?";
}

// Our lease and the registrar's word may differ by the NOTIFY's travel and rounding.
constexpr std::uint32_t kShortenedSlackS = 2;

}  // namespace

Watchers::Watchers(const config::AccountConfig& cfg, WatchStack stack,
                   const txn::Identity& identity, std::string mwi_uri,
                   std::vector<std::string> blf_uris, Callbacks callbacks)
    : cfg_(cfg),
      identity_(identity),
      callbacks_(std::move(callbacks)),
      to_tag_(stack.random.tag()) {
  auto add = [&](Package p, std::string uri) {
    Entry& e = entries_.emplace_back();
    e.watch = std::make_unique<Watch>(cfg, stack, identity, p, std::move(uri));
    if (p == Package::kDialog) e.lamp.emplace();
  };
  if (cfg.subscribe_mwi) add(Package::kMessageSummary, std::move(mwi_uri));
  if (cfg.subscribe_reg_event) {
    add(Package::kReg, identity.aor);
    // A 481 to the reg subscription's refresh: the registrar forgot its subscriptions, so it
    // was restarted (or failed over) and, with memory-only bindings, forgot ours too. No reg
    // NOTIFY can tell us: the new registrar holds no binding whose end it could report, and
    // Kamailio NOTIFYs a new subscription with no body when nothing was published for the
    // AOR. So the 481 itself is the registrar's word: re-REGISTER at once (the Watch also
    // subscribes anew at once). A needless re-REGISTER, when only a separate presence server
    // restarted, costs one transaction.
    entries_.back().watch->set_on_state_lost([this](const std::string& why) {
      if (callbacks_.on_reg_event) {
        callbacks_.on_reg_event(RegEventAction::kReregisterNow,
                                "registrar lost our reg subscription (" + why + ")");
      }
    });
  }
  for (auto& uri : blf_uris) add(Package::kDialog, std::move(uri));
}

Watchers::~Watchers() = default;

void Watchers::start() {
  for (auto& e : entries_) e.watch->start();
}

void Watchers::stop(std::function<void()> done) {
  auto left = std::make_shared<std::size_t>(entries_.size() + 1);
  auto finish = std::make_shared<std::function<void()>>(std::move(done));
  auto one = [left, finish] {
    if (--*left == 0 && *finish) (*finish)();
  };
  for (auto& e : entries_) e.watch->stop(one);
  // Watch::stop never calls back synchronously, so this last release cannot finish early...
  // except with no watches at all: then the owner gets `done` from here, still on the loop.
  one();
}

Watchers::Entry* Watchers::owner_of(const usage::sub::Subscription* s) {
  for (auto& e : entries_) {
    if (&e.watch->subscription() == s) return &e;
  }
  return nullptr;
}

void Watchers::on_notify(const msg::Message& notify, const transport::Address& source,
                         std::span<const transport::Address> trusted,
                         const std::function<void(std::string)>& respond) {
  std::vector<usage::sub::Subscription*> subs;
  subs.reserve(entries_.size());
  for (auto& e : entries_) subs.push_back(&e.watch->subscription());
  usage::sub::NotifyResult r = usage::sub::dispatch_notify(subs, notify, source, trusted);
  respond(usage::sub::notify_response(notify, r, to_tag_));
  if (r.status_code != 200) {
    ++notifies_rejected_;
    spdlog::info("NOTIFY from {}:{} answered {}: {}", source.address, source.port, r.status_code,
                 r.reason);
    return;
  }
  if (r.subscription == nullptr) {  // unsolicited MWI from the server
    if (const auto* m = std::get_if<bodies::MessageSummary>(&r.body)) {
      mwi_ = {true, m->waiting, m->voice};
    }
    return;
  }
  Entry* e = owner_of(r.subscription);
  if (e == nullptr) return;
  apply_body(*e, r.body);
  e->watch->on_notify(r.verdict);
}

void Watchers::apply_body(Entry& e, const usage::sub::Body& body) {
  Watch& w = *e.watch;
  if (const auto* m = std::get_if<bodies::MessageSummary>(&body)) {
    mwi_ = {true, m->waiting, m->voice};
  } else if (e.lamp) {
    auto& lamp = e.lamp;
    lamp->known = true;
    const auto* d = std::get_if<bodies::DialogInfo>(&body);
    // No body (Kamailio's first NOTIFY when nothing was published): no dialog, the line is idle.
    // Versions count per subscription: a full document after a new subscription starts over.
    if (d == nullptr || d->full) lamp->view.reset();
    if (d != nullptr && lamp->view.apply(*d) == bodies::Applied::kNeedFull) w.refresh_now();
  } else if (const auto* g = std::get_if<bodies::RegInfo>(&body)) {
    if (g->full) reg_view_.reset();
    if (reg_view_.apply(*g) == bodies::Applied::kNeedFull) return w.refresh_now();
    apply_reginfo(*g);
  }
}

void Watchers::apply_reginfo(const bodies::RegInfo& doc) {
  if (!callbacks_.on_reg_event) return;
  const bodies::ContactStatus st = reg_view_.query(identity_.aor, identity_.contact);
  const std::uint32_t lease = lease_left_ ? lease_left_() : 0;
  std::string why;
  RegEventAction action = RegEventAction::kNone;
  if (st.kind == bodies::ContactStatus::Kind::kTerminated) {
    why = "registrar says our contact is terminated (" + std::string(event_text(st.event)) + ")";
    action = st.event == bodies::ContactEvent::kRejected ? RegEventAction::kReregisterAfterWait
                                                         : RegEventAction::kReregisterNow;
  } else if (st.kind == bodies::ContactStatus::Kind::kActive &&
             st.expires + kShortenedSlackS < lease) {
    why = "registrar shortened our binding to " + std::to_string(st.expires) + " s (lease " +
          std::to_string(lease) + " s left)";
    action = RegEventAction::kReregisterNow;
  } else if (st.kind == bodies::ContactStatus::Kind::kUnknown && doc.full && lease > 0) {
    why = "registrar's full reg state lists no binding of ours";
    action = RegEventAction::kReregisterNow;
  }
  if (action != RegEventAction::kNone) callbacks_.on_reg_event(action, why);
}

std::vector<WatchSnapshot> Watchers::snapshots() const {
  std::vector<WatchSnapshot> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) {
    const Watch* w = e.watch.get();
    out.push_back({std::string(usage::sub::event_name(w->package())), w->resource(),
                   std::string(to_string(w->state())), w->granted_s(), w->next_refresh_in(),
                   w->next_attempt_in(), w->last_error(), w->counters()});
  }
  return out;
}

void Watchers::add_to(SubscriptionTally& tally) const {
  for (const auto& e : entries_) {
    const Watch* w = e.watch.get();
    ++tally.by_event_state[{usage::sub::event_name(w->package()), to_string(w->state())}];
    tally.counters.subscribes_ok += w->counters().subscribes_ok;
    tally.counters.failures += w->counters().failures;
    tally.counters.notifies += w->counters().notifies;
  }
}

std::vector<BlfLamp> Watchers::blf() const {
  std::vector<BlfLamp> out;
  for (const auto& e : entries_) {
    const auto& l = e.lamp;
    if (!l) continue;
    BlfLamp lamp{e.watch->resource(), "unknown", {}};
    if (l->known) {
      lamp.state = std::string(blf_name(l->view.state()));
      const bodies::Party p = l->view.remote();
      lamp.remote = p.display.empty() ? p.uri : "\"" + p.display + "\" <" + p.uri + ">";
      if (p.uri.empty()) lamp.remote.clear();
    }
    out.push_back(std::move(lamp));
  }
  return out;
}

}  // namespace sipline::account
