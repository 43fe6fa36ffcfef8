// A user's lock, written against lockcheck's Env: SET NX PX with a random
// token to acquire (as lockcheck's "single"), but released by GET, compare
// in the client, then DEL: two commands where one atomic script is needed.
// Between the GET and the DEL the lease may lapse and another client take
// the lock; the DEL then deletes that client's lock.
#ifndef YOUR_LOCK_GET_DEL_LOCK_H_
#define YOUR_LOCK_GET_DEL_LOCK_H_

#include "impl/lock.h"

namespace your_lock {

class GetDelLock : public lockcheck::Strategy {
 public:
  std::string_view name() const override { return "get-del"; }
  lockcheck::Task<lockcheck::Result<lockcheck::Lease>> acquire(lockcheck::Env& env,
                                                               lockcheck::LockOptions options) override;
  lockcheck::Task<lockcheck::Status> release(lockcheck::Env& env, lockcheck::Lease lease) override;
  lockcheck::Task<lockcheck::Result<lockcheck::Lease>> extend(lockcheck::Env& env, lockcheck::Lease lease,
                                                              lockcheck::LockOptions options) override;
};

// What lockcheck needs to know besides the code (see
// docs/writing-a-strategy.md, "Stating a strategy").
lockcheck::StrategyDef get_del_lock();

}  // namespace your_lock

#endif  // YOUR_LOCK_GET_DEL_LOCK_H_
