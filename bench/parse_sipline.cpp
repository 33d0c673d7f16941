// sipline: Message::parse() takes its own copy of the bytes and indexes the header lines;
// the typed values (Via, CSeq, From, Contact) are parsed here, on first use.
#include <string>

#include "msg/message.hpp"
#include "parsers.hpp"

namespace sipline::bench {

bool parse_sipline(std::string_view data, Sink sink, void* ctx) {
  auto parsed = msg::Message::parse(std::string(data));
  if (!parsed) return false;
  const msg::Message& m = *parsed;
  auto via = m.top_via();
  auto cseq = m.cseq();
  auto from = m.from();
  auto contacts = m.contacts();
  if (!via || !cseq || !from || !contacts) return false;
  Fields f;
  f.branch = via->branch();
  f.cseq = cseq->seq;
  f.cseq_method = cseq->method;
  f.call_id = m.call_id();
  f.from_tag = from->tag();
  f.contacts = contacts->size();
  sink(f, ctx);
  return true;
}

}  // namespace sipline::bench
