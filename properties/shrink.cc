#include "properties/shrink.h"

#include <algorithm>
#include <map>
#include <optional>

#include "impl/check.h"
#include "impl/lock.h"
#include "properties/reaim.h"

namespace lockcheck::properties {

using chaos::Fault;
using chaos::FaultKind;
using chaos::Scenario;

Judged judge(const Scenario& scenario) {
  Judged j;
  j.outcome = chaos::run_scenario(scenario);
  j.violations = check_all(j.outcome.history);
  return j;
}

const Violation* find_violation(const std::vector<Violation>& vs, Property property) {
  for (const auto& v : vs) {
    if (v.property == property) return &v;
  }
  return nullptr;
}

int nodes_floor(const Scenario& s) {
  for (const auto& info : strategy_catalog()) {
    if (info.name == s.world.strategy) return std::min(info.nodes, s.world.nodes);
  }
  return s.world.nodes;  // an unknown strategy: leave its nodes alone
}

namespace {

// A partition with an empty side cuts nothing.
bool has_empty_group(const Fault& f) {
  return std::any_of(f.groups.begin(), f.groups.end(), [](const auto& g) { return g.empty(); });
}

// Removes client (or node) `index` and every fault that names it; the ones
// above it move down a number, so a fault on client-2 of three can survive
// the removal of client-0 as a fault on client-1. A node's replicas go and
// move with it.
Scenario drop_process(const Scenario& s, bool client, int index) {
  const sim::ProcessId::Kind kind = client ? sim::ProcessId::Kind::kClient : sim::ProcessId::Kind::kNode;
  const int count = client ? s.world.clients : s.world.nodes;
  LC_CHECK(index >= 0 && index < count && count > 1);
  // The process p becomes, or nullopt when it is gone.
  auto renumbered = [&](sim::ProcessId p) -> std::optional<sim::ProcessId> {
    if (p.kind != kind || p.index < index) return p;
    if (p.index == index) return std::nullopt;
    --p.index;
    return p;
  };
  Scenario c = s;
  (client ? c.world.clients : c.world.nodes) -= 1;
  std::vector<Fault> kept;
  for (Fault f : c.faults) {
    if (f.target) {
      f.target = renumbered(*f.target);
      if (!f.target) continue;
    }
    for (auto& g : f.groups) {
      std::vector<sim::ProcessId> members;
      for (const sim::ProcessId m : g) {
        if (auto r = renumbered(m)) members.push_back(*r);
      }
      g = std::move(members);
    }
    if (has_empty_group(f)) continue;
    kept.push_back(std::move(f));
  }
  c.faults = std::move(kept);
  return c;
}

// Removes the highest replica of every node and the faults that name it.
Scenario drop_replica(const Scenario& s) {
  Scenario c = s;
  const int gone = s.world.replicas;
  auto named = [&](sim::ProcessId p) { return p.is_node() && p.replica == gone; };
  c.world.replicas -= 1;
  std::vector<Fault> kept;
  for (Fault f : c.faults) {
    if (f.target && named(*f.target)) continue;
    for (auto& g : f.groups) std::erase_if(g, named);
    if (has_empty_group(f)) continue;
    kept.push_back(std::move(f));
  }
  c.faults = std::move(kept);
  if (c.world.replicas == 0) {
    c.world.replication_lag_min = sim::WorldConfig{}.replication_lag_min;
    c.world.replication_lag_max = sim::WorldConfig{}.replication_lag_max;
  }
  return c;
}

// Cuts the run at end_ms: faults at or after it would never fire.
Scenario cut_at(const Scenario& s, int64_t end_ms) {
  Scenario c = s;
  c.world.duration = Millis(end_ms);
  std::erase_if(c.faults, [&](const Fault& f) { return f.at_ms >= end_ms; });
  return c;
}

using Candidates = std::vector<Scenario>;

// What the current smallest failing scenario showed, and where shrinking
// started.
struct Current {
  const Scenario& scenario;
  const Judged& run;
  sim::TrueInstant violation_at;
  const Scenario& original;
};

// Fewer clients or faults change the timing of everything after them, and
// the run was already cut just after the old violation: a new one may need
// the room the original had. So each such candidate comes twice, as it is
// and with the original duration and lock cycles back. Clients and faults
// count before everything else, so this cannot cycle.
void push_with_room(Candidates& out, Scenario c, const Scenario& original) {
  const bool cut = c.world.duration < original.world.duration ||
                   c.world.workload.acquires_per_client < original.world.workload.acquires_per_client;
  if (cut) {
    Scenario roomy = c;
    roomy.world.duration = original.world.duration;
    roomy.world.workload.acquires_per_client = original.world.workload.acquires_per_client;
    out.push_back(std::move(c));
    out.push_back(std::move(roomy));
  } else {
    out.push_back(std::move(c));
  }
}

// ---- the moves, each a list of smaller variants, most drastic first ----

// The run up to the violation does not depend on what comes after it (the
// simulation is causal), so the run can end just after it, and no client
// needs more lock cycles than it had started by then. These nearly always
// hold, and every later run is cheaper for them.
Candidates cut_after_violation(const Current& cur) {
  const Scenario& s = cur.scenario;
  Candidates out;
  const int64_t end_ms = sim::true_ms(cur.violation_at) + 1;
  if (end_ms < s.world.duration.count()) out.push_back(cut_at(s, end_ms));
  std::map<int, int> started;  // client -> acquires invoked by the violation
  for (const auto& e : cur.run.outcome.history.events) {
    if (e.at > cur.violation_at) break;
    if (e.kind == sim::EventKind::kAcquireInvoke) ++started[e.client];
  }
  int needed = 1;
  for (const auto& [client, n] : started) needed = std::max(needed, n);
  if (needed < s.world.workload.acquires_per_client) {
    Scenario c = s;
    c.world.workload.acquires_per_client = needed;
    out.push_back(std::move(c));
  }
  return out;
}

// A violation seen only at the run's end (a key that never expires) is not
// helped by cutting just after it: try ending the run earlier.
Candidates shorter_run(const Current& cur) {
  const int64_t d = cur.scenario.world.duration.count();
  Candidates out;
  for (int64_t end_ms : {d / 4, d / 2, d - d / 4, d - d / 8}) {
    if (end_ms >= 1 && end_ms < d) out.push_back(cut_at(cur.scenario, end_ms));
  }
  return out;
}

Candidates fewer_faults(const Current& cur) {
  Candidates out;
  const Scenario& s = cur.scenario;
  if (s.faults.size() > 1) {
    Scenario c = s;
    c.faults.clear();
    push_with_room(out, std::move(c), cur.original);
  }
  for (size_t i = s.faults.size(); i-- > 0;) {
    Scenario c = s;
    c.faults.erase(c.faults.begin() + static_cast<long>(i));
    push_with_room(out, std::move(c), cur.original);
  }
  return out;
}

Candidates fewer_clients(const Current& cur) {
  Candidates out;
  const Scenario& s = cur.scenario;
  // Highest first: removing the last client renames nothing.
  for (int i = s.world.clients - 1; i >= 0 && s.world.clients > 1; --i) {
    push_with_room(out, drop_process(s, true, i), cur.original);
  }
  return out;
}

Candidates fewer_acquires(const Current& cur) {
  Candidates out;
  const int n = cur.scenario.world.workload.acquires_per_client;
  for (int m : {1, n / 2, n - 1}) {
    if (m >= 1 && m < n && (out.empty() || out.back().world.workload.acquires_per_client != m)) {
      Scenario c = cur.scenario;
      c.world.workload.acquires_per_client = m;
      out.push_back(std::move(c));
    }
  }
  return out;
}

Candidates fewer_writes(const Current& cur) {
  Candidates out;
  const int n = cur.scenario.world.workload.writes_per_hold;
  for (int m : {1, n / 2, n - 1}) {
    if (m >= 1 && m < n && (out.empty() || out.back().world.workload.writes_per_hold != m)) {
      Scenario c = cur.scenario;
      c.world.workload.writes_per_hold = m;
      out.push_back(std::move(c));
    }
  }
  return out;
}

// Never below the strategy's own node count: a Redlock counterexample on
// one node is outside Redlock's setting, whatever it shows.
Candidates fewer_nodes(const Current& cur) {
  Candidates out;
  const Scenario& s = cur.scenario;
  if (s.world.nodes <= nodes_floor(s)) return out;
  for (int i = s.world.nodes - 1; i >= 0; --i) out.push_back(drop_process(s, false, i));
  return out;
}

Candidates fewer_replicas(const Current& cur) {
  Candidates out;
  const Scenario& s = cur.scenario;
  const bool failover = std::any_of(s.faults.begin(), s.faults.end(),
                                    [](const Fault& f) { return f.kind == FaultKind::kFailover; });
  // A failover needs a replica to promote.
  if (s.world.replicas > (failover ? 1 : 0)) out.push_back(drop_replica(s));
  if (s.world.replicas > 0 && s.world.replication_lag_max > s.world.replication_lag_min) {
    Scenario c = s;
    c.world.replication_lag_max = c.world.replication_lag_min;
    out.push_back(std::move(c));
  }
  if (s.world.replicas > 0 && s.world.replication_lag_min > Millis(0)) {
    Scenario c = s;
    c.world.replication_lag_min /= 2;
    c.world.replication_lag_max = std::max(c.world.replication_lag_min, c.world.replication_lag_max / 2);
    out.push_back(std::move(c));
  }
  return out;
}

// A fixed latency also makes every message's delay independent of the
// network's random stream, so a later client removal (which shifts that
// stream) leaves the others' timing alone.
Candidates plainer_network(const Current& cur) {
  Candidates out;
  const sim::NetworkConfig& n = cur.scenario.world.network;
  // Certain loss for a drop fault's window: which messages go no longer
  // depends on the network's random stream (the window can shrink later;
  // the rate only ever goes up, so this cannot cycle).
  for (size_t i = 0; i < cur.scenario.faults.size(); ++i) {
    if (cur.scenario.faults[i].kind != FaultKind::kDrop || cur.scenario.faults[i].drop_ppm == 1'000'000) continue;
    Scenario c = cur.scenario;
    c.faults[i].drop_ppm = 1'000'000;
    out.push_back(std::move(c));
  }
  if (n.drop_ppm > 0) {
    Scenario c = cur.scenario;
    c.world.network.drop_ppm = 0;
    out.push_back(std::move(c));
  }
  auto latency = [&](int64_t lo, int64_t hi) {
    if (lo == n.latency_min.count() && hi == n.latency_max.count()) return;
    Scenario c = cur.scenario;
    c.world.network.latency_min = Millis(lo);
    c.world.network.latency_max = Millis(hi);
    out.push_back(std::move(c));
  };
  const int64_t lo = n.latency_min.count(), hi = n.latency_max.count();
  if (lo < hi) {
    latency(lo, lo);
    latency(hi, hi);
    latency(lo, lo + (hi - lo) / 2);
  }
  // Lower, but not below 1 ms: a network without delay reads as no network.
  if (lo > 1) latency(lo / 2, std::max(lo / 2, hi / 2));
  return out;
}

// Earlier, shorter, smaller faults. Each number goes toward zero by
// halving and by a quarter, so a fault that must land in a narrow window
// can still creep toward it.
Candidates smaller_faults(const Current& cur) {
  Candidates out;
  const Scenario& s = cur.scenario;
  auto smaller = [&](int64_t v) {
    std::vector<int64_t> out_values;
    for (int64_t w : {int64_t{0}, v / 2, v - v / 4}) {
      if ((v > 0 ? w < v : w > v) && std::find(out_values.begin(), out_values.end(), w) == out_values.end()) {
        out_values.push_back(w);
      }
    }
    return out_values;
  };
  for (size_t i = 0; i < s.faults.size(); ++i) {
    const Fault& f = s.faults[i];
    auto each = [&](int64_t Fault::*member, bool zero_ok) {
      for (int64_t w : smaller(f.*member)) {
        if (w == 0 && !zero_ok) continue;
        Scenario c = s;
        c.faults[i].*member = w;
        out.push_back(std::move(c));
      }
    };
    each(&Fault::at_ms, true);
    each(&Fault::duration_ms, false);
    each(&Fault::delta_ms, false);
    each(&Fault::extra_latency_ms, false);
    each(&Fault::ppm, false);
    if (f.restart_after_ms) {
      for (int64_t w : smaller(*f.restart_after_ms)) {
        Scenario c = s;
        c.faults[i].restart_after_ms = w;
        out.push_back(std::move(c));
      }
    }
    // A partition that lists processes it need not: fewer names to read.
    for (size_t g = 0; g < f.groups.size(); ++g) {
      if (f.groups[g].size() < 2) continue;
      for (size_t m = f.groups[g].size(); m-- > 0;) {
        Scenario c = s;
        auto& group = c.faults[i].groups[g];
        group.erase(group.begin() + static_cast<long>(m));
        out.push_back(std::move(c));
      }
    }
  }
  return out;
}

// Moves in the order they are tried; the whole list repeats until a pass
// changes nothing (a fixpoint) or the runs run out. `reaim`: the move
// shifts the timing before the violation, so a failed candidate gets its
// faults re-aimed.
struct Move {
  Candidates (*candidates)(const Current&);
  bool reaim;
};
const std::vector<Move>& moves() {
  static const std::vector<Move> kMoves = {
      {cut_after_violation, false}, {fewer_clients, true},  {fewer_faults, true},    {fewer_acquires, true},
      {plainer_network, true},      {fewer_nodes, true},    {fewer_replicas, true},  {fewer_writes, true},
      {smaller_faults, false},      {shorter_run, false},
  };
  return kMoves;
}

void sort_faults(Scenario& s) {
  std::stable_sort(s.faults.begin(), s.faults.end(), [](const Fault& a, const Fault& b) { return a.at_ms < b.at_ms; });
}

class Shrinker {
 public:
  Shrinker(const Scenario& failing, Property property, int runs_max)
      : original_(failing), property_(property), runs_max_(runs_max), best_(failing) {
    best_.expect.reset();
    // Faults at or after the run's end never fire (the generator can draw
    // them): gone, the run is the same, and the file parses (the parser
    // refuses a fault it would never reach).
    std::erase_if(best_.faults, [&](const Fault& f) { return f.at_ms >= best_.world.duration.count(); });
    best_run_ = run(best_);
    const Violation* v = find_violation(best_run_.violations, property_);
    LC_CHECK(v != nullptr);  // the caller passes a scenario that violates `property`
    at_ = v->at;
  }

