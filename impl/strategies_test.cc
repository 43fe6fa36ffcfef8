// Contract tests of redlock and the broken strategies against scripted
// replies: what they send, and what they conclude from what comes back.
#include <gtest/gtest.h>

#include <ostream>

#include "impl/broken.h"
#include "impl/fenced.h"
#include "impl/redlock.h"
#include "impl/reentrant.h"
#include "impl/single.h"
#include "model/sha1.h"
#include "impl/test_env.h"

namespace lockcheck {

void PrintTo(ErrorCode code, std::ostream* os) { *os << error_code_name(code); }

namespace {

using testing::integer_reply;
using testing::MultiNodeScriptedEnv;
using testing::options;
using testing::nil_reply;
using testing::status_reply;
using testing::string_reply;

TEST(Redlock, GrantedOnAMajorityWithValidityLessElapsedAndDrift) {
  MultiNodeScriptedEnv env(5);
  env.replies[0].push_back(status_reply("OK"));
  env.replies[1].push_back(nil_reply());  // held by someone else there
  env.replies[2].push_back(status_reply("OK"));
  env.replies[3].push_back(Error{ErrorCode::kTimeout, "slow node"});
  env.replies[4].push_back(status_reply("OK"));
  RedlockLock lock;
  auto lease = run_sync(lock.acquire(env, options()));
  ASSERT_TRUE(lease.ok()) << lease.error().to_string();
  EXPECT_EQ(lease->started, MonoInstant{});
  EXPECT_EQ(lease->valid_until, MonoInstant{} + Millis(1000) - Millis(12));
  EXPECT_EQ(env.sent.size(), 5u);  // one SET per node, nothing undone
}

TEST(Redlock, AMinorityIsUndoneEverywhereThenRetried) {
  MultiNodeScriptedEnv env(3);
  env.replies[0].push_back(status_reply("OK"));
  env.replies[1].push_back(nil_reply());
  env.replies[2].push_back(Error{ErrorCode::kTimeout, "lost"});  // may have landed
  for (auto& q : env.replies) q.push_back(integer_reply(0));   // the undo
  for (auto& q : env.replies) q.push_back(status_reply("OK"));  // 2nd attempt
  RedlockLock lock;
  auto lease = run_sync(lock.acquire(env, options()));
  ASSERT_TRUE(lease.ok()) << lease.error().to_string();
  const std::vector<std::string> want{"SET", "SET", "SET", "EVALSHA", "EVALSHA", "EVALSHA", "SET", "SET", "SET"};
  EXPECT_EQ(env.names(), want);
  for (size_t i = 3; i < 6; ++i) EXPECT_EQ(env.sent[i].first, i - 3);  // undo on every node
}

TEST(Redlock, TooSlowAMajorityIsNoGrantAndSaysWhy) {
  MultiNodeScriptedEnv env(3);
  env.per_call = Millis(400);  // 3 x 400 ms > 1000 - 12 ms of validity
  for (auto& q : env.replies) q.push_back(status_reply("OK"));
  for (auto& q : env.replies) q.push_back(integer_reply(1));
  env.timeout = Millis(500);
  LockOptions o = options();
  o.acquire_timeout = Millis(2000);  // time for the whole attempt and its undo
  RedlockLock lock;
  auto lease = run_sync(lock.acquire(env, o));
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.error().code, ErrorCode::kAcquireTimeout);
  EXPECT_EQ(env.names(), (std::vector<std::string>{"SET", "SET", "SET", "EVALSHA", "EVALSHA", "EVALSHA"}));
  ASSERT_EQ(env.notes.size(), 1u);
  EXPECT_EQ(env.notes[0],
            "grant on 3 of 3 nodes refused: validity ran out (elapsed 1200 ms of ttl 1000 ms, drift allowance 12 ms)");
}

// Nodes that did not answer say nothing about the lock: only refusals do.
TEST(Redlock, ReleaseThatNobodyAnsweredIsUnknownNotNotHeld) {
  MultiNodeScriptedEnv env(3);
  env.replies[0].push_back(integer_reply(1));  // released here
  env.replies[1].push_back(Error{ErrorCode::kTimeout, "slow"});
  env.replies[2].push_back(Error{ErrorCode::kConnectionLost, "gone"});
  RedlockLock lock;
  Lease lease{"k", "t", MonoInstant{}, MonoInstant{} + Millis(900)};
  Status s = run_sync(lock.release(env, lease));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kOutcomeUnknown) << s.error().to_string();
  EXPECT_TRUE(s.error().outcome_unknown());
  EXPECT_EQ(s.error().message, "lock k may still be held: released on 1, refused by 0, no answer from 2 of 3 nodes");

