// World tests: the simulator's semantics (pauses, crashes, clocks, loss)
// observed through the history of runs of the real `single` strategy.
#include "sim/test_history.h"
#include "sim/world.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace lockcheck::sim {
namespace {

WorldConfig base(int clients = 2) {
  WorldConfig c;
  c.strategy = "single";
  c.seed = 42;
  c.clients = clients;
  c.ttl = Millis(1000);
  c.duration = Millis(20'000);
  c.workload.acquires_per_client = 3;
  c.workload.hold = Millis(300);
  c.workload.think = Millis(50);
  return c;
}

const ProcessId kClient0{ProcessId::Kind::kClient, 0};
const ProcessId kNode0{ProcessId::Kind::kNode, 0};

TEST(World, FaultFreeRunGrantsEveryCycleInTurn) {
  World w(base(3));
  RunOutcome out = w.run();
  EXPECT_FALSE(out.event_limit_hit);
  const auto grants = of_kind(out.history, EventKind::kAcquireOk);
  ASSERT_EQ(grants.size(), 9u);
  EXPECT_EQ(of_kind(out.history, EventKind::kWrite).size(), 27u);
  EXPECT_EQ(of_kind(out.history, EventKind::kReleaseOk).size(), 9u);
  // Each grant believes for about ttl - drift (988 ms) minus the SET round trip.
  for (const auto& g : grants) {
    const Nanos belief = g.believed_until - g.at;
    EXPECT_GT(belief, Millis(960));
    EXPECT_LE(belief, Millis(988));
  }
  // The node saw the SET with a 1000 ms TTL on its own clock.
  const auto muts = of_kind(out.history, EventKind::kMutation);
  ASSERT_FALSE(muts.empty());
  EXPECT_EQ(*muts.front().after_expire_unix_ms - muts.front().node_wall_unix_ms, 1000);
  EXPECT_EQ(muts.front().op, Op::kAcquire);
}

TEST(World, SameSeedSameTraceOtherSeedOtherTrace) {
  const uint64_t a = World(base()).run().trace_hash;
  const uint64_t b = World(base()).run().trace_hash;
  WorldConfig other = base();
  other.seed = 43;
  const uint64_t c = World(other).run().trace_hash;
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(World, PausedClientDoesNothingUntilItResumes) {
  WorldConfig c = base(1);
  c.workload.acquires_per_client = 1;
  World w(c);
  // Granted within a few ms; the first work sleep (100 ms) is under way at 50 ms.
  w.loop().at(at_ms(50), [&] { w.pause(kClient0, Millis(2000)); });
  RunOutcome out = w.run();
  const auto writes = of_kind(out.history, EventKind::kWrite);
  ASSERT_EQ(writes.size(), 1u);  // after the pause the lease has run out: one stale write, then stop
  EXPECT_GE(writes[0].at, at_ms(2050));
  EXPECT_EQ(of_kind(out.history, EventKind::kLeaseLost).size(), 1u);
}

TEST(World, CrashedHolderLockFreesAfterTtl) {
  // Which client wins the first race depends on the seed; look at seeds
  // until client-0 (the one that crashes) held the lock when it died.
  int checked = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    WorldConfig c = base(2);
    c.seed = seed;
    c.workload.acquires_per_client = 1;
    World w(c);
    w.loop().at(at_ms(20), [&] { w.crash(kClient0, std::nullopt); });
    RunOutcome out = w.run();
    ASSERT_EQ(of_kind(out.history, EventKind::kCrash).size(), 1u);
    const auto grants = of_kind(out.history, EventKind::kAcquireOk);
    ASSERT_GE(grants.size(), 1u);
    if (grants[0].client != 0) continue;
    ++checked;
    // client-1 waited for the crashed holder's key to expire: about 1 s.
    ASSERT_EQ(grants.size(), 2u) << "seed " << seed;
    EXPECT_EQ(grants[1].client, 1);
    EXPECT_GE(grants[1].at - grants[0].at, Millis(990));
    EXPECT_LE(grants[1].at - grants[0].at, Millis(1100));
    EXPECT_EQ(of_kind(out.history, EventKind::kWrite).size(), 3u);  // only client-1's
  }
  EXPECT_GE(checked, 5);
}

TEST(World, NodeClockJumpExpiresKeysEarly) {
  WorldConfig c = base(2);
  c.workload.acquires_per_client = 1;
  c.workload.hold = Millis(600);
  World w(c);
  w.loop().at(at_ms(30), [&] { w.jump_wall(kNode0, Millis(5000)); });
  RunOutcome out = w.run();
  const auto grants = of_kind(out.history, EventKind::kAcquireOk);
  ASSERT_EQ(grants.size(), 2u);
  // The second grant came while the first holder still believed it held.
  EXPECT_LT(grants[1].at, grants[0].believed_until);
}

TEST(World, TotalLossTimesOutEveryRequest) {
  WorldConfig c = base(1);
  c.workload.acquires_per_client = 1;
  c.workload.acquire_timeout = Millis(500);
  World w(c);
  w.add_drop(1'000'000, Millis(10'000));
  RunOutcome out = w.run();
  const auto fails = of_kind(out.history, EventKind::kAcquireFail);
  ASSERT_EQ(fails.size(), 1u);
  EXPECT_NE(fails[0].detail.find("acquire timeout"), std::string::npos);
  EXPECT_TRUE(of_kind(out.history, EventKind::kMutation).empty());
}

TEST(World, PartitionCutsOnlyTheNamedLinks) {
  WorldConfig c = base(2);
  c.workload.acquires_per_client = 1;
  World w(c);
  // client-0 alone on one side for 5 s: only client-1 can reach the node.
  w.partition({{kClient0}, {ProcessId{ProcessId::Kind::kClient, 1}, kNode0, ProcessId{ProcessId::Kind::kResource, 0}}},
              false, Millis(5000));
  RunOutcome out = w.run();
  const auto grants = of_kind(out.history, EventKind::kAcquireOk);
  ASSERT_FALSE(grants.empty());
  EXPECT_EQ(grants[0].client, 1);
  for (const auto& g : grants) {
    if (g.client == 0) {
      EXPECT_GE(g.at, at_ms(5000));
    }
  }
}

TEST(World, DriftingClientBelievesLongerInTrueTime) {
  WorldConfig c = base(1);
  c.workload.acquires_per_client = 1;
  World w(c);
  w.set_drift(kClient0, -50'000);  // 5% slow: its 988 ms last ~1040 true ms
  RunOutcome out = w.run();
  const auto grants = of_kind(out.history, EventKind::kAcquireOk);
  ASSERT_EQ(grants.size(), 1u);
  EXPECT_GT(grants[0].believed_until - grants[0].at, Millis(1030));
}

}  // namespace
}  // namespace lockcheck::sim

namespace lockcheck::sim {
namespace {

TEST(World, ClientCrashedAtTimeZeroStartsOnlyOnRestart) {
  // The fault is scheduled before run() queues the client starts, so it
  // runs first at t = 0: the client must stay down until its restart.
  WorldConfig c = base(2);
  c.workload.acquires_per_client = 2;
  World w(c);
  const ProcessId client0{ProcessId::Kind::kClient, 0};
  w.loop().at(at_ms(0), [&] { w.crash(client0, Millis(700)); });
  RunOutcome out = w.run();
  EXPECT_FALSE(out.event_limit_hit);
  int grants_of_0 = 0;
  for (const auto& e : out.history.events) {
    if (e.kind == EventKind::kAcquireInvoke && e.client == 0) {
      EXPECT_GE(e.at, at_ms(700));
    }
    grants_of_0 += e.kind == EventKind::kAcquireOk && e.client == 0;
  }
  EXPECT_EQ(grants_of_0, 2);
}

}  // namespace
}  // namespace lockcheck::sim

namespace lockcheck::sim {
namespace {

TEST(World, ResourceRefusesAStaleFencingToken) {
  WorldConfig c = base(2);
  c.strategy = "fenced";
  c.workload.acquires_per_client = 1;
  c.workload.writes_per_hold = 1;
  // A fault-free run tells who wins the first race (a function of the
  // seed); the same world then pauses that holder past its TTL between its
  // validity check and its write.
  int first = -1;
  {
    World probe(c);
    first = of_kind(probe.run().history, EventKind::kAcquireOk).at(0).client;
  }
  World w(c);
  w.loop().at(at_ms(100), [&] { w.pause(ProcessId{ProcessId::Kind::kClient, first}, Millis(1500)); });
  RunOutcome out = w.run();
  const auto grants = of_kind(out.history, EventKind::kAcquireOk);
  ASSERT_EQ(grants.size(), 2u);
  EXPECT_LT(grants[0].fence, grants[1].fence);
  const auto rejected = of_kind(out.history, EventKind::kWriteRejected);
  const auto accepted = of_kind(out.history, EventKind::kWrite);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].fence, grants[0].fence);
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].fence, grants[1].fence);
}

}  // namespace
}  // namespace lockcheck::sim

