// Serializer: builds requests and responses header by header, then appends Content-Length
// and the body. Header values are written as given; the formatters below build the usual ones.
#pragma once
#include <string>
#include <string_view>

#include "msg/headers.hpp"
#include "msg/values.hpp"

namespace sipline::msg {

class Message;

class MessageWriter {
 public:
  static MessageWriter request(std::string_view method, std::string_view request_uri);
  static MessageWriter response(int status_code, std::string_view reason);

  MessageWriter& header(HeaderId id, std::string_view value);  // canonical long name
  MessageWriter& header(std::string_view name, std::string_view value);
  MessageWriter& header(HeaderId id, std::uint64_t value);
  // Appends Content-Length (always, even 0) and the body; the writer is spent afterwards.
  std::string finish(std::string_view body = {}, std::string_view content_type = {});

 private:
  explicit MessageWriter(std::string start);
  std::string out_;
};

// A response to `request`: copies every Via, From, To (adding `to_tag` when To has none and
// to_tag is non-empty), Call-ID and CSeq, in that order. Further headers can follow.
MessageWriter response_to(const Message& request, int status_code, std::string_view reason,
                          std::string_view to_tag = {});

// Standard reason phrase for a status code ("OK", "Unauthorized" ...); "" for unknown codes.
std::string_view reason_phrase(int status_code);

// Formatters.
std::string format_uri(const Uri& uri);
std::string format_name_addr(std::string_view display_name, std::string_view uri,
                             std::string_view params = {});  // params like ";tag=abc"
std::string format_params(std::span<const Param> params);

}  // namespace sipline::msg
