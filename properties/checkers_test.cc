// Each checker on hand-made histories that must and must not violate it.
#include "properties/checkers.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace lockcheck::properties {
namespace {

using sim::at_ms;
using sim::Event;
using sim::EventKind;
using sim::History;
using sim::Op;

class HistoryBuilder {
 public:
  HistoryBuilder() {
    h_.clients = 2;
    h_.nodes = 1;
    h_.ttl_ms = 1000;
    h_.end = at_ms(100'000);
  }
  HistoryBuilder& grant(int64_t t, int client, uint64_t session, int64_t believed_until_ms) {
    Event e = base(t, EventKind::kAcquireOk, client, session);
    e.believed_until = at_ms(believed_until_ms);
    return add(e);
  }
  HistoryBuilder& release(int64_t t, int client, uint64_t session) {
    return add(base(t, EventKind::kReleaseInvoke, client, session));
  }
  HistoryBuilder& invoke(int64_t t, int client, uint64_t session) {
    return add(base(t, EventKind::kAcquireInvoke, client, session));
  }
  HistoryBuilder& give_up(int64_t t, int client, uint64_t session) {
    return add(base(t, EventKind::kAcquireFail, client, session));
  }
  HistoryBuilder& fault(int64_t t) { return add(base(t, EventKind::kFault, -1, 0)); }
  HistoryBuilder& crash(int64_t t, int client) { return add(base(t, EventKind::kCrash, client, 0)); }
  HistoryBuilder& write(int64_t t, int client, uint64_t session) { return add(base(t, EventKind::kWrite, client, session)); }
  HistoryBuilder& mutate(int64_t t, int client, Op op, std::optional<std::string> before, std::optional<std::string> after,
                         std::optional<int64_t> ttl_ms = 1000) {
    Event e = base(t, EventKind::kMutation, client, 0);
    e.node = 0;
    e.op = op;
    e.key = "lock";
    e.before = std::move(before);
    e.after = std::move(after);
    e.node_wall_unix_ms = 1'000'000 + t;
    if (e.after && ttl_ms) e.after_expire_unix_ms = e.node_wall_unix_ms + *ttl_ms;
    return add(e);
  }
  HistoryBuilder& end(int64_t t) {
    h_.end = at_ms(t);
    return *this;
  }
  const History& history() const { return h_; }

 private:
  static Event base(int64_t t, EventKind k, int client, uint64_t session) {
    Event e;
    e.at = at_ms(t);
    e.kind = k;
    e.client = client;
    e.session = session;
    return e;
  }
  HistoryBuilder& add(Event e) {
    h_.events.push_back(std::move(e));
    return *this;
  }
  History h_;
};

TEST(Mutex, SequentialHoldersHold) {
  HistoryBuilder b;
  b.grant(0, 0, 1, 1000).release(500, 0, 1).grant(600, 1, 2, 1600).release(900, 1, 2);
  EXPECT_FALSE(check_mutex(b.history()));
}

TEST(Mutex, GrantWhileAnotherStillBelievesIsViolated) {
  HistoryBuilder b;
  b.grant(0, 0, 1, 1000).grant(800, 1, 2, 1800);
  auto v = check_mutex(b.history());
  ASSERT_TRUE(v);
  EXPECT_EQ(v->property, Property::kMutex);
  EXPECT_EQ(v->at, at_ms(800));
  EXPECT_NE(v->explanation.find("client-1 (session 2)"), std::string::npos);
}

TEST(Mutex, BeliefEndsAtValidityReleaseOrCrash) {
  HistoryBuilder expired, released, crashed;
  expired.grant(0, 0, 1, 700).grant(800, 1, 2, 1800);  // validity ran out at 700
  EXPECT_FALSE(check_mutex(expired.history()));
  released.grant(0, 0, 1, 1000).release(300, 0, 1).grant(400, 1, 2, 1400);
  EXPECT_FALSE(check_mutex(released.history()));
  crashed.grant(0, 0, 1, 1000).crash(200, 0).grant(400, 1, 2, 1400);
  EXPECT_FALSE(check_mutex(crashed.history()));
}

TEST(Mutex, OverlapWithAnEarlierLongBeliefIsFound) {
  HistoryBuilder b;  // session 1 believes long; session 2 short; session 3 overlaps only session 1
  b.grant(0, 0, 1, 5000).grant(100, 1, 2, 200);
  EXPECT_TRUE(check_mutex(b.history()));
}

TEST(Resource, WritesInGrantOrderHold) {
  HistoryBuilder b;
  b.grant(0, 0, 1, 900).write(1, 0, 1).write(2, 0, 1);
  b.grant(3, 1, 2, 900).write(4, 1, 2).write(5, 1, 2);
  b.grant(6, 0, 3, 900).write(7, 0, 3);
  EXPECT_FALSE(check_resource(b.history()));
}

TEST(Resource, InterleavedHoldersAreViolated) {
  HistoryBuilder b;
  b.grant(0, 0, 1, 900).write(1, 0, 1).grant(2, 1, 2, 900).write(3, 1, 2).write(4, 0, 1);
  auto v = check_resource(b.history());
  ASSERT_TRUE(v);
  EXPECT_EQ(v->at, at_ms(4));
  EXPECT_NE(v->explanation.find("client-0 (session 1)"), std::string::npos);
}

TEST(Resource, StaleFirstWriteAfterAGcPauseIsViolated) {
  // Session 1 never wrote before its pause; its first write lands after the
  // next holder's: no A-B-A, still a stale write.
  HistoryBuilder b;
  b.grant(0, 0, 1, 990).grant(1000, 1, 2, 1990).write(1300, 1, 2).write(1600, 0, 1);
  auto v = check_resource(b.history());
  ASSERT_TRUE(v);
  EXPECT_NE(v->explanation.find("stale write of client-0 (session 1) (granted at 0.000 ms)"), std::string::npos)
      << v->explanation;
}

TEST(Resource, AWriteWithoutAGrantIsViolated) {
  HistoryBuilder b;
  b.write(5, 0, 9);
  EXPECT_TRUE(check_resource(b.history()));
}

TEST(Fencing, IncreasingTokensHoldAndARepeatIsViolated) {
  HistoryBuilder b;
  b.grant(0, 0, 1, 900).grant(1000, 1, 2, 1900).grant(2000, 0, 3, 2900);
  History h = b.history();
  h.events[0].fence = 1;
  h.events[1].fence = 2;
  h.events[2].fence = 5;
  EXPECT_EQ(check_fencing(h), std::nullopt);
  h.events[2].fence = 2;  // the counter went back (lost by a restart)
  auto v = check_fencing(h);
  ASSERT_TRUE(v);
  EXPECT_NE(v->explanation.find("fencing token 2"), std::string::npos) << v->explanation;
  // Grants without tokens are not judged.
  for (auto& e : h.events) e.fence = 0;
  EXPECT_EQ(check_fencing(h), std::nullopt);
}

TEST(Expiry, OnlyTheLockKeyIsJudged) {
  HistoryBuilder b;
  b.mutate(0, 0, Op::kAcquire, std::nullopt, "7", std::nullopt).end(10'000);  // a counter, no TTL
  History h = b.history();
  ASSERT_TRUE(check_expiry(h));  // every key judged when lock_key is unset
  h.lock_key = "lockcheck:lock";
  EXPECT_EQ(check_expiry(h), std::nullopt);
}

TEST(Validity, ActingWithTheTokenOnAQuorumHoldsAndWithoutItIsViolated) {
  HistoryBuilder b;
  b.grant(0, 0, 1, 900).write(100, 0, 1).write(200, 0, 1);
  History h = b.history();
  h.nodes = 5;
  h.events[1].token_nodes = 5;
  h.events[2].token_nodes = 3;  // a bare majority is enough
  EXPECT_EQ(check_validity(h), std::nullopt);
  h.events[2].token_nodes = 2;
  auto v = check_validity(h);
  ASSERT_TRUE(v);
  EXPECT_NE(v->explanation.find("live on 2 of 5 nodes (a quorum is 3)"), std::string::npos) << v->explanation;
  // A refused write was still an act on a stale belief.
  h.events[2].kind = EventKind::kWriteRejected;
  EXPECT_TRUE(check_validity(h));
  // Unmeasured writes are not judged.
  h.events[2].token_nodes = -1;
  EXPECT_EQ(check_validity(h), std::nullopt);
}

TEST(Reentry, ANestedReleaseThatFreesTheHeldLockIsViolated) {
  HistoryBuilder b;
  b.grant(0, 0, 1, 900).mutate(1, 0, Op::kAcquire, std::nullopt, "c0=1");
  History h = b.history();
  h.events[0].token = "c0";
  // Counted: 1 -> 2 -> 1, the lock stays.
  History counted = h;
  HistoryBuilder more;
  more.mutate(10, 0, Op::kAcquire, "c0=1", "c0=2").mutate(20, 0, Op::kRelease, "c0=2", "c0=1");
  for (const auto& e : more.history().events) counted.events.push_back(e);
  EXPECT_EQ(check_reentry(counted), std::nullopt);
  // Naive: the nested release deletes the key under the outer hold.
  History naive = h;
  HistoryBuilder del;
  del.mutate(20, 0, Op::kRelease, "c0=1", std::nullopt);
  naive.events.push_back(del.history().events[0]);
  auto v = check_reentry(naive);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->property, Property::kReentry);
  // A late release of an older grant's key (another token) frees nothing held.
  naive.events.back().before = "c0-old";
  EXPECT_EQ(check_reentry(naive), std::nullopt);
}

TEST(Owner, ReleasingYourOwnLockHolds) {
  HistoryBuilder b;
  b.mutate(0, 0, Op::kAcquire, std::nullopt, "a").mutate(10, 0, Op::kRelease, "a", std::nullopt);
  EXPECT_FALSE(check_owner(b.history()));
}

TEST(Owner, DeletingAnotherClientsLockIsViolated) {
  HistoryBuilder b;
  b.mutate(0, 0, Op::kAcquire, std::nullopt, "a")
      .mutate(2000, 1, Op::kAcquire, std::nullopt, "b")  // a expired, b took it
      .mutate(2100, 0, Op::kRelease, "b", std::nullopt);
  auto v = check_owner(b.history());
  ASSERT_TRUE(v);
  EXPECT_NE(v->explanation.find("client-0's release deleted lock"), std::string::npos);
}

TEST(Owner, ExtendingAnotherClientsLockIsViolated) {
  HistoryBuilder b;
  b.mutate(0, 1, Op::kAcquire, std::nullopt, "1").mutate(5, 0, Op::kExtend, "1", "1", 5000);
  EXPECT_TRUE(check_owner(b.history()));
}

TEST(Owner, TakeoverWithTheSameValueChangesTheOwner) {
  HistoryBuilder b;  // constant value "1": client-1 overwrote it, then client-0 releases it
  b.mutate(0, 0, Op::kAcquire, std::nullopt, "1").mutate(10, 1, Op::kAcquire, "1", "1").mutate(20, 0, Op::kRelease, "1",
                                                                                              std::nullopt);
  EXPECT_TRUE(check_owner(b.history()));
}

TEST(Owner, ReleaseOfAnAbsentKeyHolds) {
  HistoryBuilder b;
  b.mutate(0, 1, Op::kAcquire, std::nullopt, "b").mutate(2000, 0, Op::kRelease, std::nullopt, std::nullopt);
  EXPECT_FALSE(check_owner(b.history()));
}

TEST(Owner, ExtendThatWritesAGoneLockBackIsViolated) {
  // client-0's lease ran out and the key expired; its extend (a SET, say)
  // wrote it back: a lock nobody held, taken without acquiring it.
  HistoryBuilder b;
  b.mutate(0, 0, Op::kAcquire, std::nullopt, "a").mutate(1500, 0, Op::kExtend, std::nullopt, "a");
  auto v = check_owner(b.history());
  ASSERT_TRUE(v);
  EXPECT_NE(v->explanation.find("client-0's extend wrote lock on node-0 back at 1500.000 ms after it had gone"),
            std::string::npos)
      << v->explanation;
  // Renewing a key that is still there, and its own, holds.
  HistoryBuilder ok;
  ok.mutate(0, 0, Op::kAcquire, std::nullopt, "a").mutate(500, 0, Op::kExtend, "a", "a", 1000);
  EXPECT_FALSE(check_owner(ok.history()));
}

TEST(Mutex, AnExtendAfterALapseStartsABeliefAgainAndTheGapStaysFree) {
  // client-0's lease lapsed at 1000 ms (it was paused); client-1 held the
  // lock from 1100 to 1400 ms; client-0's extend at 1500 ms renewed it.
  HistoryBuilder b;
  b.grant(0, 0, 1, 1000).grant(1100, 1, 2, 2100).release(1400, 1, 2);
  History h = b.history();
  Event renewed;
  renewed.at = at_ms(1500);
  renewed.kind = EventKind::kExtendOk;
  renewed.client = 0;
  renewed.session = 1;
  renewed.believed_until = at_ms(2500);
  h.events.push_back(renewed);
  EXPECT_EQ(check_mutex(h), std::nullopt) << "the lapse is a gap: client-1 held in it alone";
  // Without client-1's release, client-0 renews into client-1's belief.
  HistoryBuilder overlapping;
  overlapping.grant(0, 0, 1, 1000).grant(1100, 1, 2, 2100);
  History h2 = overlapping.history();
  h2.events.push_back(renewed);
  auto v = check_mutex(h2);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->explanation,
            "client-0 (session 1) renewed its lapsed lease at 1500.000 ms while client-1 (session 2) believed it "
            "held it until 2100.000 ms");
}

// ---- timeout: calls on hand-made time lines ----

// A call's invoke event: at `t`, promising to return by `due` (ms), its
// caller having been paused `paused` ms so far.
Event call(EventKind kind, int64_t t, int client, uint64_t session, int64_t due, int64_t paused = 0) {
  Event e;
  e.at = at_ms(t);
  e.kind = kind;
  e.client = client;
  e.session = session;
  e.due = at_ms(due);
  e.paused = Millis(paused);
  return e;
}

Event returned(EventKind kind, int64_t t, int client, uint64_t session, int64_t paused = 0) {
  Event e;
  e.at = at_ms(t);
  e.kind = kind;
  e.client = client;
  e.session = session;
  e.paused = Millis(paused);
  return e;
}

History calls(std::vector<Event> events, int64_t end_ms = 20'000) {
  History h;
  h.clients = 2;
  h.nodes = 1;
  h.ttl_ms = 1000;
  h.end = at_ms(end_ms);
  h.events = std::move(events);
  return h;
}

TEST(Timeout, CallsWithinTheirBoundsHold) {
  const History h = calls({
      call(EventKind::kAcquireInvoke, 0, 0, 1, 3100),
      call(EventKind::kAcquireInvoke, 10, 1, 2, 3110),
      returned(EventKind::kAcquireOk, 20, 0, 1),
      call(EventKind::kExtendInvoke, 500, 0, 1, 550),
      returned(EventKind::kExtendOk, 550, 0, 1),  // exactly at the bound
      call(EventKind::kReleaseInvoke, 900, 0, 1, 950),
      returned(EventKind::kReleaseFail, 940, 0, 1),
      returned(EventKind::kAcquireFail, 3100, 1, 2),
  });
  EXPECT_EQ(check_timeout(h), std::nullopt);
}

TEST(Timeout, AnAcquirePastItsBoundIsViolated) {
  const History h = calls({
      call(EventKind::kAcquireInvoke, 0, 0, 1, 3100),
      returned(EventKind::kAcquireFail, 3200, 0, 1),
  });
  auto v = check_timeout(h);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->property, Property::kTimeout);
  EXPECT_EQ(v->explanation,
            "client-0 (session 1)'s acquire invoked at 0.000 ms returned at 3200.000 ms: 3200.000 ms not counting "
            "0.000 ms paused, past the 3100.000 ms it promises on its own clock");
}

