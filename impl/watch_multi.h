// Strategy "watch-multi" (BROKEN): the optimistic-transaction lock as
// tutorials show it.
//
//   acquire: WATCH key; GET key; if free: MULTI; SET key token PX ttl; EXEC
//            (a nil EXEC means someone wrote the key since WATCH: retry);
//            if held: UNWATCH and retry.
//   release: GET key; if it is our token, DEL key — two commands, so the
//            check and the delete are not atomic.
//
// The acquire is sound (WATCH makes it a compare-and-set), which is why the
// pattern looks right. The release is the bug: a holder paused (or slowed)
// between its GET and its DEL deletes the lock the next holder took in
// between (`owner`, then `mutex`).
#ifndef LOCKCHECK_IMPL_WATCH_MULTI_H_
#define LOCKCHECK_IMPL_WATCH_MULTI_H_

#include "impl/single.h"

namespace lockcheck {

class WatchMultiLock : public SingleLock {
 public:
  std::string_view name() const override { return "watch-multi"; }
  Task<Result<Lease>> acquire(Env& env, LockOptions options) override;
  Task<Status> release(Env& env, Lease lease) override;
};

}  // namespace lockcheck

#endif  // LOCKCHECK_IMPL_WATCH_MULTI_H_
