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

int shard_seeds(const CellSpec& spec) {
  if (spec.seeds <= spec.shard_index) return 0;
  return (spec.seeds - spec.shard_index + spec.shard_count - 1) / spec.shard_count;
}

uint64_t cell_seed(const CellSpec& spec, int index) {
  return spec.first_seed + static_cast<uint64_t>(index) * static_cast<uint64_t>(spec.shard_count) +
         static_cast<uint64_t>(spec.shard_index);
}

Scenario cell_scenario(const CellSpec& spec, uint64_t seed) {
  return chaos::generate(spec.strategy, spec.swarm ? chaos::swarm_classes(seed) : spec.classes, seed);
}

namespace {

// Seeds run in blocks so memory stays bounded however many are asked for.
constexpr int kBlockSeeds = 4096;

// One seed's run, kept until its block is folded into the cell's counts.
struct SeedRun {
  bool done = false;
  uint32_t violated_mask = 0;         // bit k: catalog property k violated (judged ones only)
  std::vector<Violation> violations;  // the judged ones, catalog order
  uint64_t cycles = 0;
  uint64_t events = 0;
  std::string harness_fault;          // non-empty: this seed's results cannot be trusted
  bool mismatch = false;              // the fault is two runs that differed
};

std::string describe_at(sim::TrueInstant at) {
  return std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count()) + " us";
}

}  // namespace

std::string outcome_difference(const Judged& a, const Judged& b) {
  if (a.outcome.trace_hash != b.outcome.trace_hash) {
    return "traces " + format_trace(a.outcome.trace_hash) + " and " + format_trace(b.outcome.trace_hash);
  }
  if (a.outcome.events_run != b.outcome.events_run || a.outcome.event_limit_hit != b.outcome.event_limit_hit) {
    return std::to_string(a.outcome.events_run) + " and " + std::to_string(b.outcome.events_run) + " events";
  }
  if (a.violations.size() != b.violations.size()) {
    return std::to_string(a.violations.size()) + " and " + std::to_string(b.violations.size()) + " violations";
  }
  for (size_t i = 0; i < a.violations.size(); ++i) {
    const Violation& x = a.violations[i];
    const Violation& y = b.violations[i];
    const std::string name = property_name(x.property);
    if (x.property != y.property) return "violations of " + name + " and " + property_name(y.property);
    if (x.at != y.at) return name + " violated at " + describe_at(x.at) + " and " + describe_at(y.at);
    if (x.explanation != y.explanation) return name + " explained as '" + x.explanation + "' and '" + y.explanation + "'";
  }
  return "";
}

