// The strategies' scripts on model::Node, through the same RESP path the
// simulator uses (encode the command, parse it on the node, encode the
// reply, decode it with hiredis's reader), without the simulator: the
// EVALSHA -> NOSCRIPT -> EVAL fallback works on the model as on Redis.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "impl/fenced.h"
#include "impl/single.h"
#include "model/node.h"
#include "tests/model_env.h"

namespace lockcheck {
namespace {

using testing::ModelEnv;

LockOptions options() {
  LockOptions o;
  o.key = "lock";
  o.ttl = Millis(10000);
  o.acquire_timeout = Millis(100);
  return o;
}

// Catches: release/extend that fail, or never recache the script, when the
// node's script cache is empty (fresh node, SCRIPT FLUSH, restart).
TEST(StrategyOnModel, EvalshaFallsBackToEvalAndThenHits) {
  ModelEnv env;
  SingleLock lock;
  auto lease = run_sync(lock.acquire(env, options()));
  ASSERT_TRUE(lease.ok()) << lease.error().to_string();

  env.sent.clear();
  auto extended = run_sync(lock.extend(env, *lease, options()));
  ASSERT_TRUE(extended.ok()) << extended.error().to_string();
  ASSERT_EQ(env.sent.size(), 2u) << "a fresh node has no script: EVALSHA misses, EVAL runs it";
  EXPECT_EQ(env.sent[0][0], "EVALSHA");
  EXPECT_EQ(env.sent[1][0], "EVAL");

  env.sent.clear();
  ASSERT_TRUE(run_sync(lock.extend(env, *extended, options())).ok());
  ASSERT_EQ(env.sent.size(), 1u) << "EVAL cached the script: EVALSHA hits";
  EXPECT_EQ(env.sent[0][0], "EVALSHA");

  ASSERT_TRUE(run_sync(env.call(0, {"SCRIPT", "FLUSH"})).ok());
  env.sent.clear();
  ASSERT_TRUE(run_sync(lock.release(env, *extended)).ok());
  ASSERT_EQ(env.sent.size(), 2u);
  EXPECT_EQ(env.sent[1][0], "EVAL");
  EXPECT_EQ(env.get("lock"), "<none>");
}

// Catches: fenced's own-grant check (issue 14) answering anything but the
// fence of the grant that holds our token, on the model as on Redis.
TEST(StrategyOnModel, FencedOwnScriptAnswersOurFenceOnlyForOurToken) {
  ModelEnv env;
  FencedLock lock;
  auto lease = run_sync(lock.acquire(env, options()));
  ASSERT_TRUE(lease.ok()) << lease.error().to_string();
  ASSERT_EQ(lease->fence, 1u);
  auto ours = run_sync(env.call(0, {"EVAL", kFencedOwnScript, "2", "lock", "lock:fence", lease->token}));
  ASSERT_TRUE(ours.ok()) << ours.error().to_string();
  EXPECT_TRUE(ours->is_integer(1)) << ours->to_string();
  auto other = run_sync(env.call(0, {"EVAL", kFencedOwnScript, "2", "lock", "lock:fence", "someone-else"}));
  ASSERT_TRUE(other.ok()) << other.error().to_string();
  EXPECT_TRUE(other->is_nil()) << other->to_string();
}

// Catches: a fallback that turns "not held" into success or an error.
TEST(StrategyOnModel, ReleaseOfAnotherTokenIsNotHeldAfterFallback) {
  ModelEnv env;
  SingleLock lock;
  auto lease = run_sync(lock.acquire(env, options()));
  ASSERT_TRUE(lease.ok());
  Lease forged = *lease;
  forged.token = "not-the-token";
  Status s = run_sync(lock.release(env, forged));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kNotHeld);
  EXPECT_EQ(env.get("lock"), lease->token);
}

}  // namespace
}  // namespace lockcheck
