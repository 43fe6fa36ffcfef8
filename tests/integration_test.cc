// Integration tests: the blocking lock API and HiredisEnv against a real
// redis-server started per test (tests/redis_server.h). What the key holds
// is always read back over a separate raw hiredis connection, never through
// the code under test.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "redis/client.h"
#include "redis/hiredis_env.h"
#include "impl/single.h"
#include "tests/redis_server.h"

namespace lockcheck {

// gtest prints ErrorCode by name in failure messages (found by ADL).
void PrintTo(ErrorCode code, std::ostream* os) { *os << error_code_name(code); }

namespace {

using std::chrono::steady_clock;
using testing::options_for;
using testing::RedisServer;

constexpr Millis kRequestTimeout{300};


Millis since(steady_clock::time_point t0) {
  return std::chrono::duration_cast<Millis>(steady_clock::now() - t0);
}

std::string describe(const Status& s) { return s.ok() ? "ok" : s.error().to_string(); }

class RealRedisTest : public testing::RedisServerTest {
 protected:
  // A fresh client (its own connection) on the test's server; fails the
  // test and returns null when it cannot connect.
  std::unique_ptr<LockClient> make_client(std::string_view strategy = "single",
                                          Millis request_timeout = kRequestTimeout) {
    auto c = LockClient::connect({server_.endpoint()}, strategy, request_timeout);
    EXPECT_TRUE(c.ok()) << c.error().to_string();
    if (!c.ok()) return nullptr;
    return std::move(c).value();
  }
};

// Tests whose expectations hold for every strategy: they differ only in
// release, which these tests exercise only on a lock the caller still holds.
class EveryStrategyTest : public RealRedisTest, public ::testing::WithParamInterface<const char*> {};

INSTANTIATE_TEST_SUITE_P(Strategies, EveryStrategyTest, ::testing::Values("single", "del-unchecked"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

// Catches: acquire not mutually exclusive, acquire ignoring its timeout,
// release that does not free the key.
TEST_P(EveryStrategyTest, ContendedLockPassesOnlyAfterRelease) {
  auto a = make_client(GetParam());
  auto b = make_client(GetParam());
  ASSERT_TRUE(a && b);
  auto held = a->acquire(options_for("lc:contend", Millis(10000), Millis(1000)));
  ASSERT_TRUE(held.ok()) << held.error().to_string();
  EXPECT_TRUE(held->valid());
  EXPECT_EQ(raw_get("lc:contend"), held->lease().token);

  const auto t0 = steady_clock::now();
  auto denied = b->acquire(options_for("lc:contend", Millis(10000), Millis(200)));
  const Millis waited = since(t0);
  ASSERT_FALSE(denied.ok()) << "B acquired a lock A holds";
  EXPECT_EQ(denied.error().code, ErrorCode::kAcquireTimeout) << denied.error().to_string();
  EXPECT_GE(waited, Millis(140)) << "gave up long before its timeout";
  EXPECT_LT(waited, Millis(2000)) << "did not give up at its timeout";
  EXPECT_EQ(raw_get("lc:contend"), held->lease().token);

  ASSERT_TRUE(held->release().ok());
  EXPECT_FALSE(held->held());
  EXPECT_EQ(raw_get("lc:contend"), std::nullopt);

  auto granted = b->acquire(options_for("lc:contend", Millis(10000), Millis(1000)));
  ASSERT_TRUE(granted.ok()) << granted.error().to_string();
  EXPECT_EQ(raw_get("lc:contend"), granted->lease().token);
  EXPECT_NE(granted->lease().token, held->lease().token);
}

// Catches: no TTL on the key, a TTL other than the requested one, a
// validity window longer than the TTL.
TEST_P(EveryStrategyTest, AbandonedLockExpiresAfterTtl) {
  auto a = make_client(GetParam());
  auto b = make_client(GetParam());
  ASSERT_TRUE(a && b);
  const auto t0 = steady_clock::now();
  auto held = a->acquire(options_for("lc:expire", Millis(300), Millis(1000)));
  ASSERT_TRUE(held.ok()) << held.error().to_string();
  const int64_t pttl = raw_pttl("lc:expire");
  EXPECT_GT(pttl, 0);
  EXPECT_LE(pttl, 300);
  EXPECT_LE(held->remaining(), Millis(300));
  held->abandon();  // as if A crashed: nobody releases
  EXPECT_FALSE(held->held());

  auto next = b->acquire(options_for("lc:expire", Millis(10000), Millis(3000)));
  const Millis waited = since(t0);
  ASSERT_TRUE(next.ok()) << "lock never expired: " << next.error().to_string();
  EXPECT_GE(waited, Millis(290)) << "granted before A's TTL ran out";
  EXPECT_LT(waited, Millis(3000));
  EXPECT_EQ(raw_get("lc:expire"), next->lease().token);
}

// Catches: extend not renewing the key's TTL, not moving the lease's
// validity, or ignoring a new ttl.
TEST_P(EveryStrategyTest, ExtendRenewsTtl) {
  auto a = make_client(GetParam());
  ASSERT_TRUE(a);
  auto held = a->acquire(options_for("lc:extend", Millis(1000), Millis(1000)));
  ASSERT_TRUE(held.ok()) << held.error().to_string();
  const MonoInstant first_until = held->lease().valid_until;
  std::this_thread::sleep_for(Millis(600));
  EXPECT_LT(raw_pttl("lc:extend"), 500);

  Status s = held->extend();
  ASSERT_TRUE(s.ok()) << describe(s);
  EXPECT_GT(raw_pttl("lc:extend"), 800);
  EXPECT_GT(held->lease().valid_until, first_until + Millis(500));
  EXPECT_TRUE(held->valid());
  EXPECT_EQ(raw_get("lc:extend"), held->lease().token);

  s = held->extend(options_for("lc:extend", Millis(5000), Millis(1000)));
  ASSERT_TRUE(s.ok()) << describe(s);
  EXPECT_GT(raw_pttl("lc:extend"), 4000);
  EXPECT_GT(held->remaining(), Millis(4000));

  s = held->extend(options_for("lc:other-key", Millis(5000), Millis(1000)));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(held->held());
}

// Catches: a guard that leaks its lock, or a moved-from guard that releases
// the lock its new owner holds.
TEST_P(EveryStrategyTest, GuardReleasesExactlyOnceOnDestruction) {
  auto a = make_client(GetParam());
  ASSERT_TRUE(a);
  {
    auto held = a->acquire(options_for("lc:raii", Millis(10000), Millis(1000)));
    ASSERT_TRUE(held.ok()) << held.error().to_string();
    EXPECT_TRUE(raw_get("lc:raii").has_value());
  }
  EXPECT_EQ(raw_get("lc:raii"), std::nullopt) << "destructor did not release";

  std::optional<LockGuard> outer;
  {
    auto held = a->acquire(options_for("lc:raii", Millis(10000), Millis(1000)));
    ASSERT_TRUE(held.ok()) << held.error().to_string();
    outer.emplace(std::move(held).value());
  }  // the moved-from guard dies here
  ASSERT_TRUE(outer->held());
  EXPECT_EQ(raw_get("lc:raii"), outer->lease().token) << "moved-from guard released the lock";

  // Move-assignment releases what the target held.
  auto other = a->acquire(options_for("lc:raii-2", Millis(10000), Millis(1000)));
  ASSERT_TRUE(other.ok()) << other.error().to_string();
  *outer = std::move(other).value();
  EXPECT_EQ(raw_get("lc:raii"), std::nullopt);
  EXPECT_EQ(raw_get("lc:raii-2"), outer->lease().token);
  outer.reset();
  EXPECT_EQ(raw_get("lc:raii-2"), std::nullopt);
}

// Catches: two holders at once under real concurrency (threads, separate
// connections), lost acquisitions.
TEST_P(EveryStrategyTest, TwoThreadsNeverHoldAtOnce) {
  constexpr int kRounds = 25;
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> granted{0};
  auto worker = [&](LockClient* c) {
    for (int i = 0; i < kRounds; ++i) {
      auto g = c->acquire(options_for("lc:threads", Millis(5000), Millis(5000)));
      if (!g.ok()) continue;
      granted.fetch_add(1);
      if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
      std::this_thread::sleep_for(Millis(1));
      inside.fetch_sub(1);
      (void)g->release();
    }
  };
  auto a = make_client(GetParam());
  auto b = make_client(GetParam());
  ASSERT_TRUE(a && b);
  std::thread ta(worker, a.get());
  std::thread tb(worker, b.get());
  ta.join();
  tb.join();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(granted.load(), 2 * kRounds);
}

// Catches: a release that deletes without checking the token.
TEST_F(RealRedisTest, SingleRejectsReleaseByNonOwner) {
  auto a = make_client("single");
  auto b = make_client("single");
  ASSERT_TRUE(a && b);
  auto held = a->acquire(options_for("lc:owner", Millis(10000), Millis(1000)));
  ASSERT_TRUE(held.ok()) << held.error().to_string();

  // B knows the key but not A's token.
  const Lease forged{"lc:owner", random_token(b->env()), b->env().mono_now(),
                     b->env().mono_now() + Millis(10000)};
  Status s = run_sync(b->strategy().release(b->env(), forged));
  ASSERT_FALSE(s.ok()) << "B released A's lock";
  EXPECT_EQ(s.error().code, ErrorCode::kNotHeld) << s.error().to_string();
  EXPECT_EQ(raw_get("lc:owner"), held->lease().token);
}

// Catches: a stale holder (lease lapsed, e.g. after a pause) deleting or
// extending the successor's lock.
TEST_F(RealRedisTest, SingleStaleHolderCannotTouchSuccessorsLock) {
  auto a = make_client("single");
  auto b = make_client("single");
  ASSERT_TRUE(a && b);
  auto stale = a->acquire(options_for("lc:stale", Millis(300), Millis(1000)));
  ASSERT_TRUE(stale.ok()) << stale.error().to_string();
  std::this_thread::sleep_for(Millis(400));
  EXPECT_FALSE(stale->valid()) << "lease still valid after its TTL";
  EXPECT_EQ(stale->remaining(), Nanos(0));

  auto next = b->acquire(options_for("lc:stale", Millis(10000), Millis(1000)));
  ASSERT_TRUE(next.ok()) << next.error().to_string();

  Status s = stale->extend();
  ASSERT_FALSE(s.ok()) << "stale holder extended the successor's lock";
  EXPECT_EQ(s.error().code, ErrorCode::kNotHeld) << s.error().to_string();
  EXPECT_FALSE(stale->held());

  // The guard let go on kNotHeld; release with the stale lease through the
  // strategy, as the guard's destructor would have.
  s = run_sync(a->strategy().release(a->env(), stale->lease()));
  ASSERT_FALSE(s.ok()) << "stale holder released the successor's lock";
  EXPECT_EQ(s.error().code, ErrorCode::kNotHeld);
  EXPECT_EQ(raw_get("lc:stale"), next->lease().token);
  EXPECT_GT(raw_pttl("lc:stale"), 9000) << "successor's TTL was changed";
}

// Documents the bug "del-unchecked" exists to show: a stale holder's
// release deletes the successor's lock, a third client walks in, and two
// clients hold valid leases on the same key at once.
TEST_F(RealRedisTest, DelUncheckedDeletesAnothersLock) {
  auto a = make_client("del-unchecked");
  auto b = make_client("del-unchecked");
  auto c = make_client("del-unchecked");
  ASSERT_TRUE(a && b && c);
  auto stale = a->acquire(options_for("lc:del", Millis(300), Millis(1000)));
  ASSERT_TRUE(stale.ok()) << stale.error().to_string();
  std::this_thread::sleep_for(Millis(400));
  auto successor = b->acquire(options_for("lc:del", Millis(10000), Millis(1000)));
  ASSERT_TRUE(successor.ok()) << successor.error().to_string();
  ASSERT_EQ(raw_get("lc:del"), successor->lease().token);

  Status s = stale->release();
  EXPECT_TRUE(s.ok()) << "del-unchecked cannot tell, so it reports success: " << describe(s);
  EXPECT_EQ(raw_get("lc:del"), std::nullopt) << "expected the bug: B's lock deleted by A";

  auto intruder = c->acquire(options_for("lc:del", Millis(10000), Millis(200)));
  ASSERT_TRUE(intruder.ok()) << intruder.error().to_string();
  EXPECT_TRUE(successor->valid());
  EXPECT_TRUE(intruder->valid()) << "two clients now hold lc:del at once";
}

// Catches: release/extend broken by an empty script cache (SCRIPT FLUSH, a
// restart, a failover): EVALSHA's NOSCRIPT must fall back to EVAL, which
// caches the script again.
TEST_F(RealRedisTest, SingleFallsBackToEvalAfterScriptFlush) {
  auto a = make_client("single");
  ASSERT_TRUE(a);
  auto held = a->acquire(options_for("lc:noscript", Millis(10000), Millis(1000)));
  ASSERT_TRUE(held.ok()) << held.error().to_string();
  auto exists = [&](const char* sha) {
    auto r = server_.command({"SCRIPT", "EXISTS", sha});
    return r.ok() && r->type == Reply::Type::kArray && r->elements.size() == 1 && r->elements[0].is_integer(1);
  };
  ASSERT_TRUE(server_.command({"SCRIPT", "FLUSH"}).ok());
  ASSERT_FALSE(exists(kExtendScriptSha1));

  Status s = held->extend(options_for("lc:noscript", Millis(20000), Millis(1000)));
  ASSERT_TRUE(s.ok()) << describe(s);
  EXPECT_GT(raw_pttl("lc:noscript"), 15000);
  EXPECT_TRUE(exists(kExtendScriptSha1)) << "the fallback EVAL did not cache the script";

  ASSERT_TRUE(server_.command({"SCRIPT", "FLUSH"}).ok());
  s = held->release();
  ASSERT_TRUE(s.ok()) << describe(s);
  EXPECT_EQ(raw_get("lc:noscript"), std::nullopt);
  EXPECT_TRUE(exists(kReleaseScriptSha1));

  // And with the script cached, a non-owner's release is still refused.
  auto again = a->acquire(options_for("lc:noscript", Millis(10000), Millis(1000)));
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  const Lease forged{"lc:noscript", random_token(a->env()), a->env().mono_now(), a->env().mono_now() + Millis(10000)};
  s = run_sync(a->strategy().release(a->env(), forged));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kNotHeld);
  EXPECT_EQ(raw_get("lc:noscript"), again->lease().token);
}

bool sigpipe_pending() {
  sigset_t pending;
  sigemptyset(&pending);
  sigpending(&pending);
  return sigismember(&pending, SIGPIPE) == 1;
}

// Catches: SIGPIPE killing the process (its default action) when a command
// is written to a connection the server has closed, or one left pending.
// A value bigger than the socket buffers takes several write(2) calls; the
// ones after the server's reset fail with EPIPE and raise SIGPIPE.
TEST_F(RealRedisTest, WriteToAClosedConnectionIsAnErrorNotASignal) {
  auto env = HiredisEnv::connect({server_.endpoint()}, Millis(1000), Millis(2000));
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  ASSERT_TRUE(run_sync((*env)->call(0, {"CLIENT", "SETNAME", "doomed"})).ok());
  ASSERT_TRUE(run_sync((*env)->call(0, {"PING"})).ok());
  ASSERT_TRUE(server_.command({"CLIENT", "KILL", "SKIPME", "yes", "TYPE", "normal"}).ok());
  std::this_thread::sleep_for(Millis(50));  // the server's FIN arrives
  const std::string value(16 << 20, 'v');
  int failures = 0;
  for (int i = 0; i < 3; ++i) {  // the first may only find the connection closed on its read
    auto r = run_sync((*env)->call(0, {"SET", "big", value}));
    if (!r.ok()) {
      ++failures;
      EXPECT_EQ(r.error().code, ErrorCode::kConnectionLost) << r.error().to_string();
      break;
    }
  }
  EXPECT_EQ(failures, 1);
  EXPECT_FALSE(sigpipe_pending()) << "a SIGPIPE the write raised was left pending";
  EXPECT_TRUE(run_sync((*env)->call(0, {"PING"})).ok()) << "the next command reconnects";
}

// Catches: a crash, hang or unclassified error when the server goes away.
TEST_F(RealRedisTest, StoppedServerGivesErrorValues) {
  auto a = make_client("single");
  ASSERT_TRUE(a);
  auto held = a->acquire(options_for("lc:down", Millis(10000), Millis(1000)));
  ASSERT_TRUE(held.ok()) << held.error().to_string();
  server_.stop();

  auto t0 = steady_clock::now();
  Status s = held->extend();
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.error().code == ErrorCode::kConnectionLost || s.error().code == ErrorCode::kTimeout)
      << s.error().to_string();
  EXPECT_NE(s.error().message.find(server_.address()), std::string::npos) << s.error().message;
  EXPECT_TRUE(held->held()) << "an unknown outcome must not drop the guard";

  // The next call reconnects once, and is refused.
  Result<Reply> ping = run_sync(a->env().call(0, {"PING"}));
  ASSERT_FALSE(ping.ok());
  EXPECT_EQ(ping.error().code, ErrorCode::kConnectionLost);
  EXPECT_EQ(ping.error().message, "cannot connect to " + server_.address() + ": Connection refused");

  auto denied = a->acquire(options_for("lc:down-2", Millis(10000), Millis(300)));
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kAcquireTimeout) << denied.error().to_string();

