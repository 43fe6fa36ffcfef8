// The strategy registry: built-ins and a user's strategy go through the
// same register_strategy.
#include "impl/lock.h"

#include <gtest/gtest.h>

#include "impl/single.h"

namespace lockcheck {
namespace {

class MyLock : public SingleLock {
 public:
  std::string_view name() const override { return "test-my-lock"; }
};

class Misnamed : public SingleLock {
 public:
  std::string_view name() const override { return "not-what-info-says"; }
};

StrategyInfo info(std::string name) {
  StrategyInfo i;
  i.name = std::move(name);
  i.summary = "test";
  return i;
}

TEST(Registry, BuiltinsComeFirstInTheirOrder) {
  const auto catalog = strategy_catalog();
  ASSERT_GE(catalog.size(), 14u);
  EXPECT_EQ(catalog[0].name, "single");
  EXPECT_EQ(catalog[4].name, "redlock");
  EXPECT_EQ(catalog[4].nodes, 5);
  EXPECT_TRUE(find_strategy("fenced")->fencing);
  EXPECT_TRUE(find_strategy("watchdog")->renews);
  EXPECT_FALSE(find_strategy("redlock")->assumptions.empty());
}

TEST(Registry, AUserStrategyIsListedAndMadeLikeABuiltin) {
  StrategyInfo i = info("test-my-lock");
  i.assumptions = {"clocks never jump"};
  ASSERT_TRUE(ensure_registered(strategy_def<MyLock>(i)).ok());
  const auto found = find_strategy("test-my-lock");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->assumptions, std::vector<std::string>{"clocks never jump"});
  auto made = make_strategy("test-my-lock");
  ASSERT_NE(made, nullptr);
  EXPECT_EQ(made->name(), "test-my-lock");
  EXPECT_EQ(strategy_catalog().back().name, "test-my-lock");
  // Again with the same metadata: fine (a test registering in every run).
  EXPECT_TRUE(ensure_registered(strategy_def<MyLock>(i)).ok());
  // The same name with other metadata, or registered twice: refused.
  i.correct = false;
  EXPECT_FALSE(ensure_registered(strategy_def<MyLock>(i)).ok());
  EXPECT_FALSE(register_strategy(strategy_def<MyLock>(info("test-my-lock"))).ok());
}

TEST(Registry, RefusesBadDefs) {
  EXPECT_FALSE(register_strategy(strategy_def<SingleLock>(info("single"))).ok());  // taken
  EXPECT_FALSE(register_strategy(strategy_def<Misnamed>(info("Bad Name"))).ok());
  EXPECT_FALSE(register_strategy(strategy_def<Misnamed>(info(""))).ok());
  EXPECT_FALSE(register_strategy(strategy_def<Misnamed>(info(std::string(41, 'a')))).ok());
  // The factory's strategy must carry the registered name.
  auto wrong = register_strategy(strategy_def<Misnamed>(info("test-misnamed")));
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("not-what-info-says"), std::string::npos) << wrong.error().message;
  StrategyInfo nodes = info("test-nodes");
  nodes.nodes = kStrategyNodesMax + 1;
  EXPECT_FALSE(register_strategy({nodes, [] { return std::unique_ptr<Strategy>(); }}).ok());
  EXPECT_FALSE(register_strategy({info("test-no-factory"), nullptr}).ok());
  EXPECT_FALSE(find_strategy("test-misnamed").has_value());
}

class WrapsSingle : public SingleLock {
 public:
  std::string_view name() const override { return "test-wraps-single"; }
};

// A factory may look strategies up (a lock built on "single"): registration
// runs it without holding the registry's lock, or this would deadlock.
TEST(Registry, AFactoryMayLookStrategiesUp) {
  StrategyDef def{info("test-wraps-single"), [] {
                    EXPECT_TRUE(find_strategy("single").has_value());
                    EXPECT_NE(make_strategy("single"), nullptr);
                    return std::unique_ptr<Strategy>(std::make_unique<WrapsSingle>());
                  }};
  EXPECT_TRUE(ensure_registered(def).ok());
  EXPECT_NE(make_strategy("test-wraps-single"), nullptr);
}

}  // namespace
}  // namespace lockcheck
