// A SIP dialog (RFC 3261 §12, RFC 6665 §4.1.2.4), UAC side (from our request's 2xx, or an early
// NOTIFY) or UAS side (from an INVITE we answer): its id, both CSeq spaces, the route set and
// the remote target, and the fields of the next in-dialog request and of the ACK for a 2xx.
// Pure state over parsed messages; no transactions, no timers. Used by subscriptions and calls.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "msg/message.hpp"

namespace sipline::dialog {

struct DialogId {
  std::string call_id;
  std::string local_tag;
  std::string remote_tag;
  bool operator==(const DialogId&) const = default;
};

// The id an incoming request would have in the dialog it belongs to (To tag = our local tag,
// From tag = the remote's). Empty tags when absent; nullopt when From/To do not parse.
std::optional<DialogId> incoming_id(const msg::Message& request);

enum class DialogError : std::uint8_t {
  kNoRemoteTag,     // 2xx without To tag, NOTIFY without From tag
  kNoContact,       // no (single, non-*) Contact: no remote target
  kBadContact,      // Contact does not parse
  kBadRecordRoute,  // a Record-Route entry does not parse
  kBadHeader,       // From / To / CSeq do not parse
  kMismatch,        // Call-ID or local tag differ from the request we sent
};
std::string_view describe(DialogError e);

// What we sent to open the dialog: the dialog-creating request's own fields.
struct LocalSide {
  std::string call_id;
  std::string local_uri;   // From URI
  std::string local_tag;   // From tag
  std::string remote_uri;  // To URI
  std::string local_display;
  std::uint32_t local_cseq = 0;  // CSeq of the request that opened the dialog
};

// The fields of the next in-dialog request (RFC 3261 §12.2.1.1). With loose routing (first
// route has ;lr, or no route) the Request-URI is the remote target and every route is a Route
// header; with a strict router first, the Request-URI is that route and the remote target is
// appended as the last Route.
struct InDialogRequest {
  std::string request_uri;
  std::vector<std::string> routes;  // Route header values, in order
  std::string next_hop;             // URI to resolve for sending: first route, else the target
  std::string from;                 // formatted name-addr with our tag
  std::string to;                   // formatted name-addr with the remote tag
  std::string call_id;
  std::uint32_t cseq = 0;
};

class Dialog {
 public:
  // From a 2xx (or 1xx with To tag) to our request: route set = Record-Route reversed, remote
  // target = Contact, remote tag = To tag.
  static base::Result<Dialog, DialogError> from_response(const LocalSide& local,
                                                         const msg::Message& response);
  // From a request the remote sent inside the dialog we asked for before its 2xx arrived
  // (a NOTIFY, RFC 6665 §4.1.2.4): route set = Record-Route in order, remote target = Contact,
  // remote tag = From tag, remote CSeq = its CSeq.
  static base::Result<Dialog, DialogError> from_request(const LocalSide& local,
                                                        const msg::Message& request);
  // UAS side (RFC 3261 §12.1.1): from a dialog-creating request we answer with a To tag of
  // `local_tag`: route set = Record-Route in order, remote target = Contact, remote tag = From
  // tag, remote CSeq = its CSeq; our URI and display name are its To's, the remote's its From's.
  // Our own CSeq space starts at `local_cseq` (the first request we send uses local_cseq + 1).
  static base::Result<Dialog, DialogError> from_incoming(const msg::Message& request,
                                                         std::string local_tag,
                                                         std::uint32_t local_cseq = 0);

  const DialogId& id() const { return id_; }
  const std::string& remote_target() const { return remote_target_; }
  const std::vector<std::string>& route_set() const { return route_set_; }
  std::uint32_t local_cseq() const { return local_cseq_; }
  std::optional<std::uint32_t> remote_cseq() const { return remote_cseq_; }

  // Does this in-dialog request belong here (Call-ID, To tag = ours, From tag = theirs)?
  bool matches(const msg::Message& request) const;
  // Checks and records the CSeq of an incoming in-dialog request: false when it is lower than
  // or equal to the last one (RFC 3261 §12.2.2: answer 500), the state unchanged then.
  bool accept_remote_cseq(std::uint32_t cseq);
  // A target refresh (2xx to a refreshing request, or an in-dialog NOTIFY): the Contact, when
  // present and valid, becomes the remote target. The route set never changes.
  std::optional<DialogError> refresh_target(const msg::Message& message);

  // Builds the next in-dialog request's fields and consumes one local CSeq.
  InDialogRequest next_request();
  // The fields of the ACK for a 2xx to our INVITE with CSeq `invite_cseq` (RFC 3261 §13.2.2.4:
  // the INVITE's CSeq number, the dialog's route set and remote target); consumes nothing.
  InDialogRequest ack_request(std::uint32_t invite_cseq) const;
  // The remote party's URI (UAC: the To URI we called; UAS: the caller's From URI).
  const std::string& remote_uri() const { return remote_uri_; }

 private:
  // The parts every way of making a dialog shares: its id, the remote target (Contact) and the
  // route set (Record-Route of `m`, reversed for the UAC), CSeqs.
  static base::Result<Dialog, DialogError> make(const msg::Message& m, DialogId id,
                                                bool uac_route_order, std::uint32_t local_cseq,
                                                std::optional<std::uint32_t> remote_cseq);
  Dialog() = default;
  InDialogRequest fields(std::uint32_t cseq) const;
  DialogId id_;
  std::string local_uri_, local_display_, remote_uri_, remote_display_;
  std::string remote_target_;
  std::vector<std::string> route_set_;
  std::uint32_t local_cseq_ = 0;
  std::optional<std::uint32_t> remote_cseq_;
};

}  // namespace sipline::dialog
