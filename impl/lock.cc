#include "impl/lock.h"

#include <mutex>

#include "impl/check.h"

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

namespace {

struct Registry {
  std::mutex mu;
  std::vector<StrategyDef> defs;  // catalog order; never more than kStrategiesMax
};

Status bad_def(const StrategyDef& def, const std::string& why) {
  return Error{ErrorCode::kInvalidArgument, "strategy '" + def.info.name + "': " + why};
}

// What a def must be on its own. Runs the user's factory, so it is called
// without the registry's lock: a factory may itself look strategies up
// (a lock that wraps "single"), which under the lock would deadlock.
Status check_def(const StrategyDef& def) {
  const std::string& name = def.info.name;
  if (name.empty() || name.size() > kStrategyNameMax) {
    return bad_def(def, "name must be 1.." + std::to_string(kStrategyNameMax) + " characters");
  }
  if (name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-") != std::string::npos) {
    return bad_def(def, "name may hold only a-z, 0-9, '.', '_' and '-'");
  }
  if (def.info.nodes < 1 || def.info.nodes > kStrategyNodesMax) {
    return bad_def(def, "nodes must be in [1, " + std::to_string(kStrategyNodesMax) + "]");
  }
  if (!def.make) return bad_def(def, "no factory");
  // Made once here so a wrong factory is found at registration, not deep in a run.
  const std::unique_ptr<Strategy> probe = def.make();
  if (probe == nullptr) return bad_def(def, "the factory made nullptr");
  if (probe->name() != name) {
    return bad_def(def, "the factory made a strategy named '" + std::string(probe->name()) + "'");
  }
  if (probe->renews() != def.info.renews) return bad_def(def, "info.renews differs from Strategy::renews()");
  return Ok{};
}

// What a checked def must be beside the others. Requires r.mu held (or the
// registry not yet shared).
Status add_locked(Registry& r, StrategyDef def) {
  for (const auto& d : r.defs) {
    if (d.info.name == def.info.name) return bad_def(def, "a strategy of that name is registered already");
  }
  if (r.defs.size() >= kStrategiesMax) {
    return bad_def(def, "the registry is full (" + std::to_string(kStrategiesMax) + ")");
  }
  r.defs.push_back(std::move(def));
  return Ok{};
}

StrategyInfo builtin(std::string name, bool correct, std::string summary, int nodes = 1, bool reentrant = false,
                     bool renews = false, bool fencing = false, std::vector<std::string> assumptions = {}) {
  return StrategyInfo{std::move(name), correct,  std::move(summary), nodes, reentrant,
                      renews,          fencing, std::move(assumptions)};
}

// The built-in strategies, registered exactly as a user's are.
void register_builtins(Registry& r) {
  const std::string kNoFailover = "one Redis node (or independent masters) that keeps acknowledged writes: no "
                                  "failover to a replica that missed them, no restart without fsync";
  const std::string kPauseBounded = "a holder does not pause (GC, VM stop) longer than its remaining validity";
  const std::vector<StrategyDef> builtins = {
      strategy_def<SingleLock>(builtin("single", true,
                                       "SET NX PX + random token; Lua compare-and-delete release, Lua extend", 1, false,
                                       false, false, {kNoFailover, kPauseBounded})),
      strategy_def<ReentrantLock>(builtin("reentrant", true,
                                          "Redisson-style hash owner -> hold count; Lua acquire/release/renew", 1, true,
                                          false, false, {kNoFailover, kPauseBounded})),
      strategy_def<FencedLock>(
          builtin("fenced", true,
                  "single + a fencing token per grant (Lua SET NX PX + INCR); the resource refuses "
                  "stale tokens",
                  1, false, false, true, {kNoFailover, "the protected resource checks every write's fencing token"})),
      strategy_def<WatchdogLock>(builtin("watchdog", true,
                                         "single + background renewal every ttl/3 while held (Redisson's watchdog)", 1,
                                         false, true, false, {kNoFailover, kPauseBounded})),
      strategy_def<RedlockLock>(
          builtin("redlock", true, "N=5 independent masters, majority within validity = ttl - elapsed - drift", 5,
                  false, false, false, {"clocks drift at most 1% of the TTL + 2 ms", kNoFailover, kPauseBounded})),
      strategy_def<DelUncheckedLock>(
          builtin("del-unchecked", false, "as single, but releases with plain DEL (deletes the next holder's lock)")),
      strategy_def<SetnxExpireLock>(builtin(
          "setnx-expire", false, "SETNX then EXPIRE as two commands (a crash between leaves a key with no TTL)")),
      strategy_def<ConstValueLock>(
          builtin("const-value", false, "SET key 1 NX EX, release with DEL (any client releases anyone's lock)")),
      strategy_def<GetsetLock>(builtin(
          "getset", false, "value = client wall-clock expiry, no TTL, takeover by GETSET (trusts every clock)")),
      strategy_def<ClientClockLock>(
          builtin("client-clock", false, "as single, but the holder judges its lease by its wall clock")),
      strategy_def<WatchMultiLock>(
          builtin("watch-multi", false, "WATCH/GET/MULTI/SET/EXEC acquire, GET-then-DEL release (not atomic)")),
      strategy_def<ReentrantNaiveLock>(builtin(
          "reentrant-naive", false, "owner check without a hold count (a nested release frees the lock)", 1, true)),
      strategy_def<ExtendUncheckedLock>(builtin(
          "extend-unchecked", false, "as single, but extends with plain PEXPIRE (renews the next holder's lock)")),
      strategy_def<RetryForeverLock>(
          builtin("retry-forever", false, "as single, but acquire retries until granted, ignoring its timeout")),
  };
  for (const auto& def : builtins) {
    Status s = check_def(def);
    if (s.ok()) s = add_locked(r, def);
    LC_CHECK(s.ok());  // a built-in that does not register is a programmer error
  }
}

Registry& registry() {
  static Registry* r = [] {
    auto* fresh = new Registry;  // never destroyed: usable from other statics' destructors
    register_builtins(*fresh);
    return fresh;
  }();
  return *r;
}

}  // namespace

Status register_strategy(StrategyDef def) {
  if (auto s = check_def(def); !s.ok()) return s;
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  return add_locked(r, std::move(def));
}

Status ensure_registered(const StrategyDef& def) {
  Registry& r = registry();
  auto registered_as = [&]() -> std::optional<Status> {
    for (const auto& d : r.defs) {
      if (d.info.name != def.info.name) continue;
      if (d.info == def.info) return Status(Ok{});
      return bad_def(def, "registered already with different metadata");
    }
    return std::nullopt;
  };
  {
    std::lock_guard<std::mutex> lock(r.mu);
    if (auto s = registered_as()) return *s;
  }
  if (auto s = check_def(def); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(r.mu);
  if (auto s = registered_as()) return *s;  // registered meanwhile by another thread
  return add_locked(r, def);
}

std::vector<StrategyInfo> strategy_catalog() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  std::vector<StrategyInfo> out;
  out.reserve(r.defs.size());
  for (const auto& d : r.defs) out.push_back(d.info);
  return out;
}

std::optional<StrategyInfo> find_strategy(std::string_view name) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  for (const auto& d : r.defs) {
    if (d.info.name == name) return d.info;
  }
  return std::nullopt;
}

std::unique_ptr<Strategy> make_strategy(std::string_view name) {
  StrategyFactory make;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mu);
    for (const auto& d : r.defs) {
      if (d.info.name == name) make = d.make;
    }
  }
  return make ? make() : nullptr;
}

}  // namespace lockcheck
