#include "impl/acquire.h"

#include <utility>

namespace lockcheck {

Lease grant_lease(const LockOptions& options, std::string token, MonoInstant started) {
  Lease lease;
  lease.key = options.key;
  lease.token = std::move(token);
  lease.started = started;
  lease.valid_until = validity_end(started, options.ttl);
  lease.ttl = options.ttl;
  return lease;
}

Attempt Attempt::granted(Lease lease, std::string grant) {
  Attempt a;
  a.kind = Kind::kGranted;
  a.lease = std::move(lease);
  a.grant = std::move(grant);
  return a;
}

Attempt Attempt::maybe_granted() {
  Attempt a;
  a.kind = Kind::kMaybeGranted;
  return a;
}

Attempt Attempt::failed(Error error) {
  Attempt a;
  a.kind = Kind::kFailed;
  a.error = std::move(error);
  return a;
}

Task<Result<Lease>> acquire_loop(Env& env, LockOptions options, AcquireSteps steps) {
  LC_CHECK(steps.attempt);
  if (auto s = validate(options); !s.ok()) co_return s.error();
  const MonoInstant deadline = steps.deadline ? env.mono_now() + options.acquire_timeout : MonoInstant::max();
  AttemptContext ctx;
  ctx.cutoff = steps.deadline ? acquire_cutoff(env, deadline) : MonoInstant::max();
  ctx.token = steps.token ? *steps.token : random_token(env);
  ctx.options = std::move(options);
  for (;;) {
    ctx.started = env.mono_now();
    Attempt a = co_await steps.attempt(env, ctx);
    switch (a.kind) {
      case Attempt::Kind::kFailed:
        LC_CHECK(a.error.has_value());
        co_return *a.error;
      case Attempt::Kind::kGranted:
        if (!steps.check_validity || lease_valid(env, a.lease)) co_return std::move(a.lease);
        // Granted too late to use: give it back at once.
        note_too_late(env, a.grant, a.lease.started, ctx.options.ttl);
        LC_CHECK(steps.undo);
        (void)co_await steps.undo(env, ctx);
        break;
      case Attempt::Kind::kMaybeGranted:
        // The write may have landed: undo it so nobody waits a TTL for a ghost.
        if (!ctx.ambiguous_since) ctx.ambiguous_since = ctx.started;
        LC_CHECK(steps.undo);
        (void)co_await steps.undo(env, ctx);
        break;
      case Attempt::Kind::kNotGranted:
        break;
    }
    if (auto waited = co_await pause_before_retry(env, ctx.options, deadline); !waited.ok()) co_return waited.error();
  }
}

}  // namespace lockcheck