  s = held->release();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kConnectionLost) << s.error().to_string();
  EXPECT_LT(since(t0), Millis(5000)) << "error paths must be bounded";

  auto fresh = LockClient::connect({server_.endpoint()}, "single", kRequestTimeout);
  ASSERT_FALSE(fresh.ok());
  EXPECT_EQ(fresh.error().code, ErrorCode::kConnectionLost);
  EXPECT_EQ(fresh.error().message, "cannot connect to " + server_.address() + ": Connection refused");
}

// Catches: a client that stays broken after the server comes back.
TEST_F(RealRedisTest, ClientWorksAgainAfterRestart) {
  auto a = make_client("single");
  ASSERT_TRUE(a);
  {
    auto held = a->acquire(options_for("lc:restart", Millis(10000), Millis(1000)));
    ASSERT_TRUE(held.ok()) << held.error().to_string();
  }
  const int port = server_.port();
  Status s = server_.restart();
  ASSERT_TRUE(s.ok()) << describe(s);
  ASSERT_EQ(server_.port(), port);

  // The old connection is dead: the first call may report it, the next
  // one reconnects.
  Result<Reply> ping = run_sync(a->env().call(0, {"PING"}));
  if (!ping.ok()) {
    EXPECT_EQ(ping.error().code, ErrorCode::kConnectionLost) << ping.error().to_string();
    ping = run_sync(a->env().call(0, {"PING"}));
  }
  ASSERT_TRUE(ping.ok()) << ping.error().to_string();
  EXPECT_TRUE(ping->is_status("PONG")) << ping->to_string();

  auto held = a->acquire(options_for("lc:restart", Millis(10000), Millis(2000)));
  ASSERT_TRUE(held.ok()) << held.error().to_string();
  EXPECT_EQ(raw_get("lc:restart"), held->lease().token);

  // And a lock acquired before a restart (data lost, no persistence) can be
  // re-acquired by another client straight away after it.
  server_.stop();
  ASSERT_TRUE(server_.start().ok());
  auto b = make_client("single");
  ASSERT_TRUE(b);
  auto other = b->acquire(options_for("lc:restart", Millis(10000), Millis(200)));
  EXPECT_TRUE(other.ok()) << "restart without persistence forgets locks";
}

