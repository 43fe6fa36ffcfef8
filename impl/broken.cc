#include "impl/broken.h"

#include <charconv>
#include <optional>
#include <string>

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

Task<Result<Lease>> SetnxExpireLock::acquire(Env& env, LockOptions options) {
  if (auto s = validate(options); !s.ok()) co_return s.error();
  const MonoInstant deadline = env.mono_now() + options.acquire_timeout;
  const MonoInstant cutoff = acquire_cutoff(env, deadline);
  const std::string token = random_token(env);
  for (;;) {
    const MonoInstant attempt_start = env.mono_now();
    std::vector<std::string> setnx{"SETNX", options.key, token};
    auto r = co_await env.call_by(0, std::move(setnx), cutoff);
    if (r.ok() && r->is_integer(1)) {
      // BROKEN: the window between these two commands. (The EXPIRE goes out
      // however late, as the recipe's does.)
      std::vector<std::string> expire{"EXPIRE", options.key, ttl_seconds(options.ttl)};
      (void)co_await env.call(0, std::move(expire));
      Lease lease{options.key, token, attempt_start, validity_end(attempt_start, options.ttl)};
      if (lease_valid(env, lease)) co_return lease;
      note_too_late(env, "grant", attempt_start, options.ttl);
      (void)co_await release_token(env, options.key, token, cutoff);
    } else if (!r.ok() && !r.error().outcome_unknown()) {
      co_return r.error();
    }
    // As the recipe does: a lost SETNX reply is simply retried.
    if (auto s = co_await pause_before_retry(env, options, deadline); !s.ok()) co_return s.error();
  }
}

// ---- const-value ----

Task<Result<Lease>> ConstValueLock::acquire(Env& env, LockOptions options) {
  if (auto s = validate(options); !s.ok()) co_return s.error();
  const MonoInstant deadline = env.mono_now() + options.acquire_timeout;
  const MonoInstant cutoff = acquire_cutoff(env, deadline);
  for (;;) {
    const MonoInstant attempt_start = env.mono_now();
    std::vector<std::string> cmd{"SET", options.key, "1", "NX", "EX", ttl_seconds(options.ttl)};
    auto r = co_await env.call_by(0, std::move(cmd), cutoff);
    if (r.ok() && r->is_status("OK")) {
      Lease lease{options.key, "1", attempt_start, validity_end(attempt_start, options.ttl)};
      if (lease_valid(env, lease)) co_return lease;
      note_too_late(env, "grant", attempt_start, options.ttl);
      std::vector<std::string> del{"DEL", options.key};
      (void)co_await env.call_by(0, std::move(del), cutoff);
    } else if (!r.ok() && !r.error().outcome_unknown()) {
      co_return r.error();
    }
    if (auto s = co_await pause_before_retry(env, options, deadline); !s.ok()) co_return s.error();
  }
}

Task<Status> ConstValueLock::release(Env& env, Lease lease) {
  std::vector<std::string> cmd{"DEL", lease.key};  // BROKEN: whoever holds it
  auto r = co_await env.call_by(0, std::move(cmd), one_request_from_now(env));
  if (!r.ok()) co_return r.error();
  co_return Ok{};
}

Task<Result<Lease>> ConstValueLock::extend(Env& env, Lease lease, LockOptions options) {
  if (auto s = validate(options); !s.ok()) co_return s.error();
  const MonoInstant attempt_start = env.mono_now();
  std::vector<std::string> cmd{"EXPIRE", lease.key, ttl_seconds(options.ttl)};
  auto r = co_await env.call_by(0, std::move(cmd), one_request_from_now(env));
  if (!r.ok()) co_return r.error();
  if (!r->is_integer(1)) co_return Error{ErrorCode::kNotHeld, "lock " + lease.key + " is gone"};
  lease.started = attempt_start;
  lease.valid_until = validity_end(attempt_start, options.ttl);
  co_return lease;
}

// ---- getset ----

Task<Result<Lease>> GetsetLock::acquire(Env& env, LockOptions options) {
  if (auto s = validate(options); !s.ok()) co_return s.error();
  const MonoInstant deadline = env.mono_now() + options.acquire_timeout;
  const MonoInstant cutoff = acquire_cutoff(env, deadline);
  for (;;) {
    const MonoInstant attempt_start = env.mono_now();
    const WallInstant wall_end = env.wall_now() + options.ttl;
    const std::string stamp = std::to_string(unix_ms(wall_end));
    Lease lease{options.key, stamp, attempt_start, validity_end(attempt_start, options.ttl), wall_end};
    std::vector<std::string> setnx{"SETNX", options.key, stamp};
    auto r = co_await env.call_by(0, std::move(setnx), cutoff);
    if (!r.ok() && !r.error().outcome_unknown()) co_return r.error();
    if (r.ok() && r->is_integer(1)) co_return lease;
    if (r.ok()) {
      // Held: take it over if the holder's timestamp has passed on OUR clock.
      std::vector<std::string> get{"GET", options.key};
      auto current = co_await env.call_by(0, std::move(get), cutoff);
      if (current.ok() && current->type == Reply::Type::kString) {
        const auto held_until = parse_ms(current->str);
        if (held_until && *held_until < unix_ms(env.wall_now())) {
          std::vector<std::string> getset{"GETSET", options.key, stamp};
          auto old = co_await env.call(0, std::move(getset));  // however late, as the recipe's
          // BROKEN: a loser's GETSET has already overwritten the winner's stamp.
          if (old.ok() && old->type == Reply::Type::kString && old->str == current->str) co_return lease;
        }
      }
    }
    if (auto s = co_await pause_before_retry(env, options, deadline); !s.ok()) co_return s.error();
  }
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