namespace lockcheck::sim {
namespace {

TEST(World, WatchdogRenewsWhileHeldAndItsRenewalsDieWithTheHolder) {
  WorldConfig c = base(1);
  c.strategy = "watchdog";
  c.workload.acquires_per_client = 1;
  c.workload.hold = Millis(2500);  // 2.5 x the TTL
  c.workload.writes_per_hold = 8;
  RunOutcome out = World(c).run();
  int extends = 0;
  for (const auto& e : out.history.events) extends += e.kind == EventKind::kMutation && e.op == Op::kExtend;
  EXPECT_GE(extends, 6);  // every ttl/3 over 2.5 s
  EXPECT_TRUE(of_kind(out.history, EventKind::kLeaseLost).empty());
  EXPECT_EQ(of_kind(out.history, EventKind::kWrite).size(), 8u);
  EXPECT_EQ(of_kind(out.history, EventKind::kReleaseOk).size(), 1u);

  // The same hold under single: the workload renews it with extend (single
  // does not renew by itself), so it writes as often.
  c.strategy = "single";
  RunOutcome plain = World(c).run();
  EXPECT_TRUE(of_kind(plain.history, EventKind::kLeaseLost).empty());
  EXPECT_GE(of_kind(plain.history, EventKind::kExtendOk).size(), 2u);
  EXPECT_EQ(of_kind(plain.history, EventKind::kWrite).size(), 8u);

  // A crashed watchdog holder stops renewing: the other client gets the
  // lock about a TTL after the last renewal.
  c.strategy = "watchdog";
  c.clients = 2;
  int first = -1;
  {
    World probe(c);
    first = of_kind(probe.run().history, EventKind::kAcquireOk).at(0).client;
  }
  World w(c);
  w.loop().at(at_ms(1500), [&] { w.crash(ProcessId{ProcessId::Kind::kClient, first}, std::nullopt); });
  RunOutcome crashed = w.run();
  const auto grants = of_kind(crashed.history, EventKind::kAcquireOk);
  ASSERT_EQ(grants.size(), 2u);
  EXPECT_GT(grants[1].at, at_ms(1500));
  EXPECT_LT(grants[1].at, at_ms(1500 + 1100));
}

}  // namespace
}  // namespace lockcheck::sim