// Catches: a request that hangs on an unresponsive server, and a reused
// connection whose late reply answers the next command (desync).
TEST_F(RealRedisTest, PausedServerTimesOutThenResyncs) {
  auto env = HiredisEnv::connect({server_.endpoint()}, Millis(1000), Millis(200));
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  ASSERT_TRUE(server_.command({"SET", "lc:pause", "before"}).ok());

  server_.pause();
  const auto t0 = steady_clock::now();
  Result<Reply> r = run_sync((*env)->call(0, {"GET", "lc:pause"}));
  const Millis waited = since(t0);
  server_.resume();
  ASSERT_FALSE(r.ok()) << "a paused server answered: " << r->to_string();
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout) << r.error().to_string();
  EXPECT_TRUE(r.error().outcome_unknown());
  EXPECT_GE(waited, Millis(150));
  EXPECT_LT(waited, Millis(2000));

  r = run_sync((*env)->call(0, {"ECHO", "after-resume"}));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->type, Reply::Type::kString);
  EXPECT_EQ(r->str, "after-resume") << "got a stale reply: the connection was reused";
}

// Catches: an acquire that overshoots its own time promise when Redis stops
// answering. Each attempt's SET and its undo each waited a full request
// timeout, so an attempt begun just before the deadline ran both past it
// (measured before the fix: 1,339 ms for a 1,000 ms acquire with a 200 ms
// request timeout). The promise: kAcquireTimeout within acquire_timeout +
// one request timeout + one retry delay. With these numbers the old code
// took about two request timeouts past the deadline (~2,000 ms against a
// 1,560 ms promise); the test allows 200 ms of scheduling slack.
TEST_F(RealRedisTest, AcquireFromAStoppedServerReturnsWithinItsPromise) {
  constexpr Millis kSlowRequest{500};
  auto a = make_client("single", kSlowRequest);
  ASSERT_TRUE(a);
  LockOptions o = options_for("lc:bound", Millis(10000), Millis(1050));
  o.retry_delay_min = Millis(10);  // a second attempt starts at ~1,010 ms,
  o.retry_delay_max = Millis(10);  // just before the 1,050 ms deadline
  server_.pause();
  const auto t0 = steady_clock::now();
  auto r = a->acquire(o);
  const Millis waited = since(t0);
  server_.resume();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kAcquireTimeout) << r.error().to_string();
  const Millis promise = o.acquire_timeout + kSlowRequest + o.retry_delay_max;
  EXPECT_GE(waited, o.acquire_timeout) << "gave up before its deadline";
  EXPECT_LE(waited, promise + Millis(200)) << "the promise is " << promise.count() << " ms";
}

