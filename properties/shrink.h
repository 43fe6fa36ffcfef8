// Shrinking: a failing scenario made smaller while it still violates the
// same property, so the counterexample a user reads is short.
#ifndef LOCKCHECK_PROPERTIES_SHRINK_H_
#define LOCKCHECK_PROPERTIES_SHRINK_H_

#include <string>
#include <vector>

#include "chaos/run.h"
#include "chaos/scenario.h"
#include "properties/checkers.h"

namespace lockcheck::properties {

// One run of one scenario, judged.
struct Judged {
  sim::RunOutcome outcome;
  std::vector<Violation> violations;  // catalog order; empty: all held
};
Judged judge(const chaos::Scenario& scenario);

// The violation of `property` among vs, or nullptr.
const Violation* find_violation(const std::vector<Violation>& vs, Property property);

struct ShrinkStats {
  int runs = 0;           // scenarios tried
  size_t faults_before = 0, faults_after = 0;
  int clients_before = 0, clients_after = 0;
  int acquires_before = 0, acquires_after = 0;
};

// The fewest nodes shrinking may leave: the strategy's own node count
// (strategy_catalog(); Redlock's 5), or the scenario's if it has fewer.
int nodes_floor(const chaos::Scenario& scenario);

// Greedy shrinking to a fixpoint: tries smaller variants of the scenario,
// each move in turn — end the run just after the violation, fewer faults,
// clients, lock cycles, nodes (never below nodes_floor), replicas and
// writes, a plainer network, earlier/shorter/smaller faults — and keeps any
// that still violates `property`; repeats until a whole pass finds nothing
// or runs_max scenario runs (>= 1) are spent. Deterministic: the result is
// a function of the arguments.
chaos::Scenario shrink(const chaos::Scenario& failing, Property property, int runs_max,
                       ShrinkStats* stats);

}  // namespace lockcheck::properties

#endif  // LOCKCHECK_PROPERTIES_SHRINK_H_
