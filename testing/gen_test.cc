#include "testing/gen.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "impl/single.h"

namespace lockcheck::testing {
namespace {

class GenDelLock : public DelUncheckedLock {
 public:
  std::string_view name() const override { return "test-gen-del"; }
};

StrategyDef gen_def() { return strategy_def<GenDelLock>({"test-gen-del", false, "single with a plain-DEL release", 1, false, false, false, {}}); }

// A user's own property over generated worlds: single keeps mutual
// exclusion however the generator pauses its holders.
RC_GTEST_PROP(Gen, SingleKeepsMutexUnderPauses, ()) {
  const chaos::Scenario sc = *gen::scenario("single", "pause");
  RC_ASSERT(sc.world.strategy == "single");
  RC_ASSERT(!run(sc).violated("mutex"));
}

// The same property over the broken user lock fails, and RapidCheck
// shrinks the world it found: at most as many faults as generated.
TEST(Gen, BrokenUserLockFailsTheProperty) {
  const bool held = rc::check("plain-DEL keeps mutex under pauses", [] {
    const chaos::Scenario sc = *gen::scenario(gen_def(), "pause");
    RC_ASSERT(!run(sc).violated("mutex"));
  });
  EXPECT_FALSE(held);
}

TEST(Gen, ShrinkCandidatesAreSmaller) {
  chaos::Scenario sc;
  sc.world.workload.acquires_per_client = 3;
  sc.faults.resize(2);
  const auto smaller = smaller_scenarios(sc);
  ASSERT_EQ(smaller.size(), 3u);
  EXPECT_EQ(smaller[0].faults.size(), 1u);
  EXPECT_EQ(smaller[1].faults.size(), 1u);
  EXPECT_EQ(smaller[2].world.workload.acquires_per_client, 2);
}

TEST(Gen, BadFaultsFailAtGeneration) {
  EXPECT_FALSE(rc::check("bad faults", [] { *gen::scenario("single", "no-such-fault"); }));
}

}  // namespace
}  // namespace lockcheck::testing
