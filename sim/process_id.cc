#include "sim/process_id.h"

#include "sim/config.h"

namespace lockcheck::sim {

std::string process_name(ProcessId p) {
  switch (p.kind) {
    case ProcessId::Kind::kClient: return "client-" + std::to_string(p.index);
    case ProcessId::Kind::kNode:
      return "node-" + std::to_string(p.index) + (p.replica > 0 ? "-replica-" + std::to_string(p.replica) : "");
    case ProcessId::Kind::kResource: return "resource";
  }
  return "?";
}

namespace {

// A decimal index in [0, count): digits only, no sign.
std::optional<int> parse_index(std::string_view digits, int count) {
  if (digits.empty() || digits.size() > 4 || digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  const int i = std::stoi(std::string(digits));
  if (i >= count) return std::nullopt;
  return i;
}

}  // namespace

std::optional<ProcessId> parse_process(std::string_view name, const WorldConfig& config) {
  if (name == "resource") return ProcessId::resource();
  if (name.starts_with("client-")) {
    auto i = parse_index(name.substr(7), config.clients);
    if (!i) return std::nullopt;
    return ProcessId::client(*i);
  }
  if (!name.starts_with("node-")) return std::nullopt;
  const std::string_view rest = name.substr(5);
  const size_t dash = rest.find("-replica-");
  auto n = parse_index(rest.substr(0, dash), config.nodes);
  if (!n) return std::nullopt;
  if (dash == std::string_view::npos) return ProcessId::node(*n);
  // Replicas are numbered from 1, as Redis users number them.
  auto r = parse_index(rest.substr(dash + 9), config.replicas + 1);
  if (!r || *r == 0) return std::nullopt;
  return ProcessId::node(*n, *r);
}

bool exists_in(ProcessId p, const WorldConfig& c) {
  switch (p.kind) {
    case ProcessId::Kind::kClient: return p.index >= 0 && p.index < c.clients && p.replica == 0;
    case ProcessId::Kind::kNode:
      return p.index >= 0 && p.index < c.nodes && p.replica >= 0 && p.replica <= c.replicas;
    case ProcessId::Kind::kResource: return p.index == 0 && p.replica == 0;
  }
  return false;
}

}  // namespace lockcheck::sim
