// Integration tests of redlock and the broken strategies against real
// redis-servers (tests/redis_server.h). Each broken strategy is shown doing
// the very thing that makes it broken, on real Redis, so the simulator's
// verdicts are about behaviour that really happens. Keys are read back over
// separate raw connections, never through the code under test.
#include <charconv>
#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <vector>
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "redis/client.h"
#include "redis/hiredis_env.h"
#include "tests/redis_server.h"

namespace lockcheck {

// gtest prints ErrorCode by name in failure messages (found by ADL).
void PrintTo(ErrorCode code, std::ostream* os) { *os << error_code_name(code); }

namespace {

using testing::options_for;
using testing::RedisServer;

constexpr Millis kRequestTimeout{300};


std::unique_ptr<LockClient> client_for(const std::vector<Endpoint>& endpoints, std::string_view strategy) {
  auto c = LockClient::connect(endpoints, strategy, kRequestTimeout);
  EXPECT_TRUE(c.ok()) << c.error().to_string();
  if (!c.ok()) return nullptr;
  return std::move(c).value();
}

int64_t pttl(const RedisServer& server, const std::string& key) {
  auto r = server.command({"PTTL", key});
  EXPECT_TRUE(r.ok() && r->type == Reply::Type::kInteger);
  return r.ok() ? r->integer : INT64_MIN;
}

bool exists(const RedisServer& server, const std::string& key) {
  auto r = server.command({"EXISTS", key});
  return r.ok() && r->is_integer(1);
}

// ---- redlock over three real servers ----

class RedlockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto& s : servers_) {
      Status st = s.start();
      ASSERT_TRUE(st.ok()) << st.error().to_string();
      endpoints_.push_back(s.endpoint());
    }
  }
  RedisServer servers_[3];
  std::vector<Endpoint> endpoints_;
};

TEST_F(RedlockTest, HoldsEveryNodeAndExcludesOthersUntilRelease) {
  auto a = client_for(endpoints_, "redlock");
  auto b = client_for(endpoints_, "redlock");
  ASSERT_TRUE(a && b);
  auto guard = a->acquire(options_for("rl", Millis(5000), Millis(1000)));
  ASSERT_TRUE(guard.ok()) << guard.error().to_string();
  for (const auto& s : servers_) {
    auto v = s.command({"GET", "rl"});
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->str, guard->lease().token);
    EXPECT_GT(pttl(s, "rl"), 4000);
  }
  auto other = b->acquire(options_for("rl", Millis(5000), Millis(200)));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kAcquireTimeout);
  ASSERT_TRUE(guard->release().ok());
  for (const auto& s : servers_) EXPECT_FALSE(exists(s, "rl"));
  EXPECT_TRUE(b->acquire(options_for("rl", Millis(5000), Millis(1000))).ok());
}

TEST_F(RedlockTest, AMajorityIsEnoughAndAMinorityIsNot) {
  auto a = client_for(endpoints_, "redlock");
  ASSERT_TRUE(a);
  servers_[2].stop();
  {
    auto guard = a->acquire(options_for("rl", Millis(5000), Millis(1000)));
    ASSERT_TRUE(guard.ok()) << "2 of 3 is a majority: " << guard.error().to_string();
    EXPECT_TRUE(exists(servers_[0], "rl"));
    EXPECT_TRUE(exists(servers_[1], "rl"));
  }
  servers_[1].stop();
  auto guard = a->acquire(options_for("rl", Millis(5000), Millis(300)));
  ASSERT_FALSE(guard.ok());
  EXPECT_EQ(guard.error().code, ErrorCode::kAcquireTimeout);
  // Every failed attempt undid itself on the node it did reach.
  EXPECT_FALSE(exists(servers_[0], "rl"));
}

// Nodes that do not answer say nothing about the lock: an extend or a
// release that only they failed leaves the guard holding (it used to read
// as "not held", and the guard forgot a lock that was still there).
TEST_F(RedlockTest, UnansweredMajorityLeavesTheGuardHolding) {
  auto a = client_for(endpoints_, "redlock");
  ASSERT_TRUE(a);
  auto guard = a->acquire(options_for("rl", Millis(10000), Millis(1000)));
  ASSERT_TRUE(guard.ok()) << guard.error().to_string();
  servers_[1].pause();
  servers_[2].pause();
  Status s = guard->extend();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kOutcomeUnknown) << s.error().to_string();
  EXPECT_TRUE(guard->held()) << "two nodes that did not answer still hold the lock";
  s = guard->release();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kOutcomeUnknown) << s.error().to_string();
  EXPECT_TRUE(guard->held());
  servers_[1].resume();
  servers_[2].resume();
  EXPECT_TRUE(exists(servers_[1], "rl") && exists(servers_[2], "rl"));
  ASSERT_TRUE(guard->release().ok());
  EXPECT_FALSE(guard->held());
  for (const auto& srv : servers_) EXPECT_FALSE(exists(srv, "rl"));
}

