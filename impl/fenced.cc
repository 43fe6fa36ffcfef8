#include "impl/fenced.h"

#include <string>

namespace lockcheck {

// KEYS[1] lock, KEYS[2] fence counter, ARGV[1] token, ARGV[2] ttl ms.
// The fencing token on success; nil when the lock is held.
const char* const kFencedAcquireScript =
    "if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then\n"
    "  return redis.call('incr', KEYS[2])\n"
    "end\n"
    "return false\n";
const char* const kFencedAcquireScriptSha1 = "e0d197e55a5b4669bfa168d85e3737b96e8c1aac";

Task<Result<Lease>> FencedLock::acquire(Env& env, LockOptions options) {
  if (auto s = validate(options); !s.ok()) co_return s.error();
  const MonoInstant deadline = env.mono_now() + options.acquire_timeout;
  const MonoInstant cutoff = acquire_cutoff(env, deadline);
  const std::string token = random_token(env);
  const std::string ttl_ms = std::to_string(options.ttl.count());
  const std::string fence_key = options.key + ":fence";
  for (;;) {
    const MonoInstant attempt_start = env.mono_now();
    std::vector<std::string> args{"2", options.key, fence_key, token, ttl_ms};
    auto r = co_await eval_script(env, 0, kFencedAcquireScript, kFencedAcquireScriptSha1, std::move(args), cutoff);
    if (r.ok() && r->type == Reply::Type::kInteger && r->integer > 0) {
      Lease lease{options.key, token, attempt_start, validity_end(attempt_start, options.ttl)};
      lease.ttl = options.ttl;
      lease.fence = static_cast<uint64_t>(r->integer);
      if (lease_valid(env, lease)) co_return lease;
      note_too_late(env, "grant", attempt_start, options.ttl);
      (void)co_await release_token(env, options.key, token, cutoff);
    } else if (!r.ok() && r.error().outcome_unknown()) {
      // The script may have run: undo the lock (the counter only grows).
      (void)co_await release_token(env, options.key, token, cutoff);
    } else if (!r.ok()) {
      co_return r.error();
    }
    if (auto waited = co_await pause_before_retry(env, options, deadline); !waited.ok()) co_return waited.error();
  }
}

}  // namespace lockcheck
