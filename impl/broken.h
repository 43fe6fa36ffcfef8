// Broken strategies, kept on purpose: each reproduces a pattern found in
// tutorials and production code, so lockcheck can prove it catches it.
// None of these is for use; `lockcheck list strategies` marks them BROKEN.
#ifndef LOCKCHECK_IMPL_BROKEN_H_
#define LOCKCHECK_IMPL_BROKEN_H_

#include "impl/single.h"

namespace lockcheck {

// "setnx-expire": `SETNX key token` then `EXPIRE key secs` as two commands,
// the pre-Redis-2.6.12 recipe still copied from old answers. A client that
// dies (or loses the EXPIRE) between the two leaves a key with no TTL: the
// lock is held forever (`expiry`). Release and extend are single's.
class SetnxExpireLock : public SingleLock {
 public:
  std::string_view name() const override { return "setnx-expire"; }
  Task<Result<Lease>> acquire(Env& env, LockOptions options) override;
};

// "const-value": `SET key 1 NX EX secs`, release with `DEL key` — the
// value does not say who holds the lock, so any client (a paused holder
// whose lease lapsed) releases whoever holds it now (`owner`, then `mutex`).
class ConstValueLock : public Strategy {
 public:
  std::string_view name() const override { return "const-value"; }
  Task<Result<Lease>> acquire(Env& env, LockOptions options) override;
  Task<Status> release(Env& env, Lease lease) override;
  Task<Result<Lease>> extend(Env& env, Lease lease, LockOptions options) override;
};

// "getset": the old Redis-docs SETNX recipe. The value is the holder's
// wall-clock expiry (unix ms) and the key has no TTL; a waiter that reads
// an expired timestamp takes over with GETSET. Trusts every client's wall
// clock (a skewed or stepped clock steals or keeps the lock: `mutex`),
// and a losing GETSET overwrites the winner's timestamp (`owner`).
class GetsetLock : public Strategy {
 public:
  std::string_view name() const override { return "getset"; }
  Task<Result<Lease>> acquire(Env& env, LockOptions options) override;
  Task<Status> release(Env& env, Lease lease) override;
  Task<Result<Lease>> extend(Env& env, Lease lease, LockOptions options) override;
  MonoInstant valid_until(Env& env, const Lease& lease) override;
};

// "client-clock": single's commands, but the holder judges its lease by
// its wall clock (expiry = wall time at grant + ttl - drift) instead of the
// monotonic clock. An NTP step backwards makes it act after the key
// expired and someone else holds the lock (`resource`).
class ClientClockLock : public SingleLock {
 public:
  std::string_view name() const override { return "client-clock"; }
  Task<Result<Lease>> acquire(Env& env, LockOptions options) override;
  Task<Result<Lease>> extend(Env& env, Lease lease, LockOptions options) override;
  MonoInstant valid_until(Env& env, const Lease& lease) override;
};

}  // namespace lockcheck

#endif  // LOCKCHECK_IMPL_BROKEN_H_