TEST_F(RedlockTest, AcquireFromStoppedNodesReturnsWithinItsPromise) {
  // Each attempt sends a SET to every node and undoes it on every node: with
  // three silent nodes that was six request timeouts per attempt (1.9 s for
  // a 1 s acquire). Now nothing is sent after deadline + one request timeout.
  auto a = client_for(endpoints_, "redlock");
  ASSERT_TRUE(a);
  for (auto& srv : servers_) srv.pause();
  LockOptions o = options_for("rl", Millis(10000), Millis(1000));
  const auto t0 = std::chrono::steady_clock::now();
  auto guard = a->acquire(o);
  const auto waited = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - t0);
  for (auto& srv : servers_) srv.resume();
  ASSERT_FALSE(guard.ok());
  EXPECT_EQ(guard.error().code, ErrorCode::kAcquireTimeout);
  const Millis promise = o.acquire_timeout + kRequestTimeout + o.retry_delay_max;
  EXPECT_LE(waited, promise + Millis(200)) << "the promise is " << promise.count() << " ms";
}

// ---- the broken ones, doing what breaks them ----

class BrokenTest : public testing::RedisServerTest {
 protected:
  std::unique_ptr<LockClient> client(std::string_view strategy) { return client_for({server_.endpoint()}, strategy); }
};

TEST_F(BrokenTest, SetnxExpireWritesTheKeyBeforeItsTtl) {
  // Two commands on the wire: SETNX first (no TTL yet), EXPIRE after. Seen
  // through MONITOR-free means: a key set by SETNX alone has no TTL.
  auto c = client("setnx-expire");
  ASSERT_TRUE(c);
  auto guard = c->acquire(options_for("sx", Millis(2000), Millis(500)));
  ASSERT_TRUE(guard.ok()) << guard.error().to_string();
  const int64_t ttl_ms = pttl(server_, "sx");
  EXPECT_GT(ttl_ms, 1000);
  EXPECT_LE(ttl_ms, 2000);
  ASSERT_TRUE(guard->release().ok());
  EXPECT_FALSE(exists(server_, "sx"));
}

TEST_F(BrokenTest, ConstValueLetsAnyClientReleaseAnyonesLock) {
  auto a = client("const-value");
  auto b = client("const-value");
  ASSERT_TRUE(a && b);
  auto held_by_a = a->acquire(options_for("cv", Millis(5000), Millis(500)));
  ASSERT_TRUE(held_by_a.ok());
  EXPECT_EQ(server_.command({"GET", "cv"})->str, "1");
  // B's stale guard from an earlier grant: a lease on the same key. With
  // a constant value nothing tells B's release from A's.
  Lease stale = held_by_a->lease();
  auto env = HiredisEnv::connect({server_.endpoint()}, Millis(1000), kRequestTimeout);
  ASSERT_TRUE(env.ok());
  auto strategy = make_strategy("const-value");
  ASSERT_TRUE(run_sync(strategy->release(**env, stale)).ok());
  EXPECT_FALSE(exists(server_, "cv")) << "B deleted the lock A holds";
  EXPECT_TRUE(b->acquire(options_for("cv", Millis(5000), Millis(500))).ok());
  (void)held_by_a->abandon();
}

TEST_F(BrokenTest, ExtendUncheckedRenewsALockAnotherClientHolds) {
  auto a = client("extend-unchecked");
  auto b = client("extend-unchecked");
  ASSERT_TRUE(a && b);
  auto held_by_a = a->acquire(options_for("eu", Millis(300), Millis(500)));
  ASSERT_TRUE(held_by_a.ok()) << held_by_a.error().to_string();
  std::this_thread::sleep_for(Millis(450));  // A stalls (a GC pause): its key expires
  EXPECT_FALSE(held_by_a->valid());
  auto held_by_b = b->acquire(options_for("eu", Millis(2000), Millis(500)));
  ASSERT_TRUE(held_by_b.ok()) << held_by_b.error().to_string();
  // A wakes and renews "its" lock: PEXPIRE renews B's.
  Status s = held_by_a->extend(options_for("eu", Millis(8000), Millis(500)));
  ASSERT_TRUE(s.ok()) << "nothing told A the lock was not its own: " << s.error().to_string();
  EXPECT_TRUE(held_by_a->valid()) << "A believes it holds again";
  EXPECT_EQ(server_.command({"GET", "eu"})->str, held_by_b->lease().token) << "the key is B's";
  EXPECT_GT(pttl(server_, "eu"), 5000) << "B's 2 s lock now lives for A's 8 s";
  (void)held_by_a->abandon();
  // single's extend, on the same stale lease, is refused.
  auto env = HiredisEnv::connect({server_.endpoint()}, Millis(1000), kRequestTimeout);
  ASSERT_TRUE(env.ok());
  auto refused = run_sync(make_strategy("single")->extend(**env, held_by_a->lease(), options_for("eu", Millis(8000), Millis(500))));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kNotHeld);
}

