// Strategy "single": the correct single-instance Redis lock.
//
//   acquire: SET key <128-bit random token> NX PX ttl, retried with random
//            jitter until the caller's timeout. A reply that never came
//            leaves the outcome unknown, so the attempt is undone with a
//            release before retrying or giving up.
//   release: Lua compare-and-delete (only the token's owner deletes).
//   extend:  Lua compare-and-pexpire.
//   validity = ttl - elapsed - drift, elapsed on the monotonic clock.
//
// Assumptions (what the matrix holds it to): one Redis node that does not
// lose data and whose wall clock does not jump; clients that act only
// while their lease is valid and are not paused between checking validity
// and acting (a pause there breaks `resource`; use fencing for that).
#ifndef LOCKCHECK_IMPL_SINGLE_H_
#define LOCKCHECK_IMPL_SINGLE_H_

#include "impl/lock.h"

namespace lockcheck {

// The exact script texts sent to Redis (and run by the model).
extern const char* const kReleaseScript;
extern const char* const kExtendScript;

class SingleLock : public Strategy {
 public:
  std::string_view name() const override { return "single"; }
  Task<Result<Lease>> acquire(Env& env, LockOptions options) override;
  Task<Status> release(Env& env, Lease lease) override;
  Task<Result<Lease>> extend(Env& env, Lease lease, LockOptions options) override;
};

// Strategy "del-unchecked" (BROKEN): as single, but releases with a plain
// `DEL key`, as many tutorials teach. A holder whose lease lapsed (a GC
// pause, a slow request) deletes the lock the next holder now owns.
class DelUncheckedLock : public SingleLock {
 public:
  std::string_view name() const override { return "del-unchecked"; }
  Task<Status> release(Env& env, Lease lease) override;
};

}  // namespace lockcheck

#endif  // LOCKCHECK_IMPL_SINGLE_H_