  MultiNodeScriptedEnv all_silent(3);  // no node answered at all
  for (auto& q : all_silent.replies) q.push_back(Error{ErrorCode::kTimeout, "slow"});
  s = run_sync(lock.release(all_silent, lease));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kOutcomeUnknown) << s.error().to_string();
}

TEST(Redlock, ReleaseIsNotHeldOnlyWhenAMajorityRefused) {
  MultiNodeScriptedEnv env(5);
  env.replies[0].push_back(integer_reply(0));
  env.replies[1].push_back(integer_reply(0));
  env.replies[2].push_back(integer_reply(0));
  env.replies[3].push_back(Error{ErrorCode::kTimeout, "slow"});
  env.replies[4].push_back(integer_reply(1));
  RedlockLock lock;
  Lease lease{"k", "t", MonoInstant{}, MonoInstant{} + Millis(900)};
  Status s = run_sync(lock.release(env, lease));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kNotHeld) << s.error().to_string();
  EXPECT_FALSE(s.error().outcome_unknown());
}

TEST(Redlock, ReleaseOnAMajorityIsDoneWhateverTheRestSaid) {
  MultiNodeScriptedEnv env(5);
  for (size_t n = 0; n < 3; ++n) env.replies[n].push_back(integer_reply(1));
  env.replies[3].push_back(Error{ErrorCode::kTimeout, "slow"});
  env.replies[4].push_back(integer_reply(0));
  RedlockLock lock;
  Lease lease{"k", "t", MonoInstant{}, MonoInstant{} + Millis(900)};
  Status s = run_sync(lock.release(env, lease));
  EXPECT_TRUE(s.ok()) << s.error().to_string();
}

