#include "reports/timeline_model.h"

#include <algorithm>
#include <map>
#include <string_view>

#include "sim/world.h"

namespace lockcheck::reports {

namespace {

using sim::Event;
using sim::EventKind;
using sim::TrueInstant;

int64_t micros(TrueInstant t) { return (t.time_since_epoch().count() + 500) / 1000; }

// The number whose digits start at text[i] (at most 15 of them), and where
// they end.
std::optional<int64_t> digits_at(std::string_view text, size_t i, size_t* end) {
  size_t j = i;
  int64_t v = 0;
  while (j < text.size() && j - i < 15 && text[j] >= '0' && text[j] <= '9') v = v * 10 + (text[j++] - '0');
  if (j == i) return std::nullopt;
  *end = j;
  return v;
}

void read_names(const properties::Violation& v, Named* out) {
  const std::string& t = v.explanation;
  out->instants_us.insert(micros(v.at));
  for (size_t i = 0; i < t.size(); ++i) {
    size_t end = 0;
    auto after = [&](std::string_view word) { return t.compare(i, word.size(), word) == 0 ? i + word.size() : 0; };
    if (size_t p = after("session "); p) {
      if (auto n = digits_at(t, p, &end)) out->sessions.insert(static_cast<uint64_t>(*n));
    } else if (size_t p = after("client-"); p) {
      if (auto n = digits_at(t, p, &end)) out->clients.insert(static_cast<int>(*n));
    } else if (size_t p = after("node-"); p) {
      if (auto n = digits_at(t, p, &end)) out->nodes.insert(static_cast<int>(*n));
    } else if ((i == 0 || t[i - 1] == ' ') && t[i] >= '0' && t[i] <= '9') {
      // An instant: "<whole>.<three digits> ms".
      auto whole = digits_at(t, i, &end);
      size_t frac_end = 0;
      if (whole && end < t.size() && t[end] == '.') {
        auto frac = digits_at(t, end + 1, &frac_end);
        if (frac && frac_end == end + 4 && t.compare(frac_end, 3, " ms") == 0) {
          out->instants_us.insert(*whole * 1000 + *frac);
        }
      }
    }
  }
}

int member_index(const std::string& name, int group, int replicas) {
  for (int m = 0; m <= replicas; ++m) {
    if (member_name(group, m) == name) return m;
  }
  return -1;
}

}  // namespace

std::string client_name(int client) { return "client-" + std::to_string(client); }

std::string member_name(int group, int member) {
  return sim::process_name({sim::ProcessId::Kind::kNode, group, member});
}

bool Named::event(const Event& e) const {
  if (!instants_us.count(micros(e.at))) return false;
  if (e.kind == EventKind::kMutation) return nodes.count(e.node) && (clients.empty() || clients.count(e.client));
  return e.session != 0 && sessions.count(e.session);
}

Named names_in(const std::vector<properties::Violation>& violations) {
  Named n;
  for (const auto& v : violations) read_names(v, &n);
  return n;
}

std::vector<ClockChange> clock_changes(const chaos::Scenario& scenario, const std::string& process) {
  std::vector<ClockChange> out;
  for (const auto& f : scenario.faults) {  // sorted by at_ms
    if (!f.target || sim::process_name(*f.target) != process) continue;
    if (f.kind == chaos::FaultKind::kClockJump) out.push_back({sim::at_ms(f.at_ms), Millis(f.delta_ms), {}});
    if (f.kind == chaos::FaultKind::kDrift) out.push_back({sim::at_ms(f.at_ms), Nanos(0), f.ppm});
  }
  return out;
}

std::optional<TrueInstant> clock_reaches(const std::vector<ClockChange>& changes, TrueInstant from, int64_t wall_ms,
                                         int64_t expire_ms, TrueInstant limit) {
  int64_t ppm = 0;
  for (const auto& c : changes) {
    if (c.at <= from && c.drift_ppm) ppm = *c.drift_ppm;
  }
  // A clock at drift ppm covers a true span d in d * (1 + ppm / 1e6) of its
  // own time. Long double: spans up to a day times ppm overflow int64 ns.
  auto local_span = [&](Nanos d) {
    return Nanos(static_cast<int64_t>(static_cast<long double>(d.count()) * (1e6L + ppm) / 1e6L));
  };
  auto true_span = [&](Nanos local) {
    return Nanos(static_cast<int64_t>(static_cast<long double>(local.count()) * 1e6L / (1e6L + ppm)));
  };
  Nanos left = Millis(expire_ms - wall_ms);  // on the clock
  TrueInstant t = from;
  for (const auto& c : changes) {
    if (c.at <= from) continue;
    if (left <= Nanos(0)) return t;
    const Nanos local = local_span(c.at - t);
    if (left <= local) break;
    left -= local + c.jump;  // a step forward brings the expiry closer
    t = c.at;
    if (c.drift_ppm) ppm = *c.drift_ppm;
    if (t > limit) return std::nullopt;
  }
  const TrueInstant at = left <= Nanos(0) ? t : t + true_span(left);
  if (at > limit) return std::nullopt;
  return at;
}

int LaneStretches::primary_at(int group, TrueInstant t) const {
  int m = 0;
  for (const auto& [from, member] : primaries[static_cast<size_t>(group)]) {
    if (from <= t) m = member;
  }
  return m;
}

LaneStretches lane_stretches(const chaos::Scenario& sc, const sim::History& h, TrueInstant end) {
  LaneStretches p;
  p.primaries.assign(static_cast<size_t>(h.nodes), {{TrueInstant{}, 0}});
  std::vector<int> primary(static_cast<size_t>(h.nodes), 0);
  auto until = [&](int64_t at_ms, int64_t d_ms) { return std::min(end, sim::at_ms(at_ms) + Millis(d_ms)); };
  for (const auto& f : sc.faults) {
    const std::string what = chaos::describe(f);
    const TrueInstant at = sim::at_ms(f.at_ms);
    switch (f.kind) {
      case chaos::FaultKind::kPause:
        // A pause armed for an operation starts when the world says so (below).
        if (f.during == chaos::During::kAtOnce) p.pauses.push_back({sim::process_name(*f.target), at, until(f.at_ms, f.duration_ms), "pause", what});
        break;
      case chaos::FaultKind::kCrash:
      case chaos::FaultKind::kNodeCrash:
        // A client's crash and restart are history events (below).
        if (f.target->is_node()) {
          const TrueInstant to = f.restart_after_ms ? until(f.at_ms, *f.restart_after_ms) : end;
          p.down.push_back({sim::process_name(*f.target), at, to, "node_crash", what});
        }
        break;
      case chaos::FaultKind::kPartition:
        for (const auto& group : f.groups) {
          for (const auto& member : group) p.cuts.push_back({sim::process_name(member), at, until(f.at_ms, f.duration_ms), "partition", what});
        }
        break;
      case chaos::FaultKind::kDelay:
        if (f.target) p.cuts.push_back({sim::process_name(*f.target), at, until(f.at_ms, f.duration_ms), "delay", what});
        break;
      default:
        break;
    }
  }
  std::map<int, TrueInstant> crashed;  // client -> since
  for (const Event& e : h.events) {
    if (e.kind == EventKind::kCrash) crashed[e.client] = e.at;
    if (e.kind == EventKind::kRestart) {
      if (auto it = crashed.find(e.client); it != crashed.end()) {
        p.down.push_back({client_name(e.client), it->second, e.at, "crash", client_name(e.client) + " is down"});
        crashed.erase(it);
      }
    }
    if (e.kind != EventKind::kFault) continue;
    // The world's words (sim/world.cc, sim/groups.cc) are the only record
    // of these two: "client-N pauses for D ms right after sending a ...".
    if (e.detail.rfind("client-", 0) == 0) {
      const size_t at = e.detail.find(" pauses for ");
      size_t digits_end = 0;
      if (at != std::string::npos) {
        if (auto d = digits_at(e.detail, at + 12, &digits_end)) {
          p.pauses.push_back({e.detail.substr(0, at), e.at, std::min(end, e.at + Millis(*d)), "pause", e.detail});
        }
      }
    }
    // "failover of node-G: NAME promoted at offset ...".
    if (e.detail.rfind("failover of node-", 0) == 0) {
      size_t g_end = 0;
      const auto g = digits_at(e.detail, 17, &g_end);
      const size_t promoted = e.detail.find(" promoted");
      if (!g || *g >= h.nodes || promoted == std::string::npos || g_end + 2 >= promoted) continue;
      const int group = static_cast<int>(*g);
      const int to = member_index(e.detail.substr(g_end + 2, promoted - g_end - 2), group, sc.world.replicas);
      if (to < 0) continue;
      const int from = primary[static_cast<size_t>(group)];
      p.failovers.push_back({e.at, group, from, to, e.detail});
      p.down.push_back({member_name(group, from), e.at, end, "failover", member_name(group, from) + " is dead (failed over)"});
      primary[static_cast<size_t>(group)] = to;
      p.primaries[static_cast<size_t>(group)].push_back({e.at, to});
    }
  }
  for (const auto& [c, at] : crashed) p.down.push_back({client_name(c), at, end, "crash", client_name(c) + " is down"});
  return p;
}

}  // namespace lockcheck::reports