// Catches: a guard that forgets a lock whose release nobody answered (the
// key is still there, and nobody would release it), and release or extend
// outliving one request timeout against a stopped server.
TEST_F(RealRedisTest, UnansweredReleaseKeepsTheLockAndEverythingKeepsItsTime) {
  constexpr Millis kSlowRequest{400};
  auto a = make_client("single", kSlowRequest);
  ASSERT_TRUE(a);
  auto held = a->acquire(options_for("lc:bound-2", Millis(10000), Millis(1000)));
  ASSERT_TRUE(held.ok()) << held.error().to_string();
  server_.pause();
  auto t0 = steady_clock::now();
  Status s = held->extend();
  Millis waited = since(t0);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kTimeout) << s.error().to_string();
  EXPECT_LE(waited, kSlowRequest + Millis(200));
  EXPECT_TRUE(held->held()) << "an unanswered extend must not forget the lock";
  t0 = steady_clock::now();
  s = held->release();
  waited = since(t0);
  server_.resume();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kTimeout) << s.error().to_string();
  EXPECT_LE(waited, kSlowRequest + Millis(200));
  EXPECT_TRUE(held->held()) << "an unanswered release may have left the lock held: the guard keeps it";
  EXPECT_EQ(raw_get("lc:bound-2"), held->lease().token);
  ASSERT_TRUE(held->release().ok()) << "the guard releases what it kept";
  EXPECT_FALSE(held->held());
  EXPECT_EQ(raw_get("lc:bound-2"), std::nullopt);
}

