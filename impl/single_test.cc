// Contract tests of the strategies' decision logic against a scripted Env:
// replies no real server gives on demand (a timeout whose outcome is
// unknown) are exactly what these need. Real-server behaviour is covered by
// tests/integration_test.cc, and the simulator covers the rest.
#include "impl/single.h"

#include <gtest/gtest.h>

#include "impl/test_env.h"
#include "model/sha1.h"  // test-only: impl itself never links model

namespace lockcheck {
namespace {

using testing::integer_reply;
using testing::MultiNodeScriptedEnv;
using testing::options;
using testing::nil_reply;
using testing::status_reply;

TEST(SingleLock, GrantSetsValidityToTtlMinusElapsedMinusDrift) {
  MultiNodeScriptedEnv env(1);
  env.mono = MonoInstant{} + Millis(500);
  env.replies[0].push_back(status_reply("OK"));
  SingleLock lock;
  auto lease = run_sync(lock.acquire(env, options()));
  ASSERT_TRUE(lease.ok());
  ASSERT_EQ(env.sent.size(), 1u);
  EXPECT_EQ(env.sent[0].second[0], "SET");
  EXPECT_EQ(env.sent[0].second[3], "NX");
  EXPECT_EQ(env.sent[0].second[5], "1000");
  EXPECT_EQ(lease->token.size(), 32u);
  // drift = 1% of 1000 ms + 2 ms = 12 ms; attempt began at 500 ms.
  EXPECT_EQ(lease->valid_until, MonoInstant{} + Millis(500 + 1000 - 12));
}

TEST(SingleLock, UnknownOutcomeIsUndoneWithCompareAndDelete) {
  MultiNodeScriptedEnv env(1);
  env.replies[0].push_back(Error{ErrorCode::kTimeout, "no reply"});
  env.replies[0].push_back(integer_reply(1));     // the release of the ghost attempt
  env.replies[0].push_back(status_reply("OK"));   // the retry wins
  SingleLock lock;
  auto lease = run_sync(lock.acquire(env, options()));
  ASSERT_TRUE(lease.ok());
  ASSERT_EQ(env.sent.size(), 3u);
  EXPECT_EQ(env.sent[1].second[0], "EVALSHA");
  EXPECT_EQ(env.sent[1].second[1], kReleaseScriptSha1);
  EXPECT_EQ(env.sent[1].second[4], env.sent[0].second[2]);  // same token as the lost SET
}

TEST(SingleLock, GivesUpAtDeadlineWhenHeldElsewhere) {
  MultiNodeScriptedEnv env(1);
  for (int i = 0; i < 100; ++i) env.replies[0].push_back(nil_reply());
  SingleLock lock;
  auto lease = run_sync(lock.acquire(env, options()));
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.error().code, ErrorCode::kAcquireTimeout);
  // 11 ms per round (1 ms call + 10 ms delay) inside a 100 ms budget.
  EXPECT_LE(env.mono - MonoInstant{}, Millis(100));
  // A nil with no unknown outcome before it is someone else's lock: no
  // own-token check, no undo.
  for (const auto& name : env.names()) EXPECT_EQ(name, "SET") << "no extra command when no attempt was ambiguous";
  EXPECT_GE(env.sent.size(), 8u);
}

// Issue 14: an undo whose reply never came may have died on a dropped
// connection (its EVALSHA meeting NOSCRIPT unseen); it is tried again,
// with the EVAL fallback, until Redis answers.
TEST(SingleLock, AnUnansweredUndoIsRetriedWithTheEvalFallbackUntilRedisAnswers) {
  MultiNodeScriptedEnv env(1);
  env.replies[0].push_back(Error{ErrorCode::kTimeout, "no reply"});  // SET: outcome unknown
  env.replies[0].push_back(Error{ErrorCode::kTimeout, "no reply"});  // the undo's EVALSHA
  env.replies[0].push_back(Error{ErrorCode::kRedisError, "NOSCRIPT No matching script."});
  env.replies[0].push_back(integer_reply(1));                        // EVAL: the ghost deleted
  env.replies[0].push_back(status_reply("OK"));                      // the next attempt wins
  SingleLock lock;
  auto lease = run_sync(lock.acquire(env, options()));
  ASSERT_TRUE(lease.ok()) << lease.error().to_string();
  EXPECT_EQ(env.names(), (std::vector<std::string>{"SET", "EVALSHA", "EVALSHA", "EVAL", "SET"}));
  EXPECT_EQ(env.sent[3].second[4], env.sent[0].second[2]);  // the lost SET's token
}

// Issue 14: the undo answered "not there" before the unanswered SET landed;
// the next SET then meets our own key. That is a grant, valid from the
// start of the unanswered attempt, not a lock held by someone else.
TEST(SingleLock, ANilAfterAnUnknownOutcomeIsRecognisedAsOurOwnKey) {
  MultiNodeScriptedEnv env(1);
  MultiNodeScriptedEnv same_randomness(1);
  const std::string token = random_token(same_randomness);  // the token the acquire will draw
  env.replies[0].push_back(Error{ErrorCode::kTimeout, "no reply"});  // SET at 0: lands late
  env.replies[0].push_back(integer_reply(0));                        // undo: not there (yet)
  env.replies[0].push_back(nil_reply());                             // SET: held...
  env.replies[0].push_back(testing::string_reply(token));            // ...by our own token
  SingleLock lock;
  auto lease = run_sync(lock.acquire(env, options()));
  ASSERT_TRUE(lease.ok()) << lease.error().to_string();
  EXPECT_EQ(env.names(), (std::vector<std::string>{"SET", "EVALSHA", "SET", "GET"}));
  EXPECT_EQ(lease->token, token);
  EXPECT_EQ(lease->started, MonoInstant{}) << "validity counts from the earliest unanswered attempt";
  EXPECT_EQ(lease->valid_until, MonoInstant{} + Millis(1000 - 12));
}

// The undo gives up by the acquire's cutoff (its time promise) however
// long nobody answers; each try's call is cut there.
TEST(SingleLock, AnUndoThatNobodyAnswersEndsAtTheCutoff) {
  MultiNodeScriptedEnv env(1);
  env.per_call = Millis(50);  // every call takes a full request timeout
  for (int i = 0; i < 100; ++i) env.replies[0].push_back(Error{ErrorCode::kTimeout, "no reply"});
  SingleLock lock;
  auto lease = run_sync(lock.acquire(env, options()));
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.error().code, ErrorCode::kAcquireTimeout);
  // deadline 100 ms + one request timeout: the SET took 0..50, the undo's
  // tries 50..100 and 110..150, then no attempt can start before 100.
  EXPECT_LE(env.mono - MonoInstant{}, Millis(150));
  EXPECT_EQ(env.names(), (std::vector<std::string>{"SET", "EVALSHA", "EVALSHA"}));
}

