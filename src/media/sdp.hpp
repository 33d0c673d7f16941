// SDP (RFC 4566) session descriptions: a bounded parser and a writer. Only the fields the
// offer/answer of G.711 audio needs are typed; other lines are checked for syntax and kept out.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace sipline::media {

enum class Direction { kSendRecv, kSendOnly, kRecvOnly, kInactive };
std::string_view to_string(Direction d);

struct Connection {
  bool ipv6 = false;
  std::string address;  // without a /ttl suffix
};

struct RtpMap {
  int payload_type = 0;
  std::string encoding;  // as written ("PCMU", "telephone-event")
  int clock_rate_hz = 0;
  int channels = 1;
};

struct MediaDescription {
  std::string media;  // "audio", "video", ...
  std::uint16_t port = 0;
  std::string proto;                 // "RTP/AVP"
  std::vector<std::string> formats;  // as written; RTP formats are payload type numbers
  std::vector<RtpMap> rtpmaps;
  std::vector<std::string> fmtps;  // "101 0-16" (value after "a=fmtp:")
  std::optional<Connection> connection;
  std::optional<Direction> direction;
  int ptime_ms = 0;  // 0: absent
};

struct Origin {
  std::string username = "-";
  std::uint64_t session_id = 0;
  std::uint64_t session_version = 0;
  Connection address;
};

struct SessionDescription {
  Origin origin;
  std::string session_name = "-";
  std::optional<Connection> connection;
  std::optional<Direction> direction;
  std::vector<MediaDescription> media;
};

// Hard limits: an SDP body is small; anything larger is refused before it costs memory.
struct SdpLimits {
  std::size_t max_bytes = 16 * 1024;
  std::size_t max_lines = 256;
  std::size_t max_media = 16;
  std::size_t max_formats = 32;  // per m= line
};

enum class SdpErrorKind {
  kTooLarge,
  kTooManyLines,
  kTooManyMedia,
  kTooManyFormats,
  kBadLine,  // not "<letter>=<value>"
  kMissingVersion,
  kBadVersion,
  kBadOrigin,
  kBadConnection,
  kBadMedia,
  kBadAttribute,
  kMissingOrigin,
  kMissingSessionName,
};
std::string_view to_string(SdpErrorKind k);

struct SdpError {
  SdpErrorKind kind;
  std::size_t line = 0;    // 1-based; 0 for whole-body errors
  std::size_t offset = 0;  // byte offset of the line's start
};

base::Result<SessionDescription, SdpError> parse_sdp(std::string_view body,
                                                     const SdpLimits& limits = {});
// Writes v=, o=, s=, c=, t=0 0, then each m= with its c=, rtpmap, fmtp, ptime and direction.
std::string write_sdp(const SessionDescription& sd);

// The connection that applies to a media section (its own, else the session's).
const Connection* effective_connection(const SessionDescription& sd, const MediaDescription& m);
// The direction that applies to a media section (its own, else the session's, else sendrecv).
Direction effective_direction(const SessionDescription& sd, const MediaDescription& m);

}  // namespace sipline::media
