// RapidCheck generators of simulated worlds, for a user's own properties:
//
//   RC_GTEST_PROP(MyLock, NoTwoHoldersUnderPartitions, ()) {
//     const auto scenario = *lockcheck::testing::gen::scenario(kMyLock, "partition+kill");
//     const auto run = lockcheck::testing::run(scenario);
//     RC_ASSERT(!run.violated("mutex"));
//   }
//
// A generated scenario is what `lockcheck run` would run for some seed of
// that cell; RapidCheck shrinks it (fewer faults, fewer acquires per
// client) and reproduces it from its own seed (RC_PARAMS="seed=...").
#ifndef LOCKCHECK_TESTING_GEN_H_
#define LOCKCHECK_TESTING_GEN_H_

#include <rapidcheck.h>

#include <string>
#include <string_view>

#include "chaos/scenario.h"
#include "impl/lock.h"
#include "testing/replay.h"

namespace lockcheck::testing {

// Runs and judges a scenario (no expectations checked).
ReplayResult run(const chaos::Scenario& scenario);

namespace gen {

// Scenarios of one cell (CheckOptions::faults' grammar). The strategy
// must be registered (the StrategyDef overload registers it); bad faults
// or an unknown strategy fail the property at generation.
rc::Gen<chaos::Scenario> scenario(std::string_view strategy, std::string_view faults);
rc::Gen<chaos::Scenario> scenario(const StrategyDef& strategy, std::string_view faults);

}  // namespace gen

// The smaller scenarios RapidCheck tries when shrinking `s`: one fault
// fewer, one acquire per client fewer.
std::vector<chaos::Scenario> smaller_scenarios(const chaos::Scenario& s);

}  // namespace lockcheck::testing

#endif  // LOCKCHECK_TESTING_GEN_H_