TEST_F(BrokenTest, RetryForeverWaitsFarPastItsTimeout) {
  auto a = client("retry-forever");
  auto b = client("retry-forever");
  ASSERT_TRUE(a && b);
  auto held_by_a = a->acquire(options_for("rf", Millis(1500), Millis(500)));
  ASSERT_TRUE(held_by_a.ok());
  (void)held_by_a->abandon();  // the key lives its 1.5 s TTL
  const LockOptions o = options_for("rf", Millis(1500), Millis(200));
  const auto t0 = std::chrono::steady_clock::now();
  auto held_by_b = b->acquire(o);
  const auto waited = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - t0);
  ASSERT_TRUE(held_by_b.ok()) << "it never gives up: " << held_by_b.error().to_string();
  const Millis promise = o.acquire_timeout + kRequestTimeout + o.retry_delay_max;
  EXPECT_GT(waited, promise + Millis(500)) << "asked to wait 200 ms, it waited for the holder's TTL";
}

TEST_F(BrokenTest, GetsetStoresAWallClockStampWithoutTtlAndTakesOverOldStamps) {
  auto c = client("getset");
  ASSERT_TRUE(c);
  const int64_t before_ms =
      std::chrono::duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto guard = c->acquire(options_for("gs", Millis(3000), Millis(500)));
  ASSERT_TRUE(guard.ok()) << guard.error().to_string();
  const std::string stamp = server_.command({"GET", "gs"})->str;
  int64_t stamp_ms = 0;
  ASSERT_EQ(std::from_chars(stamp.data(), stamp.data() + stamp.size(), stamp_ms).ec, std::errc());
  EXPECT_GE(stamp_ms, before_ms + 3000);
  EXPECT_LE(stamp_ms, before_ms + 3000 + 5000);
  EXPECT_EQ(pttl(server_, "gs"), -1) << "the recipe never sets a TTL";
  (void)guard->abandon();
  // A stamp in the past (a holder that died long ago) is taken over.
  ASSERT_TRUE(server_.command({"SET", "gs", std::to_string(before_ms - 60'000)}).ok());
  auto taker = client("getset");
  ASSERT_TRUE(taker);
  auto taken = taker->acquire(options_for("gs", Millis(3000), Millis(500)));
  ASSERT_TRUE(taken.ok()) << taken.error().to_string();
  EXPECT_EQ(server_.command({"GET", "gs"})->str, taken->lease().token);
}

TEST_F(BrokenTest, ClientClockLocksLikeSingleOnRealRedis) {
  // Its flaw is only in how the holder judges time; on the wire it is single.
  auto a = client("client-clock");
  auto b = client("client-clock");
  ASSERT_TRUE(a && b);
  auto guard = a->acquire(options_for("cc", Millis(5000), Millis(500)));
  ASSERT_TRUE(guard.ok());
  EXPECT_GT(pttl(server_, "cc"), 4000);
  EXPECT_FALSE(b->acquire(options_for("cc", Millis(5000), Millis(200))).ok());
  EXPECT_TRUE(guard->valid());
  ASSERT_TRUE(guard->release().ok());
  EXPECT_TRUE(b->acquire(options_for("cc", Millis(5000), Millis(500))).ok());
}

TEST_F(BrokenTest, FencedTokensIncreaseWithEachGrantOnRealRedis) {
  // (fenced is correct; it shares the fixture.)
  auto c = client("fenced");
  ASSERT_TRUE(c);
  uint64_t last = 0;
  for (int i = 0; i < 3; ++i) {
    auto guard = c->acquire(options_for("fe", Millis(5000), Millis(500)));
    ASSERT_TRUE(guard.ok()) << guard.error().to_string();
    EXPECT_GT(guard->lease().fence, last);
    last = guard->lease().fence;
    EXPECT_EQ(server_.command({"GET", "fe:fence"})->str, std::to_string(last));
    ASSERT_TRUE(guard->release().ok());
  }
  // Held: no token is handed out, the counter does not move.
  auto holder = c->acquire(options_for("fe", Millis(5000), Millis(500)));
  ASSERT_TRUE(holder.ok());
  auto other = client("fenced");
  EXPECT_FALSE(other->acquire(options_for("fe", Millis(5000), Millis(100))).ok());
  EXPECT_EQ(server_.command({"GET", "fe:fence"})->str, std::to_string(holder->lease().fence));
}

TEST_F(BrokenTest, WatchdogKeepsTheLockPastItsTtlOnRealRedisAndStops) {
  // (watchdog is correct; it shares the fixture.) The blocking API runs the
  // strategy's keep_alive on a thread and connection of its own.
  auto holder = client("watchdog");
  auto other = client("watchdog");
  ASSERT_TRUE(holder && other);
  auto guard = holder->acquire(options_for("wd", Millis(600), Millis(500)));
  ASSERT_TRUE(guard.ok()) << guard.error().to_string();
  const MonoInstant first_end = guard->lease().valid_until;
  std::this_thread::sleep_for(Millis(1800));  // three TTLs
  EXPECT_TRUE(exists(server_, "wd")) << "the renewals kept the key alive past its TTL";
  EXPECT_GT(pttl(server_, "wd"), 200);
  EXPECT_TRUE(guard->valid()) << "the holder sees the renewed lease";
  EXPECT_GT(guard->lease().valid_until, first_end + Millis(1000));
  EXPECT_FALSE(other->acquire(options_for("wd", Millis(600), Millis(200))).ok());
  ASSERT_TRUE(guard->release().ok());
  EXPECT_FALSE(exists(server_, "wd"));
  // Renewals stopped with the release: the key stays gone.
  std::this_thread::sleep_for(Millis(400));
  EXPECT_FALSE(exists(server_, "wd"));
}

TEST_F(BrokenTest, WatchdogExtendHandsTheNewTtlToTheRenewals) {
  // extend() with a longer TTL while the watchdog renews: the renewals
  // after it must keep the new TTL, and lease() must show the extended
  // lease, not the worker's older one.
  auto holder = client("watchdog");
  ASSERT_TRUE(holder);
  auto guard = holder->acquire(options_for("wd-ext", Millis(600), Millis(500)));
  ASSERT_TRUE(guard.ok()) << guard.error().to_string();
  ASSERT_TRUE(guard->extend(options_for("wd-ext", Millis(6000), Millis(500))).ok());
  EXPECT_GT(guard->remaining(), Millis(5000)) << "lease() shows the extended lease";
  // Past one renewal period of the old TTL (200 ms) and of the worker's
  // first renewal: the key still carries the new TTL's order of magnitude.
  std::this_thread::sleep_for(Millis(700));
  EXPECT_GT(pttl(server_, "wd-ext"), 3000) << "a renewal put the old 600 ms TTL back";
  EXPECT_GT(guard->remaining(), Millis(3000));
  ASSERT_TRUE(guard->release().ok());
  EXPECT_FALSE(exists(server_, "wd-ext"));
}

int64_t connections_received(const RedisServer& server) {
  auto info = server.command({"INFO", "stats"});
  EXPECT_TRUE(info.ok());
  if (!info.ok()) return -1;
  const std::string field = "total_connections_received:";
  const size_t at = info->str.find(field);
  EXPECT_NE(at, std::string::npos);
  if (at == std::string::npos) return -1;
  return std::stoll(info->str.substr(at + field.size()));
}

TEST_F(BrokenTest, WatchdogKeepsOneRenewalConnectionAcrossAcquiresAndStopsAtOnce) {
  // The blocking API's renewals run on a worker the client keeps: acquire
  // after acquire opens no new connection (nor thread).
  auto holder = client("watchdog");
  ASSERT_TRUE(holder);
  const int64_t before = connections_received(server_);
  for (int i = 0; i < 5; ++i) {
    auto guard = holder->acquire(options_for("wd3", Millis(600), Millis(500)));
    ASSERT_TRUE(guard.ok()) << guard.error().to_string();
    ASSERT_TRUE(guard->release().ok());
  }
  // One renewal connection, opened by the first acquire, and the one this
  // INFO itself comes over (RedisServer::command connects each time).
  EXPECT_LE(connections_received(server_) - before, 2);

  // The reused worker still renews on the strategy's schedule (every ttl/3)...
  auto guard = holder->acquire(options_for("wd3", Millis(600), Millis(500)));
  ASSERT_TRUE(guard.ok()) << guard.error().to_string();
  const MonoInstant first_end = guard->lease().valid_until;
  std::this_thread::sleep_for(Millis(1800));  // three TTLs
  EXPECT_TRUE(exists(server_, "wd3")) << "the renewals kept the key alive past its TTL";
  EXPECT_GT(guard->lease().valid_until, first_end + Millis(1000));
  // ...and a second lock held at once gets a worker of its own.
  auto second = holder->acquire(options_for("wd4", Millis(600), Millis(500)));
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  std::this_thread::sleep_for(Millis(1000));
  EXPECT_TRUE(exists(server_, "wd4"));
  EXPECT_TRUE(exists(server_, "wd3"));
  ASSERT_TRUE(second->release().ok());
  ASSERT_TRUE(guard->release().ok());
  EXPECT_FALSE(exists(server_, "wd3"));
  std::this_thread::sleep_for(Millis(400));
  EXPECT_FALSE(exists(server_, "wd3")) << "renewals stopped with the release";
  EXPECT_FALSE(exists(server_, "wd4"));

  // A stop ends the worker's sleep at once: a release does not wait for
  // the renewal period (here 2 s) to run out.
  auto slow = holder->acquire(options_for("wd5", Millis(6000), Millis(500)));
  ASSERT_TRUE(slow.ok()) << slow.error().to_string();
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(slow->release().ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, Millis(1000));
}

TEST_F(BrokenTest, AbandonedWatchdogLockExpiresWithinItsTtl) {
  auto holder = client("watchdog");
  ASSERT_TRUE(holder);
  auto guard = holder->acquire(options_for("wd2", Millis(500), Millis(500)));
  ASSERT_TRUE(guard.ok());
  (void)guard->abandon();  // as if the process died: its watchdog dies too
  std::this_thread::sleep_for(Millis(800));
  EXPECT_FALSE(exists(server_, "wd2"));
}

TEST_F(BrokenTest, ReentrantCountsHoldsOnRealRedisAndRefusesStrangers) {
  // (reentrant is correct; it shares the fixture.)
  auto env = HiredisEnv::connect({server_.endpoint()}, Millis(1000), kRequestTimeout);
  ASSERT_TRUE(env.ok());
  auto lock = make_strategy("reentrant");
  LockOptions o = options_for("re", Millis(5000), Millis(0));
  o.owner = "app-1:thread-7";
  auto outer = run_sync(lock->acquire(**env, o));
  ASSERT_TRUE(outer.ok()) << outer.error().to_string();
  auto inner = run_sync(lock->acquire(**env, o));
  ASSERT_TRUE(inner.ok()) << "the owner gets in again without waiting";
  EXPECT_EQ(server_.command({"HGET", "re", o.owner})->str, "2");
  LockOptions stranger = o;
  stranger.owner = "app-2:thread-1";
  EXPECT_FALSE(run_sync(lock->acquire(**env, stranger)).ok());
  auto refused = run_sync(lock->release(**env, Lease{"re", stranger.owner, {}, {}, {}, Millis(5000)}));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kNotHeld);
  ASSERT_TRUE(run_sync(lock->release(**env, *inner)).ok());
  EXPECT_EQ(server_.command({"HGET", "re", o.owner})->str, "1");
  EXPECT_GT(pttl(server_, "re"), 4000) << "a partial release re-arms the TTL";
  ASSERT_TRUE(run_sync(lock->release(**env, *outer)).ok());
  EXPECT_FALSE(exists(server_, "re"));
}

TEST_F(BrokenTest, ReentrantNaiveFreesTheLockAtTheNestedRelease) {
  auto env = HiredisEnv::connect({server_.endpoint()}, Millis(1000), kRequestTimeout);
  ASSERT_TRUE(env.ok());
  auto lock = make_strategy("reentrant-naive");
  LockOptions o = options_for("rn", Millis(5000), Millis(0));
  o.owner = "app-1:thread-7";
  auto outer = run_sync(lock->acquire(**env, o));
  auto inner = run_sync(lock->acquire(**env, o));
  ASSERT_TRUE(outer.ok() && inner.ok());
  ASSERT_TRUE(run_sync(lock->release(**env, *inner)).ok());
  EXPECT_FALSE(exists(server_, "rn")) << "the outer hold lost its lock";
}

}  // namespace
}  // namespace lockcheck
