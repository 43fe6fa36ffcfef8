// Property suites over generated scenarios: run the seeds of one
// (strategy, fault classes) cell, judge every property over every seed
// (stopping early only once every judged property has been violated), and
// shrink one counterexample per violated property from that property's own
// lowest violating seed.
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
  std::vector<Property> properties;      // the properties judged; empty: all
  // Run every seed twice and compare the outcomes in full (trace, every
  // violation), and shrink every counterexample twice and compare them.
  bool check_determinism = false;
  int shrink_runs_max = 400;
};

// The violations among `all` that the cell judges (spec.properties).
std::vector<Violation> judged_by(const CellSpec& spec, std::vector<Violation> all);
// Whether the cell judges `property`.
bool judges(const CellSpec& spec, Property property);

// How many of the cell's spec.seeds indices this shard takes: those i with
// i % shard_count == shard_index.
int shard_seeds(const CellSpec& spec);

// The seed of index i, and the scenario a cell runs for it.
uint64_t cell_seed(const CellSpec& spec, int index);
chaos::Scenario cell_scenario(const CellSpec& spec, uint64_t seed);

// A violation shrunk to a small scenario that still shows it.
struct Counterexample {
  chaos::Scenario scenario;  // shrunk; `expect` names property and trace
  uint64_t trace = 0;
  std::string explanation;   // the violation, as the shrunk run shows it
  ShrinkStats stats;
};

// How one property fared over the seeds a cell counted (seeds_run).
struct PropertyResult {
  Property property = Property::kMutex;
  bool judged = true;          // false: not in spec.properties
  int seeds_judged = 0;        // seeds_run when judged, else 0
  int seeds_violated = 0;      // of those, the ones whose run violated it
  // When seeds_violated > 0: its lowest violating seed, the violation as
  // that seed's run showed it, and a counterexample shrunk from that seed
  // (absent only in a cell with a harness fault, which is never shrunk).
  uint64_t seed = 0;
  std::string explanation;
  std::optional<Counterexample> counterexample;

  bool violated() const { return seeds_violated > 0; }
};

struct CellResult {
  CellSpec spec;
  // The seeds counted, always a prefix of this shard's: all of them,
  // unless the budget ran out or every judged property was violated (then
  // the cell stops after the highest of the properties' lowest violating
  // seeds), or a harness fault stopped it. Every judged property was judged
  // on each of them.
  int seeds_run = 0;
  bool budget_hit = false;     // stopped by budget_ms before all seeds ran
  bool stopped_early = false;  // every judged property violated before the last seed
  uint64_t lock_cycles = 0;    // grants over the seeds counted
  uint64_t events = 0;
  std::vector<PropertyResult> properties;  // one per catalog property, catalog order
  // Any property violated, and the lowest seed that violated one.
  bool violated = false;
  uint64_t seed = 0;
  // Harness fault: a seed hit the event limit, or (check_determinism) two
  // runs of a seed or two shrinks of a counterexample differed. The cell
  // stops at the lowest such seed; its counterexamples are not shrunk.
  bool nondeterministic = false;
  bool mismatch = false;        // the fault is two runs that differed
  std::string nondeterminism;   // what, at which seed
  int seeds_checked_twice = 0;  // seeds of seeds_run run twice and compared

  // The result for `property`, or nullptr when the cell has none.
  const PropertyResult* find(Property property) const;
};

// How two runs of one scenario differ, or "" when they agree in full:
// trace, event count, and every violation's property, instant and text.
std::string outcome_difference(const Judged& a, const Judged& b);

// Progress callback: seeds done so far (called from the calling thread).
using Progress = std::function<void(int seeds_done)>;

// Runs the cell on `jobs` threads. Deterministic whatever `jobs` and the
// thread timing (the budget aside, which only shortens the prefix): the
// seeds counted, each property's counts, lowest seed and counterexample.
CellResult run_cell(const CellSpec& spec, int jobs, const Progress& progress);

// Hex trace hash as printed in TRACE= lines and scenario files.
std::string format_trace(uint64_t trace);

}  // namespace lockcheck::properties

#endif  // LOCKCHECK_PROPERTIES_SUITE_H_