  Scenario shrink() {
    bool progress = true;
    while (progress && !spent()) {
      progress = false;
      for (const Move& move : moves()) {
        // The same move again on what it produced, until it finds nothing.
        bool took = true;
        while (took && !spent()) {
          took = false;
          for (Scenario& c : move.candidates(Current{best_, best_run_, at_, original_})) {
            if (spent()) break;
            if (attempt(c, move.reaim)) {
              took = progress = true;
              break;
            }
          }
        }
      }
    }
    return best_;
  }

  int runs() const { return runs_; }

 private:
  bool spent() const { return runs_ >= runs_max_; }

  Judged run(const Scenario& s) {
    ++runs_;
    return judge(s);
  }

  // Keeps c (and its run) as the best when it still violates the property.
  bool keep_if_violates(Scenario& c, Judged& j) {
    const Violation* v = find_violation(j.violations, property_);
    if (v == nullptr) return false;
    at_ = v->at;
    best_ = std::move(c);
    best_run_ = std::move(j);
    return true;
  }

  bool attempt(Scenario& c, bool reaim) {
    sort_faults(c);
    Judged j = run(c);
    if (keep_if_violates(c, j)) return true;
    return reaim && attempt_reaimed(c, j);
  }

  // c lost the violation; tries it again with one fault moved to where its
  // anchor (in the best run) recurs in c's run.
  bool attempt_reaimed(const Scenario& c, const Judged& c_run) {
    std::vector<bool> used(best_.faults.size(), false);
    for (size_t i = 0; i < c.faults.size() && !spent(); ++i) {
      // The same fault in best: structural moves keep time and kind.
      std::optional<size_t> same;
      for (size_t k = 0; k < best_.faults.size() && !same; ++k) {
        const Fault& b = best_.faults[k];
        if (!used[k] && b.at_ms == c.faults[i].at_ms && b.kind == c.faults[i].kind && b.during == c.faults[i].during) {
          same = k;
        }
      }
      if (!same) continue;
      used[*same] = true;
      const auto anchor = anchor_of(best_run_.outcome.history, best_.faults[*same]);
      if (!anchor) continue;
      // The same occurrence as in the best run, then the first one (every
      // client starts contending at once, so the first is often as good);
      // each once, so an anchor that was the first is tried just once (not
      // skipped: `break` on it here once skipped every first occurrence).
      std::vector<int> ordinals = {anchor->ordinal};
      if (anchor->ordinal != 1) ordinals.push_back(1);
      std::optional<Judged> without_run;
      for (int ordinal : ordinals) {
        const sim::History& h = c_run.outcome.history;
        auto at_ms = reaimed_at_ms(c, h, i, *anchor, ordinal, fault_event(h, c.faults[i]));
        if (!at_ms) {
          // The anchor comes after the fault in c's run: see where it
          // falls without the fault.
          if (!without_run) {
            if (spent()) return false;
            Scenario without = c;
            without.faults.erase(without.faults.begin() + static_cast<long>(i));
            without_run = run(without);
          }
          const sim::History& w = without_run->outcome.history;
          at_ms = reaimed_at_ms(c, w, i, *anchor, ordinal, w.events.size());
        }
        if (!at_ms || *at_ms == c.faults[i].at_ms || spent()) continue;
        Scenario moved = c;
        moved.faults[i].at_ms = *at_ms;
        sort_faults(moved);
        Judged j = run(moved);
        if (keep_if_violates(moved, j)) return true;
      }
    }
    return false;
  }

  const Scenario& original_;
  const Property property_;
  const int runs_max_;
  int runs_ = 0;
  Scenario best_;
  Judged best_run_;
  sim::TrueInstant at_;
};

}  // namespace

Scenario shrink(const Scenario& failing, Property property, int runs_max, ShrinkStats* stats) {
  LC_CHECK(runs_max >= 1);
  Shrinker shrinker(failing, property, runs_max);
  Scenario best = shrinker.shrink();
  if (stats) {
    stats->runs = shrinker.runs();
    stats->faults_before = failing.faults.size();
    stats->clients_before = failing.world.clients;
    stats->acquires_before = failing.world.workload.acquires_per_client;
    stats->faults_after = best.faults.size();
    stats->clients_after = best.world.clients;
    stats->acquires_after = best.world.workload.acquires_per_client;
  }
  return best;
}

}  // namespace lockcheck::properties
