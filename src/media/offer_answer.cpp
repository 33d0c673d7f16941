#include "media/offer_answer.hpp"

#include <algorithm>
#include <cctype>

#include "base/text.hpp"

namespace sipline::media {

std::string_view to_string(OfferAnswerError e) {
  return e == OfferAnswerError::kNoAudio ? "no audio stream" : "no common codec";
}

bool RemoteMedia::we_send() const {
  return !hold && (direction == Direction::kSendRecv || direction == Direction::kRecvOnly);
}
bool RemoteMedia::we_receive() const {
  return direction == Direction::kSendRecv || direction == Direction::kSendOnly;
}

namespace {

using base::iequals;

const RtpMap* rtpmap_for(const MediaDescription& m, int pt) {
  for (const auto& r : m.rtpmaps)
    if (r.payload_type == pt) return &r;
  return nullptr;
}

// The codec a payload type stands for in this media section (static 0/8 or by rtpmap name).
std::optional<Codec> codec_of(const MediaDescription& m, int pt) {
  if (const RtpMap* r = rtpmap_for(m, pt)) {
    if (r->clock_rate_hz != 8000 || r->channels != 1) return std::nullopt;
    if (iequals(r->encoding, "PCMU")) return Codec::kPcmu;
    if (iequals(r->encoding, "PCMA")) return Codec::kPcma;
    return std::nullopt;
  }
  if (pt == kPcmuPt) return Codec::kPcmu;
  if (pt == kPcmaPt) return Codec::kPcma;
  return std::nullopt;
}

std::optional<int> payload_type(std::string_view fmt) {
  int pt = -1;
  for (char c : fmt) {
    if (c < '0' || c > '9' || pt > 127) return std::nullopt;
    pt = (pt < 0 ? 0 : pt * 10) + (c - '0');
  }
  if (pt < 0 || pt > 127) return std::nullopt;
  return pt;
}

std::optional<int> telephone_event(const MediaDescription& m) {
  for (const auto& f : m.formats) {
    auto pt = payload_type(f);
    if (!pt) continue;
    const RtpMap* r = rtpmap_for(m, *pt);
    if (r && iequals(r->encoding, "telephone-event") && r->clock_rate_hz == 8000) return *pt;
  }
  return std::nullopt;
}

bool is_rtp_audio(const MediaDescription& m) {
  return m.media == "audio" && m.port != 0 && (m.proto == "RTP/AVP" || m.proto == "RTP/AVPF");
}

bool is_unspecified(const Connection& c) {
  return c.address == "0.0.0.0" || c.address == "::";
}

// The remote's media from one audio section: first codec of ours in its order.
std::optional<RemoteMedia> remote_from(const SessionDescription& sd, const MediaDescription& m) {
  const Connection* c = effective_connection(sd, m);
  if (!c) return std::nullopt;
  for (const auto& f : m.formats) {
    auto pt = payload_type(f);
    if (!pt) continue;
    if (auto codec = codec_of(m, *pt)) {
      RemoteMedia r;
      r.address = *c;
      r.port = m.port;
      r.codec = *codec;
      r.payload_type = *pt;
      r.telephone_event_pt = telephone_event(m);
      r.direction = effective_direction(sd, m);
      r.hold = is_unspecified(*c) || !r.we_send();
      return r;
    }
  }
  return std::nullopt;
}

RtpMap rtpmap(int pt, const char* name) {
  return RtpMap{pt, name, 8000, 1};
}

SessionDescription skeleton(const LocalMedia& local) {
  SessionDescription sd;
  sd.origin.username = local.username;
  sd.origin.session_id = local.session_id;
  sd.origin.session_version = local.session_version;
  sd.origin.address = local.address;
  sd.session_name = "sipline";
  sd.connection = local.address;
  return sd;
}

}  // namespace

Direction answer_direction(Direction remote, Direction wanted) {
  auto sends = [](Direction d) { return d == Direction::kSendRecv || d == Direction::kSendOnly; };
  auto receives = [](Direction d) {
    return d == Direction::kSendRecv || d == Direction::kRecvOnly;
  };
  const bool send = sends(wanted) && receives(remote);
  const bool receive = receives(wanted) && sends(remote);
  if (send && receive) return Direction::kSendRecv;
  if (send) return Direction::kSendOnly;
  if (receive) return Direction::kRecvOnly;
  return Direction::kInactive;
}

SessionDescription make_offer(const LocalMedia& local) {
  SessionDescription sd = skeleton(local);
  MediaDescription m;
  m.media = "audio";
  m.port = local.port;
  m.proto = "RTP/AVP";
  m.formats = {"0", "8", std::to_string(kTelephoneEventPt)};
  m.rtpmaps = {rtpmap(kPcmuPt, "PCMU"), rtpmap(kPcmaPt, "PCMA"),
               rtpmap(kTelephoneEventPt, "telephone-event")};
  m.fmtps = {std::to_string(kTelephoneEventPt) + " 0-16"};
  m.ptime_ms = kPtimeMs;
  m.direction = local.direction;
  sd.media.push_back(std::move(m));
  return sd;
}

base::Result<Answer, OfferAnswerError> answer_offer(const SessionDescription& offer,
                                                    const LocalMedia& local) {
  Answer a{skeleton(local), {}};
  bool any_audio = false, chosen = false;
  for (const auto& m : offer.media) {
    MediaDescription out;
    out.media = m.media;
    out.proto = m.proto;
    out.formats = m.formats.empty() ? std::vector<std::string>{"0"} : m.formats;
    std::optional<RemoteMedia> r;
    if (!chosen && is_rtp_audio(m)) {
      any_audio = true;
      r = remote_from(offer, m);
    }
    if (r) {
      chosen = true;
      a.remote = *r;
      // c=0.0.0.0 hold: the remote does not receive, so we do not send (RFC 3264 §8.4).
      Direction remote_dir = is_unspecified(r->address) && r->direction == Direction::kSendRecv
                                 ? Direction::kSendOnly
                                 : r->direction;
      out.port = local.port;
      out.formats = {std::to_string(r->payload_type)};
      out.rtpmaps = {rtpmap(r->payload_type, r->codec == Codec::kPcmu ? "PCMU" : "PCMA")};
      if (r->telephone_event_pt) {
        out.formats.push_back(std::to_string(*r->telephone_event_pt));
        out.rtpmaps.push_back(rtpmap(*r->telephone_event_pt, "telephone-event"));
        out.fmtps = {std::to_string(*r->telephone_event_pt) + " 0-16"};
      }
      out.ptime_ms = kPtimeMs;
      out.direction = answer_direction(remote_dir, local.direction);
    }
    a.sdp.media.push_back(std::move(out));  // port 0: rejected (RFC 3264 §6)
  }
  if (!chosen)
    return base::fail(any_audio ? OfferAnswerError::kNoCommonCodec : OfferAnswerError::kNoAudio);
  return a;
}

base::Result<RemoteMedia, OfferAnswerError> read_answer(const SessionDescription& answer) {
  bool any_audio = false;
  for (const auto& m : answer.media) {
    if (!is_rtp_audio(m)) continue;
    any_audio = true;
    if (auto r = remote_from(answer, m)) return *r;
  }
  return base::fail(any_audio ? OfferAnswerError::kNoCommonCodec : OfferAnswerError::kNoAudio);
}

std::string SessionVersion::stamp(SessionDescription& sd) {
  auto without_origin = [](const SessionDescription& s) {
    SessionDescription copy = s;
    copy.origin.session_version = 0;
    return write_sdp(copy);
  };
  std::string body = without_origin(sd);
  if (!version_) {
    version_ = sd.origin.session_version;
  } else if (body != last_body_) {
    ++*version_;
  }
  last_body_ = std::move(body);
  sd.origin.session_version = *version_;
  return write_sdp(sd);
}

}  // namespace sipline::media
