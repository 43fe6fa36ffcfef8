// Renewal: a strategy's keep_alive (Redisson's watchdog) for the blocking
// API. One worker thread over a connection of its own, kept by the
// LockClient from one acquire to the next (a thread and a connection per
// acquire made a watchdog cycle 100 times slower than a `single` one):
// start() hands it a lease to keep alive, stop() ends those renewals and
// waits until they have ended. Every LeaseCell access stays on the worker
// thread. The holder reads the latest lease, and asks for the stop, through
// a mutex-guarded hand-off that the worker passes at each of its sleeps; a
// sleep waits on a condition variable, so a stop ends it at once. (The
// simulator runs the same keep_alive as a coroutine beside the holder.)
#ifndef LOCKCHECK_REDIS_RENEWAL_H_
#define LOCKCHECK_REDIS_RENEWAL_H_

#include <memory>
#include <vector>

#include "redis/hiredis_env.h"
#include "impl/lock.h"

namespace lockcheck {

class Renewal {
 public:
  // Connects the worker's own connection to `endpoints` and starts its
  // thread, idle. strategy must renew() and outlive this.
  static Result<std::unique_ptr<Renewal>> connect(const std::vector<Endpoint>& endpoints, Millis connect_timeout,
                                                  Millis request_timeout, Strategy& strategy);
  ~Renewal();  // stop(), then ends the thread
  Renewal(const Renewal&) = delete;
  Renewal& operator=(const Renewal&) = delete;

  // Starts renewing `lease` with strategy.keep_alive, on the strategy's
  // own schedule. Only while !busy().
  void start(Lease lease, LockOptions options);

  // Ends the renewals of the current lease: no renewal is sent after it
  // returns. Waits only for a renewal in flight (at most one request
  // timeout); a worker that sleeps sees the stop before it could send.
  // Idempotent; afterwards !busy().
  void stop();

  // Between start() and stop().
  bool busy() const;

  // The latest lease the renewals produced (the one start() got until then).
  Lease lease() const;

  // Renewals of the current (or last) lease that succeeded so far.
  int renewals() const;

  struct Shared;

 private:
  Renewal() = default;
  std::unique_ptr<Shared> shared_;
};

}  // namespace lockcheck

#endif  // LOCKCHECK_REDIS_RENEWAL_H_
