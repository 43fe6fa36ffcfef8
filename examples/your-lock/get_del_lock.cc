#include "get_del_lock.h"

#include <string>
#include <vector>

namespace your_lock {

using lockcheck::Env;
using lockcheck::Error;
using lockcheck::ErrorCode;
using lockcheck::Lease;
using lockcheck::LockOptions;
using lockcheck::MonoInstant;
using lockcheck::Result;
using lockcheck::Status;
using lockcheck::Task;

Task<Result<Lease>> GetDelLock::acquire(Env& env, LockOptions options) {
  if (auto s = lockcheck::validate(options); !s.ok()) co_return s.error();
  const MonoInstant give_up_at = env.mono_now() + options.acquire_timeout;
  const MonoInstant cutoff = lockcheck::acquire_cutoff(env, give_up_at);
  const std::string token = lockcheck::random_token(env);
  for (;;) {
    // The TTL starts somewhere in this attempt: validity counts from its start.
    const MonoInstant attempt_start = env.mono_now();
    std::vector<std::string> set{"SET", options.key, token, "NX", "PX", std::to_string(options.ttl.count())};
    auto r = co_await env.call_by(0, std::move(set), cutoff);
    if (r.ok() && r->is_status("OK")) {
      Lease lease{options.key, token, attempt_start, lockcheck::validity_end(attempt_start, options.ttl)};
      lease.ttl = options.ttl;
      if (lockcheck::lease_valid(env, lease)) co_return lease;
      (void)co_await release(env, lease);  // granted too late to use
    } else if (!r.ok() && !r.error().outcome_unknown()) {
      co_return r.error();  // e.g. WRONGTYPE: retrying cannot help
    }
    if (auto waited = co_await lockcheck::pause_before_retry(env, options, give_up_at); !waited.ok()) {
      co_return waited.error();
    }
  }
}

// THE BUG: GET, compare here, then DEL. Not atomic.
Task<Status> GetDelLock::release(Env& env, Lease lease) {
  const MonoInstant reply_by = lockcheck::one_request_from_now(env);
  std::vector<std::string> get{"GET", lease.key};
  auto value = co_await env.call_by(0, std::move(get), reply_by);
  if (!value.ok()) co_return value.error();
  if (value->is_nil() || value->str != lease.token) {
    co_return Error{ErrorCode::kNotHeld, "lock " + lease.key + " is not held by this token"};
  }
  // A pause here (GC, a slow network) outlives the lease: the DEL below
  // then deletes the next holder's lock.
  std::vector<std::string> del{"DEL", lease.key};
  auto deleted = co_await env.call_by(0, std::move(del), lockcheck::one_request_from_now(env));
  if (!deleted.ok()) co_return deleted.error();
  co_return lockcheck::Ok{};
}

// Extend is done right: compare and PEXPIRE in one script.
Task<Result<Lease>> GetDelLock::extend(Env& env, Lease lease, LockOptions options) {
  static const char* const kExtend =
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0";
  const MonoInstant attempt_start = env.mono_now();
  std::vector<std::string> eval{"EVAL", kExtend, "1", lease.key, lease.token, std::to_string(options.ttl.count())};
  auto r = co_await env.call_by(0, std::move(eval), lockcheck::one_request_from_now(env));
  if (!r.ok()) co_return r.error();
  if (!r->is_integer(1)) co_return Error{ErrorCode::kNotHeld, "lock " + lease.key + " was lost"};
  lease.started = attempt_start;
  lease.valid_until = lockcheck::validity_end(attempt_start, options.ttl);
  lease.ttl = options.ttl;
  co_return lease;
}

lockcheck::StrategyDef get_del_lock() {
  lockcheck::StrategyInfo info;
  info.name = "get-del";
  info.correct = false;  // we know; the tests show lockcheck catches it
  info.summary = "SET NX PX + token; release by GET, compare, DEL (not atomic); Lua extend";
  info.nodes = 1;
  info.assumptions = {"one Redis node that keeps acknowledged writes (no failover)",
                      "no pause between the GET and the DEL of a release outlives the lease"};
  return lockcheck::strategy_def<GetDelLock>(std::move(info));
}

}  // namespace your_lock