// Catches: setsockopt(2) on every command. Deadlines of "one request from
// now" land a few microseconds under the request timeout, and the socket
// timeout was set to each one and set back after it: 4 system calls per
// command, 8 of the 12 of a lock cycle (measured before the fix: 400
// changes for these 200 calls). The socket timeout set at connect serves
// every such call.
TEST_F(RealRedisTest, SteadyDeadlinesLeaveTheSocketTimeoutAlone) {
  auto env = HiredisEnv::connect({server_.endpoint()}, Millis(1000), kRequestTimeout);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  HiredisEnv& e = **env;
  const int64_t at_connect = e.timeout_changes();
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(run_sync(e.call_by(0, {"PING"}, one_request_from_now(e))).ok());
    ASSERT_TRUE(run_sync(e.call(0, {"PING"})).ok());
  }
  EXPECT_EQ(e.timeout_changes() - at_connect, 0);
}

// Catches: a socket timeout kept from a short deadline cutting the next,
// longer wait short, or one kept from a long wait overrunning a short
// deadline, on a server that stopped answering.
TEST_F(RealRedisTest, SocketTimeoutFollowsEachCallsDeadline) {
  constexpr Millis kLongRequest{600};
  constexpr Millis kShortDeadline{100};
  auto env = HiredisEnv::connect({server_.endpoint()}, Millis(1000), kLongRequest);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  HiredisEnv& e = **env;
  // Answered: the socket timeout now fits the short deadline.
  ASSERT_TRUE(run_sync(e.call_by(0, {"PING"}, later(e.mono_now(), kShortDeadline))).ok());

  server_.pause();
  auto t0 = steady_clock::now();
  Result<Reply> r = run_sync(e.call(0, {"PING"}));
  Millis waited = since(t0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout) << r.error().to_string();
  EXPECT_GE(waited, kLongRequest - HiredisEnv::kTimeoutSlack - Millis(1)) << "the short deadline's timeout was kept";
  EXPECT_LT(waited, kLongRequest + Millis(300));

  t0 = steady_clock::now();
  r = run_sync(e.call_by(0, {"PING"}, later(e.mono_now(), kShortDeadline)));  // reconnects first
  waited = since(t0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout) << r.error().to_string();
  EXPECT_GE(waited, kShortDeadline - HiredisEnv::kTimeoutSlack - Millis(1));
  EXPECT_LT(waited, kShortDeadline + Millis(200)) << "the request timeout outran the caller's deadline";
  server_.resume();
  EXPECT_TRUE(run_sync(e.call(0, {"PING"})).ok());
}

