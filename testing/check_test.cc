#include "testing/check.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "impl/single.h"
#include "reports/report.h"
#include "testing/replay.h"

namespace lockcheck::testing {
namespace {

// A user's strategy: single's broken release (plain DEL) under a name of
// its own, registered as a user would.
class UserDelLock : public DelUncheckedLock {
 public:
  std::string_view name() const override { return "test-user-del"; }
};

StrategyDef user_def() {
  return strategy_def<UserDelLock>(
      {"test-user-del", false, "single with a plain-DEL release", 1, false, false, false, {"test only"}});
}

CheckOptions small(std::string faults) {
  CheckOptions o;
  o.faults = std::move(faults);
  o.seeds = 40;
  o.report_dir = ::testing::TempDir() + "lockcheck-check-test";
  return o;
}

TEST(Check, CorrectStrategyHoldsWithoutFaults) {
  auto r = check("single", small("none"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r.value().holds()) << r.value().report();
  EXPECT_EQ(r.value().seeds_run, 40);
  EXPECT_EQ(r.value().report(), "");
}

TEST(Check, UserStrategyIsCaughtWithSeedTraceAndFile) {
  auto r = check(user_def(), small("pause"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const CheckResult& c = r.value();
  EXPECT_FALSE(c.holds());
  const PropertyVerdict* mutex = c.find("mutex");
  ASSERT_NE(mutex, nullptr);
  ASSERT_TRUE(mutex->violated);
  EXPECT_GT(mutex->seed, 0u);
  EXPECT_EQ(mutex->trace.size(), 16u) << mutex->trace;  // 16 hex digits
  EXPECT_FALSE(mutex->explanation.empty());
  EXPECT_TRUE(std::filesystem::exists(mutex->counterexample_file)) << mutex->counterexample_file;
  EXPECT_EQ(mutex->replay_command, "lockcheck replay " + mutex->counterexample_file);
  EXPECT_NE(c.report().find("SEED=" + chaos::format_seed(mutex->seed)), std::string::npos) << c.report();
  EXPECT_NE(c.report().find("TRACE=" + mutex->trace), std::string::npos) << c.report();
  // And the properties a plain-DEL release keeps still hold.
  EXPECT_FALSE(c.find("expiry")->violated);
}

TEST(Check, SavedCounterexampleReplaysFromATest) {
  auto r = check(user_def(), small("pause"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const PropertyVerdict* mutex = r.value().find("mutex");
  ASSERT_TRUE(mutex != nullptr && mutex->violated);
  auto replayed = replay(mutex->counterexample_file);
  ASSERT_TRUE(replayed.ok()) << replayed.error().message;
  EXPECT_TRUE(replayed.value().reproduced()) << replayed.value().report();
  EXPECT_TRUE(replayed.value().violated("mutex"));
  EXPECT_EQ(replayed.value().trace, mutex->trace);
}

TEST(Check, ReplayReportsAMismatch) {
  auto r = check(user_def(), small("pause"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto replayed = replay(r.value().find("mutex")->counterexample_file);
  ASSERT_TRUE(replayed.ok());
  chaos::Scenario sc = replayed.value().scenario;
  sc.expect->verdict = "holds";
  sc.expect->property.clear();
  auto again = replay(sc);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.value().reproduced());
  EXPECT_NE(again.value().report().find("MISMATCH: the scenario expects every property to hold"), std::string::npos)
      << again.value().report();
}

TEST(Check, SameResultWhateverTheJobs) {
  CheckOptions one = small("pause");
  one.jobs = 1;
  CheckOptions two = small("pause");
  two.jobs = 2;
  auto a = check(user_def(), one);
  auto b = check(user_def(), two);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a.value().report(), b.value().report());
}

TEST(Check, OnlyTheNamedPropertiesAreJudged) {
  CheckOptions o = small("pause");
  o.properties = {"expiry"};
  auto r = check(user_def(), o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r.value().holds());
  EXPECT_FALSE(r.value().find("mutex")->judged);
}

TEST(Check, BadInputIsAnError) {
  EXPECT_FALSE(check("no-such-lock", small("none")).ok());
  EXPECT_FALSE(check("single", small("no-such-fault")).ok());
  EXPECT_FALSE(check("single", small("none,pause")).ok());  // two cells
  EXPECT_FALSE(check("single", small("all")).ok());
  CheckOptions o = small("none");
  o.seeds = 0;
  EXPECT_FALSE(check("single", o).ok());
  o = small("none");
  o.properties = {"no-such-property"};
  EXPECT_FALSE(check("single", o).ok());
  EXPECT_FALSE(replay(::testing::TempDir() + "no-such-file.json").ok());
}

TEST(Check, FaultCellGrammar) {
  EXPECT_TRUE(parse_fault_cell("none").ok());
  EXPECT_TRUE(parse_fault_cell("swarm").value().swarm);
  auto two = parse_fault_cell("pause+delay");
  ASSERT_TRUE(two.ok()) << two.error().message;
  EXPECT_EQ(two.value().classes.size(), 2u);
}

// Every repeat (--gtest_repeat, testing_test_repeat) and every order
// (--gtest_shuffle) gives the first run's verdicts, seeds and traces.
TEST(Check, RepeatIsIdentical) {
  static std::string first;
  auto r = check(user_def(), small("pause"));
  ASSERT_TRUE(r.ok());
  const std::string now = r.value().report();
  ASSERT_FALSE(now.empty());
  if (first.empty()) first = now;
  EXPECT_EQ(now, first);
}

}  // namespace
}  // namespace lockcheck::testing
