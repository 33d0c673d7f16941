// Sofia-SIP: msg_make() copies the bytes into a msg_t and extracts every header (each known
// header is parsed into its sip_*_t struct during extraction).
#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>

#include "parsers.hpp"

namespace sipline::bench {

bool parse_sofia(std::string_view data, Sink sink, void* ctx) {
  msg_t* msg = msg_make(sip_default_mclass(), 0, data.data(), static_cast<ssize_t>(data.size()));
  if (msg == nullptr) return false;
  sip_t const* sip = sip_object(msg);
  bool ok = sip != nullptr && (sip->sip_flags & MSG_FLG_ERROR) == 0 && sip->sip_via != nullptr &&
            sip->sip_cseq != nullptr && sip->sip_call_id != nullptr && sip->sip_from != nullptr;
  if (ok) {
    Fields f;
    if (sip->sip_via->v_branch != nullptr) f.branch = sip->sip_via->v_branch;
    f.cseq = sip->sip_cseq->cs_seq;
    f.cseq_method = sip->sip_cseq->cs_method_name;
    f.call_id = sip->sip_call_id->i_id;
    if (sip->sip_from->a_tag != nullptr) f.from_tag = sip->sip_from->a_tag;
    for (sip_contact_t const* m = sip->sip_contact; m != nullptr; m = m->m_next) ++f.contacts;
    sink(f, ctx);
  }
  msg_destroy(msg);
  return ok;
}

}  // namespace sipline::bench