TEST(Timeout, ReleaseExtendAndNestedCallsAreJudgedToo) {
  for (auto [invoke, ret] : {std::pair{EventKind::kReleaseInvoke, EventKind::kReleaseOk},
                             std::pair{EventKind::kExtendInvoke, EventKind::kExtendFail},
                             std::pair{EventKind::kReenter, EventKind::kReenterOk},
                             std::pair{EventKind::kLeave, EventKind::kLeaveFail}}) {
    const History late = calls({call(invoke, 100, 1, 3, 150), returned(ret, 151, 1, 3)});
    EXPECT_TRUE(check_timeout(late)) << sim::event_kind_name(invoke);
    const History in_time = calls({call(invoke, 100, 1, 3, 150), returned(ret, 150, 1, 3)});
    EXPECT_FALSE(check_timeout(in_time)) << sim::event_kind_name(invoke);
  }
}

TEST(Timeout, APausedCallerIsNotBlamedForItsPause) {
  // 5 s from invoke to return, 2 s of it paused: 3 s of the call's own.
  const History paused = calls({
      call(EventKind::kAcquireInvoke, 0, 0, 1, 3100, 500),
      returned(EventKind::kAcquireOk, 5000, 0, 1, 2500),
  });
  EXPECT_EQ(check_timeout(paused), std::nullopt);
  // Paused 1.8 s of it: 3.2 s of its own, past 3.1 s.
  const History not_enough = calls({
      call(EventKind::kAcquireInvoke, 0, 0, 1, 3100, 500),
      returned(EventKind::kAcquireOk, 5000, 0, 1, 2300),
  });
  auto v = check_timeout(not_enough);
  ASSERT_TRUE(v);
  EXPECT_NE(v->explanation.find("3200.000 ms not counting 1800.000 ms paused"), std::string::npos) << v->explanation;
}

