// Replication, failover and persistence judged end to end: scenarios run
// through chaos::run_scenario and the checkers, as `lockcheck run` does.
#include <gtest/gtest.h>

#include <string>

#include "chaos/run.h"
#include "properties/suite.h"

namespace lockcheck::properties {
namespace {

using chaos::Fault;
using chaos::FaultKind;
using chaos::Scenario;

const Violation* find(const Judged& j, Property property) {
  for (const auto& v : j.violations) {
    if (v.property == property) return &v;
  }
  return nullptr;
}

// Two clients on one primary with a slow replica; the primary fails over
// while the first holder's SET has not reached the replica.
Scenario lost_lock(int64_t failover_at_ms) {
  Scenario s;
  s.world = chaos::default_world("single");
  s.world.seed = 0x5eed;
  s.world.clients = 2;
  s.world.workload.acquires_per_client = 1;
  s.world.replicas = 1;
  s.world.replication_lag_min = Millis(300);
  s.world.replication_lag_max = Millis(300);
  Fault f;
  f.kind = FaultKind::kFailover;
  f.at_ms = failover_at_ms;
  f.target = sim::ProcessId::node(0);
  s.faults = {f};
  return s;
}

TEST(Failover, LosingTheUnreplicatedLockBreaksMutex) {
  const Judged j = judge(lost_lock(100));
  const Violation* v = find(j, Property::kMutex);
  ASSERT_NE(v, nullptr) << "the second client should get the lock the failover lost";
  // The first holder's key vanished with the failover; the other took it.
  bool lost = false;
  for (const auto& e : j.outcome.history.events) {
    lost = lost || (e.kind == sim::EventKind::kMutation && e.client < 0 && e.before && !e.after);
  }
  EXPECT_TRUE(lost);
  EXPECT_NE(v->explanation.find("while"), std::string::npos) << v->explanation;
  // The same world without the failover holds.
  Scenario calm = lost_lock(100);
  calm.faults.clear();
  EXPECT_TRUE(judge(calm).violations.empty());
  // A failover after the replica caught up loses nothing.
  EXPECT_EQ(find(judge(lost_lock(2000)), Property::kMutex), nullptr);
}

TEST(Failover, RunFindsTheMutexViolationAndShrinksIt) {
  // `lockcheck run --strategy single --faults failover`.
  CellSpec spec;
  spec.strategy = "single";
  spec.faults_label = "failover";
  spec.classes = {FaultKind::kFailover};
  spec.properties = {Property::kMutex};  // validity breaks first; this is about mutex
  spec.seeds = 200;
  spec.check_determinism = true;
  spec.shrink_runs_max = 100;
  const CellResult r = run_cell(spec, 2, nullptr);
  EXPECT_FALSE(r.nondeterministic) << r.nondeterminism;
  ASSERT_TRUE(r.violated);
  ASSERT_TRUE(r.find(Property::kMutex)->violated());
  ASSERT_TRUE(r.find(Property::kMutex)->counterexample.has_value());
  const auto& cx = *r.find(Property::kMutex)->counterexample;
  EXPECT_GE(cx.scenario.world.replicas, 1);
  // The counterexample file round-trips and replays to its trace.
  auto parsed = chaos::parse_scenario(chaos::format_scenario(cx.scenario), "cx");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const Judged again = judge(parsed.value());
  EXPECT_EQ(format_trace(again.outcome.trace_hash), cx.scenario.expect->trace);
  EXPECT_NE(find(again, Property::kMutex), nullptr);
}

// The same node crashes, judged under each persistence policy: `always`
// keeps every granted lock through the crash, so `single` keeps mutex;
// without persistence the restarted node forgets the holder.
int mutex_violations(sim::Persistence persistence, int seeds) {
  int violated = 0;
  for (int seed = 1; seed <= seeds; ++seed) {
    Scenario s = chaos::generate("single", {FaultKind::kNodeCrash}, static_cast<uint64_t>(seed));
    s.world.persistence = persistence;
    const Judged j = judge(s);
    EXPECT_FALSE(j.outcome.event_limit_hit);
    violated += find(j, Property::kMutex) != nullptr;
  }
  return violated;
}

TEST(Persistence, AppendFsyncAlwaysKeepsSingleSafeThroughNodeCrashes) {
  EXPECT_EQ(mutex_violations(sim::Persistence::kAlways, 150), 0);
  EXPECT_GT(mutex_violations(sim::Persistence::kNone, 150), 0);
}

// A node crash without persistence (and no replicas) takes the lock key:
// the history records the loss, so `expiry` does not go on believing that a
// key without a TTL (getset's) still sits on the node.
TEST(Persistence, ACrashWithoutPersistenceIsNoExpiryFalseAlarm) {
  Scenario s;
  s.world = chaos::default_world("getset");
  s.world.seed = 0x5eed;
  s.world.clients = 1;
  s.world.workload.acquires_per_client = 2;
  s.world.workload.think = Millis(800);  // the next SETNX comes over a TTL after the first
  s.world.persistence = sim::Persistence::kNone;
  Fault f;
  f.kind = FaultKind::kNodeCrash;
  f.at_ms = 100;  // while the holder works: its key has no TTL
  f.target = sim::ProcessId::node(0);
  f.restart_after_ms = 50;
  s.faults = {f};
  const Judged j = judge(s);
  bool lost = false;
  for (const auto& e : j.outcome.history.events) {
    lost = lost || (e.kind == sim::EventKind::kMutation && e.client < 0 && e.before && !e.after);
  }
  EXPECT_TRUE(lost);
  const Violation* v = find(j, Property::kExpiry);
  EXPECT_EQ(v, nullptr) << v->explanation;
}

}  // namespace
}  // namespace lockcheck::properties
