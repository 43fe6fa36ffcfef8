// lockcheck::testing::check: the property suite of `lockcheck run` over one
// (strategy, fault classes) cell, as a library call for a user's test suite.
//
//   auto result = lockcheck::testing::check(my_lock_def, {.faults = "partition+kill"});
//   ASSERT_TRUE(result.ok()) << result.error().message;
//   const auto* mutex = result.value().find("mutex");
//   // mutex->violated, ->seed, ->trace, ->counterexample_file, ->explanation
//
// Deterministic: the same options give the same verdicts, seeds, traces and
// counterexample files, whatever ran before in the process, and whatever
// `jobs` is.
#ifndef LOCKCHECK_TESTING_CHECK_H_
#define LOCKCHECK_TESTING_CHECK_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chaos/scenario.h"
#include "impl/lock.h"
#include "impl/result.h"

namespace lockcheck::testing {

// Defaults are `lockcheck run`'s, for one cell.
struct CheckOptions {
  // One cell of `lockcheck run --faults`: "none", "swarm" (each seed draws
  // its own classes), or fault classes joined by '+' (mixed in one cell),
  // e.g. "partition+kill". Not "all", nor a comma list (that is several
  // cells: call check once per cell).
  std::string faults = "none";
  uint64_t first_seed = 1;
  int seeds = 200;                      // 1..10'000'000
  std::vector<std::string> properties;  // judged; empty: all (see `lockcheck list properties`)
  // Where counterexample files go (created when missing). Relative paths
  // are relative to the working directory, as for `lockcheck run --report`.
  std::string report_dir = "lockcheck-out";
  int jobs = 2;               // 1..64; results do not depend on it
  int shrink_runs = 400;      // 1..100'000, per counterexample
  bool check_determinism = false;  // run every seed twice and compare
};

// How one property fared over the cell's seeds.
struct PropertyVerdict {
  std::string property;
  bool judged = true;   // false: not in options.properties
  bool violated = false;
  int seeds_judged = 0;
  int seeds_violated = 0;
  // When violated: the lowest violating seed (SEED=), the shrunk
  // counterexample's TRACE= (hex), its one-line explanation, the file it was
  // written to (a scenario file: replay() and `lockcheck replay` take it) and
  // the command that replays it.
  uint64_t seed = 0;
  std::string trace;
  std::string explanation;
  std::string counterexample_file;
  std::string replay_command;
};

struct CheckResult {
  std::string strategy;
  std::string faults;
  int seeds_run = 0;  // a prefix of the seeds: the run stops once every judged property broke
  // A harness fault (a run hit the event limit, or check_determinism found
  // two runs that differ): no verdict can be trusted. `harness_fault` says what.
  bool harness_faulted = false;
  std::string harness_fault;
  std::vector<PropertyVerdict> properties;  // the property catalog's order

  // The verdict for `property`, or nullptr when there is no such property.
  const PropertyVerdict* find(std::string_view property) const;
  // No harness fault and no judged property violated.
  bool holds() const;
  // Every violation (SEED=, TRACE=, explanation, replay command), or the
  // harness fault, as text for a failure message; "" when it holds.
  std::string report() const;
};

// Runs the cell. Error{kInvalidArgument} for an unknown strategy, faults
// or property, options out of range, or an unusable report_dir.
Result<CheckResult> check(std::string_view strategy, const CheckOptions& options = {});
// As above after ensure_registered(strategy): a user's def need not be
// registered first.
Result<CheckResult> check(const StrategyDef& strategy, const CheckOptions& options = {});

// One cell in CheckOptions::faults' grammar.
struct FaultCell {
  std::vector<chaos::FaultKind> classes;  // empty for "none" and "swarm"
  bool swarm = false;
};
Result<FaultCell> parse_fault_cell(std::string_view faults);

}  // namespace lockcheck::testing

#endif  // LOCKCHECK_TESTING_CHECK_H_
