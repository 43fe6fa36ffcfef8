#include "impl/single.h"

#include <algorithm>
#include <iterator>
#include <string>

#include "impl/acquire.h"

namespace lockcheck {

const char* const kReleaseScript =
    "if redis.call('get', KEYS[1]) == ARGV[1] then\n"
    "  return redis.call('del', KEYS[1])\n"
    "else\n"
    "  return 0\n"
    "end\n";

const char* const kExtendScript =
    "if redis.call('get', KEYS[1]) == ARGV[1] then\n"
    "  return redis.call('pexpire', KEYS[1], ARGV[2])\n"
    "else\n"
    "  return 0\n"
    "end\n";

const char* const kReleaseScriptSha1 = "e4922a95d0d34b474742a54fc2d2f94bd0db7ff8";
const char* const kExtendScriptSha1 = "5a4c2563b80bb303f73504b08ff8880a5c8fc91e";

namespace {

bool is_noscript(const Error& e) {
  return e.code == ErrorCode::kRedisError && e.message.rfind("NOSCRIPT", 0) == 0;
}

}  // namespace

Task<Result<Reply>> eval_script(Env& env, size_t node, const char* script, const char* sha1,
                                std::vector<std::string> keys_and_args, MonoInstant reply_by) {
  // (g++ 12 miscompiles braced lists of string literals inside co_await
  // expressions, so every command is built in its own statement first.)
  std::vector<std::string> by_sha;
  by_sha.reserve(2 + keys_and_args.size());
  by_sha.emplace_back("EVALSHA");
  by_sha.emplace_back(sha1);
  by_sha.insert(by_sha.end(), keys_and_args.begin(), keys_and_args.end());
  auto r = co_await env.call_by(node, std::move(by_sha), reply_by);
  if (r.ok() || !is_noscript(r.error())) co_return r;
  std::vector<std::string> by_text;
  by_text.reserve(2 + keys_and_args.size());
  by_text.emplace_back("EVAL");
  by_text.emplace_back(script);
  by_text.insert(by_text.end(), std::make_move_iterator(keys_and_args.begin()),
                 std::make_move_iterator(keys_and_args.end()));
  co_return co_await env.call_by(node, std::move(by_text), reply_by);
}

Task<Status> release_token(Env& env, std::string key, std::string token, MonoInstant reply_by) {
  auto args = command({"1", key, token});
  auto r = co_await eval_script(env, 0, kReleaseScript, kReleaseScriptSha1, std::move(args), reply_by);
  if (!r.ok()) co_return r.error();
  if (r->is_integer(1)) co_return Ok{};
  co_return Error{ErrorCode::kNotHeld, "lock " + key + " is not held by this token"};
}

Task<Status> undo_token(Env& env, AttemptContext ctx) {
  MonoInstant give_up_at = ctx.cutoff;
  if (ctx.ambiguous_since) give_up_at = std::min(give_up_at, later(*ctx.ambiguous_since, ctx.options.ttl));
  Status s = Ok{};
  for (int tries = 0; tries < kUndoTriesMax; ++tries) {
    s = co_await release_token(env, ctx.options.key, ctx.token, give_up_at);
    if (s.ok() || !s.error().outcome_unknown()) break;  // Redis answered: the token is not there now
    const Nanos pause = ctx.options.retry_delay_min;
    if (env.mono_now() + pause >= give_up_at) break;
    co_await env.sleep(pause);
  }
  co_return s;
}

namespace {

// After a nil SET when an earlier attempt's outcome is unknown: that
// attempt's SET (same token) may have landed unseen, after its undo, so the
// key holding the lock may be ours. Then it is a grant, whose TTL began no
// earlier than the earliest such attempt: validity counts from there.
Task<Attempt> own_key(Env& env, AttemptContext ctx) {
  LC_CHECK(ctx.ambiguous_since.has_value());
  auto get = command({"GET", ctx.options.key});
  auto r = co_await env.call_by(0, std::move(get), ctx.cutoff);
  if (r.ok() && r->type == Reply::Type::kString && r->str == ctx.token) {
    co_return Attempt::granted(grant_lease(ctx.options, ctx.token, *ctx.ambiguous_since));
  }
  if (!r.ok() && r.error().outcome_unknown()) co_return Attempt::maybe_granted();  // it may still be ours
  co_return Attempt::not_granted();
}

// single's attempt: SET key token NX PX ttl.
Task<Attempt> set_nx(Env& env, AttemptContext ctx) {
  const std::string ttl_ms = std::to_string(ctx.options.ttl.count());
  auto cmd = command({"SET", ctx.options.key, ctx.token, "NX", "PX", ttl_ms});
  auto r = co_await env.call_by(0, std::move(cmd), ctx.cutoff);
  if (r.ok() && r->is_status("OK")) co_return Attempt::granted(grant_lease(ctx.options, ctx.token, ctx.started));
  if (!r.ok() && r.error().outcome_unknown()) co_return Attempt::maybe_granted();
  if (!r.ok()) co_return Attempt::failed(r.error());  // e.g. WRONGTYPE: retrying cannot help
  if (ctx.ambiguous_since) co_return co_await own_key(env, std::move(ctx));
  co_return Attempt::not_granted();  // held by someone else (nil reply)
}

// single's acquire. Without `deadline` (retry-forever) it tries until
// granted; each call is then bounded by the request timeout alone.
AcquireSteps single_steps(bool deadline) {
  AcquireSteps steps;
  steps.attempt = set_nx;
  steps.undo = undo_token;
  steps.deadline = deadline;
  return steps;
}

}  // namespace

Task<Result<Lease>> SingleLock::acquire(Env& env, LockOptions options) {
  co_return co_await acquire_loop(env, std::move(options), single_steps(true));
}

Task<Status> SingleLock::release(Env& env, Lease lease) {
  co_return co_await release_token(env, lease.key, lease.token, one_request_from_now(env));
}

Task<Result<Lease>> SingleLock::extend(Env& env, Lease lease, LockOptions options) {
  if (auto s = validate(options); !s.ok()) co_return s.error();
  const MonoInstant attempt_start = env.mono_now();
  const std::string ttl_ms = std::to_string(options.ttl.count());
  auto args = command({"1", lease.key, lease.token, ttl_ms});
  auto r = co_await eval_script(env, 0, kExtendScript, kExtendScriptSha1, std::move(args), one_request_from_now(env));
  if (!r.ok()) co_return r.error();
  if (!r->is_integer(1)) {
    co_return Error{ErrorCode::kNotHeld, "lock " + lease.key + " is not held by this token"};
  }
  lease.started = attempt_start;
  lease.valid_until = validity_end(attempt_start, options.ttl);
  co_return lease;
}

Task<Status> del_whoever_holds(Env& env, Lease lease) {
  // BROKEN on purpose: deletes whatever holds the key, ours or not.
  std::vector<std::string> cmd{"DEL", lease.key};
  auto r = co_await env.call_by(0, std::move(cmd), one_request_from_now(env));
  if (!r.ok()) co_return r.error();
  co_return Ok{};
}

Task<Result<Lease>> expire_whoever_holds(Env& env, Lease lease, LockOptions options, std::string command,
                                         std::string ttl_arg) {
  if (auto s = validate(options); !s.ok()) co_return s.error();
  const MonoInstant attempt_start = env.mono_now();
  // BROKEN on purpose: renews whatever holds the key, ours or not.
  std::vector<std::string> cmd{std::move(command), lease.key, std::move(ttl_arg)};
  auto r = co_await env.call_by(0, std::move(cmd), one_request_from_now(env));
  if (!r.ok()) co_return r.error();
  if (!r->is_integer(1)) co_return Error{ErrorCode::kNotHeld, "lock " + lease.key + " is gone"};
  lease.started = attempt_start;
  lease.valid_until = validity_end(attempt_start, options.ttl);
  co_return lease;
}

Task<Status> DelUncheckedLock::release(Env& env, Lease lease) {
  co_return co_await del_whoever_holds(env, std::move(lease));
}

Task<Result<Lease>> ExtendUncheckedLock::extend(Env& env, Lease lease, LockOptions options) {
  std::string ttl_ms = std::to_string(options.ttl.count());
  co_return co_await expire_whoever_holds(env, std::move(lease), std::move(options), "PEXPIRE", std::move(ttl_ms));
}

Task<Result<Lease>> RetryForeverLock::acquire(Env& env, LockOptions options) {
  // BROKEN on purpose: options.acquire_timeout is never looked at.
  co_return co_await acquire_loop(env, std::move(options), single_steps(false));
}

}  // namespace lockcheck
