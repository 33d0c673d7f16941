// oSIP2: osip_message_parse() copies the bytes and parses every known header into its
// osip_*_t struct (Contact and Via lines are split at commas into list entries).
#include <osipparser2/osip_message.h>
#include <osipparser2/osip_parser.h>

#include <cstdlib>

#include "parsers.hpp"

namespace sipline::bench {

void init_parsers() {
  parser_init();
}

namespace {

std::string_view view(const char* s) {
  return s != nullptr ? std::string_view(s) : std::string_view();
}

bool extract(osip_message_t* sip, Fields& f) {
  osip_via_t* via = nullptr;
  if (osip_message_get_via(sip, 0, &via) < 0 || via == nullptr) return false;
  osip_generic_param_t* branch = nullptr;
  if (osip_via_param_get_byname(via, const_cast<char*>("branch"), &branch) == 0 &&
      branch != nullptr)
    f.branch = view(branch->gvalue);
  osip_cseq_t* cseq = osip_message_get_cseq(sip);
  if (cseq == nullptr || cseq->number == nullptr) return false;
  char* end = nullptr;
  unsigned long seq = std::strtoul(cseq->number, &end, 10);
  if (end == cseq->number || *end != '\0' || seq > 0xffffffffUL) return false;
  f.cseq = static_cast<std::uint32_t>(seq);
  f.cseq_method = view(cseq->method);
  osip_call_id_t* call_id = osip_message_get_call_id(sip);
  if (call_id == nullptr) return false;
  f.call_id = view(call_id->number);
  f.call_id_host = view(call_id->host);
  osip_from_t* from = osip_message_get_from(sip);
  if (from == nullptr) return false;
  osip_generic_param_t* tag = nullptr;
  if (osip_from_get_tag(from, &tag) == 0 && tag != nullptr) f.from_tag = view(tag->gvalue);
  f.contacts = static_cast<std::size_t>(osip_list_size(&sip->contacts));
  return true;
}

}  // namespace

bool parse_osip(std::string_view data, Sink sink, void* ctx) {
  osip_message_t* sip = nullptr;
  if (osip_message_init(&sip) != 0) return false;
  Fields f;
  bool ok = osip_message_parse(sip, data.data(), data.size()) == 0 && extract(sip, f);
  if (ok) sink(f, ctx);
  osip_message_free(sip);
  return ok;
}

}  // namespace sipline::bench
