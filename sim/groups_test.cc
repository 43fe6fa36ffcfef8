// Node groups on hand-built schedules: AOF persistence through crashes and
// restarts, asynchronous replication, WAIT, failover. The clients run no
// workload; each test sends exact commands at exact true times through the
// simulated network (one-way latency fixed at 1 ms unless said otherwise).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/world.h"

namespace lockcheck::sim {
namespace {

const ProcessId kNode0{ProcessId::Kind::kNode, 0};
const ProcessId kReplica1{ProcessId::Kind::kNode, 0, 1};
const ProcessId kReplica2{ProcessId::Kind::kNode, 0, 2};

WorldConfig quiet_world(Persistence persistence = Persistence::kNone, int replicas = 0) {
  WorldConfig c;
  c.strategy = "single";
  c.seed = 7;
  c.clients = 2;
  c.workload.acquires_per_client = 0;  // the tests drive the clients
  c.network.latency_min = Millis(1);
  c.network.latency_max = Millis(1);
  c.network.request_timeout = Millis(5000);
  c.duration = Millis(120'000);
  c.persistence = persistence;
  c.replicas = replicas;
  return c;
}

struct Probe {
  std::optional<Result<Reply>> reply;  // nullopt: no answer by the end of the run
  TrueInstant at{};

  bool answered() const { return reply.has_value(); }
  bool ok() const { return reply && reply->ok(); }
  // The bulk string, "(nil)" for a nil reply, "error: ..." for an error.
  std::string text() const {
    if (!reply) return "(no reply)";
    if (!reply->ok()) return "error: " + reply->error().to_string();
    const Reply& r = reply->value();
    if (r.is_nil()) return "(nil)";
    if (r.type == Reply::Type::kInteger) return std::to_string(r.integer);
    return r.str;
  }
};

Task<void> send_command(World& w, int client, std::vector<std::string> argv, Probe* probe) {
  auto r = co_await w.env(client).call(0, std::move(argv));
  probe->reply = std::move(r);
  probe->at = w.loop().now();
}

// Commands at fixed true times, as client `client`, to node 0.
class Script {
 public:
  explicit Script(World& w) : w_(w) {}
  const Probe& at(int64_t ms, std::vector<std::string> argv, int client = 0) {
    probes_.push_back(std::make_unique<Probe>());
    Probe* p = probes_.back().get();
    w_.loop().at(at_ms(ms), [this, argv = std::move(argv), client, p]() mutable {
      tasks_.push_back(send_command(w_, client, std::move(argv), p));
      tasks_.back().start();
    });
    return *p;
  }

 private:
  World& w_;
  std::vector<std::unique_ptr<Probe>> probes_;
  std::vector<Task<void>> tasks_;
};

using Argv = std::vector<std::string>;

std::vector<Event> losses(const History& h) {
  std::vector<Event> out;
  for (const auto& e : h.events) {
    if (e.kind == EventKind::kMutation && e.client < 0) out.push_back(e);
  }
  return out;
}

// ---- persistence ----

TEST(Persistence, EverySecCrashLosesTheLastSecondKeepsOlderWrites) {
  World w(quiet_world(Persistence::kEverysec));
  Script s(w);
  s.at(100, Argv{"SET", "old", "1"});    // on the node at 101 ms: fsynced at 1000 ms
  s.at(1500, Argv{"SET", "new", "2"});   // at 1501 ms: the next fsync (2000 ms) never comes
  w.loop().at(at_ms(1800), [&] { w.crash(kNode0, Millis(200)); });
  const Probe& old_value = s.at(2100, Argv{"GET", "old"});
  const Probe& new_value = s.at(2100, Argv{"GET", "new"}, 1);
  RunOutcome out = w.run();
  EXPECT_EQ(old_value.text(), "1");
  EXPECT_EQ(new_value.text(), "(nil)");
  // The history says what the crash took.
  const auto lost = losses(out.history);
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].key, "new");
  EXPECT_EQ(lost[0].before, "2");
  EXPECT_FALSE(lost[0].after.has_value());
  EXPECT_EQ(lost[0].at, at_ms(1800));
}

TEST(Persistence, AlwaysLosesNothingAcknowledged) {
  for (const Persistence policy : {Persistence::kAlways, Persistence::kNone}) {
    World w(quiet_world(policy));
    Script s(w);
    s.at(100, Argv{"SET", "a", "1"});
    const Probe& acked = s.at(1790, Argv{"SET", "b", "2"});
    w.loop().at(at_ms(1793), [&] { w.crash(kNode0, Millis(100)); });
    const Probe& a = s.at(2000, Argv{"GET", "a"});
    const Probe& b = s.at(2000, Argv{"GET", "b"}, 1);
    w.run();
    ASSERT_TRUE(acked.ok()) << persistence_name(policy);
    EXPECT_EQ(acked.at, at_ms(1792)) << persistence_name(policy);  // acknowledged before the crash
    if (policy == Persistence::kAlways) {
      EXPECT_EQ(a.text(), "1");
      EXPECT_EQ(b.text(), "2");
    } else {  // the contrast: without an AOF the crash takes everything
      EXPECT_EQ(a.text(), "(nil)");
      EXPECT_EQ(b.text(), "(nil)");
    }
  }
}

TEST(Persistence, NoneRecordsWhatTheCrashTook) {
  // No AOF, no replicas: the crash takes every key, and the history says so
  // as it does for the other persistence modes.
  World w(quiet_world(Persistence::kNone));
  Script s(w);
  s.at(100, Argv{"SET", "a", "1"});
  s.at(200, Argv{"SET", "b", "2", "PX", "50"});  // expired by the crash: nothing to lose
  s.at(300, Argv{"SET", "c", "3", "PX", "10000"}, 1);
  w.loop().at(at_ms(1000), [&] { w.crash(kNode0, Millis(100)); });
  RunOutcome out = w.run();
  const auto lost = losses(out.history);
  ASSERT_EQ(lost.size(), 2u);
  EXPECT_EQ(lost[0].key, "a");
  EXPECT_EQ(lost[0].before, "1");
  EXPECT_EQ(lost[1].key, "c");
  EXPECT_EQ(lost[1].before, "3");
  for (const auto& e : lost) {
    EXPECT_EQ(e.at, at_ms(1000));
    EXPECT_FALSE(e.after.has_value());
    EXPECT_EQ(e.detail, "lost in crash of node-0");
  }
}

TEST(Persistence, NoLosesUpToThirtySeconds) {
  // The OS flushes every 30 s: a crash at 29.5 s loses everything, one at
  // 30.5 s keeps what came before 30 s and loses what came after.
  for (const int64_t crash_ms : {29'500, 30'500}) {
    World w(quiet_world(Persistence::kNo));
    Script s(w);
    s.at(100, Argv{"SET", "a", "1"});
    s.at(29'000, Argv{"SET", "b", "2"});
    s.at(30'200, Argv{"SET", "c", "3"});
    w.loop().at(at_ms(crash_ms), [&] { w.crash(kNode0, Millis(100)); });
    const Probe& a = s.at(crash_ms + 200, Argv{"GET", "a"});
    const Probe& b = s.at(crash_ms + 200, Argv{"GET", "b"}, 1);
    const Probe& c = s.at(crash_ms + 300, Argv{"GET", "c"});
    w.run();
    const bool flushed = crash_ms > 30'000;
    EXPECT_EQ(a.text(), flushed ? "1" : "(nil)") << crash_ms;
    EXPECT_EQ(b.text(), flushed ? "2" : "(nil)") << crash_ms;
    EXPECT_EQ(c.text(), "(nil)") << crash_ms;  // after the flush, or never written
  }
}

TEST(Persistence, RestartDropsKeysWhoseExpiryPassedMeanwhile) {
  World w(quiet_world(Persistence::kAlways));
  Script s(w);
  s.at(100, Argv{"SET", "short", "x", "PX", "1000"});    // expires at ~1101 ms on the node's clock
  s.at(100, Argv{"SET", "long", "y", "PX", "10000"}, 1);  // expires at ~10101 ms
  w.loop().at(at_ms(200), [&] { w.crash(kNode0, Millis(2000)); });
  const Probe& short_value = s.at(2300, Argv{"GET", "short"});
  const Probe& long_ttl = s.at(2300, Argv{"PTTL", "long"}, 1);
  w.run();
  EXPECT_EQ(short_value.text(), "(nil)");
  ASSERT_TRUE(long_ttl.ok());
  // The absolute expiry came back with the key: 10101 - 2301 ms remain.
  EXPECT_EQ(long_ttl.reply->value().integer, 7800);
}

TEST(Persistence, RestartDelayIsRespected) {
  WorldConfig c = quiet_world(Persistence::kAlways);
  c.network.request_timeout = Millis(200);
  World w(c);
  Script s(w);
  s.at(50, Argv{"SET", "k", "v"});
  w.loop().at(at_ms(100), [&] { w.crash(kNode0, Millis(3000)); });
  const Probe& during = s.at(2900, Argv{"GET", "k"});   // the node is still down
  const Probe& after = s.at(3100, Argv{"GET", "k"}, 1);  // restarted at 3100, arrives 3101
  w.run();
  ASSERT_TRUE(during.answered());
  ASSERT_FALSE(during.ok());
  EXPECT_EQ(during.reply->error().code, ErrorCode::kTimeout);
  EXPECT_EQ(after.text(), "v");
  EXPECT_EQ(after.at, at_ms(3102));
}

// ---- replication ----

TEST(Replication, ReplicasApplyWritesAfterTheLag) {
  WorldConfig c = quiet_world(Persistence::kNone, 2);
  c.replication_lag_min = Millis(50);
  c.replication_lag_max = Millis(50);
  World w(c);
  Script s(w);
  s.at(100, Argv{"SET", "k", "v", "PX", "5000"});  // on the primary at 101 ms
  std::vector<bool> seen;
  for (int64_t t : {140, 150, 152}) {
    w.loop().at(at_ms(t), [&] { seen.push_back(w.image_of(kReplica1, "k").exists); });
  }
  model::KeyImage primary, replica;
  w.loop().at(at_ms(200), [&] {
    primary = w.image_of(kNode0, "k");
    replica = w.image_of(kReplica2, "k");
  });
  w.run();
  EXPECT_EQ(seen, (std::vector<bool>{false, false, true}));  // applied at 151 ms
  EXPECT_TRUE(primary.exists);
  EXPECT_EQ(replica, primary);  // the same absolute expiry: effects are replicated
}

TEST(Replication, NamesReplicasAsProcesses) {
  WorldConfig c = quiet_world(Persistence::kNone, 2);
  c.nodes = 2;
  EXPECT_EQ(process_name(ProcessId{ProcessId::Kind::kNode, 1, 2}), "node-1-replica-2");
  EXPECT_EQ(parse_process("node-1-replica-2", c), (ProcessId{ProcessId::Kind::kNode, 1, 2}));
  EXPECT_EQ(parse_process("node-1", c), (ProcessId{ProcessId::Kind::kNode, 1, 0}));
  EXPECT_FALSE(parse_process("node-1-replica-0", c).has_value());
  EXPECT_FALSE(parse_process("node-1-replica-3", c).has_value());
  EXPECT_FALSE(parse_process("node-2-replica-1", c).has_value());
  EXPECT_FALSE(parse_process("node-1-replica-", c).has_value());
  EXPECT_FALSE(parse_process("node-0-replica-1", quiet_world()).has_value());
}

// ---- WAIT ----

TEST(Wait, ReturnsWhenEnoughReplicasAcked) {
  WorldConfig c = quiet_world(Persistence::kNone, 2);
  c.replication_lag_min = Millis(30);
  c.replication_lag_max = Millis(30);
  World w(c);
  Script s(w);
  s.at(100, Argv{"SET", "k", "v"});             // primary at 101, replicas at 131, acks back at 161
  const Probe& wait = s.at(102, Argv{"WAIT", "2", "1000"});
  const Probe& later = s.at(300, Argv{"WAIT", "2", "0"});  // acked already: at once
  const Probe& fresh = s.at(300, Argv{"WAIT", "2", "0"}, 1);  // client-1 never wrote: at once
  w.run();
  EXPECT_EQ(wait.text(), "2");
  EXPECT_EQ(wait.at, at_ms(162));
  EXPECT_EQ(later.text(), "2");
  EXPECT_EQ(later.at, at_ms(302));
  EXPECT_EQ(fresh.text(), "2");
}

TEST(Wait, TimesOutWithTheCountSoFar) {
  WorldConfig c = quiet_world(Persistence::kNone, 2);
  c.replication_lag_min = Millis(30);
  c.replication_lag_max = Millis(30);
  World w(c);
  w.pause(kReplica2, Millis(10'000));  // never acks in time
  Script s(w);
  s.at(100, Argv{"SET", "k", "v"});
  const Probe& wait = s.at(102, Argv{"WAIT", "2", "200"});  // on the node at 103
  w.run();
  EXPECT_EQ(wait.text(), "1");
  // Redis times out once the deadline (103 + 200) is in the past: 304 ms.
  EXPECT_EQ(wait.at, at_ms(305));
}

TEST(Wait, ZeroTimeoutWaitsForeverBoundedByTheRun) {
  WorldConfig c = quiet_world(Persistence::kNone, 1);
  c.duration = Millis(3000);
  World w(c);
  w.pause(kReplica1, Millis(10'000));
  Script s(w);
  s.at(100, Argv{"SET", "k", "v"});
  const Probe& wait = s.at(102, Argv{"WAIT", "1", "0"});
  w.run();
  EXPECT_FALSE(wait.answered());
}

// WAIT inside MULTI is queued like any other command (Redis's
// processCommand queues it) and answered by EXEC, where it never blocks: a
// WAIT the replica cannot satisfy (it is paused) must not hold up the
// transaction, and its own reply is +QUEUED, not a count.
TEST(Wait, InsideMultiIsQueuedAndAnsweredByExecWithoutBlocking) {
  WorldConfig c = quiet_world(Persistence::kNone, 1);
  c.duration = Millis(3000);
  World w(c);
  w.pause(kReplica1, Millis(10'000));
  Script s(w);
  s.at(100, Argv{"SET", "k", "v"});
  const Probe& multi = s.at(200, Argv{"MULTI"});
  const Probe& wait = s.at(300, Argv{"WAIT", "1", "0"});  // outside MULTI this blocks for good
  const Probe& exec = s.at(400, Argv{"EXEC"});
  w.run();
  ASSERT_TRUE(multi.ok()) << multi.text();
  ASSERT_TRUE(wait.answered());
  ASSERT_TRUE(wait.ok()) << wait.text();
  EXPECT_TRUE(wait.reply->value().is_status("QUEUED")) << wait.reply->value().to_string();
  ASSERT_TRUE(exec.answered()) << "EXEC waited for the queued WAIT";
  ASSERT_TRUE(exec.ok()) << exec.text();
  const Reply& r = exec.reply->value();
  ASSERT_EQ(r.type, Reply::Type::kArray) << r.to_string();
  ASSERT_EQ(r.elements.size(), 1u) << r.to_string();
  EXPECT_EQ(r.elements[0].type, Reply::Type::kInteger) << r.to_string();
  EXPECT_LT(exec.at, at_ms(450));  // at once, not at some timeout
}

TEST(Wait, ClockJumpOnThePrimaryTimesOutEarly) {
  WorldConfig c = quiet_world(Persistence::kNone, 1);
  World w(c);
  w.pause(kReplica1, Millis(10'000));
  Script s(w);
  s.at(100, Argv{"SET", "k", "v"});
  const Probe& wait = s.at(102, Argv{"WAIT", "1", "5000"});
  w.loop().at(at_ms(500), [&] { w.jump_wall(kNode0, Millis(6000)); });
  w.run();
  EXPECT_EQ(wait.text(), "0");
  EXPECT_EQ(wait.at, at_ms(501));
}

TEST(Wait, StandaloneNodeAnswersAsRedisDoes) {
  World w(quiet_world(Persistence::kNone, 0));
  Script s(w);
  const Probe& none_needed = s.at(100, Argv{"WAIT", "0", "100"});
  const Probe& one_needed = s.at(100, Argv{"WAIT", "1", "100"}, 1);  // blocks until the timeout, then 0
  const Probe& negative = s.at(500, Argv{"WAIT", "1", "-1"});
  const Probe& arity = s.at(500, Argv{"wait", "1"}, 1);
  w.run();
  EXPECT_EQ(none_needed.text(), "0");
  EXPECT_EQ(none_needed.at, at_ms(102));
  EXPECT_EQ(one_needed.text(), "0");
  EXPECT_EQ(one_needed.at, at_ms(203));  // deadline 201, past at 202, back at 203
  EXPECT_EQ(negative.text(), "error: redis error: ERR timeout is negative");
  EXPECT_EQ(arity.text(), "error: redis error: ERR wrong number of arguments for 'wait' command");
}

// ---- failover ----

TEST(Failover, LosesTheUnreplicatedLockAndAnotherClientTakesIt) {
  WorldConfig c = quiet_world(Persistence::kNone, 1);
  c.replication_lag_min = Millis(200);
  c.replication_lag_max = Millis(200);
  c.network.latency_min = Millis(5);
  c.network.latency_max = Millis(5);
  c.network.request_timeout = Millis(100);
  World w(c);
  Script s(w);
  const Probe& first = s.at(100, Argv{"SET", "lock", "A", "NX", "PX", "10000"});  // primary at 105
  const Probe& in_flight = s.at(148, Argv{"GET", "lock"});                       // arrives 153: too late
  w.loop().at(at_ms(150), [&] { w.failover(0); });
  const Probe& second = s.at(200, Argv{"SET", "lock", "B", "NX", "PX", "10000"}, 1);
  const Probe& now_held = s.at(300, Argv{"GET", "lock"});
  RunOutcome out = w.run();
  EXPECT_TRUE(first.ok());
  EXPECT_EQ(first.text(), "OK");  // client-0 was told it holds the lock...
  ASSERT_TRUE(in_flight.answered());
  EXPECT_EQ(in_flight.reply->error().code, ErrorCode::kTimeout);  // the old primary died with it
  EXPECT_EQ(second.text(), "OK");   // ...and client-1 got it too
  EXPECT_EQ(now_held.text(), "B");  // client-0's next call reaches the new primary
  EXPECT_EQ(w.primary_of(0), kReplica1);
  const auto lost = losses(out.history);
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].before, "A");
  EXPECT_FALSE(lost[0].after.has_value());
}

TEST(Failover, PromotesTheMostUpToDateReachableReplica) {
  WorldConfig c = quiet_world(Persistence::kNone, 2);
  c.replication_lag_min = Millis(10);
  c.replication_lag_max = Millis(10);
  World w(c);
  const ProcessId client0{ProcessId::Kind::kClient, 0};
  const ProcessId client1{ProcessId::Kind::kClient, 1};
  Script s(w);
  s.at(100, Argv{"SET", "a", "1"});  // both replicas apply it at 111
  w.loop().at(at_ms(150), [&] { w.partition({{kReplica2}, {client0, client1, kNode0, kReplica1}}, false, Millis(1000)); });
  s.at(200, Argv{"SET", "b", "2"});  // only replica-1 gets it
  w.loop().at(at_ms(250), [&] { w.crash(kReplica1, std::nullopt); });
  w.loop().at(at_ms(260), [&] { w.pause(kReplica2, Millis(100)); });
  w.loop().at(at_ms(300), [&] { w.failover(0); });  // replica-1 down, replica-2 paused: nobody
  w.loop().at(at_ms(400), [&] { w.failover(0); });  // replica-2, up again, with only "a"
  const Probe& a = s.at(1300, Argv{"GET", "a"});
  const Probe& b = s.at(1300, Argv{"GET", "b"}, 1);
  RunOutcome out = w.run();
  EXPECT_EQ(w.primary_of(0), kReplica2);
  EXPECT_EQ(a.text(), "1");
  EXPECT_EQ(b.text(), "(nil)");
  int nobody = 0, promoted = 0;
  for (const auto& e : out.history.events) {
    nobody += e.detail == "failover of node-0: no reachable replica, nothing changes";
    promoted += e.detail == "failover of node-0: node-0-replica-2 promoted at offset 1 of 2 (1 writes lost); node-0 is dead";
  }
  EXPECT_EQ(nobody, 1);
  EXPECT_EQ(promoted, 1);
}

TEST(Failover, OtherReplicasResyncFromTheNewPrimary) {
  WorldConfig c = quiet_world(Persistence::kNone, 2);
  c.replication_lag_min = Millis(10);
  c.replication_lag_max = Millis(10);
  World w(c);
  Script s(w);
  s.at(100, Argv{"SET", "a", "1"});
  w.loop().at(at_ms(105), [&] { w.pause(kReplica2, Millis(500)); });
  s.at(200, Argv{"SET", "b", "2"});  // replica-1 gets it; replica-2 is paused
  w.loop().at(at_ms(300), [&] { w.failover(0); });  // replica-1 (a, b) wins over paused replica-2
  s.at(400, Argv{"SET", "c", "3"});
  model::KeyImage b_on_2, c_on_2;
  w.loop().at(at_ms(700), [&] {
    b_on_2 = w.image_of(kReplica2, "b");
    c_on_2 = w.image_of(kReplica2, "c");
  });
  w.run();
  EXPECT_EQ(w.primary_of(0), kReplica1);
  EXPECT_TRUE(b_on_2.exists);  // from the full sync
  EXPECT_TRUE(c_on_2.exists);  // from the new primary's stream
}

TEST(Failover, PartitionHoldsTheStreamUntilItHeals) {
  WorldConfig c = quiet_world(Persistence::kNone, 1);
  c.replication_lag_min = Millis(10);
  c.replication_lag_max = Millis(10);
  World w(c);
  // The replica is cut off from everyone for 1 s.
  const ProcessId client0{ProcessId::Kind::kClient, 0};
  const ProcessId client1{ProcessId::Kind::kClient, 1};
  w.loop().at(at_ms(50), [&] { w.partition({{kReplica1}, {client0, client1, kNode0}}, false, Millis(1000)); });
  Script s(w);
  s.at(100, Argv{"SET", "k", "v"});
  bool during = true, after = false;
  w.loop().at(at_ms(1000), [&] { during = w.image_of(kReplica1, "k").exists; });
  w.loop().at(at_ms(1051), [&] { after = w.image_of(kReplica1, "k").exists; });
  w.run();
  EXPECT_FALSE(during);
  EXPECT_TRUE(after);
}

}  // namespace
}  // namespace lockcheck::sim
