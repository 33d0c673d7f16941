#include "msg/errors.hpp"

namespace sipline::msg {

std::string_view describe(ParseErrorCode code) {
  switch (code) {
    case ParseErrorCode::kEmpty:
      return "empty message";
    case ParseErrorCode::kBadStartLine:
      return "bad start line";
    case ParseErrorCode::kBadVersion:
      return "bad SIP version";
    case ParseErrorCode::kBadStatusCode:
      return "bad status code";
    case ParseErrorCode::kBadMethod:
      return "bad method";
    case ParseErrorCode::kBadRequestUri:
      return "bad request-URI";
    case ParseErrorCode::kBadHeaderLine:
      return "bad header line";
    case ParseErrorCode::kBadHeaderValue:
      return "bad header value";
    case ParseErrorCode::kMissingHeader:
      return "missing header";
    case ParseErrorCode::kHeaderSectionTooLarge:
      return "header section too large";
    case ParseErrorCode::kTooManyHeaders:
      return "too many headers";
    case ParseErrorCode::kLineTooLong:
      return "line too long";
    case ParseErrorCode::kContentLengthTooLarge:
      return "Content-Length too large";
    case ParseErrorCode::kBadContentLength:
      return "bad Content-Length";
    case ParseErrorCode::kBodyTruncated:
      return "body shorter than Content-Length";
    case ParseErrorCode::kBadUri:
      return "bad URI";
    case ParseErrorCode::kBadParam:
      return "bad parameter";
    case ParseErrorCode::kBadFraming:
      return "bad stream framing";
    case ParseErrorCode::kDuplicateHeader:
      return "duplicate single-valued header";
    case ParseErrorCode::kMethodMismatch:
      return "CSeq method does not match the request method";
  }
  return "unknown error";
}

}  // namespace sipline::msg
