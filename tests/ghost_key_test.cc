// The real client after an ambiguous acquire (issue 14), against a real
// redis-server stopped (SIGSTOP) in the middle of an acquire and resumed
// (SIGCONT) while it runs. A stopped server still completes TCP connects
// (the kernel's accept queue), so every request times out and its
// connection is dropped, with the request still in it: Redis runs it when
// it resumes, and nobody reads the answer. The server is fresh, so the
// script cache is cold: an undo's EVALSHA run that way meets NOSCRIPT
// unseen, and its EVAL fallback never happens.
//
// Timeline, with R the request timeout: the SET sent at 0 times out at R
// (it lands at the resume: a key under the client's token); the undo's
// EVALSHA times out at 2R; the server resumes at 2.5R. Before the fix, the
// acquire either gave up at 2R leaving that ghost key for a full TTL, or
// (with time left) retried its SET against its own key, got nil each time
// and reported an acquire timeout while Redis held the lock under its token.
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "redis/client.h"
#include "impl/fenced.h"
#include "tests/redis_server.h"

namespace lockcheck {
namespace {

using std::chrono::steady_clock;
using testing::options_for;

constexpr Millis kRequestTimeout{200};
constexpr Millis kStopped{500};  // 2.5 request timeouts
constexpr Millis kTtl{10000};

Millis since(steady_clock::time_point t0) {
  return std::chrono::duration_cast<Millis>(steady_clock::now() - t0);
}

class GhostKeyTest : public testing::RedisServerTest {
 protected:
  // Connects a client, stops the server, resumes it kStopped later on a
  // thread of its own, and runs one acquire meanwhile on this thread.
  Result<LockGuard> acquire_across_a_stop(LockClient& client, const LockOptions& options) {
    server_.pause();
    std::thread resumer([this] {
      std::this_thread::sleep_for(kStopped);
      server_.resume();
    });
    const auto t0 = steady_clock::now();
    auto r = client.acquire(options);
    took_ = since(t0);
    resumer.join();
    // Whatever the dropped connections carried has run once a request on
    // a newer connection is answered; the pause is extra margin.
    std::this_thread::sleep_for(Millis(100));
    EXPECT_TRUE(server_.command({"PING"}).ok());
    return r;
  }

  std::unique_ptr<LockClient> make_client() {
    auto c = LockClient::connect({server_.endpoint()}, "single", kRequestTimeout);
    EXPECT_TRUE(c.ok()) << c.error().to_string();
    if (!c.ok()) return nullptr;
    return std::move(c).value();
  }

  Millis took_{0};
};

// The acquire gives up (its deadline, 2R, comes before the resume) while
// its SET is still waiting in a dropped connection. Its undo must outlive
// the stop: retried, with the EVAL fallback, until Redis answers.
TEST_F(GhostKeyTest, NoGhostKeyAfterTheClientGaveUp) {
  auto client = make_client();
  ASSERT_TRUE(client);
  LockOptions o = options_for("lc:ghost", kTtl, 2 * kRequestTimeout);
  o.retry_delay_min = Millis(10);
  o.retry_delay_max = Millis(10);
  auto r = acquire_across_a_stop(*client, o);
  ASSERT_FALSE(r.ok()) << "granted while the server was stopped";
  EXPECT_EQ(r.error().code, ErrorCode::kAcquireTimeout) << r.error().to_string();
  EXPECT_EQ(raw_get("lc:ghost"), std::nullopt)
      << "ghost key: the client gave up, yet Redis holds the lock under its token for another "
      << raw_pttl("lc:ghost") << " ms";
  // The undo keeps the acquire's time promise: acquire_timeout + one
  // request timeout + one retry delay (plus scheduling slack).
  EXPECT_LE(took_, o.acquire_timeout + kRequestTimeout + o.retry_delay_max + Millis(200));
}

// The acquire has time left after the resume: the lock is free but for the
// client's own SET, so it must end holding the lock, never with a timeout
// while Redis holds the lock under its token.
TEST_F(GhostKeyTest, NoAcquireTimeoutWhileRedisHoldsTheLockForTheClient) {
  auto client = make_client();
  ASSERT_TRUE(client);
  LockOptions o = options_for("lc:own", kTtl, Millis(2000));
  o.retry_delay_min = Millis(10);
  o.retry_delay_max = Millis(10);
  auto r = acquire_across_a_stop(*client, o);
  const std::optional<std::string> held_by = raw_get("lc:own");
  ASSERT_TRUE(r.ok()) << r.error().to_string() << (held_by ? " while Redis holds the lock under the client's token "
                                                              "(nobody else ever asked for it), for another " +
                                                                  std::to_string(raw_pttl("lc:own")) + " ms"
                                                            : "");
  EXPECT_TRUE(r->held());
  EXPECT_TRUE(r->valid());
  EXPECT_EQ(held_by, r->lease().token);
  EXPECT_LT(took_, o.acquire_timeout) << "granted, but only at the deadline";
  ASSERT_TRUE(r->release().ok());
  EXPECT_EQ(raw_get("lc:own"), std::nullopt);
}

// fenced's own-grant check (kFencedOwnScript) on real Redis: the fence of
// the grant that holds our token, nil for anyone else's.
TEST_F(GhostKeyTest, FencedOwnScriptAnswersOurFenceOnlyForOurToken) {
  ASSERT_TRUE(server_.command({"SET", "lc:f", "tok"}).ok());
  ASSERT_TRUE(server_.command({"SET", "lc:f:fence", "41"}).ok());
  auto ours = server_.command({"EVAL", kFencedOwnScript, "2", "lc:f", "lc:f:fence", "tok"});
  ASSERT_TRUE(ours.ok()) << ours.error().to_string();
  EXPECT_TRUE(ours->is_integer(41)) << ours->to_string();
  auto other = server_.command({"EVAL", kFencedOwnScript, "2", "lc:f", "lc:f:fence", "other"});
  ASSERT_TRUE(other.ok()) << other.error().to_string();
  EXPECT_TRUE(other->is_nil()) << other->to_string();
  auto sha = server_.command({"SCRIPT", "LOAD", kFencedOwnScript});
  ASSERT_TRUE(sha.ok());
  EXPECT_EQ(sha->str, kFencedOwnScriptSha1);
}

}  // namespace
}  // namespace lockcheck
