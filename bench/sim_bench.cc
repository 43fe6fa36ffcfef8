// Simulator throughput on one core, in CPU time (Google Benchmark divides
// every rate counter by the CPU time of the measured loop, not wall time,
// so a shared machine disturbs it less):
//   ./build/bench/sim_bench --benchmark_min_time=2
//
// Counters per benchmark:
//   commands_per_s     simulated Redis commands the modeled nodes ran
//   lock_cycles_per_s  grants (kAcquireOk events)
//   x_real_time        simulated seconds per CPU second (the speed-up over
//                      the simulated world's real time)
//   allocs_per_command heap allocations (every malloc, calloc and realloc,
//                      so operator new, Lua's and hiredis's too) during the
//                      run of the scenario, per simulated command; the
//                      scenario's generation and (for ...AndCheck) the
//                      checkers are not counted
//   scenarios_per_s, commands_per_scenario
//
// The commands: without faults no message is lost or duplicated and every
// request gets one reply, so a run's messages are two per Redis command
// plus two per resource write (request and acknowledgement). The rate is
// reported only for those runs (the fault benchmarks leave it out).
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "chaos/run.h"
#include "properties/suite.h"

// ---- a counting allocator -----------------------------------------------------
// glibc lets a program replace malloc/free/calloc/realloc; these count and
// forward to glibc's own, so every other allocation function (memalign,
// malloc_usable_size, ...) stays consistent with them. operator new calls
// malloc, so C++ allocations are counted here too.
extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t n, size_t size);
void* __libc_realloc(void* ptr, size_t size);
void __libc_free(void* ptr);
}

namespace {
// The benchmarks run on one thread; per-thread counts need no atomics.
thread_local uint64_t allocations = 0;
}  // namespace

extern "C" {
void* malloc(size_t size) {
  ++allocations;
  return __libc_malloc(size);
}
void* calloc(size_t n, size_t size) {
  ++allocations;
  return __libc_calloc(n, size);
}
void* realloc(void* ptr, size_t size) {
  ++allocations;
  return __libc_realloc(ptr, size);
}
void free(void* ptr) { __libc_free(ptr); }
}

namespace {

using lockcheck::chaos::FaultKind;
using lockcheck::sim::EventKind;

struct Totals {
  uint64_t commands = 0;
  uint64_t cycles = 0;
  uint64_t allocations = 0;
  double simulated_s = 0;
  bool commands_known = true;  // false once a run may have lost or duplicated messages
};

void add_run(const lockcheck::sim::RunOutcome& out, bool faults, Totals& t) {
  uint64_t writes = 0;
  for (const auto& e : out.history.events) {
    t.cycles += e.kind == EventKind::kAcquireOk;
    writes += e.kind == EventKind::kWrite || e.kind == EventKind::kWriteRejected;
  }
  if (faults || !out.history.messages_lost.empty() || out.messages_sent % 2 != 0 ||
      out.messages_sent / 2 < writes) {
    t.commands_known = false;
  } else {
    t.commands += out.messages_sent / 2 - writes;
  }
  // The simulated span: up to the run's last event (a run may end before
  // its configured duration when nothing is left to do).
  if (!out.history.events.empty()) {
    t.simulated_s += std::chrono::duration<double>(out.history.events.back().at.time_since_epoch()).count();
  }
}

void run(benchmark::State& state, const std::string& strategy, std::vector<FaultKind> faults, bool check,
         const std::string& persistence = "none") {
  uint64_t seed = 1;
  Totals t;
  for (auto _ : state) {
    auto scenario = lockcheck::chaos::generate(strategy, faults, seed++);
    scenario.world.persistence = *lockcheck::sim::parse_persistence(persistence);
    if (check) {
      const uint64_t before = allocations;
      const auto judged = lockcheck::properties::judge(scenario);
      t.allocations += allocations - before;  // the checkers included: judge() runs them inside
      add_run(judged.outcome, !faults.empty(), t);
      benchmark::DoNotOptimize(judged.violations.size());
    } else {
      const uint64_t before = allocations;
      const auto out = lockcheck::chaos::run_scenario(scenario);
      t.allocations += allocations - before;
      add_run(out, !faults.empty(), t);
    }
  }
  using benchmark::Counter;
  state.counters["lock_cycles_per_s"] = Counter(static_cast<double>(t.cycles), Counter::kIsRate);
  state.counters["scenarios_per_s"] = Counter(static_cast<double>(state.iterations()), Counter::kIsRate);
  state.counters["x_real_time"] = Counter(t.simulated_s, Counter::kIsRate);
  if (t.commands_known && t.commands > 0) {
    state.counters["commands_per_s"] = Counter(static_cast<double>(t.commands), Counter::kIsRate);
    state.counters["commands_per_scenario"] = Counter(static_cast<double>(t.commands), Counter::kAvgIterations);
    state.counters["allocs_per_command"] =
        Counter(static_cast<double>(t.allocations) / static_cast<double>(t.commands));
  }
}

// The two reference scenarios: the default generated scenario (no
// faults) of `single` (one node) and of `redlock` (five nodes, Lua on
// every release).
void BM_DefaultScenarioSimulateOnly(benchmark::State& s) { run(s, "single", {}, false); }
void BM_DefaultScenarioSimulateAndCheck(benchmark::State& s) { run(s, "single", {}, true); }
void BM_RedlockScenarioSimulateOnly(benchmark::State& s) { run(s, "redlock", {}, false); }
void BM_RedlockScenarioSimulateAndCheck(benchmark::State& s) { run(s, "redlock", {}, true); }
void BM_PauseScenarioSimulateAndCheck(benchmark::State& s) { run(s, "single", {FaultKind::kPause}, true); }
// Replicas (1-2 per node), their streams and acks, and a failover or three.
void BM_FailoverScenarioSimulateAndCheck(benchmark::State& s) { run(s, "single", {FaultKind::kFailover}, true); }
// Every write also goes to an AOF (and node crashes reload it).
void BM_NodeCrashEverySecScenarioSimulateAndCheck(benchmark::State& s) {
  run(s, "single", {FaultKind::kNodeCrash}, true, "everysec");
}

BENCHMARK(BM_DefaultScenarioSimulateOnly)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DefaultScenarioSimulateAndCheck)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RedlockScenarioSimulateOnly)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RedlockScenarioSimulateAndCheck)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PauseScenarioSimulateAndCheck)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FailoverScenarioSimulateAndCheck)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NodeCrashEverySecScenarioSimulateAndCheck)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
