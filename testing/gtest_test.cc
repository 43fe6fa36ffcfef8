#include "testing/gtest.h"

#include <gtest/gtest-spi.h>

#include "impl/single.h"

namespace lockcheck::testing {
namespace {

class GlueDelLock : public DelUncheckedLock {
 public:
  std::string_view name() const override { return "test-glue-del"; }
};

const StrategyDef& glue_def() {
  static const StrategyDef def =
      strategy_def<GlueDelLock>({"test-glue-del", false, "single with a plain-DEL release", 1, false, false, false, {}});
  return def;
}

CheckOptions small(const char* faults) {
  CheckOptions o = options_for(faults);
  o.seeds = 40;
  o.report_dir = ::testing::TempDir() + "lockcheck-gtest-test";
  return o;
}

TEST(Glue, HoldsPasses) {
  EXPECT_LOCK_HOLDS("single", small("none"));
  EXPECT_LOCK_HOLDS(glue_def(), small("none"));  // plain DEL is harmless without faults
}

TEST(Glue, ViolatesPasses) { EXPECT_LOCK_VIOLATES(glue_def(), small("pause"), "mutex"); }

// The failure message is what `lockcheck run` prints for the violation.
TEST(Glue, HoldsFailureNamesExplanationSeedTraceAndReplay) {
  EXPECT_NONFATAL_FAILURE(EXPECT_LOCK_HOLDS(glue_def(), small("pause")), "SEED=0x");
  EXPECT_NONFATAL_FAILURE(EXPECT_LOCK_HOLDS(glue_def(), small("pause")), "\nTRACE=");
  EXPECT_NONFATAL_FAILURE(EXPECT_LOCK_HOLDS(glue_def(), small("pause")), "replay: lockcheck replay ");
  EXPECT_NONFATAL_FAILURE(EXPECT_LOCK_HOLDS(glue_def(), small("pause")), "mutex violated on ");
}

TEST(Glue, ViolatesFailureSaysItHeld) {
  EXPECT_NONFATAL_FAILURE(EXPECT_LOCK_VIOLATES("single", small("none"), "mutex"),
                          "expected single to violate mutex under faults none; it held over 40 seeds");
}

TEST(Glue, BadInputFails) {
  EXPECT_NONFATAL_FAILURE(EXPECT_LOCK_HOLDS("no-such-lock", "none"), "unknown strategy 'no-such-lock'");
  EXPECT_NONFATAL_FAILURE(EXPECT_LOCK_VIOLATES("single", "none", "no-such-property"),
                          "unknown property 'no-such-property'");
}

TEST(Glue, RegressionScenarioReplays) {
  EXPECT_LOCK_REPLAYS(std::string(LOCKCHECK_SCENARIO_DIR) + "/del-unchecked-deletes-foreign-lock.json");
}

}  // namespace
}  // namespace lockcheck::testing
