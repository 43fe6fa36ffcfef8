// Shrinking: counterexamples a user can read, and never outside the
// strategy's own setting.
#include "properties/shrink.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "chaos/run.h"
#include "impl/check.h"

namespace lockcheck::properties {
namespace {

using chaos::FaultKind;
using chaos::Scenario;

Scenario load(const std::string& name) {
  std::ifstream in(std::string(LOCKCHECK_SCENARIO_DIR) + "/" + name);
  std::stringstream text;
  text << in.rdbuf();
  auto s = chaos::parse_scenario(text.str(), name);
  LC_CHECK(s.ok());
  return s.value();
}

bool violates(const Scenario& s, Property property) {
  return find_violation(judge(s).violations, property) != nullptr;
}

TEST(NodesFloor, IsTheStrategysOwnNodeCountOrFewerWhenTheScenarioHasFewer) {
  Scenario s;
  s.world = chaos::default_world("redlock");
  EXPECT_EQ(nodes_floor(s), 5);
  s.world.nodes = 7;
  EXPECT_EQ(nodes_floor(s), 5);
  s.world.nodes = 3;  // redlock over three masters: shrinking leaves it alone
  EXPECT_EQ(nodes_floor(s), 3);
  s.world = chaos::default_world("single");
  s.world.nodes = 3;
  EXPECT_EQ(nodes_floor(s), 1);
}

// A delayed restart breaks validity on Redlock's five masters. Fewer nodes
// also break it, but a Redlock counterexample on one node is outside
// Redlock's setting (the old shrinker went down to `nodes: 1`).
TEST(Shrink, NeverLeavesFewerNodesThanTheStrategyRunsOn) {
  const Scenario s = load("redlock-node-restart-delayed.json");
  ASSERT_TRUE(violates(s, Property::kValidity));
  ShrinkStats stats;
  const Scenario small = shrink(s, Property::kValidity, 400, &stats);
  EXPECT_TRUE(violates(small, Property::kValidity));
  EXPECT_EQ(small.world.nodes, 5) << chaos::format_scenario(small);
}

// The restart-without-persistence story needs client-0 cut off from two
// nodes and one node restarting empty; the old shrinker kept all three
// faults (the partition that only delays client-1 too).
TEST(Shrink, RedlockRestartKeepsOnlyTheFaultsTheStoryNeeds) {
  const Scenario s = load("redlock-node-restart-without-persistence.json");
  ASSERT_TRUE(violates(s, Property::kMutex));
  ShrinkStats stats;
  const Scenario small = shrink(s, Property::kMutex, 400, &stats);
  EXPECT_TRUE(violates(small, Property::kMutex));
  EXPECT_EQ(small.world.nodes, 5);
  EXPECT_EQ(small.faults.size(), 2u) << chaos::format_scenario(small);
  EXPECT_LT(small.world.duration.count(), 1000) << chaos::format_scenario(small);
}

// setnx-expire under crashes, seed 0x6a (the default matrix's cell): the
// crash must land between SETNX and EXPIRE, a window of a millisecond or
// two, so any change of timing used to lose it and the shrinker kept 3
// clients, 5 lock cycles and a 19.6 s run. Re-aimed at the same moment of
// the shrunk run, the crash survives.
TEST(Shrink, ACrashBetweenSetnxAndExpireShrinksToOneClientAndOneCycle) {
  const Scenario s = chaos::generate("setnx-expire", {FaultKind::kCrash}, 0x6a);
  ASSERT_TRUE(violates(s, Property::kExpiry)) << "the generator changed: pick a violating seed";
  ShrinkStats stats;
  const Scenario small = shrink(s, Property::kExpiry, 400, &stats);
  EXPECT_TRUE(violates(small, Property::kExpiry));
  EXPECT_EQ(small.world.clients, 1) << chaos::format_scenario(small);
  EXPECT_EQ(small.world.workload.acquires_per_client, 1) << chaos::format_scenario(small);
  ASSERT_EQ(small.faults.size(), 1u);
  EXPECT_EQ(small.faults[0].kind, FaultKind::kCrash);
  EXPECT_LT(small.world.duration.count(), 5000) << chaos::format_scenario(small);
  EXPECT_EQ(stats.clients_after, 1);
  EXPECT_EQ(stats.acquires_after, 1);
  EXPECT_LE(stats.runs, 400);
}

// The world lasts the run's whole duration even once its only client is
// dead: the key its SETNX left without a TTL outlives the lease. (The run
// used to end with its last event, so no one-client counterexample of
// this story could violate expiry, and shrinking kept the others.)
TEST(Shrink, AKeyLeftByTheOnlyClientOutlivesItsLeaseAfterTheClientDies) {
  Scenario s;
  s.world = chaos::default_world("setnx-expire");
  s.world.clients = 1;
  s.world.workload.acquires_per_client = 1;
  s.world.duration = Millis(2000);
  s.world.network.latency_min = s.world.network.latency_max = Millis(1);
  chaos::Fault crash;
  crash.kind = FaultKind::kCrash;
  crash.target = sim::ProcessId::client(0);
  crash.at_ms = 2;  // SETNX landed at 1 ms; its reply (and so EXPIRE) is not back yet
  s.faults.push_back(crash);
  const Judged j = judge(s);
  EXPECT_EQ(j.outcome.history.end, sim::TrueInstant{} + Millis(2000));
  EXPECT_TRUE(find_violation(j.violations, Property::kExpiry) != nullptr);
}

// The generator gives watchdog worlds (holds of 2 x TTL) a busy time past
// duration_ms, so some of their faults never fire. A counterexample must
// not list them: the parser refuses such a file. Even a shrink of one run
// leaves them out, and the run is the same without them.
TEST(Shrink, LeavesOutFaultsTheRunNeverReaches) {
  int checked = 0;
  for (uint64_t seed = 1; seed <= 200 && checked < 3; ++seed) {
    const Scenario s = chaos::generate("watchdog", {FaultKind::kPause}, seed);
    const bool late = std::any_of(s.faults.begin(), s.faults.end(),
                                  [&](const chaos::Fault& f) { return f.at_ms >= s.world.duration.count(); });
    const Judged original = judge(s);
    if (!late || original.violations.empty()) continue;
    ++checked;
    const Property property = original.violations[0].property;
    const Scenario small = shrink(s, property, 1, nullptr);
    for (const auto& f : small.faults) EXPECT_LT(f.at_ms, small.world.duration.count()) << "seed " << seed;
    EXPECT_EQ(judge(small).outcome.trace_hash, original.outcome.trace_hash) << "seed " << seed;
    auto parsed = chaos::parse_scenario(chaos::format_scenario(small), "cx");
    EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  }
  EXPECT_EQ(checked, 3) << "no watchdog world with a late fault violates: the generator changed";
}

TEST(Shrink, IsAFunctionOfItsArgumentsAndRespectsRunsMax) {
  const Scenario s = load("redlock-node-restart-without-persistence.json");
  ShrinkStats a, b, few;
  EXPECT_EQ(chaos::format_scenario(shrink(s, Property::kMutex, 400, &a)), chaos::format_scenario(shrink(s, Property::kMutex, 400, &b)));
  EXPECT_EQ(a.runs, b.runs);
  const Scenario barely = shrink(s, Property::kMutex, 5, &few);
  EXPECT_LE(few.runs, 5);
  EXPECT_TRUE(violates(barely, Property::kMutex));
}

}  // namespace
}  // namespace lockcheck::properties
