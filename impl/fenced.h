// Strategy "fenced": single's lock plus a fencing token per grant.
//
//   acquire: one Lua script does SET key token NX PX ttl and, only when it
//            succeeds, INCR <key>:fence, returning the new counter as the
//            grant's fencing token (nil when the lock is held). Atomic, so
//            tokens follow grant order. Retries, jitter, validity and the
//            undo of an unanswered attempt are single's; after one, a nil
//            asks (one script) whether the lock holds our token, and takes
//            that grant with its fencing token.
//   release, extend: single's compare-and-delete / compare-and-pexpire.
//
// The token is what makes a paused holder harmless: the protected resource
// remembers the highest token it accepted and refuses lower ones, so a
// write that arrives after a later holder's is rejected instead of applied.
//
// Assumptions: the resource checks tokens; the node keeps the counter (a
// node restart without persistence or a failover to a replica that missed
// INCRs can hand out a token again: `fencing`). Under client pauses it
// holds `resource` and `fencing`; `mutex` (beliefs) is no stronger than
// single's, and needs none: the resource is what fencing protects.
#ifndef LOCKCHECK_IMPL_FENCED_H_
#define LOCKCHECK_IMPL_FENCED_H_

#include "impl/single.h"

namespace lockcheck {

extern const char* const kFencedAcquireScript;
extern const char* const kFencedAcquireScriptSha1;
// After an attempt whose outcome is unknown: the fencing token of the
// grant the lock holds when it holds our token (nil otherwise), read
// atomically with the check, so it is the counter our grant set.
extern const char* const kFencedOwnScript;
extern const char* const kFencedOwnScriptSha1;

class FencedLock : public SingleLock {
 public:
  std::string_view name() const override { return "fenced"; }
  Task<Result<Lease>> acquire(Env& env, LockOptions options) override;
};

}  // namespace lockcheck

#endif  // LOCKCHECK_IMPL_FENCED_H_