namespace {

SeedRun run_seed(const CellSpec& spec, uint64_t seed) {
  SeedRun p;
  const Scenario sc = cell_scenario(spec, seed);
  const Judged j = judge(sc);
  p.violations = judged_by(spec, j.violations);
  for (const Violation& v : p.violations) p.violated_mask |= uint32_t{1} << property_index(v.property);
  for (const auto& e : j.outcome.history.events) p.cycles += e.kind == sim::EventKind::kAcquireOk;
  p.events = j.outcome.events_run;
  if (j.outcome.event_limit_hit) p.harness_fault = "seed " + chaos::format_seed(seed) + " hit the event limit";
  if (spec.check_determinism && p.harness_fault.empty()) {
    const std::string diff = outcome_difference(j, judge(sc));
    if (!diff.empty()) {
      p.harness_fault = "seed " + chaos::format_seed(seed) + " ran twice with different outcomes: " + diff;
      p.mismatch = true;
    }
  }
  p.done = true;
  return p;
}

// Shrinks `property`'s violation at `seed`; with check_determinism shrinks
// twice and sets *mismatch when the two differ in any way.
Counterexample shrink_counterexample(const CellSpec& spec, Property property, uint64_t seed, std::string* mismatch) {
  const Scenario original = cell_scenario(spec, seed);
  const std::string name = property_name(property);
  auto once = [&]() {
    Counterexample cx;
    cx.scenario = shrink(original, property, spec.shrink_runs_max, &cx.stats);
    const Judged final_run = judge(cx.scenario);
    const Violation* fv = find_violation(final_run.violations, property);
    LC_CHECK(fv != nullptr);  // shrink only keeps scenarios that still violate
    cx.trace = final_run.outcome.trace_hash;
    cx.explanation = fv->explanation;
    cx.scenario.expect = chaos::Expectation{"violated", name, format_trace(cx.trace), {}};
    cx.scenario.trace_format = sim::kTraceFormat;
    cx.scenario.description = "counterexample for " + name + ": " + spec.strategy + " under faults '" +
                              spec.faults_label + "', shrunk from seed " + chaos::format_seed(seed);
    return cx;
  };
  Counterexample cx = once();
  if (spec.check_determinism) {
    const Counterexample again = once();
    const bool same = chaos::format_scenario(cx.scenario) == chaos::format_scenario(again.scenario) &&
                      cx.trace == again.trace && cx.explanation == again.explanation &&
                      cx.stats.runs == again.stats.runs;
    if (!same) {
      *mismatch = "shrinking the " + name + " counterexample from seed " + chaos::format_seed(seed) +
                  " twice gave different results (traces " + format_trace(cx.trace) + " and " +
                  format_trace(again.trace) + ", " + std::to_string(cx.stats.runs) + " and " +
                  std::to_string(again.stats.runs) + " runs)";
    }
  }
  return cx;
}

// Runs task(i) for every i in [0, count) on up to `jobs` threads; each
// task writes only its own slot, so the results do not depend on timing.
void parallel_for(int count, int jobs, const std::function<void(int)>& task) {
  std::atomic<int> next{0};
  auto worker = [&]() {
    for (int i = next.fetch_add(1); i < count; i = next.fetch_add(1)) task(i);
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < std::min(jobs, count); ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
}

}  // namespace

bool judges(const CellSpec& spec, Property property) {
  return spec.properties.empty() ||
         std::find(spec.properties.begin(), spec.properties.end(), property) != spec.properties.end();
}

const PropertyResult* CellResult::find(Property property) const {
  for (const auto& p : properties) {
    if (p.property == property) return &p;
  }
  return nullptr;
}

CellResult run_cell(const CellSpec& spec_in, int jobs, const Progress& progress) {
  LC_CHECK(spec_in.seeds >= 0);
  LC_CHECK(spec_in.shard_count >= 1 && spec_in.shard_index >= 0 && spec_in.shard_index < spec_in.shard_count);
  LC_CHECK(spec_in.budget_ms >= 0);
  const auto& catalog = property_catalog();
  LC_CHECK(catalog.size() <= 32);  // one bit per property in SeedRun::violated_mask
  // Within a shard, index i stands for the cell's index i*count + shard.
  CellSpec spec = spec_in;
  spec.seeds = shard_seeds(spec_in);
  jobs = std::max(1, std::min(jobs, 64));
  CellResult result;
  result.spec = spec_in;
  std::vector<size_t> judged;  // catalog indices
  for (size_t k = 0; k < catalog.size(); ++k) {
    PropertyResult p;
    p.property = catalog[k].property;
    p.judged = judges(spec, p.property);
    if (p.judged) judged.push_back(k);
    result.properties.push_back(std::move(p));
  }
  // The budget only decides how many seeds start; it never reaches a run.
  const auto started_at = std::chrono::steady_clock::now();
  std::atomic<bool> budget_hit{false};
  auto over_budget = [&]() {
    if (spec.budget_ms == 0) return false;
    if (std::chrono::steady_clock::now() - started_at < std::chrono::milliseconds(spec.budget_ms)) return false;
    budget_hit.store(true);
    return true;
  };

  // Where the cell may stop: after the lowest harness fault, or once every
  // judged property has a violation, after the highest of their lowest
  // violating indices. Each lowest index only falls, so the bound only
  // falls, and every index at or below its final value is run whatever the
  // timing: the seeds counted are the same for any number of jobs.
  std::vector<std::atomic<int>> lowest(catalog.size());
  for (auto& l : lowest) l.store(INT_MAX);
  std::atomic<int> lowest_fault{INT_MAX};
  auto lower = [](std::atomic<int>& a, int i) {
    int cur = a.load();
    while (i < cur && !a.compare_exchange_weak(cur, i)) {
    }
  };
  auto bound = [&]() {
    int highest = judged.empty() ? INT_MAX : 0;
    for (size_t k : judged) highest = std::max(highest, lowest[k].load());
    return std::min(highest, lowest_fault.load());
  };

  std::vector<SeedRun> per;
  std::atomic<int> done{0};
  int counted = 0;  // seeds of the finished prefix
  std::string fault;
  bool fault_mismatch = false;
  bool stopped = false;
  for (int block = 0; block < spec.seeds && !stopped; block += kBlockSeeds) {
    const int block_end = std::min(spec.seeds, block + kBlockSeeds);
    per.assign(static_cast<size_t>(block_end - block), SeedRun{});
    std::atomic<int> next{block};
    std::mutex mu;
    std::condition_variable cv;
    auto worker = [&]() {
      for (;;) {
        if (over_budget()) break;
        const int i = next.fetch_add(1);
        if (i >= block_end || i > bound()) break;
        SeedRun& p = per[static_cast<size_t>(i - block)];
        p = run_seed(spec, cell_seed(spec, i));
        for (size_t k = 0; k < catalog.size(); ++k) {
          if (p.violated_mask & (uint32_t{1} << k)) lower(lowest[k], i);
        }
        if (!p.harness_fault.empty()) lower(lowest_fault, i);
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

    // Started seeds all finished: the done ones up to the bound are a
    // prefix of the block. Fold them in; the counts come from this prefix
    // alone, never from the atomics, which may have seen seeds beyond it.
    const int final_bound = bound();
    for (int i = block; i < block_end; ++i) {
      const SeedRun& p = per[static_cast<size_t>(i - block)];
      if (!p.done || i > final_bound) {
        stopped = true;
        break;
      }
      result.lock_cycles += p.cycles;
      result.events += p.events;
      ++counted;
      for (const Violation& v : p.violations) {
        PropertyResult& r = result.properties[property_index(v.property)];
        if (r.seeds_violated++ == 0) {
          r.seed = cell_seed(spec, i);
          r.explanation = v.explanation;
        }
      }
      if (!p.harness_fault.empty()) {
        fault = p.harness_fault;
        fault_mismatch = p.mismatch;
        stopped = true;
        break;
      }
    }
  }
  result.seeds_run = counted;
  result.seeds_checked_twice = spec.check_determinism ? counted : 0;
  const int final_bound = bound();
  result.stopped_early = fault.empty() && counted < spec.seeds && final_bound != INT_MAX && counted == final_bound + 1;
  result.budget_hit = budget_hit.load() && counted < spec.seeds && fault.empty() && !result.stopped_early;
  for (size_t k : judged) {
    PropertyResult& p = result.properties[k];
    p.seeds_judged = counted;
    if (p.violated() && (!result.violated || p.seed < result.seed)) result.seed = p.seed;
    result.violated = result.violated || p.violated();
  }
  if (!fault.empty()) {
    result.nondeterministic = true;
    result.mismatch = fault_mismatch;
    result.nondeterminism = fault;
    return result;
  }

  // One counterexample per violated property, each shrunk from that
  // property's own lowest violating seed, side by side on the workers.
  std::vector<size_t> violated;
  for (size_t k : judged) {
    if (result.properties[k].violated()) violated.push_back(k);
  }
  std::vector<std::string> mismatches(violated.size());
  parallel_for(static_cast<int>(violated.size()), jobs, [&](int t) {
    PropertyResult& p = result.properties[violated[static_cast<size_t>(t)]];
    p.counterexample = shrink_counterexample(spec, p.property, p.seed, &mismatches[static_cast<size_t>(t)]);
  });
  for (const std::string& m : mismatches) {
    if (m.empty()) continue;
    result.nondeterministic = true;
    result.mismatch = true;
    result.nondeterminism = m;
    break;
  }
  return result;
}

}  // namespace lockcheck::properties