TEST(Redlock, ExtendThatTooFewAnsweredIsUnknownNotNotHeld) {
  MultiNodeScriptedEnv env(3);
  env.replies[0].push_back(integer_reply(1));
  env.replies[1].push_back(Error{ErrorCode::kTimeout, "slow"});
  env.replies[2].push_back(integer_reply(0));
  RedlockLock lock;
  Lease lease{"k", "t", MonoInstant{}, MonoInstant{} + Millis(900)};
  auto r = run_sync(lock.extend(env, lease, options()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kOutcomeUnknown) << r.error().to_string();
  EXPECT_EQ(r.error().message, "lock k may still be held: renewed on 1, refused by 1, no answer from 1 of 3 nodes");
}

TEST(Redlock, ExtendOnAMajorityTooLateToUseIsNoRenewal) {
  MultiNodeScriptedEnv env(3);
  env.per_call = Millis(400);
  env.timeout = Millis(500);
  for (auto& q : env.replies) q.push_back(integer_reply(1));
  RedlockLock lock;
  Lease lease{"k", "t", MonoInstant{}, MonoInstant{} + Millis(900)};
  auto r = run_sync(lock.extend(env, lease, options()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kOutcomeUnknown) << r.error().to_string();
  ASSERT_EQ(env.notes.size(), 1u);
  EXPECT_EQ(env.notes[0].rfind("renewal refused: validity ran out (elapsed 1200 ms", 0), 0u) << env.notes[0];
}

TEST(Redlock, ExtendNeedsAMajority) {
  MultiNodeScriptedEnv env(3);
  env.replies[0].push_back(integer_reply(1));
  env.replies[1].push_back(integer_reply(0));
  env.replies[2].push_back(integer_reply(0));
  RedlockLock lock;
  Lease lease{"k", "t", MonoInstant{}, MonoInstant{} + Millis(900)};
  auto r = run_sync(lock.extend(env, lease, options()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotHeld);
}

TEST(SetnxExpire, SendsTheTtlAsASecondCommand) {
  MultiNodeScriptedEnv env(1);
  env.replies[0].push_back(integer_reply(1));
  env.replies[0].push_back(integer_reply(1));
  SetnxExpireLock lock;
  LockOptions o = options();
  o.ttl = Millis(1500);
  auto lease = run_sync(lock.acquire(env, o));
  ASSERT_TRUE(lease.ok());
  ASSERT_EQ(env.sent.size(), 2u);
  EXPECT_EQ(env.sent[0].second[0], "SETNX");
  EXPECT_EQ(env.sent[1].second, (std::vector<std::string>{"EXPIRE", o.key, "2"}));  // rounded up
}

TEST(ExtendUnchecked, ExtendsWithAPlainPexpire) {
  MultiNodeScriptedEnv env(1);
  env.replies[0].push_back(integer_reply(1));  // some key was there: "renewed"
  env.replies[0].push_back(integer_reply(0));  // no key at all
  ExtendUncheckedLock lock;
  Lease lease{"k", "ours", MonoInstant{}, MonoInstant{} + Millis(500)};
  env.mono = MonoInstant{} + Millis(700);  // our lease is long over
  auto renewed = run_sync(lock.extend(env, lease, options()));
  ASSERT_TRUE(renewed.ok()) << "nothing checks whose key it renews";
  EXPECT_EQ(env.sent[0].second, (std::vector<std::string>{"PEXPIRE", "k", "1000"}));
  EXPECT_EQ(renewed->valid_until, MonoInstant{} + Millis(700) + Millis(1000) - Millis(12));
  auto gone = run_sync(lock.extend(env, lease, options()));
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::kNotHeld);
}

TEST(RetryForever, KeepsTryingPastItsTimeout) {
  MultiNodeScriptedEnv env(1);
  for (int i = 0; i < 30; ++i) env.replies[0].push_back(nil_reply());  // held by someone, 30 times
  env.replies[0].push_back(status_reply("OK"));
  RetryForeverLock lock;
  auto lease = run_sync(lock.acquire(env, options()));  // 100 ms to acquire
  ASSERT_TRUE(lease.ok()) << lease.error().to_string();
  EXPECT_EQ(env.sent.size(), 31u);
  EXPECT_GT(env.mono - MonoInstant{}, Millis(300)) << "30 attempts, 11 ms each, all past the 100 ms it was given";
}

TEST(ConstValue, ReleasesWithAPlainDel) {
  MultiNodeScriptedEnv env(1);
  env.replies[0].push_back(status_reply("OK"));
  env.replies[0].push_back(integer_reply(1));
  ConstValueLock lock;
  auto lease = run_sync(lock.acquire(env, options()));
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(lease->token, "1");
  ASSERT_TRUE(run_sync(lock.release(env, *lease)).ok());
  EXPECT_EQ(env.sent[1].second, (std::vector<std::string>{"DEL", lease->key}));
}

TEST(Getset, TakesOverAnExpiredStampOnlyIfItsGetsetSawTheSameStamp) {
  MultiNodeScriptedEnv env(1);
  const std::string old_stamp = "1";  // long past on the env's wall clock
  env.replies[0].push_back(integer_reply(0));          // SETNX: held
  env.replies[0].push_back(string_reply(old_stamp));   // GET
  env.replies[0].push_back(string_reply("2"));         // GETSET: someone beat us
  env.replies[0].push_back(integer_reply(0));          // SETNX again
  env.replies[0].push_back(string_reply(old_stamp));   // GET
  env.replies[0].push_back(string_reply(old_stamp));   // GETSET: ours
  GetsetLock lock;
  auto lease = run_sync(lock.acquire(env, options()));
  ASSERT_TRUE(lease.ok()) << lease.error().to_string();
  const std::vector<std::string> want{"SETNX", "GET", "GETSET", "SETNX", "GET", "GETSET"};
  EXPECT_EQ(env.names(), want);
}

TEST(Reentrant, ScriptShasMatchTheModelsSha1) {
  EXPECT_EQ(model::sha1_hex(kReentrantAcquireScript), kReentrantAcquireScriptSha1);
  EXPECT_EQ(model::sha1_hex(kReentrantReleaseScript), kReentrantReleaseScriptSha1);
  EXPECT_EQ(model::sha1_hex(kReentrantExtendScript), kReentrantExtendScriptSha1);
}

TEST(Reentrant, FallsBackToEvalOnNoscript) {
  MultiNodeScriptedEnv env(1);
  env.replies[0].push_back(Error{ErrorCode::kRedisError, "NOSCRIPT No matching script. Please use EVAL."});
  env.replies[0].push_back(nil_reply());  // granted
  ReentrantLock lock;
  auto lease = run_sync(lock.acquire(env, options()));
  ASSERT_TRUE(lease.ok()) << lease.error().to_string();
  ASSERT_EQ(env.names(), (std::vector<std::string>{"EVALSHA", "EVAL"}));
  EXPECT_EQ(env.sent[0].second[1], kReentrantAcquireScriptSha1);
  EXPECT_EQ(env.sent[1].second[1], kReentrantAcquireScript);
}

TEST(Fenced, GrantCarriesTheCounterAndTheScriptShaIsRight) {
  EXPECT_EQ(model::sha1_hex(kFencedAcquireScript), kFencedAcquireScriptSha1);
  MultiNodeScriptedEnv env(1);
  env.replies[0].push_back(nil_reply());        // held by someone
  env.replies[0].push_back(integer_reply(42));  // ours, token 42
  FencedLock lock;
  auto lease = run_sync(lock.acquire(env, options()));
  ASSERT_TRUE(lease.ok()) << lease.error().to_string();
  EXPECT_EQ(lease->fence, 42u);
  EXPECT_EQ(env.sent[1].second, (std::vector<std::string>{"EVALSHA", kFencedAcquireScriptSha1, "2", "lockcheck:lock",
                                                          "lockcheck:lock:fence", lease->token, "1000"}));
}

// Issue 14, as for single: after an unanswered attempt, a nil may be the
// lock our own late script set; then it is our grant, with the fence that
// script took, valid from the unanswered attempt's start.
TEST(Fenced, ANilAfterAnUnknownOutcomeIsRecognisedAsOurOwnGrant) {
  EXPECT_EQ(model::sha1_hex(kFencedOwnScript), kFencedOwnScriptSha1);
  MultiNodeScriptedEnv env(1);
  env.replies[0].push_back(Error{ErrorCode::kTimeout, "no reply"});  // the script at 0: runs late
  env.replies[0].push_back(integer_reply(0));                        // undo: not there (yet)
  env.replies[0].push_back(nil_reply());                             // held...
  env.replies[0].push_back(integer_reply(7));                        // ...by us, fence 7
  FencedLock lock;
  auto lease = run_sync(lock.acquire(env, options()));
  ASSERT_TRUE(lease.ok()) << lease.error().to_string();
  EXPECT_EQ(lease->fence, 7u);
  EXPECT_EQ(lease->started, MonoInstant{});
  ASSERT_EQ(env.sent.size(), 4u);
  EXPECT_EQ(env.sent[3].second, (std::vector<std::string>{"EVALSHA", kFencedOwnScriptSha1, "2", "lockcheck:lock",
                                                          "lockcheck:lock:fence", lease->token}));
}

TEST(WallClockStrategies, BelieveLongerAfterAWallStepBack) {
  MultiNodeScriptedEnv env(1);
  env.replies[0].push_back(status_reply("OK"));
  ClientClockLock lock;
  auto lease = run_sync(lock.acquire(env, options()));
  ASSERT_TRUE(lease.ok());
  const MonoInstant before = lock.valid_until(env, *lease);
  EXPECT_EQ(before, lease->valid_until);
  env.wall_offset = -Millis(3000);  // NTP steps the wall clock back
  EXPECT_EQ(lock.valid_until(env, *lease), before + Millis(3000));
  // single, judged on the monotonic clock, is not fooled.
  SingleLock single;
  EXPECT_EQ(single.valid_until(env, *lease), lease->valid_until);
}

}  // namespace
}  // namespace lockcheck
