// Simulator throughput: simulated lock cycles (grants) per wall-clock second
// for the default generated scenario, on one core.
//   ./build/bench/sim_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include "chaos/run.h"
#include "properties/suite.h"

namespace {

using lockcheck::chaos::FaultKind;

void run(benchmark::State& state, const std::string& strategy, std::vector<FaultKind> faults, bool check) {
  uint64_t seed = 1;
  uint64_t cycles = 0;
  for (auto _ : state) {
    const auto scenario = lockcheck::chaos::generate(strategy, faults, seed++);
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

BENCHMARK(BM_DefaultScenarioSimulateOnly)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DefaultScenarioSimulateAndCheck)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PauseScenarioSimulateAndCheck)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
