// Strategy "reentrant": a Redisson-style reentrant lock. The key is a hash
// owner -> hold count; every operation is one Lua script, so it is atomic.
//
//   acquire: if the key is absent or already ours, count += 1 and PEXPIRE
//            ttl (nil reply); else the holder's PTTL (retry after a random
//            delay). The owner is options.owner (random when empty), so the
//            same owner acquiring again while it holds is granted at once.
//   release: count -= 1; the key goes only when the count reaches zero (and
//            is re-armed with the TTL while it does not). A release by a
//            non-owner is Error{kNotHeld}.
//   extend:  PEXPIRE if we are the owner.
//   validity = ttl - elapsed - drift, on the monotonic clock, per grant.
//
// Assumptions: as `single` (one node that keeps its data, no node clock
// jumps, no pause between the validity check and acting).
#ifndef LOCKCHECK_IMPL_REENTRANT_H_
#define LOCKCHECK_IMPL_REENTRANT_H_

#include "impl/lock.h"

namespace lockcheck {

extern const char* const kReentrantAcquireScript;
extern const char* const kReentrantReleaseScript;
extern const char* const kReentrantExtendScript;
extern const char* const kReentrantAcquireScriptSha1;
extern const char* const kReentrantReleaseScriptSha1;
extern const char* const kReentrantExtendScriptSha1;

class ReentrantLock : public Strategy {
 public:
  std::string_view name() const override { return "reentrant"; }
  Task<Result<Lease>> acquire(Env& env, LockOptions options) override;
  Task<Status> release(Env& env, Lease lease) override;
  Task<Result<Lease>> extend(Env& env, Lease lease, LockOptions options) override;
};

// Strategy "reentrant-naive" (BROKEN): the owner check without a count.
// Acquire succeeds when the key is absent or already holds our owner id;
// release is compare-and-delete. A nested acquire/release pair therefore
// frees the lock while the outer critical section still runs (`reentry`,
// and then `mutex` when another client takes it).
class ReentrantNaiveLock : public ReentrantLock {
 public:
  std::string_view name() const override { return "reentrant-naive"; }
  Task<Result<Lease>> acquire(Env& env, LockOptions options) override;
  Task<Status> release(Env& env, Lease lease) override;
  // The value is the owner id, so single's compare-and-pexpire fits (the
  // hash script would answer WRONGTYPE).
  Task<Result<Lease>> extend(Env& env, Lease lease, LockOptions options) override;
};

}  // namespace lockcheck

#endif  // LOCKCHECK_IMPL_REENTRANT_H_
