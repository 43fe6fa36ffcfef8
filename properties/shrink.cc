#include "properties/shrink.h"

#include <algorithm>
#include <optional>

#include "impl/check.h"

namespace lockcheck::properties {

using chaos::Fault;
using chaos::Scenario;

Judged judge(const Scenario& scenario) {
  Judged j;
  j.outcome = chaos::run_scenario(scenario);
  j.violations = check_all(j.outcome.history);
  return j;
}

const Violation* find_violation(const std::vector<Violation>& vs, const std::string& property) {
  for (const auto& v : vs) {
    if (v.property == property) return &v;
  }
  return nullptr;
}

namespace {

// Removes client (or node) `index` and every fault that names it; the ones
// above it move down a number, so a fault on client-2 of three can survive
// the removal of client-0 as a fault on client-1.
Scenario drop_process(const Scenario& s, bool client, int index) {
  const std::string prefix = client ? "client-" : "node-";
  const int count = client ? s.world.clients : s.world.nodes;
  LC_CHECK(index >= 0 && index < count && count > 1);
  auto renamed = [&](const std::string& name) -> std::optional<std::string> {
    for (int i = 0; i < count; ++i) {
      const std::string old_name = prefix + std::to_string(i);
      // A node's replicas ("node-i-replica-r") go and move with it.
      const bool replica = !client && name.rfind(old_name + "-replica-", 0) == 0;
      if (name != old_name && !replica) continue;
      if (i == index) return std::nullopt;
      return prefix + std::to_string(i < index ? i : i - 1) + name.substr(old_name.size());
    }
    return name;  // another kind of process
  };
  Scenario c = s;
  (client ? c.world.clients : c.world.nodes) -= 1;
  std::vector<Fault> kept;
  for (Fault f : c.faults) {
    if (!f.target.empty()) {
      auto t = renamed(f.target);
      if (!t) continue;
      f.target = *t;
    }
    for (auto& g : f.groups) {
      std::vector<std::string> members;
      for (const auto& m : g) {
        if (auto r = renamed(m)) members.push_back(*r);
      }
      g = std::move(members);
    }
    // A partition left with an empty side cuts nothing: drop it.
    if (std::any_of(f.groups.begin(), f.groups.end(), [](const auto& g) { return g.empty(); })) continue;
    kept.push_back(std::move(f));
  }
  c.faults = std::move(kept);
  return c;
}

// Smaller variants of s, most drastic first.
std::vector<Scenario> candidates(const Scenario& s, sim::TrueInstant violation_at) {
  std::vector<Scenario> out;
  for (size_t i = 0; i < s.faults.size(); ++i) {
    Scenario c = s;
    c.faults.erase(c.faults.begin() + static_cast<long>(i));
    out.push_back(std::move(c));
  }
  // Highest first: removing the last process renames nothing.
  for (int i = s.world.clients - 1; i >= 0 && s.world.clients > 1; --i) out.push_back(drop_process(s, true, i));
  for (int i = s.world.nodes - 1; i >= 0 && s.world.nodes > 1; --i) out.push_back(drop_process(s, false, i));
  // Fewer replicas (faults naming the ones that go go too; a failover
  // needs one left), shorter lags.
  const bool failover = std::any_of(s.faults.begin(), s.faults.end(),
                                    [](const Fault& f) { return f.kind == chaos::FaultKind::kFailover; });
  if (s.world.replicas > (failover ? 1 : 0)) {
    Scenario c = s;
    const std::string gone = "-replica-" + std::to_string(s.world.replicas);
    c.world.replicas -= 1;
    std::vector<Fault> kept;
    for (Fault f : c.faults) {
      auto named = [&](const std::string& n) { return n.size() > gone.size() && n.ends_with(gone); };
      if (named(f.target)) continue;
      for (auto& g : f.groups) std::erase_if(g, named);
      if (std::any_of(f.groups.begin(), f.groups.end(), [](const auto& g) { return g.empty(); })) continue;
      kept.push_back(std::move(f));
    }
    c.faults = std::move(kept);
    out.push_back(std::move(c));
  }
  if (s.world.replicas > 0 && s.world.replication_lag_max > Millis(0)) {
    Scenario c = s;
    c.world.replication_lag_max /= 2;
    c.world.replication_lag_min = std::min(c.world.replication_lag_min, c.world.replication_lag_max);
    out.push_back(std::move(c));
  }
  auto& wl = s.world.workload;
  for (int n : {1, wl.acquires_per_client / 2, wl.acquires_per_client - 1}) {
    if (n >= 1 && n < wl.acquires_per_client) {
      Scenario c = s;
      c.world.workload.acquires_per_client = n;
      out.push_back(std::move(c));
    }
  }
  for (int n : {1, wl.writes_per_hold - 1}) {
    if (n >= 1 && n < wl.writes_per_hold) {
      Scenario c = s;
      c.world.workload.writes_per_hold = n;
      out.push_back(std::move(c));
    }
  }
  // Stop the run just after the violation.
  const int64_t end_ms = sim::true_ms(violation_at) + 1;
  if (end_ms < s.world.duration.count()) {
    Scenario c = s;
    c.world.duration = Millis(end_ms);
    std::vector<Fault> kept;
    for (const Fault& f : c.faults) {
      if (f.at_ms < end_ms) kept.push_back(f);
    }
    c.faults = std::move(kept);
    out.push_back(std::move(c));
  }
  // Shorter, earlier, smaller faults: halve each number toward zero.
  auto halve = [&](auto member) {
    for (size_t i = 0; i < s.faults.size(); ++i) {
      const int64_t v = s.faults[i].*member;
      if (v / 2 != v) {
        Scenario c = s;
        c.faults[i].*member = v / 2;
        out.push_back(std::move(c));
      }
    }
  };
  halve(&Fault::duration_ms);
  halve(&Fault::at_ms);
  halve(&Fault::delta_ms);
  halve(&Fault::extra_latency_ms);
  halve(&Fault::ppm);
  for (size_t i = 0; i < s.faults.size(); ++i) {
    const auto& r = s.faults[i].restart_after_ms;
    if (r && *r / 2 != *r) {
      Scenario c = s;
      *c.faults[i].restart_after_ms = *r / 2;
      out.push_back(std::move(c));
    }
  }
  for (auto& c : out) {
    std::stable_sort(c.faults.begin(), c.faults.end(), [](const Fault& a, const Fault& b) { return a.at_ms < b.at_ms; });
  }
  return out;
}

}  // namespace

Scenario shrink(const Scenario& failing, const std::string& property, int runs_max, ShrinkStats* stats) {
  Scenario best = failing;
  best.expect.reset();
  ShrinkStats local;
  local.faults_before = failing.faults.size();
  local.clients_before = failing.world.clients;
  local.acquires_before = failing.world.workload.acquires_per_client;
  Judged current = judge(best);
  ++local.runs;
  const Violation* v = find_violation(current.violations, property);
  LC_CHECK(v != nullptr);  // the caller passes a scenario that violates `property`
  sim::TrueInstant at = v->at;
  bool improved = true;
  while (improved && local.runs < runs_max) {
    improved = false;
    for (auto& c : candidates(best, at)) {
      if (local.runs >= runs_max) break;
      Judged j = judge(c);
      ++local.runs;
      if (const Violation* cv = find_violation(j.violations, property)) {
        best = std::move(c);
        at = cv->at;
        improved = true;
        break;
      }
    }
  }
  local.faults_after = best.faults.size();
  local.clients_after = best.world.clients;
  local.acquires_after = best.world.workload.acquires_per_client;
  if (stats) *stats = local;
  return best;
}

}  // namespace lockcheck::properties
