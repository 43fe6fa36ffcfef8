#include "testing/gtest.h"

namespace lockcheck::testing {

namespace {

Result<CheckResult> run(const StrategyDef& strategy, const CheckOptions& options) { return check(strategy, options); }
Result<CheckResult> run(std::string_view strategy, const CheckOptions& options) { return check(strategy, options); }

template <class S>
::testing::AssertionResult holds(const char* strategy_expr, const char* faults_expr, const S& strategy,
                                 const CheckOptions& options) {
  auto r = run(strategy, options);
  if (!r.ok()) {
    return ::testing::AssertionFailure() << "lockcheck could not check " << strategy_expr << " under " << faults_expr
                                         << ": " << r.error().message;
  }
  const CheckResult& c = r.value();
  if (c.holds()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected " << c.strategy << " to hold under faults " << c.faults
                                       << " over " << options.seeds << " seeds from "
                                       << chaos::format_seed(options.first_seed) << "; got:\n"
                                       << c.report();
}

template <class S>
::testing::AssertionResult violates(const char* strategy_expr, const char* faults_expr, const S& strategy,
                                    const CheckOptions& options, std::string_view property) {
  if (!properties::is_property(property)) {
    return ::testing::AssertionFailure() << "unknown property '" << property << "'";
  }
  CheckOptions judged = options;
  if (judged.properties.empty()) judged.properties = {std::string(property)};
  auto r = run(strategy, judged);
  if (!r.ok()) {
    return ::testing::AssertionFailure() << "lockcheck could not check " << strategy_expr << " under " << faults_expr
                                         << ": " << r.error().message;
  }
  const CheckResult& c = r.value();
  const PropertyVerdict* v = c.find(property);
  if (c.harness_faulted || v == nullptr || !v->judged || !v->violated) {
    return ::testing::AssertionFailure() << "expected " << c.strategy << " to violate " << property
                                         << " under faults " << c.faults << "; "
                                         << (c.harness_faulted ? "harness fault: " + c.harness_fault
                                                               : "it held over " + std::to_string(c.seeds_run) +
                                                                     " seeds");
  }
  return ::testing::AssertionSuccess() << c.report();
}

}  // namespace

CheckOptions options_for(std::string_view faults) {
  CheckOptions o;
  o.faults = std::string(faults);
  return o;
}

::testing::AssertionResult lock_holds(const char* s, const char* f, const StrategyDef& strategy,
                                      const CheckOptions& options) {
  return holds(s, f, strategy, options);
}
::testing::AssertionResult lock_holds(const char* s, const char* f, const StrategyDef& strategy,
                                      std::string_view faults) {
  return holds(s, f, strategy, options_for(faults));
}
::testing::AssertionResult lock_holds(const char* s, const char* f, std::string_view strategy,
                                      const CheckOptions& options) {
  return holds(s, f, strategy, options);
}
::testing::AssertionResult lock_holds(const char* s, const char* f, std::string_view strategy,
                                      std::string_view faults) {
  return holds(s, f, strategy, options_for(faults));
}

::testing::AssertionResult lock_violates(const char* s, const char* f, const char*, const StrategyDef& strategy,
                                         const CheckOptions& options, std::string_view property) {
  return violates(s, f, strategy, options, property);
}
::testing::AssertionResult lock_violates(const char* s, const char* f, const char*, const StrategyDef& strategy,
                                         std::string_view faults, std::string_view property) {
  return violates(s, f, strategy, options_for(faults), property);
}
::testing::AssertionResult lock_violates(const char* s, const char* f, const char*, std::string_view strategy,
                                         const CheckOptions& options, std::string_view property) {
  return violates(s, f, strategy, options, property);
}
::testing::AssertionResult lock_violates(const char* s, const char* f, const char*, std::string_view strategy,
                                         std::string_view faults, std::string_view property) {
  return violates(s, f, strategy, options_for(faults), property);
}

::testing::AssertionResult lock_replays(const char* path_expr, const std::string& path) {
  auto r = replay(path);
  if (!r.ok()) return ::testing::AssertionFailure() << "cannot replay " << path_expr << ": " << r.error().message;
  if (r.value().reproduced()) return ::testing::AssertionSuccess() << r.value().report();
  return ::testing::AssertionFailure() << path << " did not reproduce:\n" << r.value().report();
}

}  // namespace lockcheck::testing
