// What one registration attempt (REGISTER, plus the challenge / 423 / 3xx it may take) ended in.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/admission.hpp"

namespace sipline::usage::reg {

// The failure classes of account-settings.md, shown in status and metrics.
enum class FailureClass : std::uint8_t {
  kNone,
  kTimeout,              // transaction timeout (timer F)
  kTransport,            // connect / send failure, connection lost
  kTlsCertificate,       // the server certificate did not verify
  kCredentials,          // 403, or a second challenge for the same credentials
  kServer,               // 5xx / 6xx
  kRejected,             // any other 4xx (and 3xx/423 we could not follow)
  kBindingNotConfirmed,  // 2xx without our Contact
  kDns,                  // the server's name did not resolve (RFC 3263 look-up failed)
};
std::string_view to_string(FailureClass c);  // "timeout", "credentials" ... ("" for kNone)

// The class of a final non-2xx status code (403 -> credentials, 4xx -> rejected, 5xx/6xx ->
// server).
FailureClass classify_status(int status_code);

struct Outcome;
// What an attempt tells the engine's adaptive admission of the registrar's load: a final
// response (503: overloaded; after a REGISTER of the attempt was `retransmitted`: delayed), no
// answer (timeout, transport error), or nothing (a DNS failure or a certificate says nothing of
// its load).
std::optional<base::Answer> admission_answer(const Outcome& outcome, bool retransmitted = false);

struct Outcome {
  FailureClass failure = FailureClass::kNone;
  int status_code = 0;             // final status; 0 for timeout / transport errors
  std::uint32_t granted_s = 0;     // 2xx: the granted lifetime G
  std::uint32_t requested_s = 0;   // what the last REGISTER asked for (after a 423: Min-Expires)
  bool contact_confirmed = false;  // 2xx listed our Contact
  std::optional<std::uint32_t> retry_after_s;
  std::string via_received;  // top Via of the final response, as the server saw us
  std::optional<std::uint16_t> via_rport;
  std::string detail;  // for logs and last_error
  // RFC 5626 / 5627, read from a 2xx to a REGISTER with an instance (outbound):
  bool outbound = false;                      // Require: outbound (the registrar supports it)
  std::optional<std::uint32_t> flow_timer_s;  // Flow-Timer: the server's keep-alive interval
  std::string pub_gruu;                       // our Contact's pub-gruu / temp-gruu, "" if none
  std::string temp_gruu;

  // A 2xx, even one that did not list our Contact.
  bool registered() const {
    return failure == FailureClass::kNone || failure == FailureClass::kBindingNotConfirmed;
  }
};

}  // namespace sipline::usage::reg
