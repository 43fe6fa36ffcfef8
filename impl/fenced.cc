#include "impl/fenced.h"

#include <string>

#include "impl/acquire.h"

namespace lockcheck {

// KEYS[1] lock, KEYS[2] fence counter, ARGV[1] token, ARGV[2] ttl ms.
// The fencing token on success; nil when the lock is held.
const char* const kFencedAcquireScript =
    "if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then\n"
    "  return redis.call('incr', KEYS[2])\n"
    "end\n"
    "return false\n";
const char* const kFencedAcquireScriptSha1 = "e0d197e55a5b4669bfa168d85e3737b96e8c1aac";

// KEYS[1] lock, KEYS[2] fence counter, ARGV[1] token. While the lock holds
// our token no other grant can have happened since ours, so the counter is
// still our fence.
const char* const kFencedOwnScript =
    "if redis.call('get', KEYS[1]) == ARGV[1] then\n"
    "  return tonumber(redis.call('get', KEYS[2]))\n"
    "end\n"
    "return false\n";
const char* const kFencedOwnScriptSha1 = "0be80d6582cfe0fcb8c68a197ac3ab6b1612916b";

namespace {

// After a nil when an earlier attempt's outcome is unknown (see single's
// own_key): the lock may hold our token, set by that attempt's script.
Task<Attempt> own_grant(Env& env, AttemptContext ctx) {
  LC_CHECK(ctx.ambiguous_since.has_value());
  std::vector<std::string> args{"2", ctx.options.key, ctx.options.key + ":fence", ctx.token};
  auto r = co_await eval_script(env, 0, kFencedOwnScript, kFencedOwnScriptSha1, std::move(args), ctx.cutoff);
  if (r.ok() && r->type == Reply::Type::kInteger && r->integer > 0) {
    Lease lease = grant_lease(ctx.options, ctx.token, *ctx.ambiguous_since);
    lease.fence = static_cast<uint64_t>(r->integer);
    co_return Attempt::granted(std::move(lease));
  }
  if (!r.ok() && r.error().outcome_unknown()) co_return Attempt::maybe_granted();  // it may still be ours
  co_return Attempt::not_granted();
}

// One attempt: the script above, granted when it answers a fencing token.
Task<Attempt> set_nx_and_fence(Env& env, AttemptContext ctx) {
  std::vector<std::string> args{"2", ctx.options.key, ctx.options.key + ":fence", ctx.token,
                                std::to_string(ctx.options.ttl.count())};
  auto r = co_await eval_script(env, 0, kFencedAcquireScript, kFencedAcquireScriptSha1, std::move(args), ctx.cutoff);
  if (r.ok() && r->type == Reply::Type::kInteger && r->integer > 0) {
    Lease lease = grant_lease(ctx.options, ctx.token, ctx.started);
    lease.fence = static_cast<uint64_t>(r->integer);
    co_return Attempt::granted(std::move(lease));
  }
  // No answer: the script may have run. The undo frees the lock; the
  // counter only grows, so a fence it handed out is never handed out again.
  if (!r.ok() && r.error().outcome_unknown()) co_return Attempt::maybe_granted();
  if (!r.ok()) co_return Attempt::failed(r.error());
  if (ctx.ambiguous_since) co_return co_await own_grant(env, std::move(ctx));
  co_return Attempt::not_granted();  // held by someone else
}

}  // namespace

Task<Result<Lease>> FencedLock::acquire(Env& env, LockOptions options) {
  AcquireSteps steps;
  steps.attempt = set_nx_and_fence;
  steps.undo = undo_token;
  co_return co_await acquire_loop(env, std::move(options), std::move(steps));
}

}  // namespace lockcheck
