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
const Violation* find_violation(const std::vector<Violation>& vs, const std::string& property);

struct ShrinkStats {
  int runs = 0;           // scenarios tried
  size_t faults_before = 0, faults_after = 0;
  int clients_before = 0, clients_after = 0;
  int acquires_before = 0, acquires_after = 0;
};

// Greedy shrinking: repeatedly tries smaller variants (fewer faults,
// clients, nodes and lock cycles; shorter faults; earlier times) and keeps
// any that still violates `property`. At most runs_max scenario runs.
chaos::Scenario shrink(const chaos::Scenario& failing, const std::string& property, int runs_max,
                       ShrinkStats* stats);

}  // namespace lockcheck::properties

#endif  // LOCKCHECK_PROPERTIES_SHRINK_H_
