#include "impl/broken.h"

#include <charconv>
#include <optional>
#include <string>

#include "impl/acquire.h"

namespace lockcheck {
namespace {

// Whole seconds for EXPIRE/EX, rounded up so the key never lives shorter
// than the lease the holder computes from the TTL in milliseconds.
std::string ttl_seconds(Millis ttl) { return std::to_string((ttl.count() + 999) / 1000); }

std::optional<int64_t> parse_ms(const std::string& s) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// The wall clock's idea of the lease, on the monotonic time line now.
MonoInstant wall_judged(Env& env, WallInstant wall_valid_until) {
  return env.mono_now() + (wall_valid_until - env.wall_now());
}

}  // namespace

// ---- setnx-expire ----

namespace {

Task<Attempt> setnx_then_expire(Env& env, AttemptContext ctx) {
  std::vector<std::string> setnx{"SETNX", ctx.options.key, ctx.token};
  auto r = co_await env.call_by(0, std::move(setnx), ctx.cutoff);
  if (r.ok() && r->is_integer(1)) {
    // BROKEN: the window between these two commands. (The EXPIRE goes out
    // however late, as the recipe's does.)
    std::vector<std::string> expire{"EXPIRE", ctx.options.key, ttl_seconds(ctx.options.ttl)};
    (void)co_await env.call(0, std::move(expire));
    co_return Attempt::granted(grant_lease(ctx.options, ctx.token, ctx.started));
  }
  if (!r.ok() && !r.error().outcome_unknown()) co_return Attempt::failed(r.error());
  // As the recipe does: a lost SETNX reply is simply retried.
  co_return Attempt::not_granted();
}

}  // namespace

Task<Result<Lease>> SetnxExpireLock::acquire(Env& env, LockOptions options) {
  AcquireSteps steps;
  steps.attempt = setnx_then_expire;
  steps.undo = undo_token;
  co_return co_await acquire_loop(env, std::move(options), std::move(steps));
}

// ---- const-value ----

namespace {

Task<Attempt> set_one(Env& env, AttemptContext ctx) {
  std::vector<std::string> cmd{"SET", ctx.options.key, "1", "NX", "EX", ttl_seconds(ctx.options.ttl)};
  auto r = co_await env.call_by(0, std::move(cmd), ctx.cutoff);
  if (r.ok() && r->is_status("OK")) co_return Attempt::granted(grant_lease(ctx.options, "1", ctx.started));
  if (!r.ok() && !r.error().outcome_unknown()) co_return Attempt::failed(r.error());
  co_return Attempt::not_granted();
}

Task<Status> del_key(Env& env, AttemptContext ctx) {
  std::vector<std::string> del{"DEL", ctx.options.key};
  auto r = co_await env.call_by(0, std::move(del), ctx.cutoff);
  if (!r.ok()) co_return r.error();
  co_return Ok{};
}

}  // namespace

Task<Result<Lease>> ConstValueLock::acquire(Env& env, LockOptions options) {
  AcquireSteps steps;
  steps.attempt = set_one;
  steps.undo = del_key;
  steps.token = "1";  // the value says nothing about who holds the lock
  co_return co_await acquire_loop(env, std::move(options), std::move(steps));
}

Task<Status> ConstValueLock::release(Env& env, Lease lease) {
  co_return co_await del_whoever_holds(env, std::move(lease));  // BROKEN: whoever holds it
}

Task<Result<Lease>> ConstValueLock::extend(Env& env, Lease lease, LockOptions options) {
  std::string ttl_secs = ttl_seconds(options.ttl);
  co_return co_await expire_whoever_holds(env, std::move(lease), std::move(options), "EXPIRE", std::move(ttl_secs));
}

// ---- getset ----

namespace {

// One attempt: SETNX our stamp, or take over a stamp that has passed on
// OUR clock with GETSET.
Task<Attempt> setnx_or_getset(Env& env, AttemptContext ctx) {
  const WallInstant wall_end = env.wall_now() + ctx.options.ttl;
  const std::string stamp = std::to_string(unix_ms(wall_end));
  Lease lease = grant_lease(ctx.options, stamp, ctx.started);
  lease.wall_valid_until = wall_end;
  std::vector<std::string> setnx{"SETNX", ctx.options.key, stamp};
  auto r = co_await env.call_by(0, std::move(setnx), ctx.cutoff);
  if (!r.ok() && !r.error().outcome_unknown()) co_return Attempt::failed(r.error());
  if (r.ok() && r->is_integer(1)) co_return Attempt::granted(std::move(lease));
  if (r.ok()) {
    // Held: take it over if the holder's timestamp has passed on OUR clock.
    std::vector<std::string> get{"GET", ctx.options.key};
    auto current = co_await env.call_by(0, std::move(get), ctx.cutoff);
    if (current.ok() && current->type == Reply::Type::kString) {
      const auto held_until = parse_ms(current->str);
      if (held_until && *held_until < unix_ms(env.wall_now())) {
        std::vector<std::string> getset{"GETSET", ctx.options.key, stamp};
        auto old = co_await env.call(0, std::move(getset));  // however late, as the recipe's
        // BROKEN: a loser's GETSET has already overwritten the winner's stamp.
        if (old.ok() && old->type == Reply::Type::kString && old->str == current->str) {
          co_return Attempt::granted(std::move(lease));
        }
      }
    }
  }
  co_return Attempt::not_granted();
}

}  // namespace

Task<Result<Lease>> GetsetLock::acquire(Env& env, LockOptions options) {
  AcquireSteps steps;
  steps.attempt = setnx_or_getset;
  steps.token = "";  // each attempt writes its own stamp
  steps.check_validity = false;  // BROKEN: the stamp is trusted however long the attempt took
  co_return co_await acquire_loop(env, std::move(options), std::move(steps));
}

Task<Status> GetsetLock::release(Env& env, Lease lease) {
  // The recipe: delete only if our stamp has not passed (on our clock).
  if (env.wall_now() >= lease.wall_valid_until) {
    co_return Error{ErrorCode::kNotHeld, "lock " + lease.key + " expired by this client's clock"};
  }
  std::vector<std::string> cmd{"DEL", lease.key};
  auto r = co_await env.call_by(0, std::move(cmd), one_request_from_now(env));
  if (!r.ok()) co_return r.error();
  co_return Ok{};
}

Task<Result<Lease>> GetsetLock::extend(Env& env, Lease lease, LockOptions options) {
  if (auto s = validate(options); !s.ok()) co_return s.error();
  const MonoInstant attempt_start = env.mono_now();
  const WallInstant wall_end = env.wall_now() + options.ttl;
  const std::string stamp = std::to_string(unix_ms(wall_end));
  std::vector<std::string> cmd{"GETSET", lease.key, stamp};
  auto r = co_await env.call_by(0, std::move(cmd), one_request_from_now(env));
  if (!r.ok()) co_return r.error();
  lease.token = stamp;
  lease.started = attempt_start;
  lease.valid_until = validity_end(attempt_start, options.ttl);
  lease.wall_valid_until = wall_end;
  co_return lease;
}

MonoInstant GetsetLock::valid_until(Env& env, const Lease& lease) { return wall_judged(env, lease.wall_valid_until); }

// ---- client-clock ----

Task<Result<Lease>> ClientClockLock::acquire(Env& env, LockOptions options) {
  auto lease = co_await SingleLock::acquire(env, std::move(options));
  if (!lease.ok()) co_return lease;
  // BROKEN: the lease is pinned to the wall clock from here on.
  lease->wall_valid_until = env.wall_now() + (lease->valid_until - env.mono_now());
  co_return lease;
}

Task<Result<Lease>> ClientClockLock::extend(Env& env, Lease lease, LockOptions options) {
  auto renewed = co_await SingleLock::extend(env, std::move(lease), std::move(options));
  if (!renewed.ok()) co_return renewed;
  renewed->wall_valid_until = env.wall_now() + (renewed->valid_until - env.mono_now());
  co_return renewed;
}

MonoInstant ClientClockLock::valid_until(Env& env, const Lease& lease) {
  return wall_judged(env, lease.wall_valid_until);
}

}  // namespace lockcheck
