// Strategy "watchdog": Redisson's lock watchdog. The holder asks for no
// fixed lease: a background renewal extends the key every ttl/3 while it
// holds, so work may run longer than the TTL, and a crashed holder's lock
// still frees within a TTL (renewals die with it).
//
//   acquire, release, extend: single's (SET NX PX, compare-and-delete,
//            compare-and-pexpire).
//   keep_alive: every ttl/3 on the holder's monotonic clock, extend; the
//            lease (validity = ttl - elapsed - drift from the renewal's
//            start) moves forward in place. A renewal that finds the lock
//            gone ends the belief of holding at once; one without an answer
//            leaves the old lease to lapse at its own end and tries again.
//
// Assumptions: single's (one node that keeps its data, no node clock jumps)
// plus renewals on time: a pause of the holder longer than the lease stops
// its renewals and breaks `resource` just as it breaks single.
#ifndef LOCKCHECK_IMPL_WATCHDOG_H_
#define LOCKCHECK_IMPL_WATCHDOG_H_

#include "impl/single.h"

namespace lockcheck {

class WatchdogLock : public SingleLock {
 public:
  std::string_view name() const override { return "watchdog"; }
  bool renews() const override { return true; }
  Task<void> keep_alive(Env& env, std::shared_ptr<LeaseCell> cell, LockOptions options) override;
};

}  // namespace lockcheck

#endif  // LOCKCHECK_IMPL_WATCHDOG_H_
