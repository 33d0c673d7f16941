// RFC 3264 offer/answer for one G.711 audio stream: our offer, our answer to a remote offer, and
// what a remote answer tells us (where to send, which payload type, which direction).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "base/result.hpp"
#include "media/sdp.hpp"

namespace sipline::media {

enum class Codec { kPcmu, kPcma };
constexpr int kPcmuPt = 0;
constexpr int kPcmaPt = 8;
constexpr int kTelephoneEventPt = 101;  // our dynamic payload type for RFC 4733 events
constexpr int kPtimeMs = 20;

// What we describe: our RTP address and port, our o= identity and the direction we want.
struct LocalMedia {
  Connection address;  // the address peers send RTP to (IPv4 or IPv6)
  std::uint16_t port = 0;
  std::uint64_t session_id = 0;
  std::uint64_t session_version = 0;
  std::string username = "sipline";
  Direction direction = Direction::kSendRecv;
};

// What the other side described: where to send, what to send, and whether it wants our audio.
struct RemoteMedia {
  Connection address;
  std::uint16_t port = 0;
  Codec codec = Codec::kPcmu;
  int payload_type = kPcmuPt;
  std::optional<int> telephone_event_pt;
  Direction direction = Direction::kSendRecv;  // as the remote wrote it
  bool hold = false;  // c=0.0.0.0 (RFC 2543 hold) or the remote does not receive
  // True when the remote wants to receive from us (so we send).
  bool we_send() const;
  // True when the remote sends to us.
  bool we_receive() const;
};

enum class OfferAnswerError {
  kNoAudio,        // no usable audio m= line (or no connection address for it)
  kNoCommonCodec,  // the call usage answers 488 Not Acceptable Here
};
std::string_view to_string(OfferAnswerError e);

// Our offer: one audio m= line, PCMU 0, PCMA 8, telephone-event/8000 as 101, ptime 20.
SessionDescription make_offer(const LocalMedia& local);

struct Answer {
  SessionDescription sdp;  // our answer, one m= line per offered line (others rejected, port 0)
  RemoteMedia remote;      // what the offer told us
};
// The answer to a remote offer: the first offered codec we support, telephone-event if offered,
// our direction per RFC 3264 §6.1 (sendonly → recvonly, recvonly → sendonly, inactive →
// inactive); c=0.0.0.0 counts as the remote not receiving.
base::Result<Answer, OfferAnswerError> answer_offer(const SessionDescription& offer,
                                                    const LocalMedia& local);
// Reads the remote's answer to our offer.
base::Result<RemoteMedia, OfferAnswerError> read_answer(const SessionDescription& answer);

// Our direction in answer to the remote's (RFC 3264 §6.1), given the direction we want.
Direction answer_direction(Direction remote, Direction wanted);

// Keeps o= stable across re-INVITEs: the version goes up by one only when the description
// (everything but o=) changes (RFC 3264 §8).
class SessionVersion {
 public:
  // Stamps sd.origin.session_version; returns the text to send.
  std::string stamp(SessionDescription& sd);

 private:
  std::optional<std::uint64_t> version_;
  std::string last_body_;
};

}  // namespace sipline::media
