#include "testing/gen.h"

#include "properties/suite.h"
#include "testing/check.h"

namespace lockcheck::testing {

ReplayResult run(const chaos::Scenario& scenario) {
  chaos::Scenario plain = scenario;
  plain.expect.reset();
  ReplayResult r;
  r.scenario = plain;
  r.judged = properties::judge(plain);
  r.trace = properties::format_trace(r.judged.outcome.trace_hash);
  return r;
}

std::vector<chaos::Scenario> smaller_scenarios(const chaos::Scenario& s) {
  std::vector<chaos::Scenario> out;
  for (size_t k = 0; k < s.faults.size(); ++k) {
    chaos::Scenario fewer = s;
    fewer.faults.erase(fewer.faults.begin() + static_cast<std::ptrdiff_t>(k));
    out.push_back(std::move(fewer));
  }
  if (s.world.workload.acquires_per_client > 1) {
    chaos::Scenario fewer = s;
    fewer.world.workload.acquires_per_client -= 1;
    out.push_back(std::move(fewer));
  }
  return out;
}

namespace gen {

rc::Gen<chaos::Scenario> scenario(std::string_view strategy, std::string_view faults) {
  const std::string name(strategy);
  auto cell = parse_fault_cell(faults);
  std::string problem = cell.ok() ? "" : cell.error().message;
  if (problem.empty() && !find_strategy(name)) problem = "unknown strategy '" + name + "'";
  const FaultCell classes = cell.ok() ? cell.value() : FaultCell{};
  return rc::Gen<chaos::Scenario>([=](const rc::Random& random, int) {
    if (!problem.empty()) throw rc::GenerationFailure("lockcheck::testing::gen::scenario: " + problem);
    rc::Random r = random;
    const uint64_t seed = r.next();
    // The cell's own generator, as `lockcheck run` draws a seed's scenario.
    properties::CellSpec spec;
    spec.strategy = name;
    spec.classes = classes.classes;
    spec.swarm = classes.swarm;
    return rc::shrinkable::shrinkRecur(properties::cell_scenario(spec, seed), [](const chaos::Scenario& s) {
      return rc::seq::fromContainer(smaller_scenarios(s));
    });
  });
}

rc::Gen<chaos::Scenario> scenario(const StrategyDef& strategy, std::string_view faults) {
  if (auto s = ensure_registered(strategy); !s.ok()) {
    const std::string problem = s.error().message;
    return rc::Gen<chaos::Scenario>([=](const rc::Random&, int) -> rc::Shrinkable<chaos::Scenario> {
      throw rc::GenerationFailure("lockcheck::testing::gen::scenario: " + problem);
    });
  }
  return scenario(strategy.info.name, faults);
}

}  // namespace gen

}  // namespace lockcheck::testing
