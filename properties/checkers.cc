#include "properties/checkers.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <utility>

#include "impl/check.h"

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
      {Property::kMutex, "mutex", "no two owners believe they hold the lock at the same true instant"},
      {Property::kResource, "resource", "the protected resource never accepts interleaved writes from two holders"},
      {Property::kFencing, "fencing", "fencing tokens strictly increase with each grant (strategies that issue them)"},
      {Property::kOwner, "owner", "a release or extend never removes or changes a lock held by someone else"},
      {Property::kExpiry, "expiry", "every lock key has a TTL (<= ttl + 1 s), so a vanished holder's lock frees"},
      {Property::kProgress, "progress", "without faults, the lock never sits free for a TTL while a client waits for it"},
      {Property::kReentry, "reentry", "a nested release by the holder never frees the lock its outer hold still uses"},
      {Property::kValidity, "validity", "whenever a holder acts (writes), its token is live on a quorum of nodes"},
      {Property::kTimeout, "timeout", "every acquire, release and extend returns within the time it promises on the caller's clock"},
  };
  return kCatalog;
}

bool is_property(std::string_view id) { return parse_property(id).has_value(); }

std::optional<Property> parse_property(std::string_view id) {
  for (const auto& p : property_catalog()) {
    if (p.id == id) return p.property;
  }
  return std::nullopt;
}

std::string property_name(Property property) {
  for (const auto& p : property_catalog()) {
    if (p.property == property) return std::string(p.id);
  }
  return "?";
}

size_t property_index(Property property) {
  const auto& catalog = property_catalog();
  for (size_t k = 0; k < catalog.size(); ++k) {
    if (catalog[k].property == property) return k;
  }
  LC_CHECK(false && "every property is in the catalog");
  return 0;
}

std::optional<Violation> check_mutex(const History& h) {
  struct Belief {
    int client;
    uint64_t session;
    TrueInstant from, to;
    bool renewed = false;  // started by an extend after a lapse, not by a grant
  };
  std::vector<Belief> beliefs;
  std::map<uint64_t, size_t> open;  // session -> index in beliefs, while it may still end early
  for (const Event& e : h.events) {
    switch (e.kind) {
      case EventKind::kAcquireOk:
        open[e.session] = beliefs.size();
        beliefs.push_back({e.client, e.session, e.at, e.believed_until});
        break;
      case EventKind::kExtendOk:
        // An extend after the lease had lapsed starts the belief again
        // (one that came in time lengthened the grant's belief itself).
        if (e.believed_until != TrueInstant{} && open.count(e.session) > 0) {
          open[e.session] = beliefs.size();
          beliefs.push_back({e.client, e.session, e.at, e.believed_until, true});
        }
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
      return Violation{Property::kMutex, b.from,
                       who(b.client, b.session) + (b.renewed ? " renewed its lapsed lease at " : " was granted the lock at ") +
                           ms(b.from) + " while " +
                           who(longest->client, longest->session) + " believed it held it until " + ms(longest->to)};
    }
    if (!longest || b.to > longest->to) longest = &b;
  }
  return std::nullopt;
}

std::optional<Violation> check_resource(const History& h) {
  // Under mutual exclusion every write of a grant comes before the next
  // grant, so writes reach the resource in grant order. A write of a grant
  // older than one that has already written is stale: the classic GC-pause
  // write, or two holders interleaving (A, B, A).
  std::map<uint64_t, TrueInstant> granted;  // session -> grant time
  const Event* newest = nullptr;            // the write of the latest grant so far
  for (const Event& e : h.events) {
    if (e.kind == EventKind::kAcquireOk) {
      granted.emplace(e.session, e.at);
      continue;
    }
    if (e.kind != EventKind::kWrite) continue;
    auto it = granted.find(e.session);
    if (it == granted.end()) {
      return Violation{Property::kResource, e.at,
                       "the resource accepted a write of " + who(e.client, e.session) + " at " + ms(e.at) +
                           ", which was never granted the lock"};
    }
    if (newest && newest->session != e.session) {
      const TrueInstant newest_grant = granted.at(newest->session);
      if (it->second < newest_grant) {
        return Violation{Property::kResource, e.at,
                         "the resource accepted a stale write of " + who(e.client, e.session) + " (granted at " +
                             ms(it->second) + ") at " + ms(e.at) + " after " + who(newest->client, newest->session) +
                             " (granted at " + ms(newest_grant) + ") had written at " + ms(newest->at)};
      }
    }
    if (!newest || it->second >= granted.at(newest->session)) newest = &e;
  }
  return std::nullopt;
}

