#include "impl/reentrant.h"

#include <string>

#include "impl/acquire.h"
#include "impl/single.h"

namespace lockcheck {

// KEYS[1] lock, ARGV[1] ttl ms, ARGV[2] owner. nil: granted; else PTTL.
const char* const kReentrantAcquireScript =
    "if (redis.call('exists', KEYS[1]) == 0) or (redis.call('hexists', KEYS[1], ARGV[2]) == 1) then\n"
    "  redis.call('hincrby', KEYS[1], ARGV[2], 1)\n"
    "  redis.call('pexpire', KEYS[1], ARGV[1])\n"
    "  return nil\n"
    "end\n"
    "return redis.call('pttl', KEYS[1])\n";

// KEYS[1] lock, ARGV[1] owner, ARGV[2] ttl ms. nil: not ours; 0: still
// held (count > 0); 1: freed.
const char* const kReentrantReleaseScript =
    "if redis.call('hexists', KEYS[1], ARGV[1]) == 0 then\n"
    "  return nil\n"
    "end\n"
    "local count = redis.call('hincrby', KEYS[1], ARGV[1], -1)\n"
    "if count > 0 then\n"
    "  redis.call('pexpire', KEYS[1], ARGV[2])\n"
    "  return 0\n"
    "end\n"
    "redis.call('del', KEYS[1])\n"
    "return 1\n";

// KEYS[1] lock, ARGV[1] owner, ARGV[2] ttl ms. 1: renewed; 0: not ours.
const char* const kReentrantExtendScript =
    "if redis.call('hexists', KEYS[1], ARGV[1]) == 1 then\n"
    "  redis.call('pexpire', KEYS[1], ARGV[2])\n"
    "  return 1\n"
    "end\n"
    "return 0\n";

// SHA1s of the texts above (impl_test checks them against the model's).
const char* const kReentrantAcquireScriptSha1 = "6f375e5b68683b6296349f309018a91c3ed41ec4";
const char* const kReentrantReleaseScriptSha1 = "ab8392cf1a794fa2d4d96770d58f68ae30409057";
const char* const kReentrantExtendScriptSha1 = "a40b970c372a77932f35104e4ec13bd2f6eab401";

namespace {

// The naive variant: the value is the owner id; no count.
const char* const kNaiveAcquireScript =
    "local v = redis.call('get', KEYS[1])\n"
    "if v == false or v == ARGV[2] then\n"
    "  redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[1])\n"
    "  return nil\n"
    "end\n"
    "return redis.call('pttl', KEYS[1])\n";
const char* const kNaiveAcquireScriptSha1 = "d943e5a2b05958987c34847c73dfa626ebaa0dad";

// One attempt of either: `script` answers nil when granted, else the PTTL
// of another owner's hold. ctx.token is the owner id.
Task<Attempt> acquire_hold(Env& env, AttemptContext ctx, const char* script, const char* sha1) {
  std::vector<std::string> args{"1", ctx.options.key, std::to_string(ctx.options.ttl.count()), ctx.token};
  auto r = co_await eval_script(env, 0, script, sha1, std::move(args), ctx.cutoff);
  if (r.ok() && r->is_nil()) co_return Attempt::granted(grant_lease(ctx.options, ctx.token, ctx.started));
  if (!r.ok() && !r.error().outcome_unknown()) co_return Attempt::failed(r.error());  // e.g. WRONGTYPE
  // Held by another owner, or the reply was lost (our hold count may have
  // gone up: the TTL bounds that ghost; an owner that retries and wins
  // would count it twice — documented as a limit, as in Redisson).
  co_return Attempt::not_granted();
}

// A grant too late to use gives back this one hold.
Task<Status> give_back_hold(Env& env, AttemptContext ctx) {
  std::vector<std::string> undo{"1", ctx.options.key, ctx.token, std::to_string(ctx.options.ttl.count())};
  auto r = co_await eval_script(env, 0, kReentrantReleaseScript, kReentrantReleaseScriptSha1, std::move(undo),
                                ctx.cutoff);
  if (!r.ok()) co_return r.error();
  co_return Ok{};
}

// The acquire of both, with the owner as the token.
Task<Result<Lease>> acquire_with(Env& env, LockOptions options, const char* script, const char* sha1) {
  AcquireSteps steps;
  steps.attempt = [script, sha1](Env& e, AttemptContext ctx) { return acquire_hold(e, std::move(ctx), script, sha1); };
  steps.undo = give_back_hold;
  if (!options.owner.empty()) steps.token = options.owner;
  co_return co_await acquire_loop(env, std::move(options), std::move(steps));
}

}  // namespace

Task<Result<Lease>> ReentrantLock::acquire(Env& env, LockOptions options) {
  co_return co_await acquire_with(env, std::move(options), kReentrantAcquireScript, kReentrantAcquireScriptSha1);
}

Task<Status> ReentrantLock::release(Env& env, Lease lease) {
  // While holds remain, the key's TTL is re-armed to the lease length.
  LC_CHECK(lease.ttl > Millis(0));
  const std::string ttl_ms = std::to_string(lease.ttl.count());
  std::vector<std::string> args{"1", lease.key, lease.token, ttl_ms};
  auto r = co_await eval_script(env, 0, kReentrantReleaseScript, kReentrantReleaseScriptSha1, std::move(args),
                                one_request_from_now(env));
  if (!r.ok()) co_return r.error();
  if (r->is_nil()) co_return Error{ErrorCode::kNotHeld, "lock " + lease.key + " is not held by owner " + lease.token};
  co_return Ok{};
}

Task<Result<Lease>> ReentrantLock::extend(Env& env, Lease lease, LockOptions options) {
  if (auto s = validate(options); !s.ok()) co_return s.error();
  const MonoInstant attempt_start = env.mono_now();
  std::vector<std::string> args{"1", lease.key, lease.token, std::to_string(options.ttl.count())};
  auto r = co_await eval_script(env, 0, kReentrantExtendScript, kReentrantExtendScriptSha1, std::move(args),
                                one_request_from_now(env));
  if (!r.ok()) co_return r.error();
  if (!r->is_integer(1)) co_return Error{ErrorCode::kNotHeld, "lock " + lease.key + " is not held by owner " + lease.token};
  lease.started = attempt_start;
  lease.valid_until = validity_end(attempt_start, options.ttl);
  lease.ttl = options.ttl;
  co_return lease;
}

Task<Result<Lease>> ReentrantNaiveLock::acquire(Env& env, LockOptions options) {
  co_return co_await acquire_with(env, std::move(options), kNaiveAcquireScript, kNaiveAcquireScriptSha1);
}

Task<Status> ReentrantNaiveLock::release(Env& env, Lease lease) {
  // BROKEN: compare-and-delete frees the lock at the first inner release.
  std::vector<std::string> args{"1", lease.key, lease.token};
  auto r = co_await eval_script(env, 0, kReleaseScript, kReleaseScriptSha1, std::move(args), one_request_from_now(env));
  if (!r.ok()) co_return r.error();
  if (!r->is_integer(1)) co_return Error{ErrorCode::kNotHeld, "lock " + lease.key + " is not held by owner " + lease.token};
  co_return Ok{};
}

Task<Result<Lease>> ReentrantNaiveLock::extend(Env& env, Lease lease, LockOptions options) {
  if (auto s = validate(options); !s.ok()) co_return s.error();
  const MonoInstant attempt_start = env.mono_now();
  std::vector<std::string> args{"1", lease.key, lease.token, std::to_string(options.ttl.count())};
  auto r = co_await eval_script(env, 0, kExtendScript, kExtendScriptSha1, std::move(args), one_request_from_now(env));
  if (!r.ok()) co_return r.error();
  if (!r->is_integer(1)) co_return Error{ErrorCode::kNotHeld, "lock " + lease.key + " is not held by owner " + lease.token};
  lease.started = attempt_start;
  lease.valid_until = validity_end(attempt_start, options.ttl);
  lease.ttl = options.ttl;
  co_return lease;
}

}  // namespace lockcheck
