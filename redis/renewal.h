// Renewal: a strategy's keep_alive (Redisson's watchdog) for the blocking
// API. It runs on a thread of its own over a connection of its own; every
// LeaseCell access stays on that thread. The holder reads the latest lease,
// and asks it to stop, through a mutex-guarded hand-off that the renewal
// passes at each of its sleeps. (The simulator runs the same keep_alive as
// a coroutine beside the holder instead.)
#ifndef LOCKCHECK_REDIS_RENEWAL_H_
#define LOCKCHECK_REDIS_RENEWAL_H_

#include <memory>
#include <vector>

#include "redis/hiredis_env.h"
#include "impl/lock.h"

namespace lockcheck {

class Renewal {
 public:
  // Connects its own connection to `endpoints` and starts renewing `lease`
  // with strategy.keep_alive. strategy must renew() and outlive this.
  static Result<std::unique_ptr<Renewal>> start(const std::vector<Endpoint>& endpoints, Millis connect_timeout,
                                                Millis request_timeout, Strategy& strategy, Lease lease,
                                                LockOptions options);
  ~Renewal();  // stop()
  Renewal(const Renewal&) = delete;
  Renewal& operator=(const Renewal&) = delete;

  // Ends the renewals and waits for the thread (within one sleep step and
  // at most one request timeout). Idempotent.
  void stop();

  // The latest lease the renewals produced (the first one until then).
  Lease lease() const;

  // Renewals that succeeded so far.
  int renewals() const;

  struct Shared;

 private:
  Renewal() = default;
  std::unique_ptr<Shared> shared_;
};

}  // namespace lockcheck

#endif  // LOCKCHECK_REDIS_RENEWAL_H_
