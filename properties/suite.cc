#include "properties/suite.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>

#include "chaos/swarm.h"
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

std::string format_trace(uint64_t trace) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(trace));
  return buf;
}

namespace {

const Violation* find(const std::vector<Violation>& vs, const std::string& property) {
  for (const auto& v : vs) {
    if (v.property == property) return &v;
  }
  return nullptr;
}

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
  const Violation* v = find(current.violations, property);
  LC_CHECK(v != nullptr);  // the caller passes a scenario that violates `property`
  sim::TrueInstant at = v->at;
  bool improved = true;
  while (improved && local.runs < runs_max) {
    improved = false;
    for (auto& c : candidates(best, at)) {
      if (local.runs >= runs_max) break;
      Judged j = judge(c);
      ++local.runs;
      if (const Violation* cv = find(j.violations, property)) {
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

std::vector<Violation> judged_by(const CellSpec& spec, std::vector<Violation> all) {
  if (spec.properties.empty()) return all;
  std::erase_if(all, [&](const Violation& v) {
    return std::find(spec.properties.begin(), spec.properties.end(), v.property) == spec.properties.end();
  });
  return all;
}

uint64_t cell_seed(const CellSpec& spec, int index) {
  return spec.first_seed + static_cast<uint64_t>(index) * static_cast<uint64_t>(spec.shard_count) +
         static_cast<uint64_t>(spec.shard_index);
}

Scenario cell_scenario(const CellSpec& spec, uint64_t seed) {
  return chaos::generate(spec.strategy, spec.swarm ? chaos::swarm_classes(seed) : spec.classes, seed);
}

CellResult run_cell(const CellSpec& spec_in, int jobs, const Progress& progress) {
  LC_CHECK(spec_in.seeds >= 0);
  LC_CHECK(spec_in.shard_count >= 1 && spec_in.shard_index >= 0 && spec_in.shard_index < spec_in.shard_count);
  LC_CHECK(spec_in.budget_ms >= 0);
  // Within a shard, index i stands for the cell's index i*count + shard.
  CellSpec spec = spec_in;
  spec.seeds = spec_in.seeds <= spec_in.shard_index
                   ? 0
                   : (spec_in.seeds - spec_in.shard_index + spec_in.shard_count - 1) / spec_in.shard_count;
  jobs = std::max(1, std::min(jobs, 64));
  CellResult result;
  result.spec = spec_in;
  // The budget only decides how many seeds start; it never reaches a run.
  const auto started_at = std::chrono::steady_clock::now();
  std::atomic<bool> budget_hit{false};
  auto over_budget = [&]() {
    if (spec.budget_ms == 0) return false;
    if (std::chrono::steady_clock::now() - started_at < std::chrono::milliseconds(spec.budget_ms)) return false;
    budget_hit.store(true);
    return true;
  };

  struct PerSeed {
    bool done = false;
    bool violated = false;
    uint64_t cycles = 0;
    uint64_t events = 0;
    std::string nondeterminism;
  };
  // Seeds run in blocks so memory stays bounded however many are asked for;
  // a block's workers stop at the lowest bad index they find, and no later
  // block starts after one.
  constexpr int kBlockSeeds = 4096;
  std::vector<PerSeed> per;
  std::atomic<int> lowest_bad{INT_MAX};  // lowest seed index that violated or misbehaved
  std::atomic<int> done{0};
  std::string bad_nondeterminism;
  int counted = 0;  // seeds of the finished prefix (up to and including a bad one)
  bool stopped = false;
  for (int block = 0; block < spec.seeds && !stopped; block += kBlockSeeds) {
    const int block_end = std::min(spec.seeds, block + kBlockSeeds);
    per.assign(static_cast<size_t>(block_end - block), PerSeed{});
    std::atomic<int> next{block};
    std::mutex mu;
    std::condition_variable cv;
    auto worker = [&]() {
      for (;;) {
        if (over_budget()) break;
        const int i = next.fetch_add(1);
        if (i >= block_end || i > lowest_bad.load()) break;
        const uint64_t seed = cell_seed(spec, i);
        const Scenario sc = cell_scenario(spec, seed);
        Judged j = judge(sc);
        PerSeed& p = per[static_cast<size_t>(i - block)];
        p.violated = !judged_by(spec, j.violations).empty();
        for (const auto& e : j.outcome.history.events) p.cycles += e.kind == sim::EventKind::kAcquireOk;
        p.events = j.outcome.events_run;
        if (j.outcome.event_limit_hit) p.nondeterminism = "seed " + chaos::format_seed(seed) + " hit the event limit";
        if (spec.check_determinism) {
          Judged again = judge(sc);
          if (again.outcome.trace_hash != j.outcome.trace_hash || again.violations.size() != j.violations.size()) {
            p.nondeterminism = "seed " + chaos::format_seed(seed) + " ran twice with traces " +
                               format_trace(j.outcome.trace_hash) + " and " + format_trace(again.outcome.trace_hash);
          }
        }
        p.done = true;
        if (p.violated || !p.nondeterminism.empty()) {
          int cur = lowest_bad.load();
          while (i < cur && !lowest_bad.compare_exchange_weak(cur, i)) {
          }
        }
        {
          std::lock_guard<std::mutex> lock(mu);
          done.fetch_add(1);
        }
        cv.notify_one();
      }
    };
    std::atomic<int> active{jobs};
    auto run_worker = [&]() {
      worker();
      {
        std::lock_guard<std::mutex> lock(mu);
        active.fetch_sub(1);
      }
      cv.notify_one();
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < jobs; ++t) threads.emplace_back(run_worker);
    {
      std::unique_lock<std::mutex> lock(mu);
      int reported = -1;
      while (active.load() > 0) {
        // Progress only: this wait never reaches a simulated run.
        cv.wait_for(lock, std::chrono::milliseconds(500));
        const int d = done.load();
        if (progress && d != reported) {
          lock.unlock();
          progress(d);
          lock.lock();
          reported = d;
        }
      }
    }
    for (auto& t : threads) t.join();

    // Started seeds all finished: the done ones are a prefix of the block.
    const int bad = lowest_bad.load();
    for (int i = block; i < block_end; ++i) {
      const PerSeed& p = per[static_cast<size_t>(i - block)];
      if (!p.done || i > bad) {
        stopped = true;
        break;
      }
      result.lock_cycles += p.cycles;
      result.events += p.events;
      ++counted;
      if (i == bad) bad_nondeterminism = p.nondeterminism;
    }
    if (bad != INT_MAX) stopped = true;
  }
  const int bad = lowest_bad.load();
  result.seeds_run = counted;
  result.budget_hit = budget_hit.load() && counted < spec.seeds && bad == INT_MAX;
  if (bad == INT_MAX) return result;
  result.seed = cell_seed(spec, bad);
  if (!bad_nondeterminism.empty()) {
    result.nondeterministic = true;
    result.nondeterminism = bad_nondeterminism;
    return result;
  }
  result.violated = true;
  const Scenario original = cell_scenario(spec, result.seed);
  result.violations = judged_by(spec, judge(original).violations);
  for (const Violation& v : result.violations) {
    CellResult::Counterexample cx;
    cx.property = v.property;
    cx.scenario = shrink(original, v.property, spec.shrink_runs_max, &cx.stats);
    Judged final_run = judge(cx.scenario);
    const Violation* fv = find(final_run.violations, v.property);
    LC_CHECK(fv != nullptr);  // shrink only keeps scenarios that still violate
    cx.trace = final_run.outcome.trace_hash;
    cx.explanation = fv->explanation;
    cx.scenario.expect = chaos::Expectation{"violated", v.property, format_trace(cx.trace), {}};
    cx.scenario.description = "counterexample for " + v.property + ": " + spec.strategy + " under faults '" +
                              spec.faults_label + "', shrunk from seed " + chaos::format_seed(result.seed);
    result.counterexamples.push_back(std::move(cx));
  }
  return result;
}

}  // namespace lockcheck::properties
