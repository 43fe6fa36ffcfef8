// Simulator throughput: simulated lock cycles (grants) per wall-clock second
// for the default generated scenario, on one core.
//   ./build/bench/sim_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include "chaos/run.h"
#include "properties/suite.h"

namespace {

using lockcheck::chaos::FaultKind;

void run(benchmark::State& state, const std::string& strategy, std::vector<FaultKind> faults, bool check,
         const std::string& persistence = "none") {
  uint64_t seed = 1;
  uint64_t cycles = 0;
  for (auto _ : state) {
    auto scenario = lockcheck::chaos::generate(strategy, faults, seed++);
    scenario.world.persistence = *lockcheck::sim::parse_persistence(persistence);
    if (check) {
      const auto judged = lockcheck::properties::judge(scenario);
      for (const auto& e : judged.outcome.history.events) cycles += e.kind == lockcheck::sim::EventKind::kAcquireOk;
      benchmark::DoNotOptimize(judged.violations.size());
    } else {
      const auto out = lockcheck::chaos::run_scenario(scenario);
      for (const auto& e : out.history.events) cycles += e.kind == lockcheck::sim::EventKind::kAcquireOk;
    }
  }
  state.counters["lock_cycles_per_s"] = benchmark::Counter(static_cast<double>(cycles), benchmark::Counter::kIsRate);
  state.counters["scenarios_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_DefaultScenarioSimulateOnly(benchmark::State& s) { run(s, "single", {}, false); }
void BM_DefaultScenarioSimulateAndCheck(benchmark::State& s) { run(s, "single", {}, true); }
void BM_PauseScenarioSimulateAndCheck(benchmark::State& s) { run(s, "single", {FaultKind::kPause}, true); }
// Replicas (1-2 per node), their streams and acks, and a failover or three.
void BM_FailoverScenarioSimulateAndCheck(benchmark::State& s) { run(s, "single", {FaultKind::kFailover}, true); }
// Every write also goes to an AOF (and node crashes reload it).
void BM_NodeCrashEverySecScenarioSimulateAndCheck(benchmark::State& s) {
  run(s, "single", {FaultKind::kNodeCrash}, true, "everysec");
}

BENCHMARK(BM_DefaultScenarioSimulateOnly)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DefaultScenarioSimulateAndCheck)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PauseScenarioSimulateAndCheck)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FailoverScenarioSimulateAndCheck)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NodeCrashEverySecScenarioSimulateAndCheck)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
