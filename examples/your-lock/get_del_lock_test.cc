// The GoogleTest suite of a user's lock: what holds, and what lockcheck
// catches (with its SEED, TRACE and counterexample file when it fails).
#include "get_del_lock.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "testing/gen.h"
#include "testing/gtest.h"

namespace {

using lockcheck::testing::CheckOptions;

// Fewer seeds than `lockcheck run`'s 200 keep the suite quick; the verdicts
// are the same on every run.
CheckOptions cell(const char* faults) {
  CheckOptions o;
  o.faults = faults;
  o.seeds = 60;
  o.report_dir = "get-del-out";
  return o;
}

// Without faults nothing comes between the GET and the DEL in time.
TEST(GetDelLock, HoldsWithoutFaults) { EXPECT_LOCK_HOLDS(your_lock::get_del_lock(), cell("none")); }

// Keys always carry a TTL, whatever the faults.
TEST(GetDelLock, ExpiryHoldsUnderPauses) {
  CheckOptions o = cell("pause");
  o.properties = {"expiry"};
  EXPECT_LOCK_HOLDS(your_lock::get_del_lock(), o);
}

// A pause between the GET and the DEL: the DEL removes the next holder's
// lock, and a third client acquires while the second still holds.
TEST(GetDelLock, PauseInReleaseBreaksMutualExclusion) {
  EXPECT_LOCK_VIOLATES(your_lock::get_del_lock(), cell("pause"), "mutex");
}

// Our own property over generated worlds: RapidCheck finds a world where
// the lock is deleted by someone other than its holder, and shrinks it.
TEST(GetDelLock, RapidCheckFindsAForeignDelete) {
  EXPECT_FALSE(rc::check("get-del keeps owner under pauses", [] {
    const auto scenario = *lockcheck::testing::gen::scenario(your_lock::get_del_lock(), "pause");
    RC_ASSERT(!lockcheck::testing::run(scenario).violated("owner"));
  }));
}

}  // namespace