TEST(SingleLock, RedisErrorIsReturnedNotRetried) {
  MultiNodeScriptedEnv env(1);
  env.replies[0].push_back(Error{ErrorCode::kRedisError, "WRONGTYPE Operation against a key"});
  SingleLock lock;
  auto lease = run_sync(lock.acquire(env, options()));
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.error().code, ErrorCode::kRedisError);
  EXPECT_EQ(env.sent.size(), 1u);
}

TEST(SingleLock, ReleaseOfLostLockIsNotHeld) {
  MultiNodeScriptedEnv env(1);
  env.replies[0].push_back(integer_reply(0));
  SingleLock lock;
  Lease lease{"k", "tok", MonoInstant{}, MonoInstant{} + Millis(5)};
  auto s = run_sync(lock.release(env, lease));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kNotHeld);
}

TEST(SingleLock, ExtendRenewsValidityFromTheAttemptStart) {
  MultiNodeScriptedEnv env(1);
  env.mono = MonoInstant{} + Millis(2000);
  env.replies[0].push_back(integer_reply(1));
  SingleLock lock;
  Lease lease{"k", "tok", MonoInstant{}, MonoInstant{} + Millis(988)};
  auto r = run_sync(lock.extend(env, lease, options()));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(env.sent[0].second[0], "EVALSHA");
  EXPECT_EQ(env.sent[0].second[1], kExtendScriptSha1);
  EXPECT_EQ(r->valid_until, MonoInstant{} + Millis(2000 + 988));
}

