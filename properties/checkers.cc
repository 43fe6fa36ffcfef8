#include "properties/checkers.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <utility>

namespace lockcheck::properties {

using sim::Event;
using sim::EventKind;
using sim::History;
using sim::TrueInstant;

namespace {

std::string ms(TrueInstant t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f ms", static_cast<double>(t.time_since_epoch().count()) / 1e6);
  return buf;
}

std::string who(int client, uint64_t session) {
  return "client-" + std::to_string(client) + " (session " + std::to_string(session) + ")";
}

}  // namespace

const std::vector<PropertyInfo>& property_catalog() {
  static const std::vector<PropertyInfo> kCatalog = {
      {"mutex", "no two owners believe they hold the lock at the same true instant"},
      {"resource", "the protected resource never accepts interleaved writes from two holders"},
      {"owner", "a release or extend never removes or changes a lock held by someone else"},
      {"expiry", "every lock key has a TTL (<= ttl + 1 s), so a vanished holder's lock frees"},
  };
  return kCatalog;
}

bool is_property(std::string_view id) {
  for (const auto& p : property_catalog()) {
    if (p.id == id) return true;
  }
  return false;
}

std::optional<Violation> check_mutex(const History& h) {
  struct Belief {
    int client;
    uint64_t session;
    TrueInstant from, to;
  };
  std::vector<Belief> beliefs;
  std::map<uint64_t, size_t> open;  // session -> index in beliefs, while it may still end early
  for (const Event& e : h.events) {
    switch (e.kind) {
      case EventKind::kAcquireOk:
        open[e.session] = beliefs.size();
        beliefs.push_back({e.client, e.session, e.at, e.believed_until});
        break;
      case EventKind::kReleaseInvoke:
        if (auto it = open.find(e.session); it != open.end()) {
          auto& b = beliefs[it->second];
          b.to = std::min(b.to, e.at);
          open.erase(it);
        }
        break;
      case EventKind::kCrash:
        for (auto it = open.begin(); it != open.end();) {
          auto& b = beliefs[it->second];
          if (b.client == e.client) {
            b.to = std::min(b.to, e.at);
            it = open.erase(it);
          } else {
            ++it;
          }
        }
        break;
      default:
        break;
    }
  }
  std::stable_sort(beliefs.begin(), beliefs.end(), [](const Belief& a, const Belief& b) { return a.from < b.from; });
  // Sweep: any overlap shows against the earlier belief that ends last.
  const Belief* longest = nullptr;
  for (const Belief& b : beliefs) {
    if (b.to <= b.from) continue;  // never held for a moment (granted too late)
    if (longest && b.from < longest->to && b.session != longest->session) {
      return Violation{"mutex", b.from,
                       who(b.client, b.session) + " was granted the lock at " + ms(b.from) + " while " +
                           who(longest->client, longest->session) + " believed it held it until " + ms(longest->to)};
    }
    if (!longest || b.to > longest->to) longest = &b;
  }
  return std::nullopt;
}

std::optional<Violation> check_resource(const History& h) {
  std::set<uint64_t> closed;  // sessions another session has written after
  const Event* current = nullptr;
  for (const Event& e : h.events) {
    if (e.kind != EventKind::kWrite) continue;
    if (current && current->session != e.session) {
      closed.insert(current->session);
      if (closed.count(e.session)) {
        return Violation{"resource", e.at,
                         "the resource accepted a write of " + who(e.client, e.session) + " at " + ms(e.at) +
                             " after " + who(current->client, current->session) + " had written (last at " +
                             ms(current->at) + "): interleaved critical sections"};
      }
    }
    current = &e;
  }
  return std::nullopt;
}

std::optional<Violation> check_owner(const History& h) {
  std::map<std::pair<int, std::string>, int> writer;  // (node, key) -> client that wrote the value
  for (const Event& e : h.events) {
    if (e.kind != EventKind::kMutation) continue;
    const auto where = std::make_pair(e.node, e.key);
    const bool by_holder_op = e.op == sim::Op::kRelease || e.op == sim::Op::kExtend;
    if (by_holder_op && e.before) {
      auto it = writer.find(where);
      // A writer of -1 is nobody: the value came back with a crash or failover.
      if (it != writer.end() && it->second >= 0 && it->second != e.client) {
        return Violation{"owner", e.at,
                         "client-" + std::to_string(e.client) + "'s " + sim::op_name(e.op) + " " +
                             (e.after ? "changed" : "deleted") + " " + e.key + " on node-" + std::to_string(e.node) +
                             " at " + ms(e.at) + ", a lock client-" + std::to_string(it->second) + " held"};
      }
    }
    if (!e.after) {
      writer.erase(where);
    } else if (!by_holder_op || e.before != e.after) {
      // Any write outside release/extend (e.g. a takeover) makes its client
      // the owner, even when the value is the same constant as before.
      writer[where] = e.client;
    }
  }
  return std::nullopt;
}

std::optional<Violation> check_expiry(const History& h) {
  struct NoTtl {
    TrueInstant since;
    int client;
  };
  std::map<std::pair<int, std::string>, NoTtl> no_ttl;
  const Nanos grace = Millis(h.ttl_ms);
  auto overdue = [&](const std::pair<int, std::string>& where, const NoTtl& n, TrueInstant until) {
    return Violation{"expiry", until,
                     where.second + " on node-" + std::to_string(where.first) + " (written by client-" +
                         std::to_string(n.client) + " at " + ms(n.since) + ") had no TTL until " + ms(until) +
                         ", longer than the " + std::to_string(h.ttl_ms) + " ms lease"};
  };
  for (const Event& e : h.events) {
    if (e.kind != EventKind::kMutation) continue;
    const auto where = std::make_pair(e.node, e.key);
    if (auto it = no_ttl.find(where); it != no_ttl.end()) {
      if (e.at - it->second.since > grace) return overdue(where, it->second, e.at);
      if (!e.after || e.after_expire_unix_ms) no_ttl.erase(it);
    }
    if (!e.after) continue;
    if (!e.after_expire_unix_ms) {
      no_ttl.emplace(where, NoTtl{e.at, e.client});
      continue;
    }
    const int64_t ttl_ms = *e.after_expire_unix_ms - e.node_wall_unix_ms;
    if (ttl_ms > h.ttl_ms + kExpiryBoundMs) {
      return Violation{"expiry", e.at,
                       e.key + " on node-" + std::to_string(e.node) + " was given a TTL of " + std::to_string(ttl_ms) +
                           " ms by client-" + std::to_string(e.client) + ", beyond the " + std::to_string(h.ttl_ms) +
                           " ms lease"};
    }
  }
  for (const auto& [where, n] : no_ttl) {
    if (h.end - n.since > grace) return overdue(where, n, h.end);
  }
  return std::nullopt;
}

std::vector<Violation> check_all(const History& h) {
  std::vector<Violation> out;
  for (auto* check : {check_mutex, check_resource, check_owner, check_expiry}) {
    if (auto v = check(h)) out.push_back(std::move(*v));
  }
  return out;
}

}  // namespace lockcheck::properties
