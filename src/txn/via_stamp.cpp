#include "txn/via_stamp.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "msg/message.hpp"

namespace sipline::txn {

namespace {

std::string_view unbracket(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

struct Insertion {
  std::size_t offset;
  std::string text;
};

}  // namespace

std::string stamp_top_via(std::string response, const transport::Address& source) {
  auto parsed = msg::Message::parse(response);
  if (!parsed) return response;
  const msg::Message& m = *parsed;
  auto via = m.top_via();
  const auto values = m.values(msg::HeaderId::kVia);
  if (!via || values.empty() || source.address.empty()) return response;
  const char* base = m.raw().data();
  const auto inside = [&m, base](std::string_view v) {
    return v.data() >= base && v.data() + v.size() <= base + m.raw().size();
  };
  if (!inside(values.front())) return response;
  std::vector<Insertion> insertions;
  const msg::Param* rport = msg::find_param(via->params, "rport");
  if (rport && !rport->has_value && inside(rport->name)) {
    const std::size_t at = static_cast<std::size_t>(rport->name.data() - base) + rport->name.size();
    // Appended, not "=" + to_string(): g++ 12 -O3 warns a false -Wrestrict in
    // operator+(const char*, std::string&&).
    std::string text = "=";
    text += std::to_string(source.port);
    insertions.push_back({at, std::move(text)});
  }
  const bool differs = unbracket(via->host) != source.address;
  if (via->received().empty() && (differs || rport)) {
    const std::size_t end =
        static_cast<std::size_t>(values.front().data() - base) + values.front().size();
    insertions.push_back({end, ";received=" + source.address});
  }
  std::sort(insertions.begin(), insertions.end(),
            [](const Insertion& a, const Insertion& b) { return a.offset > b.offset; });
  for (const Insertion& i : insertions) response.insert(i.offset, i.text);
  return response;
}

}  // namespace sipline::txn
