// GoogleTest glue (target lockcheck::gtest):
//
//   EXPECT_LOCK_HOLDS(strategy, faults);
//   EXPECT_LOCK_VIOLATES(strategy, faults, "mutex");
//   EXPECT_LOCK_REPLAYS("tests/my-lock-mutex.json");
//
// `strategy` is a StrategyDef (registered on first use) or the name of a
// registered strategy; `faults` is one cell in CheckOptions::faults'
// grammar ("none", "partition+kill", "swarm") or a whole CheckOptions.
// A failure prints what `lockcheck run` prints: per violated property its
// explanation, SEED=, TRACE= and the replay command of the shrunk
// counterexample file (written to CheckOptions::report_dir).
// The ASSERT_ forms stop the test.
#ifndef LOCKCHECK_TESTING_GTEST_H_
#define LOCKCHECK_TESTING_GTEST_H_

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "testing/check.h"
#include "testing/replay.h"

namespace lockcheck::testing {

CheckOptions options_for(std::string_view faults);

// Success when no judged property is violated (and no harness fault).
::testing::AssertionResult lock_holds(const char* strategy_expr, const char* faults_expr, const StrategyDef& strategy,
                                      const CheckOptions& options);
::testing::AssertionResult lock_holds(const char* strategy_expr, const char* faults_expr, const StrategyDef& strategy,
                                      std::string_view faults);
::testing::AssertionResult lock_holds(const char* strategy_expr, const char* faults_expr, std::string_view strategy,
                                      const CheckOptions& options);
::testing::AssertionResult lock_holds(const char* strategy_expr, const char* faults_expr, std::string_view strategy,
                                      std::string_view faults);

// Success when `property` is violated (so the harness catches the bug);
// the message names its SEED, TRACE and counterexample file either way.
::testing::AssertionResult lock_violates(const char* strategy_expr, const char* faults_expr, const char* property_expr,
                                         const StrategyDef& strategy, const CheckOptions& options,
                                         std::string_view property);
::testing::AssertionResult lock_violates(const char* strategy_expr, const char* faults_expr, const char* property_expr,
                                         const StrategyDef& strategy, std::string_view faults,
                                         std::string_view property);
::testing::AssertionResult lock_violates(const char* strategy_expr, const char* faults_expr, const char* property_expr,
                                         std::string_view strategy, const CheckOptions& options,
                                         std::string_view property);
::testing::AssertionResult lock_violates(const char* strategy_expr, const char* faults_expr, const char* property_expr,
                                         std::string_view strategy, std::string_view faults,
                                         std::string_view property);

// Success when the file's expectations (expect.verdict/property/holds/trace)
// reproduce.
::testing::AssertionResult lock_replays(const char* path_expr, const std::string& path);

}  // namespace lockcheck::testing

#define EXPECT_LOCK_HOLDS(strategy, faults) EXPECT_PRED_FORMAT2(::lockcheck::testing::lock_holds, strategy, faults)
#define ASSERT_LOCK_HOLDS(strategy, faults) ASSERT_PRED_FORMAT2(::lockcheck::testing::lock_holds, strategy, faults)
#define EXPECT_LOCK_VIOLATES(strategy, faults, property) \
  EXPECT_PRED_FORMAT3(::lockcheck::testing::lock_violates, strategy, faults, property)
#define ASSERT_LOCK_VIOLATES(strategy, faults, property) \
  ASSERT_PRED_FORMAT3(::lockcheck::testing::lock_violates, strategy, faults, property)
#define EXPECT_LOCK_REPLAYS(path) EXPECT_PRED_FORMAT1(::lockcheck::testing::lock_replays, path)
#define ASSERT_LOCK_REPLAYS(path) ASSERT_PRED_FORMAT1(::lockcheck::testing::lock_replays, path)

#endif  // LOCKCHECK_TESTING_GTEST_H_