// Catches: a client that gives up (or never retries with the text) when the
// server has lost its script cache.
TEST(SingleLock, NoscriptFallsBackToEvalWithTheText) {
  MultiNodeScriptedEnv env(1);
  env.replies[0].push_back(Error{ErrorCode::kRedisError, "NOSCRIPT No matching script. Please use EVAL."});
  env.replies[0].push_back(integer_reply(1));
  SingleLock lock;
  Lease lease{"k", "tok", MonoInstant{}, MonoInstant{} + Millis(5)};
  ASSERT_TRUE(run_sync(lock.release(env, lease)).ok());
  ASSERT_EQ(env.sent.size(), 2u);
  EXPECT_EQ(env.sent[0].second, (std::vector<std::string>{"EVALSHA", kReleaseScriptSha1, "1", "k", "tok"}));
  EXPECT_EQ(env.sent[1].second, (std::vector<std::string>{"EVAL", kReleaseScript, "1", "k", "tok"}));

  env.sent.clear();
  env.replies[0].push_back(Error{ErrorCode::kRedisError, "NOSCRIPT No matching script. Please use EVAL."});
  env.replies[0].push_back(integer_reply(1));
  auto r = run_sync(lock.extend(env, lease, options()));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(env.sent.size(), 2u);
  EXPECT_EQ(env.sent[0].second, (std::vector<std::string>{"EVALSHA", kExtendScriptSha1, "1", "k", "tok", "1000"}));
  EXPECT_EQ(env.sent[1].second, (std::vector<std::string>{"EVAL", kExtendScript, "1", "k", "tok", "1000"}));
}

// Catches: a fallback that re-sends the script on errors other than
// NOSCRIPT (a timeout's outcome is unknown: the script may have run).
TEST(SingleLock, OnlyNoscriptTriggersTheFallback) {
  SingleLock lock;
  Lease lease{"k", "tok", MonoInstant{}, MonoInstant{} + Millis(5)};
  for (ErrorCode code : {ErrorCode::kTimeout, ErrorCode::kConnectionLost, ErrorCode::kRedisError}) {
    MultiNodeScriptedEnv env(1);
    env.replies[0].push_back(Error{code, "ERR something else"});
    auto s = run_sync(lock.release(env, lease));
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, code);
    EXPECT_EQ(env.sent.size(), 1u);
  }
}

// Catches: a script edited without its precomputed SHA1 (every EVALSHA
// would miss and fall back: correct but silently twice the round trips).
TEST(SingleLock, ScriptShasMatchTheModelsSha1) {
  EXPECT_EQ(model::sha1_hex(kReleaseScript), kReleaseScriptSha1);
  EXPECT_EQ(model::sha1_hex(kExtendScript), kExtendScriptSha1);
}

TEST(DelUncheckedLock, ReleasesWithPlainDel) {
  MultiNodeScriptedEnv env(1);
  env.replies[0].push_back(integer_reply(1));
  DelUncheckedLock lock;
  Lease lease{"k", "tok", MonoInstant{}, MonoInstant{}};
  ASSERT_TRUE(run_sync(lock.release(env, lease)).ok());
  ASSERT_EQ(env.sent.size(), 1u);
  EXPECT_EQ(env.sent[0].second, (std::vector<std::string>{"DEL", "k"}));
}

TEST(Options, RejectsUnusableValues) {
  LockOptions o = options();
  o.ttl = Millis(0);
  EXPECT_FALSE(validate(o).ok());
  o = options();
  o.retry_delay_max = Millis(1);
  EXPECT_FALSE(validate(o).ok());
  EXPECT_TRUE(validate(options()).ok());
}

TEST(Catalog, EveryListedStrategyIsConstructible) {
  for (const auto& info : strategy_catalog()) {
    auto s = make_strategy(info.name);
    ASSERT_NE(s, nullptr) << info.name;
    EXPECT_EQ(s->name(), info.name);
  }
  EXPECT_EQ(make_strategy("no-such-lock"), nullptr);
}

}  // namespace
}  // namespace lockcheck
