#include "impl/lock.h"

#include "impl/broken.h"
#include "impl/fenced.h"
#include "impl/redlock.h"
#include "impl/reentrant.h"
#include "impl/single.h"
#include "impl/watch_multi.h"
#include "impl/watchdog.h"

namespace lockcheck {

Nanos drift_allowance(Millis ttl) { return ttl / 100 + Millis(2); }

MonoInstant validity_end(MonoInstant attempt_start, Millis ttl) {
  return attempt_start + ttl - drift_allowance(ttl);
}

Task<Status> pause_before_retry(Env& env, LockOptions options, MonoInstant deadline) {
  const Nanos delay = Millis(random_between(env, options.retry_delay_min.count(), options.retry_delay_max.count()));
  if (env.mono_now() + delay >= deadline) {
    co_return Error{ErrorCode::kAcquireTimeout, "lock " + options.key + " not acquired in time"};
  }
  co_await env.sleep(delay);
  co_return Ok{};
}

MonoInstant acquire_cutoff(Env& env, MonoInstant deadline) { return later(deadline, env.request_timeout()); }

void note_too_late(Env& env, const std::string& what, MonoInstant attempt_start, Millis ttl) {
  env.note(what + " refused: validity ran out (elapsed " + std::to_string(to_ms(env.mono_now() - attempt_start)) +
           " ms of ttl " + std::to_string(ttl.count()) + " ms, drift allowance " +
           std::to_string(to_ms(drift_allowance(ttl))) + " ms)");
}

bool lease_valid(Env& env, const Lease& lease) { return env.mono_now() < lease.valid_until; }

Status validate(const LockOptions& o) {
  auto bad = [](std::string why) { return Status(Error{ErrorCode::kInvalidArgument, std::move(why)}); };
  if (o.key.empty()) return bad("empty lock key");
  if (o.ttl <= Millis(0)) return bad("ttl must be positive");
  if (o.acquire_timeout < Millis(0)) return bad("acquire timeout must not be negative");
  if (o.retry_delay_min < Millis(0) || o.retry_delay_max < o.retry_delay_min) {
    return bad("retry delay must satisfy 0 <= min <= max");
  }
  return Ok{};
}

const std::vector<StrategyInfo>& strategy_catalog() {
  static const std::vector<StrategyInfo> kCatalog = {
      {"single", true, "SET NX PX + random token; Lua compare-and-delete release, Lua extend"},
      {"reentrant", true, "Redisson-style hash owner -> hold count; Lua acquire/release/renew", 1, true},
      {"fenced", true, "single + a fencing token per grant (Lua SET NX PX + INCR); the resource refuses stale tokens"},
      {"watchdog", true, "single + background renewal every ttl/3 while held (Redisson's watchdog)", 1, false, true},
      {"redlock", true, "N=5 independent masters, majority within validity = ttl - elapsed - drift", 5},
      {"del-unchecked", false, "as single, but releases with plain DEL (deletes the next holder's lock)"},
      {"setnx-expire", false, "SETNX then EXPIRE as two commands (a crash between leaves a key with no TTL)"},
      {"const-value", false, "SET key 1 NX EX, release with DEL (any client releases anyone's lock)"},
      {"getset", false, "value = client wall-clock expiry, no TTL, takeover by GETSET (trusts every clock)"},
      {"client-clock", false, "as single, but the holder judges its lease by its wall clock"},
      {"watch-multi", false, "WATCH/GET/MULTI/SET/EXEC acquire, GET-then-DEL release (not atomic)"},
      {"reentrant-naive", false, "owner check without a hold count (a nested release frees the lock)", 1, true},
      {"extend-unchecked", false, "as single, but extends with plain PEXPIRE (renews the next holder's lock)"},
      {"retry-forever", false, "as single, but acquire retries until granted, ignoring its timeout"},
  };
  return kCatalog;
}

std::unique_ptr<Strategy> make_strategy(std::string_view name) {
  if (name == "single") return std::make_unique<SingleLock>();
  if (name == "redlock") return std::make_unique<RedlockLock>();
  if (name == "fenced") return std::make_unique<FencedLock>();
  if (name == "watchdog") return std::make_unique<WatchdogLock>();
  if (name == "reentrant") return std::make_unique<ReentrantLock>();
  if (name == "reentrant-naive") return std::make_unique<ReentrantNaiveLock>();
  if (name == "del-unchecked") return std::make_unique<DelUncheckedLock>();
  if (name == "setnx-expire") return std::make_unique<SetnxExpireLock>();
  if (name == "const-value") return std::make_unique<ConstValueLock>();
  if (name == "getset") return std::make_unique<GetsetLock>();
  if (name == "client-clock") return std::make_unique<ClientClockLock>();
  if (name == "watch-multi") return std::make_unique<WatchMultiLock>();
  if (name == "extend-unchecked") return std::make_unique<ExtendUncheckedLock>();
  if (name == "retry-forever") return std::make_unique<RetryForeverLock>();
  return nullptr;
}

}  // namespace lockcheck
