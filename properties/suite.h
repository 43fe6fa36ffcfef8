// Property suites over generated scenarios: run seeds for one (strategy,
// fault classes) cell, stop at the first violation, shrink it to a
// minimal counterexample.
#ifndef LOCKCHECK_PROPERTIES_SUITE_H_
#define LOCKCHECK_PROPERTIES_SUITE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "chaos/run.h"
#include "properties/checkers.h"
#include "properties/shrink.h"

namespace lockcheck::properties {

struct CellSpec {
  std::string strategy;
  std::string faults_label;              // as the user wrote it, for reports
  std::vector<chaos::FaultKind> classes;
  bool swarm = false;                    // each seed draws its own classes (chaos/swarm.h)
  uint64_t first_seed = 1;
  int seeds = 100;                       // seed indices 0..seeds-1 of the whole cell
  // Sharding: this run takes the indices i with i % shard_count ==
  // shard_index, so N machines split one cell and `lockcheck report`
  // merges them (the lowest violating seed over shards is the cell's).
  int shard_index = 0;
  int shard_count = 1;
  // Wall-clock budget for the cell, 0: none. When it runs out no new seed
  // starts; the seeds started all finish, so the count run is a prefix and
  // the verdict over it is still reproducible with --seeds <that count>.
  int64_t budget_ms = 0;
  std::vector<std::string> properties;   // the properties judged; empty: all
  bool check_determinism = false;        // run every seed twice, compare traces
  int shrink_runs_max = 400;
};

// The violations among `all` that the cell judges (spec.properties).
std::vector<Violation> judged_by(const CellSpec& spec, std::vector<Violation> all);

// The seed of index i, and the scenario a cell runs for it.
uint64_t cell_seed(const CellSpec& spec, int index);
chaos::Scenario cell_scenario(const CellSpec& spec, uint64_t seed);

struct CellResult {
  CellSpec spec;
  int seeds_run = 0;         // of this shard
  bool budget_hit = false;   // stopped by budget_ms before all seeds ran
  uint64_t lock_cycles = 0;  // grants over all seeds run
  uint64_t events = 0;
  // A violation, when one was found:
  bool violated = false;
  uint64_t seed = 0;                      // the first violating seed
  std::vector<Violation> violations;      // of that seed's original run
  struct Counterexample {
    std::string property;
    chaos::Scenario scenario;  // shrunk; `expect` names property and trace
    uint64_t trace = 0;
    std::string explanation;   // the violation, as the shrunk run shows it
    ShrinkStats stats;
  };
  std::vector<Counterexample> counterexamples;  // one per violated property
  // Determinism:
  bool nondeterministic = false;
  std::string nondeterminism;             // which seed, which hashes
};

// Progress callback: seeds done so far (called from the calling thread).
using Progress = std::function<void(int seeds_done)>;

// Runs the cell on `jobs` threads. Deterministic: the reported violation is
// the lowest violating seed, whatever the thread timing.
CellResult run_cell(const CellSpec& spec, int jobs, const Progress& progress);

// Hex trace hash as printed in TRACE= lines and scenario files.
std::string format_trace(uint64_t trace);

}  // namespace lockcheck::properties

#endif  // LOCKCHECK_PROPERTIES_SUITE_H_
