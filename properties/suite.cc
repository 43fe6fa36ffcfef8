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
#include "properties/shrink.h"
#include "impl/check.h"

namespace lockcheck::properties {

using chaos::Fault;
using chaos::Scenario;

std::string format_trace(uint64_t trace) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(trace));
  return buf;
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
    const Violation* fv = find_violation(final_run.violations, v.property);
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