// Catches: Redis error replies lost or misclassified.
TEST_F(RealRedisTest, RedisErrorReplyIsAnErrorValue) {
  auto env = HiredisEnv::connect({server_.endpoint()}, Millis(1000), kRequestTimeout);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  ASSERT_TRUE(server_.command({"HSET", "lc:hash", "f", "v"}).ok());
  Result<Reply> r = run_sync((*env)->call(0, {"GET", "lc:hash"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kRedisError);
  EXPECT_EQ(r.error().message.rfind("WRONGTYPE", 0), 0u) << r.error().message;

  // The connection is still usable after an error reply.
  r = run_sync((*env)->call(0, {"PING"}));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_TRUE(r->is_status("PONG"));
}

// Catches: bad arguments accepted silently.
TEST_F(RealRedisTest, InvalidArgumentsAreRejected) {
  auto unknown = LockClient::connect({server_.endpoint()}, "no-such-strategy", kRequestTimeout);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.error().message.find("no-such-strategy"), std::string::npos);

  auto no_nodes = LockClient::connect({}, "single", kRequestTimeout);
  ASSERT_FALSE(no_nodes.ok());
  EXPECT_EQ(no_nodes.error().code, ErrorCode::kInvalidArgument);

  auto zero_timeout = HiredisEnv::connect({server_.endpoint()}, Millis(1000), Millis(0));
  ASSERT_FALSE(zero_timeout.ok());
  EXPECT_EQ(zero_timeout.error().code, ErrorCode::kInvalidArgument);

  auto a = make_client("single");
  ASSERT_TRUE(a);
  auto bad = a->acquire(options_for("lc:bad", Millis(0), Millis(100)));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(raw_get("lc:bad"), std::nullopt);
}

// Catches: the real Env's clocks and randomness being wired wrong.
TEST_F(RealRedisTest, EnvClocksAndRandomness) {
  auto env = HiredisEnv::connect({server_.endpoint()}, Millis(1000), kRequestTimeout);
  ASSERT_TRUE(env.ok()) << env.error().to_string();
  HiredisEnv& e = **env;
  const MonoInstant m0 = e.mono_now();
  run_sync(e.sleep(Millis(30)));
  const Nanos slept = e.mono_now() - m0;
  EXPECT_GE(slept, Millis(30));
  EXPECT_LT(slept, Millis(1000));

  const int64_t wall_ms = unix_ms(e.wall_now());
  auto time = server_.command({"TIME"});
  ASSERT_TRUE(time.ok() && time->type == Reply::Type::kArray && time->elements.size() == 2);
  const int64_t redis_ms = std::stoll(time->elements[0].str) * 1000 + std::stoll(time->elements[1].str) / 1000;
  EXPECT_LT(std::llabs(redis_ms - wall_ms), 2000) << "wall clock is not unix time";

  EXPECT_NE(random_token(e), random_token(e));
  auto other = HiredisEnv::connect({server_.endpoint()}, Millis(1000), kRequestTimeout);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(e.random_u64(), (*other)->random_u64()) << "two envs share a seed";
  EXPECT_EQ(e.node_count(), 1u);
  EXPECT_EQ(e.endpoint(0), server_.endpoint());
}

TEST(ParseEndpoints, AcceptsOneOrMany) {
  auto one = parse_endpoints("127.0.0.1:6379");
  ASSERT_TRUE(one.ok()) << one.error().to_string();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0], (Endpoint{"127.0.0.1", 6379}));

  auto many = parse_endpoints("a:1,redis.local:65535,127.0.0.1:7000");
  ASSERT_TRUE(many.ok()) << many.error().to_string();
  ASSERT_EQ(many->size(), 3u);
  EXPECT_EQ((*many)[0], (Endpoint{"a", 1}));
  EXPECT_EQ((*many)[1], (Endpoint{"redis.local", 65535}));
  EXPECT_EQ((*many)[2], (Endpoint{"127.0.0.1", 7000}));
  EXPECT_EQ((*many)[1].to_string(), "redis.local:65535");
}

