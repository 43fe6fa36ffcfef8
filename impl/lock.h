// Lock strategies: the code under test, written once against Env.
//
// A strategy is stateless; every call gets the Env of the calling process
// and the caller's options. The same object serves real Redis (through
// HiredisEnv) and the simulator (through sim's Env).
#ifndef LOCKCHECK_IMPL_LOCK_H_
#define LOCKCHECK_IMPL_LOCK_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "impl/env.h"

namespace lockcheck {

struct LockOptions {
  std::string key = "lockcheck:lock";
  Millis ttl{10000};              // lease length written to Redis. > 0
  Millis acquire_timeout{10000};  // give up acquiring after this long. >= 0
  Millis retry_delay_min{10};     // random pause between attempts, in
  Millis retry_delay_max{50};     //   [min, max]; 0 <= min <= max
  // Who is acquiring, for reentrant strategies: the same owner may acquire
  // again while it holds (Redisson's "uuid:thread"). Empty: a fresh random
  // owner per acquire. Other strategies ignore it.
  std::string owner;
};

// What a holder knows about the lock it holds.
struct Lease {
  std::string key;
  std::string token;        // this grant's unique value in Redis
  MonoInstant started;      // when the winning attempt began (holder's clock)
  MonoInstant valid_until;  // holder may act only while mono_now() < this
  // Strategies that judge validity by the wall clock (the broken
  // client-clock and getset) keep their wall-clock end here.
  WallInstant wall_valid_until{};
  // The lease length asked for (the reentrant release re-arms it).
  Millis ttl{0};
  // Fencing token of this grant (strategy "fenced"), 0 for none. The
  // protected resource must refuse tokens lower than the highest it saw.
  uint64_t fence = 0;
};

// Clock drift allowance of Redlock: 1% of the TTL plus 2 ms.
Nanos drift_allowance(Millis ttl);

// validity end = attempt start + ttl - drift: the attempt's elapsed time is
// subtracted because the key's TTL started counting somewhere in the attempt.
MonoInstant validity_end(MonoInstant attempt_start, Millis ttl);

// Between two acquire attempts: a random delay in the options' retry range
// on env's clock, or Error{kAcquireTimeout} (without sleeping) when that
// delay would reach `deadline`.
Task<Status> pause_before_retry(Env& env, LockOptions options, MonoInstant deadline);

// The instant after which an acquire sends nothing and waits for nothing:
// its deadline plus one request timeout. Attempts start only before the
// deadline (pause_before_retry), so every call an acquire makes passes
// this as reply_by (Env::call_by): an attempt begun just before the
// deadline, and the undo of one that failed, end by then, and acquire
// keeps its promise to return within acquire_timeout + one request timeout.
MonoInstant acquire_cutoff(Env& env, MonoInstant deadline);

// Tells env (the simulator records it as an event) that `what` (a grant,
// a renewal) came too late to use: validity = ttl - elapsed - drift had
// run out for the attempt that began at attempt_start.
void note_too_late(Env& env, const std::string& what, MonoInstant attempt_start, Millis ttl);

// True while the holder's own monotonic clock is before valid_until.
bool lease_valid(Env& env, const Lease& lease);

// Error{kInvalidArgument} naming the first unusable option.
Status validate(const LockOptions& options);

// A lease kept alive in the background by Strategy::keep_alive (strategy
// "watchdog"). The holder reads `lease`, renewed in place, and sets `stop`
// before it releases; `lost` says a renewal found the lock gone.
struct LeaseCell {
  Lease lease;
  bool stop = false;
  bool lost = false;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string_view name() const = 0;

  // Tries until granted or options.acquire_timeout passes on env's monotonic
  // clock, and returns within acquire_timeout + one request timeout +
  // one retry delay (acquire_cutoff). Error{kAcquireTimeout} when not
  // granted in time; other errors only when retrying cannot help (e.g. a
  // WRONGTYPE reply).
  virtual Task<Result<Lease>> acquire(Env& env, LockOptions options) = 0;

  // Gives the lock up, within one request timeout per node. Error{kNotHeld}
  // when the lock was not ours any more; an error whose outcome_unknown()
  // when it cannot tell (the lock may still be held).
  virtual Task<Status> release(Env& env, Lease lease) = 0;

