// The shared acquire loop (impl/acquire.h) against a scripted Env: what it
// does with each kind of attempt, independent of any strategy's commands.
#include "impl/acquire.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <vector>

#include "impl/test_env.h"

namespace lockcheck {
namespace {

using testing::MultiNodeScriptedEnv;
using testing::options;

TEST(GrantLease, FillsEveryFieldFromTheOptions) {
  LockOptions o = options();
  o.key = "k";
  const MonoInstant started = MonoInstant{} + Millis(500);
  const Lease lease = grant_lease(o, "tok", started);
  EXPECT_EQ(lease.key, "k");
  EXPECT_EQ(lease.token, "tok");
  EXPECT_EQ(lease.started, started);
  EXPECT_EQ(lease.valid_until, validity_end(started, o.ttl));
  EXPECT_EQ(lease.ttl, o.ttl) << "every grant carries the ttl it asked for";
  EXPECT_EQ(lease.fence, 0u);
  EXPECT_EQ(lease.wall_valid_until, WallInstant{});
}

// What the loop saw: each attempt's context and each undo.
struct Seen {
  std::vector<AttemptContext> attempts;
  std::vector<AttemptContext> undos;
};

// Steps that answer the scripted kinds in order (then kNotGranted), each
// attempt taking `took` of the env's time.
AcquireSteps scripted(std::shared_ptr<Seen> seen, std::deque<Attempt::Kind> kinds, Nanos took) {
  AcquireSteps steps;
  steps.attempt = [seen, kinds, took](Env& env, AttemptContext ctx) mutable -> Task<Attempt> {
    seen->attempts.push_back(ctx);
    co_await env.sleep(took);
    if (kinds.empty()) co_return Attempt::not_granted();
    const Attempt::Kind k = kinds.front();
    kinds.pop_front();
    if (k == Attempt::Kind::kGranted) co_return Attempt::granted(grant_lease(ctx.options, ctx.token, ctx.started));
    if (k == Attempt::Kind::kMaybeGranted) co_return Attempt::maybe_granted();
    if (k == Attempt::Kind::kFailed) co_return Attempt::failed(Error{ErrorCode::kRedisError, "WRONGTYPE"});
    co_return Attempt::not_granted();
  };
  steps.undo = [seen](Env& env, AttemptContext ctx) -> Task<Status> {
    (void)env;
    seen->undos.push_back(ctx);
    co_return Ok{};
  };
  return steps;
}

TEST(AcquireLoop, AGrantInTimeIsReturnedWithTheTokenOfEveryAttempt) {
  MultiNodeScriptedEnv env(1);
  auto seen = std::make_shared<Seen>();
  auto r = run_sync(acquire_loop(env, options(),
                                 scripted(seen, {Attempt::Kind::kNotGranted, Attempt::Kind::kGranted}, Millis(1))));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(seen->attempts.size(), 2u);
  EXPECT_EQ(seen->attempts[0].token.size(), 32u);
  EXPECT_EQ(seen->attempts[1].token, seen->attempts[0].token) << "one token for the whole acquire";
  EXPECT_EQ(r->token, seen->attempts[0].token);
  EXPECT_EQ(r->started, seen->attempts[1].started);
  EXPECT_TRUE(seen->undos.empty());
  // deadline 100 ms + one request timeout (50 ms), from the start at 0.
  EXPECT_EQ(seen->attempts[0].cutoff, MonoInstant{} + Millis(150));
}

TEST(AcquireLoop, AGrantTooLateIsUndoneNotedAndRetried) {
  MultiNodeScriptedEnv env(1);
  auto seen = std::make_shared<Seen>();
  // The first grant took longer than ttl - drift (988 ms): unusable.
  LockOptions o = options();
  o.acquire_timeout = Millis(3000);
  auto r = run_sync(acquire_loop(env, o,
                                 scripted(seen, {Attempt::Kind::kGranted}, Millis(990))));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kAcquireTimeout);
  ASSERT_EQ(seen->undos.size(), 1u);
  EXPECT_EQ(seen->undos[0].started, MonoInstant{});
  ASSERT_EQ(env.notes.size(), 1u);
  EXPECT_EQ(env.notes[0].rfind("grant refused: validity ran out", 0), 0u) << env.notes[0];
}

TEST(AcquireLoop, AnUnknownOutcomeIsUndoneAndRemembersTheEarliestSuchAttempt) {
  MultiNodeScriptedEnv env(1);
  auto seen = std::make_shared<Seen>();
  auto r = run_sync(acquire_loop(
      env, options(),
      scripted(seen, {Attempt::Kind::kMaybeGranted, Attempt::Kind::kMaybeGranted, Attempt::Kind::kGranted},
               Millis(1))));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(seen->attempts.size(), 3u);
  EXPECT_FALSE(seen->attempts[0].ambiguous_since.has_value());
  ASSERT_TRUE(seen->attempts[1].ambiguous_since.has_value());
  EXPECT_EQ(*seen->attempts[1].ambiguous_since, seen->attempts[0].started);
  EXPECT_EQ(*seen->attempts[2].ambiguous_since, seen->attempts[0].started) << "the earliest, not the latest";
  EXPECT_EQ(seen->undos.size(), 2u);
}

TEST(AcquireLoop, AFailedAttemptEndsTheAcquireWithItsError) {
  MultiNodeScriptedEnv env(1);
  auto seen = std::make_shared<Seen>();
  auto r = run_sync(acquire_loop(env, options(), scripted(seen, {Attempt::Kind::kFailed}, Millis(1))));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kRedisError);
  EXPECT_EQ(seen->attempts.size(), 1u);
}

TEST(AcquireLoop, BadOptionsAreRefusedBeforeAnyAttempt) {
  MultiNodeScriptedEnv env(1);
  auto seen = std::make_shared<Seen>();
  LockOptions o = options();
  o.ttl = Millis(0);
  auto r = run_sync(acquire_loop(env, o, scripted(seen, {}, Millis(1))));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(seen->attempts.empty());
}

TEST(AcquireLoop, AGivenTokenIsUsedAndNoRandomnessDrawn) {
  MultiNodeScriptedEnv env(1);
  auto seen = std::make_shared<Seen>();
  AcquireSteps steps = scripted(seen, {Attempt::Kind::kGranted}, Millis(1));
  steps.token = "owner-1";
  auto r = run_sync(acquire_loop(env, options(), std::move(steps)));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->token, "owner-1");
  EXPECT_EQ(env.next_random, 1u);
}

TEST(AcquireLoop, WithoutValidityCheckASlowGrantIsUsed) {
  MultiNodeScriptedEnv env(1);
  auto seen = std::make_shared<Seen>();
  AcquireSteps steps = scripted(seen, {Attempt::Kind::kGranted}, Millis(990));
  steps.check_validity = false;
  auto r = run_sync(acquire_loop(env, options(), std::move(steps)));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(seen->undos.empty());
}

}  // namespace
}  // namespace lockcheck