namespace lockcheck::sim {
namespace {

TEST(World, ASlowNodeDelaysOnlyItsOwnMessages) {
  WorldConfig c = base(1);
  c.workload.acquires_per_client = 1;
  c.workload.writes_per_hold = 1;
  World w(c);
  w.add_latency(Millis(200), Millis(10'000), ProcessId{ProcessId::Kind::kNode, 0});
  RunOutcome out = w.run();
  const auto grants = of_kind(out.history, EventKind::kAcquireOk);
  const auto writes = of_kind(out.history, EventKind::kWrite);
  ASSERT_EQ(grants.size(), 0u);  // every command to the node outlives the 50 ms request timeout
  EXPECT_TRUE(writes.empty());
  // The resource is not slow: with the node slowed by less than the
  // timeout the lock is granted late and the write is as fast as ever.
  World v(c);
  v.add_latency(Millis(20), Millis(10'000), ProcessId{ProcessId::Kind::kNode, 0});
  RunOutcome late = v.run();
  const auto g = of_kind(late.history, EventKind::kAcquireOk);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_GE(g[0].at, at_ms(40));  // two slowed legs of 20 ms
}

}  // namespace
}  // namespace lockcheck::sim

namespace lockcheck::sim {
namespace {

TEST(World, ADuplicatedReplyAnswersTheNextCommand) {
  // One client, no contention: it always gets the lock. With replies
  // duplicated, its release script reads the SET's second "+OK" instead of
  // ":1", and everything after is one reply out of step.
  WorldConfig c = base(1);
  c.workload.acquires_per_client = 2;
  c.workload.writes_per_hold = 1;
  World clean(c);
  const RunOutcome ok = clean.run();
  EXPECT_EQ(of_kind(ok.history, EventKind::kReleaseOk).size(), 2u);
  World w(c);
  w.duplicate_replies(Millis(10'000));
  const RunOutcome out = w.run();
  const auto failed = of_kind(out.history, EventKind::kReleaseFail);
  ASSERT_FALSE(failed.empty());
  EXPECT_NE(failed[0].detail.find("not held"), std::string::npos) << failed[0].detail;
}

}  // namespace
}  // namespace lockcheck::sim

namespace lockcheck::sim {
namespace {

// A partition that does not name the resource leaves it reachable: a holder
// cut off from Redis still writes (within its validity), and the writes are
// in the history.
TEST(World, PartitionLeavesTheResourceReachableUnlessNamed) {
  WorldConfig c = base(1);
  c.workload.acquires_per_client = 1;
  World w(c);
  // Granted within a few ms; cut from the node from 20 ms to 2 s.
  w.loop().at(at_ms(20), [&] { w.partition({{kClient0}, {kNode0}}, false, Millis(2000)); });
  RunOutcome out = w.run();
  const auto writes = of_kind(out.history, EventKind::kWrite);
  ASSERT_EQ(writes.size(), 3u);
  for (const auto& e : writes) {
    EXPECT_GT(e.at, at_ms(20));
    EXPECT_EQ(e.token_nodes, 1);  // its key is still live on the node: a valid act
  }
  EXPECT_EQ(of_kind(out.history, EventKind::kReleaseFail).size(), 1u);  // the release cannot reach the node
}

// A write that cannot reach the resource is an event, never a silence: a
// partition that names the resource, or a network that loses it.
TEST(World, AWriteThatCannotGetThereIsRecordedLost) {
  WorldConfig c = base(1);
  c.workload.acquires_per_client = 1;
  const ProcessId resource{ProcessId::Kind::kResource, 0};
  World cut(c);
  cut.loop().at(at_ms(20), [&] { cut.partition({{kClient0}, {kNode0, resource}}, false, Millis(2000)); });
  World lossy(c);
  lossy.loop().at(at_ms(20), [&] { lossy.add_drop(1'000'000, Millis(2000)); });
  for (auto [w, why] : {std::pair{&cut, "cut from the resource by a partition"}, std::pair{&lossy, "lost by the network"}}) {
    RunOutcome out = w->run();
    EXPECT_TRUE(of_kind(out.history, EventKind::kWrite).empty()) << why;
    const auto lost = of_kind(out.history, EventKind::kWriteLost);
    ASSERT_EQ(lost.size(), 3u) << why;
    const auto grants = of_kind(out.history, EventKind::kAcquireOk);
    ASSERT_EQ(grants.size(), 1u);
    for (const auto& e : lost) {
      EXPECT_EQ(e.client, 0);
      EXPECT_EQ(e.session, grants[0].session);
      EXPECT_EQ(e.token, grants[0].token);
      EXPECT_EQ(e.token_nodes, 1);
      EXPECT_EQ(e.detail, why);
    }
  }
}

// A node's key that expires because the node's wall clock jumped past its
// expiry shows in the history at the jump, by no client.
TEST(World, NodeClockJumpRecordsTheKeysItExpires) {
  WorldConfig c = base(1);
  c.workload.acquires_per_client = 1;
  World w(c);
  w.loop().at(at_ms(30), [&] { w.jump_wall(kNode0, Millis(5000)); });
  RunOutcome out = w.run();
  const auto grants = of_kind(out.history, EventKind::kAcquireOk);
  ASSERT_EQ(grants.size(), 1u);
  int expired = 0;
  for (const auto& e : of_kind(out.history, EventKind::kMutation)) {
    if (e.client >= 0) continue;
    ++expired;
    EXPECT_EQ(e.at, at_ms(30));
    EXPECT_EQ(e.key, LockOptions{}.key);
    EXPECT_EQ(e.before, grants[0].token);
    EXPECT_FALSE(e.after.has_value());
    EXPECT_EQ(e.detail, "expired: node-0's clock jumped +5000 ms");
  }
  EXPECT_EQ(expired, 1);
  // A jump that leaves the key live records nothing.
  World v(c);
  v.loop().at(at_ms(30), [&] { v.jump_wall(kNode0, Millis(100)); });
  for (const auto& e : of_kind(v.run().history, EventKind::kMutation)) EXPECT_GE(e.client, 0) << describe(e);
}

// `replay -v` lines: whole tokens (two grants' tokens differ past their
// first 8 characters only as often as chance has it).
TEST(Describe, ShowsTheWholeToken) {
  WorldConfig c = base(1);
  c.workload.acquires_per_client = 1;
  RunOutcome out = World(c).run();
  const auto grants = of_kind(out.history, EventKind::kAcquireOk);
  ASSERT_EQ(grants.size(), 1u);
  ASSERT_EQ(grants[0].token.size(), 32u);
  EXPECT_NE(describe(grants[0]).find("token " + grants[0].token), std::string::npos) << describe(grants[0]);
}


// A grant's line shows the validity it started with; a later check that
// believed longer (a wall clock stepped back) is shown beside it.
TEST(Describe, ShowsTheValidityTheGrantStartedWith) {
  Event e;
  e.at = at_ms(7);
  e.kind = EventKind::kAcquireOk;
  e.client = 0;
  e.session = 1;
  e.token = "1795000001000";
  e.granted_until = at_ms(995);
  e.believed_until = at_ms(995);
  EXPECT_EQ(describe(e), "     7.000 ms  client-0 granted session 1 token 1795000001000 valid for 988.000 ms (until 995.000 ms)");
  e.believed_until = at_ms(3000);
  EXPECT_EQ(describe(e),
            "     7.000 ms  client-0 granted session 1 token 1795000001000 valid for 988.000 ms (until 995.000 ms), later "
            "believed until 3000.000 ms");
  // In a run the two are placed on the true time line like believed_until.
  WorldConfig c = base(1);
  c.workload.acquires_per_client = 1;
  const auto grants = of_kind(World(c).run().history, EventKind::kAcquireOk);
  ASSERT_EQ(grants.size(), 1u);
  EXPECT_EQ(grants[0].granted_until, grants[0].believed_until);  // single's checks judge as its grant did
  EXPECT_GT(grants[0].granted_until - grants[0].at, Millis(960));
}
}  // namespace
}  // namespace lockcheck::sim
