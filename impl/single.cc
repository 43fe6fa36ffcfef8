#include "impl/single.h"

#include <string>

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
  std::vector<std::string> by_sha{"EVALSHA", sha1};
  by_sha.insert(by_sha.end(), keys_and_args.begin(), keys_and_args.end());
  auto r = co_await env.call_by(node, std::move(by_sha), reply_by);
  if (r.ok() || !is_noscript(r.error())) co_return r;
  std::vector<std::string> by_text{"EVAL", script};
  by_text.insert(by_text.end(), keys_and_args.begin(), keys_and_args.end());
  co_return co_await env.call_by(node, std::move(by_text), reply_by);
}

Task<Status> release_token(Env& env, const std::string& key, const std::string& token, MonoInstant reply_by) {
  std::vector<std::string> args{"1", key, token};
  auto r = co_await eval_script(env, 0, kReleaseScript, kReleaseScriptSha1, std::move(args), reply_by);
  if (!r.ok()) co_return r.error();
  if (r->is_integer(1)) co_return Ok{};
  co_return Error{ErrorCode::kNotHeld, "lock " + key + " is not held by this token"};
}

namespace {

// single's acquire loop. Without `deadline` (retry-forever) it tries until
// granted; each call is then bounded by the request timeout alone.
Task<Result<Lease>> acquire_loop(Env& env, LockOptions options, bool deadline) {
  if (auto s = validate(options); !s.ok()) co_return s.error();
  const MonoInstant give_up_at = deadline ? env.mono_now() + options.acquire_timeout : MonoInstant::max();
  const MonoInstant cutoff = deadline ? acquire_cutoff(env, give_up_at) : MonoInstant::max();
  const std::string token = random_token(env);
  const std::string ttl_ms = std::to_string(options.ttl.count());
  for (;;) {
    const MonoInstant attempt_start = env.mono_now();
    std::vector<std::string> cmd{"SET", options.key, token, "NX", "PX", ttl_ms};
    auto r = co_await env.call_by(0, std::move(cmd), cutoff);
    if (r.ok() && r->is_status("OK")) {
      Lease lease{options.key, token, attempt_start, validity_end(attempt_start, options.ttl)};
      if (lease_valid(env, lease)) co_return lease;
      // Granted too late to use: give it back at once.
      note_too_late(env, "grant", attempt_start, options.ttl);
      (void)co_await release_token(env, options.key, token, cutoff);
    } else if (!r.ok() && r.error().outcome_unknown()) {
      // The SET may have landed: undo it so nobody waits a TTL for a ghost.
      (void)co_await release_token(env, options.key, token, cutoff);
    } else if (!r.ok()) {
      co_return r.error();  // e.g. WRONGTYPE: retrying cannot help
    }
    // Held by someone else (nil reply), or our attempt failed: wait and retry.
    if (auto waited = co_await pause_before_retry(env, options, give_up_at); !waited.ok()) co_return waited.error();
  }
}

}  // namespace

Task<Result<Lease>> SingleLock::acquire(Env& env, LockOptions options) {
  co_return co_await acquire_loop(env, std::move(options), true);
}

Task<Status> SingleLock::release(Env& env, Lease lease) {
  co_return co_await release_token(env, lease.key, lease.token, one_request_from_now(env));
}

Task<Result<Lease>> SingleLock::extend(Env& env, Lease lease, LockOptions options) {
  if (auto s = validate(options); !s.ok()) co_return s.error();
  const MonoInstant attempt_start = env.mono_now();
  std::vector<std::string> args{"1", lease.key, lease.token, std::to_string(options.ttl.count())};
  auto r = co_await eval_script(env, 0, kExtendScript, kExtendScriptSha1, std::move(args), one_request_from_now(env));
  if (!r.ok()) co_return r.error();
  if (!r->is_integer(1)) {
    co_return Error{ErrorCode::kNotHeld, "lock " + lease.key + " is not held by this token"};
  }
  lease.started = attempt_start;
  lease.valid_until = validity_end(attempt_start, options.ttl);
  co_return lease;
}

Task<Status> DelUncheckedLock::release(Env& env, Lease lease) {
  // BROKEN on purpose: deletes whatever holds the key, ours or not.
  std::vector<std::string> cmd{"DEL", lease.key};
  auto r = co_await env.call_by(0, std::move(cmd), one_request_from_now(env));
  if (!r.ok()) co_return r.error();
  co_return Ok{};
}

Task<Result<Lease>> ExtendUncheckedLock::extend(Env& env, Lease lease, LockOptions options) {
  if (auto s = validate(options); !s.ok()) co_return s.error();
  const MonoInstant attempt_start = env.mono_now();
  // BROKEN on purpose: renews whatever holds the key, ours or not.
  std::vector<std::string> cmd{"PEXPIRE", lease.key, std::to_string(options.ttl.count())};
  auto r = co_await env.call_by(0, std::move(cmd), one_request_from_now(env));
  if (!r.ok()) co_return r.error();
  if (!r->is_integer(1)) co_return Error{ErrorCode::kNotHeld, "lock " + lease.key + " is gone"};
  lease.started = attempt_start;
  lease.valid_until = validity_end(attempt_start, options.ttl);
  co_return lease;
}

Task<Result<Lease>> RetryForeverLock::acquire(Env& env, LockOptions options) {
  // BROKEN on purpose: options.acquire_timeout is never looked at.
  co_return co_await acquire_loop(env, std::move(options), false);
}

}  // namespace lockcheck
