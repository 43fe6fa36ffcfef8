// The workload's extends and time bounds, and the Env the simulator gives
// the lock code (call_by's cut, note()), observed through run histories.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "sim/test_history.h"
#include "sim/world.h"

namespace lockcheck::sim {
namespace {

WorldConfig one_client(const std::string& strategy) {
  WorldConfig c;
  c.strategy = strategy;
  c.seed = 7;
  c.clients = 1;
  c.ttl = Millis(1000);
  c.duration = Millis(20'000);
  c.workload.acquires_per_client = 1;
  c.workload.hold = Millis(300);
  c.workload.think = Millis(50);
  return c;
}

TEST(Workload, AHoldLongerThanTheLeaseRenewsItWithExtend) {
  WorldConfig c = one_client("single");
  c.workload.hold = Millis(2000);  // two leases' worth of work
  const RunOutcome out = World(c).run();
  const auto extended = of_kind(out.history, EventKind::kExtendOk);
  ASSERT_GE(extended.size(), 2u);
  EXPECT_TRUE(of_kind(out.history, EventKind::kExtendFail).empty());
  EXPECT_TRUE(of_kind(out.history, EventKind::kLeaseLost).empty());
  EXPECT_EQ(of_kind(out.history, EventKind::kWrite).size(), 3u) << "every write inside a renewed lease";
  // The renewals came while the lease still ran: the grant's one belief
  // runs on to the last renewal's end.
  const auto grant = of_kind(out.history, EventKind::kAcquireOk).at(0);
  EXPECT_GT(grant.believed_until, extended.back().at + Millis(900));
  for (const auto& e : extended) EXPECT_EQ(e.believed_until, TrueInstant{}) << "no lapse, no belief of its own";
  // Extend calls went to the node as extends (owner judges them).
  int by_extend = 0;
  for (const auto& e : out.history.events) by_extend += e.kind == EventKind::kMutation && e.op == Op::kExtend;
  EXPECT_EQ(by_extend, static_cast<int>(extended.size()));
}

TEST(Workload, EveryCallCarriesTheBoundItPromises) {
  WorldConfig c = one_client("single");
  c.workload.hold = Millis(2000);
  const RunOutcome out = World(c).run();
  // acquire: 3 x ttl + one request timeout + one retry delay (ttl / 20);
  // release and extend: one request timeout per node. A clock without
  // drift: true time and its own time agree.
  for (const auto& e : of_kind(out.history, EventKind::kAcquireInvoke)) EXPECT_EQ(e.due - e.at, Millis(3100));
  for (const auto& e : of_kind(out.history, EventKind::kExtendInvoke)) EXPECT_EQ(e.due - e.at, Millis(50));
  for (const auto& e : of_kind(out.history, EventKind::kReleaseInvoke)) EXPECT_EQ(e.due - e.at, Millis(50));
  ASSERT_EQ(out.history.paused_at_end.size(), 1u);
  EXPECT_EQ(out.history.paused_at_end[0], Nanos(0));

  c.nodes = 5;
  c.strategy = "redlock";
  const RunOutcome five = World(c).run();
  ASSERT_FALSE(of_kind(five.history, EventKind::kExtendInvoke).empty());
  for (const auto& e : of_kind(five.history, EventKind::kExtendInvoke)) EXPECT_EQ(e.due - e.at, Millis(250));
}

TEST(Workload, APausedCallerCarriesItsPauseAndItsLateGrantIsNoted) {
  WorldConfig c = one_client("single");
  World w(c);
  // Stopped right after its SET goes out: the OK waits 2 s for it, by then
  // its validity (988 ms from the attempt's start) has run out.
  w.pause_on_next(0, Op::kAcquire, Millis(2000));
  const RunOutcome out = w.run();
  const auto invoke = of_kind(out.history, EventKind::kAcquireInvoke).at(0);
  const auto granted = of_kind(out.history, EventKind::kAcquireOk).at(0);
  EXPECT_EQ(granted.paused - invoke.paused, Millis(2000));
  EXPECT_GT(granted.at - invoke.at, Millis(2000));
  EXPECT_LE((granted.at - invoke.at) - (granted.paused - invoke.paused), invoke.due - invoke.at);
  const auto notes = of_kind(out.history, EventKind::kNote);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].detail.rfind("grant refused: validity ran out (elapsed 200", 0), 0u) << notes[0].detail;
  EXPECT_EQ(out.history.paused_at_end.at(0), Millis(2000));
}

TEST(Workload, RedlockNotesAMajorityGrantedTooLateToUse) {
  WorldConfig c = one_client("redlock");
  c.nodes = 5;
  c.network.request_timeout = Millis(1000);
  c.workload.acquire_timeout = Millis(1500);
  World w(c);
  w.add_latency(Millis(120), Millis(20'000));  // every round trip >= 240 ms: 5 of them outlast 988 ms
  const RunOutcome out = w.run();
  EXPECT_TRUE(of_kind(out.history, EventKind::kAcquireOk).empty());
  const auto notes = of_kind(out.history, EventKind::kNote);
  ASSERT_FALSE(notes.empty());
  EXPECT_EQ(notes[0].detail.rfind("grant on 5 of 5 nodes refused: validity ran out (elapsed 12", 0), 0u)
      << notes[0].detail;
}

// What a probe coroutine saw: each call's outcome and how long it took on
// the client's clock.
struct Seen {
  std::vector<std::pair<Result<Reply>, Nanos>> calls;
};

Task<void> probe(Env& env, Seen* seen) {
  for (const Nanos give_up_after : {Nanos(Millis(20)), Nanos::max(), Nanos(0)}) {
    const MonoInstant t0 = env.mono_now();
    std::vector<std::string> ping{"PING"};
    auto r = co_await env.call_by(0, std::move(ping), later(t0, give_up_after));
    seen->calls.emplace_back(std::move(r), env.mono_now() - t0);
  }
}

TEST(SimEnv, CallByGivesUpAtTheCallersDeadline) {
  WorldConfig c = one_client("single");
  c.workload.acquires_per_client = 0;  // only the probe talks to the node
  World w(c);
  w.pause(ProcessId{ProcessId::Kind::kNode, 0}, Millis(10'000));  // it answers nothing
  Seen seen;
  w.loop().at(at_ms(1), [&] { w.spawn(0, probe(w.env(0), &seen)); });  // after the client started
  (void)w.run();
  ASSERT_EQ(seen.calls.size(), 3u);
  ASSERT_FALSE(seen.calls[0].first.ok());
  EXPECT_EQ(seen.calls[0].first.error().message, "no reply by the caller's deadline");
  EXPECT_EQ(seen.calls[0].second, Millis(20));
  ASSERT_FALSE(seen.calls[1].first.ok());  // no deadline: the request timeout
  EXPECT_EQ(seen.calls[1].first.error().message, "no reply within 50 ms");
  EXPECT_EQ(seen.calls[1].second, Millis(50));
  ASSERT_FALSE(seen.calls[2].first.ok());  // already past: nothing sent, no time spent
  EXPECT_EQ(seen.calls[2].first.error().message, "PING not sent: the caller's deadline had passed");
  EXPECT_EQ(seen.calls[2].second, Nanos(0));
}

}  // namespace
}  // namespace lockcheck::sim