TEST(ParseEndpoints, RejectsMalformedWithClearMessages) {
  struct Case {
    const char* text;
    const char* message_part;
  };
  const Case cases[] = {
      {"", "empty endpoint list"},
      {"localhost", "missing ':'"},
      {"localhost:", "missing port"},
      {":6379", "missing host"},
      {"localhost:abc", "bad port 'abc'"},
      {"localhost:0", "bad port '0'"},
      {"localhost:65536", "bad port '65536'"},
      {"localhost:-1", "bad port '-1'"},
      {"localhost:63 79", "whitespace"},
      {"localhost:6379x", "bad port '6379x'"},
      {"a:1,", "empty endpoint"},
      {"a:1,,b:2", "empty endpoint"},
      {",a:1", "empty endpoint"},
  };
  for (const Case& c : cases) {
    auto r = parse_endpoints(c.text);
    ASSERT_FALSE(r.ok()) << "accepted '" << c.text << "'";
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.text;
    EXPECT_NE(r.error().message.find(c.message_part), std::string::npos)
        << "'" << c.text << "' gave: " << r.error().message;
  }
}

TEST(RedisServerHelper, StartsStopsAndRestartsOnTheSamePort) {
  RedisServer server;
  Status s = server.start();
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  const int port = server.port();
  EXPECT_GT(port, 0);
  auto pong = server.command({"PING"});
  ASSERT_TRUE(pong.ok() && pong->is_status("PONG"));
  server.stop();
  EXPECT_FALSE(server.running());
  EXPECT_FALSE(server.command({"PING"}).ok()) << "server still answering after stop()";
  s = server.start();
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(server.port(), port);
  EXPECT_TRUE(server.command({"PING"}).ok());
}

}  // namespace
}  // namespace lockcheck
