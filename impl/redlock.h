// Strategy "redlock": Redis's distributed lock over N independent masters.
//
//   acquire: one attempt = SET key token NX PX ttl on every node in turn
//            (each call bounded by the backend's request timeout, far
//            below the TTL); granted when a majority (N/2 + 1) said OK and
//            validity = ttl - elapsed - drift is still positive, with
//            drift = 0.01 * ttl + 2 ms and elapsed on the monotonic clock.
//            A failed attempt releases on every node (a reply that never
//            came may still have set the key), then waits a random delay.
//   release: compare-and-delete on every node. Each node answers 1 (done),
//            0 (refused: not our token there) or nothing (unknown). It is
//            kNotHeld only when refusals leave no majority that can have
//            held the token (with an odd N: a majority refused), and
//            kOutcomeUnknown when the nodes that did not answer may still
//            hold it on a majority: timeouts never read as "not held".
//   extend:  compare-and-pexpire on every node; a majority must renew while
//            validity (from the extend's start) remains. kNotHeld as for
//            release; any other failure is kOutcomeUnknown and the old
//            lease lapses at its own end.
//   Each node's calls get one request timeout of their own, so a release
//   or extend returns within N request timeouts; an acquire sends nothing
//   after its deadline plus one request timeout (acquire_cutoff).
//
// Assumptions (what the matrix holds it to): a majority of nodes keep
// their keys for the TTL (no restart without persistence inside the TTL,
// i.e. `appendfsync always` or a restart delayed past the TTL), node wall
// clocks do not jump, and clients act only while valid and are not paused
// between checking validity and acting (fencing covers that case).
#ifndef LOCKCHECK_IMPL_REDLOCK_H_
#define LOCKCHECK_IMPL_REDLOCK_H_

#include "impl/lock.h"

namespace lockcheck {

class RedlockLock : public Strategy {
 public:
  std::string_view name() const override { return "redlock"; }
  Task<Result<Lease>> acquire(Env& env, LockOptions options) override;
  Task<Status> release(Env& env, Lease lease) override;
  Task<Result<Lease>> extend(Env& env, Lease lease, LockOptions options) override;
};

}  // namespace lockcheck

#endif  // LOCKCHECK_IMPL_REDLOCK_H_