std::optional<Violation> check_owner(const History& h) {
  std::map<std::pair<int, std::string>, int> writer;  // (node, key) -> client that wrote the value
  for (const Event& e : h.events) {
    if (e.kind != EventKind::kMutation) continue;
    const auto where = std::make_pair(e.node, e.key);
    const bool by_holder_op = e.op == sim::Op::kRelease || e.op == sim::Op::kExtend;
    const bool lock_key = h.lock_key.empty() || e.key == h.lock_key;
    if (e.op == sim::Op::kExtend && !e.before && e.after && lock_key && e.client >= 0) {
      return Violation{Property::kOwner, e.at,
                       "client-" + std::to_string(e.client) + "'s extend wrote " + e.key + " on node-" +
                           std::to_string(e.node) + " back at " + ms(e.at) +
                           " after it had gone: its lease there had ended, and it took a lock nobody held "
                           "without acquiring it"};
    }
    if (by_holder_op && e.before) {
      auto it = writer.find(where);
      // A writer of -1 is nobody: the value came back with a crash or failover.
      if (it != writer.end() && it->second >= 0 && it->second != e.client) {
        return Violation{Property::kOwner, e.at,
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
    return Violation{Property::kExpiry, until,
                     where.second + " on node-" + std::to_string(where.first) + " (written by client-" +
                         std::to_string(n.client) + " at " + ms(n.since) + ") had no TTL until " + ms(until) +
                         ", longer than the " + std::to_string(h.ttl_ms) + " ms lease"};
  };
  // The absolute expiry each key last had: a write that keeps it (HINCRBY on
  // a hash, say) gave no TTL, even when the node's clock has since stepped
  // back and the same expiry now looks far away.
  std::map<std::pair<int, std::string>, std::optional<int64_t>> last_expiry;
  for (const Event& e : h.events) {
    if (e.kind != EventKind::kMutation) continue;
    if (!h.lock_key.empty() && e.key != h.lock_key) continue;
    const auto where = std::make_pair(e.node, e.key);
    std::optional<int64_t> previous;
    bool existed = false;
    if (auto it = last_expiry.find(where); it != last_expiry.end()) {
      previous = it->second;
      existed = e.before.has_value();
    }
    last_expiry[where] = e.after ? e.after_expire_unix_ms : std::nullopt;
    if (auto it = no_ttl.find(where); it != no_ttl.end()) {
      if (e.at - it->second.since > grace) return overdue(where, it->second, e.at);
      if (!e.after || e.after_expire_unix_ms) no_ttl.erase(it);
    }
    if (!e.after) continue;
    if (!e.after_expire_unix_ms) {
      no_ttl.emplace(where, NoTtl{e.at, e.client});
      continue;
    }
    if (existed && previous == e.after_expire_unix_ms) continue;  // expiry kept, not given
    const int64_t ttl_ms = *e.after_expire_unix_ms - e.node_wall_unix_ms;
    if (ttl_ms > h.ttl_ms + kExpiryBoundMs) {
      return Violation{Property::kExpiry, e.at,
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

std::optional<Violation> check_progress(const History& h) {
  // Liveness is judged only where nothing went wrong: any fault excuses it.
  for (const Event& e : h.events) {
    if (e.kind == EventKind::kFault || e.kind == EventKind::kCrash) return std::nullopt;
  }
  // Message loss is a fault too, but a lossy network loses something in
  // almost every run: judge the stretches it cannot explain. A lost message
  // (a SET's reply, a release, a renewal's reply) leaves at most a key that
  // nobody believes it holds, and that key is gone one TTL after the loss;
  // losses while the lock is free (retries) stretch the wait too. So a free
  // stretch is excused when the network lost a message between a TTL before
  // it began and its end.
  const Nanos bound = Millis(h.ttl_ms);
  auto excused = [&](TrueInstant from, TrueInstant to) {
    auto it = std::lower_bound(h.messages_lost.begin(), h.messages_lost.end(), from - bound);
    return it != h.messages_lost.end() && *it <= to;
  };
  auto stuck = [&](TrueInstant from, TrueInstant to) { return to - from > bound && !excused(from, to); };
  // Busy: someone believes it holds, from the grant to the earliest of its
  // validity end and its release. Waiting: an acquire call, invoke to end.
  struct Span {
    TrueInstant from, to;
    int client;
    uint64_t session;
  };
  std::vector<Span> busy, waiting;
  std::map<uint64_t, size_t> open_busy, open_wait;
  for (const Event& e : h.events) {
    switch (e.kind) {
      case EventKind::kAcquireInvoke:
        open_wait[e.session] = waiting.size();
        waiting.push_back({e.at, h.end, e.client, e.session});
        break;
      case EventKind::kAcquireOk:
      case EventKind::kAcquireFail:
        if (auto it = open_wait.find(e.session); it != open_wait.end()) {
          waiting[it->second].to = e.at;
          open_wait.erase(it);
        }
        if (e.kind == EventKind::kAcquireOk) {
          open_busy[e.session] = busy.size();
          busy.push_back({e.at, std::max(e.at, e.believed_until), e.client, e.session});
        }
        break;
      case EventKind::kReleaseInvoke:
        if (auto it = open_busy.find(e.session); it != open_busy.end()) {
          busy[it->second].to = std::min(busy[it->second].to, e.at);
          open_busy.erase(it);
        }
        break;
      default:
        break;
    }
  }
  std::sort(busy.begin(), busy.end(), [](const Span& a, const Span& b) { return a.from < b.from; });
  for (const Span& w : waiting) {
    // Walk the free gaps inside [w.from, w.to); the first one longer than
    // the bound that no message loss explains is the violation.
    TrueInstant cursor = w.from;
    std::optional<std::pair<TrueInstant, TrueInstant>> gap;
    for (const Span& b : busy) {
      if (b.from >= w.to) break;
      if (b.to <= cursor) continue;
      if (b.from > cursor && stuck(cursor, b.from)) {
        gap = {cursor, b.from};
        break;
      }
      cursor = std::max(cursor, b.to);
    }
    if (!gap && cursor < w.to && stuck(cursor, w.to)) gap = {cursor, w.to};
    if (gap) {
      return Violation{Property::kProgress, gap->first + bound,
                       who(w.client, w.session) + " waited while nobody held the lock from " + ms(gap->first) +
                           " to " + ms(gap->second) + ", longer than the " + std::to_string(h.ttl_ms) +
                           " ms TTL, with no fault and no message lost"};
    }
  }
  return std::nullopt;
}

std::optional<Violation> check_reentry(const History& h) {
  // Per client: the outer session it holds (granted, not yet releasing or
  // crashed, and still within its believed validity).
  struct Hold {
    uint64_t session;
    TrueInstant until;
    std::string token;  // the grant's value: a plain token or a hash field (owner)
  };
  std::map<int, Hold> holding;
  for (const Event& e : h.events) {
    switch (e.kind) {
      case EventKind::kAcquireOk:
        holding[e.client] = Hold{e.session, e.believed_until, e.token};
        break;
      case EventKind::kReleaseInvoke:
      case EventKind::kCrash:
        holding.erase(e.client);
        break;
      case EventKind::kMutation: {
        if (e.op != sim::Op::kRelease || e.after.has_value()) break;
        auto it = holding.find(e.client);
        if (it == holding.end() || e.at >= it->second.until) break;
        // Only the current hold's own key counts: a late release of an older
        // grant's key (a slow node, Redlock's cleanup) frees nothing held now.
        const std::string& held = it->second.token;
        const std::string& was = e.before.value_or("");
        const bool ours = !held.empty() && (was == held || was.rfind(held + "=", 0) == 0 ||
                                            was.find(";" + held + "=") != std::string::npos);
        if (!ours) break;
        return Violation{Property::kReentry, e.at,
                         "a nested release by " + who(e.client, it->second.session) + " deleted " + e.key +
                             " on node-" + std::to_string(e.node) + " at " + ms(e.at) +
                             " while its outer hold went on: the hold count never reached zero"};
      }
      default:
        break;
    }
  }
  return std::nullopt;
}

std::optional<Violation> check_fencing(const History& h) {
  const Event* highest = nullptr;
  for (const Event& e : h.events) {
    if (e.kind != EventKind::kAcquireOk || e.fence == 0) continue;
    if (highest && e.fence <= highest->fence) {
      return Violation{Property::kFencing, e.at,
                       who(e.client, e.session) + " was granted fencing token " + std::to_string(e.fence) + " at " +
                           ms(e.at) + ", not above the " + std::to_string(highest->fence) + " that " +
                           who(highest->client, highest->session) + " got at " + ms(highest->at)};
    }
    highest = &e;
  }
  return std::nullopt;
}

std::optional<Violation> check_validity(const History& h) {
  const int quorum = h.nodes / 2 + 1;
  for (const Event& e : h.events) {
    if (e.kind != EventKind::kWrite && e.kind != EventKind::kWriteRejected) continue;
    if (e.token_nodes < 0 || e.token_nodes >= quorum) continue;
    return Violation{Property::kValidity, e.at,
                     who(e.client, e.session) + " wrote believing it held the lock, but its token was live on " +
                         std::to_string(e.token_nodes) + " of " + std::to_string(h.nodes) +
                         " nodes (a quorum is " + std::to_string(quorum) + ")"};
  }
  return std::nullopt;
}

namespace {

std::string duration(Nanos d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f ms", static_cast<double>(d.count()) / 1e6);
  return buf;
}

// The call an invoke event starts, and whether `ret` is how it returns.
const char* call_name(EventKind invoke) {
  switch (invoke) {
    case EventKind::kAcquireInvoke: return "acquire";
    case EventKind::kReleaseInvoke: return "release";
    case EventKind::kExtendInvoke: return "extend";
    case EventKind::kReenter: return "nested acquire";
    case EventKind::kLeave: return "nested release";
    default: return nullptr;
  }
}

bool returns(EventKind invoke, EventKind ret) {
  switch (invoke) {
    case EventKind::kAcquireInvoke: return ret == EventKind::kAcquireOk || ret == EventKind::kAcquireFail;
    case EventKind::kReleaseInvoke: return ret == EventKind::kReleaseOk || ret == EventKind::kReleaseFail;
    case EventKind::kExtendInvoke: return ret == EventKind::kExtendOk || ret == EventKind::kExtendFail;
    case EventKind::kReenter: return ret == EventKind::kReenterOk || ret == EventKind::kReenterFail;
    case EventKind::kLeave: return ret == EventKind::kLeaveOk || ret == EventKind::kLeaveFail;
    default: return false;
  }
}

}  // namespace

std::optional<Violation> check_timeout(const History& h) {
  // A client makes one lock call at a time (the workload is sequential; a
  // watchdog's background renewals record no calls).
  std::map<int, const Event*> open;  // client -> its call in progress, with a bound
  auto judge = [&](const Event& call, TrueInstant until, Nanos paused_by_then,
                   bool returned) -> std::optional<Violation> {
    const Nanos paused = paused_by_then - call.paused;
    const Nanos took = (until - call.at) - paused;
    const Nanos bound = call.due - call.at;
    if (took <= bound) return std::nullopt;
    return Violation{Property::kTimeout, until,
                     who(call.client, call.session) + "'s " + call_name(call.kind) + " invoked at " + ms(call.at) +
                         (returned ? " returned at " + ms(until) : " had not returned when the run ended at " + ms(until)) +
                         ": " + duration(took) + " not counting " + duration(paused) + " paused, past the " +
                         duration(bound) + " it promises on its own clock"};
  };
  for (const Event& e : h.events) {
    if (call_name(e.kind) != nullptr) {
      if (e.due != TrueInstant{}) {
        open[e.client] = &e;
      } else {
        open.erase(e.client);  // no bound recorded: nothing to judge
      }
      continue;
    }
    if (e.kind == EventKind::kCrash) {
      open.erase(e.client);  // the call died with its caller
      continue;
    }
    auto it = open.find(e.client);
    if (it == open.end() || !returns(it->second->kind, e.kind)) continue;
    if (auto v = judge(*it->second, e.at, e.paused, true)) return v;
    open.erase(it);
  }
  for (const auto& [client, call] : open) {
    const size_t c = static_cast<size_t>(client);
    const Nanos paused = c < h.paused_at_end.size() ? h.paused_at_end[c] : call->paused;
    if (auto v = judge(*call, h.end, paused, false)) return v;
  }
  return std::nullopt;
}

std::vector<Violation> check_all(const History& h) {
  std::vector<Violation> out;
  for (auto* check :
       {check_mutex, check_resource, check_fencing, check_owner, check_expiry, check_progress, check_reentry,
                      check_validity, check_timeout}) {
    if (auto v = check(h)) out.push_back(std::move(*v));
  }
  return out;
}

}  // namespace lockcheck::properties