  // Renews the lease for options.ttl from now, within one request timeout
  // per node. Error{kNotHeld} when lost; an error whose outcome_unknown()
  // when it cannot tell (the old lease stands and lapses at its end).
  virtual Task<Result<Lease>> extend(Env& env, Lease lease, LockOptions options) = 0;

  // The end of the lease as the holder judges it right now, expressed on
  // its monotonic clock. Correct strategies answer lease.valid_until; a
  // strategy that trusts the wall clock re-reads it here, which is exactly
  // how a clock step makes it believe too long.
  virtual MonoInstant valid_until(Env& env, const Lease& lease) {
    (void)env;
    return lease.valid_until;
  }

  // True for strategies whose holders run keep_alive beside their work.
  virtual bool renews() const { return false; }

  // Renews cell->lease until cell->stop (or the lock is found lost). Runs
  // as its own coroutine beside the holder's, on an Env of the same
  // process. Only called when renews().
  virtual Task<void> keep_alive(Env& env, std::shared_ptr<LeaseCell> cell, LockOptions options) {
    (void)env;
    (void)cell;
    (void)options;
    co_return;
  }
};

// What lockcheck knows about a strategy besides its code: the simulator
// sizes the world by it (nodes, reentrant, renews), the reports and the CLI
// print it. A user's strategy states it exactly as the built-in ones do.
struct StrategyInfo {
  std::string name;  // unique; 1..40 of [a-z0-9._-]; == Strategy::name()
  bool correct = true;  // false: a broken strategy kept to prove the harness catches it
  std::string summary;  // one line: how it acquires, releases, extends
  int nodes = 1;  // Redis nodes the strategy is meant to run against, 1..kStrategyNodesMax
  bool reentrant = false;  // the workload exercises re-acquiring while held
  bool renews = false;     // the holder keeps the lease alive (holds longer than the TTL)
  bool fencing = false;    // grants carry Lease::fence, checked by the protected resource
  // What the strategy takes for granted and the simulator may break (e.g.
  // "clocks drift at most 1% of the TTL"), one sentence each; printed by
  // `lockcheck list strategies` so a violation can be read against them.
  std::vector<std::string> assumptions;

  bool operator==(const StrategyInfo&) const = default;
};

inline constexpr int kStrategyNodesMax = 9;
inline constexpr size_t kStrategyNameMax = 40;
inline constexpr size_t kStrategiesMax = 256;  // registry size limit

// Makes a fresh Strategy object (strategies are stateless; one per world).
// Called under the registry's lock: it must not call the registry.
using StrategyFactory = std::function<std::unique_ptr<Strategy>()>;

// A strategy as handed to the registry: its metadata and its factory.
struct StrategyDef {
  StrategyInfo info;
  StrategyFactory make;
};

// The def of a default-constructible Strategy subclass T.
template <class T>
StrategyDef strategy_def(StrategyInfo info) {
  return StrategyDef{std::move(info), [] { return std::unique_ptr<Strategy>(std::make_unique<T>()); }};
}

// The registry. The built-in strategies are registered through
// register_strategy on first use of any function below, before any
// user's, so the catalog order is: built-ins, then users' in the order
// they registered. Thread-safe; meant to be filled before runs start
// (a run looks its strategy up once, when its World is made).
//
// Error{kInvalidArgument} naming the problem when: the name is empty, too
// long or has characters outside [a-z0-9._-]; it is taken; nodes is out of
// range; make is empty or makes nullptr or a strategy whose name() differs;
// or the registry already holds kStrategiesMax strategies.
Status register_strategy(StrategyDef def);

// As register_strategy, but Ok when a strategy of that name with equal
// metadata is registered already: a test suite may register its strategy
// from every test (and under --gtest_repeat) without caring which ran first.
Status ensure_registered(const StrategyDef& def);

// Every registered strategy, in catalog order (a copy: safe to hold while
// another thread registers).
std::vector<StrategyInfo> strategy_catalog();

// The registered strategy called `name`, or nullopt.
std::optional<StrategyInfo> find_strategy(std::string_view name);

// nullptr when `name` is unknown.
std::unique_ptr<Strategy> make_strategy(std::string_view name);

}  // namespace lockcheck

#endif  // LOCKCHECK_IMPL_LOCK_H_