TEST(Timeout, ACallThatNeverReturnsIsJudgedAtTheEnd) {
  History h = calls({call(EventKind::kAcquireInvoke, 1000, 1, 2, 4100)}, 20'000);
  auto v = check_timeout(h);
  ASSERT_TRUE(v);
  EXPECT_NE(v->explanation.find("acquire invoked at 1000.000 ms had not returned when the run ended at 20000.000 ms"),
            std::string::npos)
      << v->explanation;
  h.end = at_ms(4000);  // the run ended before the bound ran out
  EXPECT_EQ(check_timeout(h), std::nullopt);
  h.end = at_ms(20'000);
  h.paused_at_end = {Millis(0), Millis(16'000)};  // client-1 spent the rest paused
  EXPECT_EQ(check_timeout(h), std::nullopt);
}

TEST(Timeout, ACrashEndsTheCallAndCallsWithoutABoundAreNotJudged) {
  Event crash;
  crash.at = at_ms(100);
  crash.kind = EventKind::kCrash;
  crash.client = 0;
  EXPECT_EQ(check_timeout(calls({call(EventKind::kAcquireInvoke, 0, 0, 1, 3100), crash})), std::nullopt);
  Event unbounded = call(EventKind::kAcquireInvoke, 0, 0, 1, 0);
  unbounded.due = {};
  EXPECT_EQ(check_timeout(calls({unbounded, returned(EventKind::kAcquireFail, 9000, 0, 1)})), std::nullopt);
}

TEST(Expiry, KeysWithTheLeaseTtlHold) {
  HistoryBuilder b;
  b.mutate(0, 0, Op::kAcquire, std::nullopt, "a", 1000).mutate(10, 0, Op::kRelease, "a", std::nullopt);
  EXPECT_FALSE(check_expiry(b.history()));
}

TEST(Expiry, KeyWithoutTtlThatStaysIsViolated) {
  HistoryBuilder b;
  b.mutate(0, 0, Op::kAcquire, std::nullopt, "a", std::nullopt).end(5000);
  auto v = check_expiry(b.history());
  ASSERT_TRUE(v);
  EXPECT_NE(v->explanation.find("had no TTL"), std::string::npos);
}

TEST(Expiry, ExpiryKeptAcrossANodeClockStepBackIsNotANewTtl) {
  // The node's clock stepped back 2 s after the key got its 1 s TTL; a
  // later write that keeps the absolute expiry (HINCRBY) gave no TTL.
  History h;
  h.ttl_ms = 1000;
  h.end = at_ms(5000);
  Event set;
  set.kind = EventKind::kMutation;
  set.at = at_ms(1);
  set.node = 0;
  set.key = "lock";
  set.after = "a=1";
  set.node_wall_unix_ms = 10'000;
  set.after_expire_unix_ms = 11'000;
  Event keep = set;
  keep.at = at_ms(300);
  keep.before = "a=1";
  keep.after = "a=2";
  keep.node_wall_unix_ms = 8'300;  // 2 s behind
  h.events = {set, keep};
  EXPECT_EQ(check_expiry(h), std::nullopt);
  // A write that does set a new, too long expiry is still caught.
  Event longer = keep;
  longer.at = at_ms(400);
  longer.node_wall_unix_ms = 8'400;
  longer.after_expire_unix_ms = 8'400 + 5'000;
  h.events.push_back(longer);
  ASSERT_TRUE(check_expiry(h).has_value());
}

TEST(Expiry, KeyWithoutTtlBrieflyThenGivenOneHolds) {
  HistoryBuilder b;
  b.mutate(0, 0, Op::kAcquire, std::nullopt, "a", std::nullopt).mutate(3, 0, Op::kAcquire, "a", "a", 1000);
  EXPECT_FALSE(check_expiry(b.history()));
}

TEST(Expiry, TtlFarBeyondTheLeaseIsViolated) {
  HistoryBuilder b;
  b.mutate(0, 0, Op::kAcquire, std::nullopt, "a", 1000 + kExpiryBoundMs + 1);
  EXPECT_TRUE(check_expiry(b.history()));
}

TEST(CheckAll, ReportsInCatalogOrder) {
  HistoryBuilder b;
  b.grant(0, 0, 1, 1000).grant(10, 1, 2, 1010).write(20, 0, 1).write(30, 1, 2).write(40, 0, 1);
  auto all = check_all(b.history());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].property, Property::kMutex);
  EXPECT_EQ(all[1].property, Property::kResource);
}

TEST(Progress, StarvationWhileOthersHoldIsNotAViolation) {
  // client-1 waits 2.5 s (> ttl) but the lock is busy all along.
  HistoryBuilder b;
  b.invoke(0, 0, 1).invoke(0, 1, 2).grant(5, 0, 1, 990).release(300, 0, 1);
  b.invoke(305, 0, 3).grant(310, 0, 3, 1300).release(1200, 0, 3);
  b.invoke(1210, 0, 4).grant(1215, 0, 4, 2200).release(2100, 0, 4);
  b.invoke(2105, 0, 5).grant(2110, 0, 5, 3000).give_up(2500, 1, 2).end(4000);
  EXPECT_EQ(check_progress(b.history()), std::nullopt);
}

TEST(Progress, LockFreeForATtlWhileSomeoneWaitsIsAViolation) {
  // Nobody believes it holds from 300 ms (release) to 2000 ms, yet client-1
  // waits all that time: the lock is stuck (a leaked key, say).
  HistoryBuilder b;
  b.invoke(0, 0, 1).invoke(0, 1, 2).grant(5, 0, 1, 990).release(300, 0, 1).grant(2000, 1, 2, 2900);
  auto v = check_progress(b.history());
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->property, Property::kProgress);
  EXPECT_NE(v->explanation.find("from 300.000 ms to 2000.000 ms"), std::string::npos) << v->explanation;
  // The same stretch shorter than the TTL is fine.
  HistoryBuilder ok;
  ok.invoke(0, 0, 1).invoke(0, 1, 2).grant(5, 0, 1, 990).release(300, 0, 1).grant(1200, 1, 2, 2100);
  EXPECT_EQ(check_progress(ok.history()), std::nullopt);
}

TEST(Progress, StillWaitingAtTheEndCountsAndFaultsExcuseIt) {
  HistoryBuilder b;
  b.invoke(0, 0, 1).grant(5, 0, 1, 990).release(300, 0, 1).invoke(400, 1, 2).end(3000);
  ASSERT_TRUE(check_progress(b.history()).has_value());
  b.fault(100);
  EXPECT_EQ(check_progress(b.history()), std::nullopt);
}

TEST(Progress, AMessageLostNearAFreeStretchExcusesItOnlyThere) {
  // Free from 3300 ms to 5000 ms while client-1 waits (ttl 1000 ms).
  auto judge_with_losses = [](std::vector<int64_t> lost_ms) {
    HistoryBuilder b;
    b.invoke(3000, 0, 1).invoke(3000, 1, 2).grant(3005, 0, 1, 3990).release(3300, 0, 1).grant(5000, 1, 2, 5900);
    b.end(8000);
    History h = b.history();
    for (int64_t t : lost_ms) h.messages_lost.push_back(at_ms(t));
    return check_progress(h);
  };
  // A loss inside the stretch, or less than a TTL before it (a lost
  // release, a SET whose reply was lost), explains it.
  EXPECT_EQ(judge_with_losses({4000}), std::nullopt);
  EXPECT_EQ(judge_with_losses({2400}), std::nullopt);
  EXPECT_EQ(judge_with_losses({5000}), std::nullopt);
  // Losses more than a TTL before it or after it do not: the stuck lock is
  // still caught.
  for (const auto& lost : {std::vector<int64_t>{}, std::vector<int64_t>{100, 2200, 5100, 7000}}) {
    auto v = judge_with_losses(lost);
    ASSERT_TRUE(v.has_value()) << lost.size();
    EXPECT_NE(v->explanation.find("from 3300.000 ms to 5000.000 ms"), std::string::npos) << v->explanation;
  }
}

}  // namespace
}  // namespace lockcheck::properties
