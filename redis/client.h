// LockClient / LockGuard: the plain blocking C++ API over real Redis.
//
//   auto client = LockClient::connect(*parse_endpoints("127.0.0.1:6379"),
//                                     "single", Millis(500));
//   if (!client.ok()) { ... client.error().to_string() ... }
//   LockOptions options;
//   options.key = "orders:42";
//   auto guard = (*client)->acquire(options);
//   if (guard.ok() && guard->valid()) { ... do the work ... }
//   // ~LockGuard releases the lock.
//
// Underneath, the same strategy coroutines the simulator checks run on a
// HiredisEnv, driven to completion with run_sync().
#ifndef LOCKCHECK_REDIS_CLIENT_H_
#define LOCKCHECK_REDIS_CLIENT_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "redis/hiredis_env.h"
#include "impl/lock.h"
#include "redis/renewal.h"

namespace lockcheck {

class LockGuard;

// One process's (or one thread's) handle on a set of Redis nodes and a lock
// strategy. Not thread-safe: give each thread its own LockClient.
class LockClient {
 public:
  // Connects to `endpoints` and selects the strategy named `strategy_name`
  // (see strategy_catalog()). request_timeout bounds every Redis command;
  // connect_timeout bounds each TCP connect.
  // Errors: Error{kInvalidArgument} for an unknown strategy, no endpoints or
  // a non-positive timeout; Error{kConnectionLost, "cannot connect to ..."}
  // when a node cannot be reached.
  static Result<std::unique_ptr<LockClient>> connect(std::vector<Endpoint> endpoints,
                                                     std::string_view strategy_name,
                                                     Millis request_timeout,
                                                     Millis connect_timeout = Millis(1000));

  LockClient(const LockClient&) = delete;
  LockClient& operator=(const LockClient&) = delete;

  // Blocks until the lock options.key is granted or options.acquire_timeout
  // passes, and returns within acquire_timeout + one request timeout + one
  // retry delay however Redis behaves (a reconnect's connect included).
  // On success the guard holds the lock and releases it when
  // destroyed. Errors: kInvalidArgument for unusable options;
  // kAcquireTimeout when not granted in time (including when every attempt
  // failed because Redis was unreachable); kRedisError etc. when retrying
  // cannot help. The client must outlive the returned guard.
  Result<LockGuard> acquire(const LockOptions& options);

  // The strategy's name, as passed to connect().
  std::string_view strategy_name() const { return strategy_->name(); }

  // The world this client runs in and its strategy, for callers (tests,
  // tools) that drive strategy operations themselves with run_sync().
  HiredisEnv& env() { return *env_; }
  Strategy& strategy() { return *strategy_; }

 private:
  friend class LockGuard;
  LockClient(std::unique_ptr<HiredisEnv> env, std::unique_ptr<Strategy> strategy, std::vector<Endpoint> endpoints,
             Millis request_timeout, Millis connect_timeout)
      : env_(std::move(env)),
        strategy_(std::move(strategy)),
        endpoints_(std::move(endpoints)),
        request_timeout_(request_timeout),
        connect_timeout_(connect_timeout) {}

  // A renewal worker that is not busy, connected on first use; kept for
  // the next acquire (one per guard held at once).
  Result<Renewal*> idle_renewal();

  std::unique_ptr<HiredisEnv> env_;
  std::unique_ptr<Strategy> strategy_;
  // For the renewal connections of strategies that renew (watchdog).
  std::vector<Endpoint> endpoints_;
  std::vector<std::unique_ptr<Renewal>> renewals_;
  Millis request_timeout_;
  Millis connect_timeout_;
};

// A held lock. Move-only; the destructor releases the lock if the guard
// still holds it (errors are ignored there: the key then expires by its
// TTL). A moved-from guard holds nothing.
class LockGuard {
 public:
  LockGuard(LockGuard&& other) noexcept;
  LockGuard& operator=(LockGuard&& other) noexcept;  // releases what *this held
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;
  ~LockGuard();

  // Gives the lock up. Errors: kNotHeld when the lock had already passed to
  // someone else (the strategy decides how it can tell; "del-unchecked"
  // cannot) or this guard no longer holds it; an error whose outcome is
  // unknown (kTimeout, kConnectionLost, kOutcomeUnknown: Redis did not
  // answer, or too few Redlock nodes did) when the lock may still be held.
  // Afterwards the guard holds nothing, except after an unknown outcome:
  // then it keeps the lock (valid() still ends with the lease), so a later
  // release() or the destructor tries again; the key expires by its TTL
  // in any case.
  Status release();

  // Renews the lease for the stored options' ttl, measured from now.
  // Errors: kNotHeld when the lock was lost (the guard then holds nothing);
  // any other error (kTimeout, kConnectionLost, kOutcomeUnknown) leaves the
  // old lease in place, which lapses at its own time, and the guard still
  // holding, so it releases the lock that may still be there.
  Status extend();

  // As extend(), with options.ttl as the new lease length (remembered for
  // later extend() calls, and for a renewing strategy's renewals after this
  // one). options.key must be this lock's key, else kInvalidArgument.
  Status extend(const LockOptions& options);

  // Stops managing the lock without releasing it: the key lives until its
  // TTL runs out, as if this process had crashed. Returns the lease.
  Lease abandon();

  // What this guard knows about its lock (for a renewing strategy, the
  // latest renewal's lease). The token is meaningful only while held().
  Lease lease() const { return renewal_ ? renewal_->lease() : lease_; }

  // True until release() (unless its outcome is unknown), abandon(), a
  // kNotHeld from extend(), or a move.
  bool held() const { return client_ != nullptr; }

  // True while held() and the lease is valid on this process's monotonic
  // clock (lease_valid()): only then may the holder act on the protected
  // resource.
  bool valid() const;

  // Time left on the lease (zero when !valid()).
  Nanos remaining() const;

 private:
  friend class LockClient;
  LockGuard(LockClient* client, Lease lease, LockOptions options)
      : client_(client), lease_(std::move(lease)), options_(std::move(options)) {}

  // Ends background renewals, keeping their last lease.
  void stop_renewal();

  LockClient* client_;  // null: holds nothing
  Lease lease_;
  LockOptions options_;
  Renewal* renewal_ = nullptr;  // the client's, while held, for strategies that renew
};

}  // namespace lockcheck

#endif  // LOCKCHECK_REDIS_CLIENT_H_
