// Running scenarios, and drawing them from a seed.
#ifndef LOCKCHECK_CHAOS_RUN_H_
#define LOCKCHECK_CHAOS_RUN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "chaos/scenario.h"
#include "sim/world.h"

namespace lockcheck::chaos {

// Runs one scenario in a fresh World with its faults scheduled. The
// scenario must be valid (as parse_scenario or generate make them).
sim::RunOutcome run_scenario(const Scenario& scenario);

// The world a generated scenario starts from, for a strategy.
sim::WorldConfig default_world(const std::string& strategy);

// Draws a scenario for `strategy` whose faults (1 to 3) come from `classes`
// (empty: no faults), entirely determined by `seed`. Every partition cuts
// some client from some Redis node; it names the resource only now and
// then, so a client cut off from Redis mostly still reaches the resource.
Scenario generate(const std::string& strategy, const std::vector<FaultKind>& classes, uint64_t seed);

// Parses "none", "all" or a comma list of fault kinds. Error names the
// first unknown one.
Result<std::vector<FaultKind>> parse_fault_classes(std::string_view text);

}  // namespace lockcheck::chaos

#endif  // LOCKCHECK_CHAOS_RUN_H_
