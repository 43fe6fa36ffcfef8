#include "testing/check.h"

#include "chaos/run.h"
#include "properties/suite.h"
#include "reports/report.h"

namespace lockcheck::testing {

namespace {

Error invalid(std::string what) { return Error{ErrorCode::kInvalidArgument, std::move(what)}; }

Status validate(std::string_view strategy, const CheckOptions& o) {
  if (!find_strategy(strategy)) return invalid("unknown strategy '" + std::string(strategy) + "'");
  if (o.seeds < 1 || o.seeds > 10'000'000) return invalid("seeds must be in [1, 10000000]");
  if (o.jobs < 1 || o.jobs > 64) return invalid("jobs must be in [1, 64]");
  if (o.shrink_runs < 1 || o.shrink_runs > 100'000) return invalid("shrink_runs must be in [1, 100000]");
  for (const auto& p : o.properties) {
    if (!properties::parse_property(p)) return invalid("unknown property '" + p + "'");
  }
  if (o.report_dir.empty()) return invalid("report_dir is empty");
  return Ok{};
}

}  // namespace

Result<FaultCell> parse_fault_cell(std::string_view faults) {
  if (faults == "none") return FaultCell{};
  if (faults == "swarm") return FaultCell{{}, true};
  if (faults.empty() || faults == "all" || faults.find(',') != std::string_view::npos) {
    return invalid("faults '" + std::string(faults) +
                   "' is not one cell: none, swarm, or fault classes joined by '+' (e.g. partition+kill)");
  }
  std::string joined(faults);
  for (char& ch : joined) ch = ch == '+' ? ',' : ch;
  auto classes = chaos::parse_fault_classes(joined);
  if (!classes.ok()) return classes.error();
  return FaultCell{classes.value(), false};
}

const PropertyVerdict* CheckResult::find(std::string_view property) const {
  for (const auto& p : properties) {
    if (p.property == property) return &p;
  }
  return nullptr;
}

bool CheckResult::holds() const {
  if (harness_faulted) return false;
  for (const auto& p : properties) {
    if (p.violated) return false;
  }
  return true;
}

std::string CheckResult::report() const {
  if (harness_faulted) return strategy + " / " + faults + ": HARNESS FAULT: " + harness_fault + "\n";
  std::string out;
  for (const auto& p : properties) {
    if (!p.violated) continue;
    out += strategy + " / " + faults + ": " + p.property + " violated on " + std::to_string(p.seeds_violated) +
           " of " + std::to_string(p.seeds_judged) + " seeds\n";
    out += "  " + p.explanation + "\n";
    out += "SEED=" + chaos::format_seed(p.seed) + "\n";
    out += "TRACE=" + p.trace + "\n";
    if (!p.replay_command.empty()) out += "  replay: " + p.replay_command + "\n";
  }
  return out;
}

Result<CheckResult> check(std::string_view strategy, const CheckOptions& options) {
  if (auto s = validate(strategy, options); !s.ok()) return s.error();
  auto cell = parse_fault_cell(options.faults);
  if (!cell.ok()) return cell.error();
  if (auto s = reports::prepare_report_dir(options.report_dir); !s.ok()) return s.error();

  properties::CellSpec spec;
  spec.strategy = std::string(strategy);
  spec.faults_label = options.faults;
  spec.classes = cell.value().classes;
  spec.swarm = cell.value().swarm;
  spec.first_seed = options.first_seed;
  spec.seeds = options.seeds;
  for (const auto& name : options.properties) spec.properties.push_back(*properties::parse_property(name));
  spec.check_determinism = options.check_determinism;
  spec.shrink_runs_max = options.shrink_runs;
  // No budget: a wall-clock cut would make the verdict depend on the machine.
  const properties::CellResult r = properties::run_cell(spec, options.jobs, [](int) {});

  CheckResult out;
  out.strategy = spec.strategy;
  out.faults = options.faults;
  out.seeds_run = r.seeds_run;
  out.harness_faulted = r.nondeterministic;
  out.harness_fault = r.nondeterminism;
  for (const auto& p : r.properties) {
    PropertyVerdict v;
    v.property = properties::property_name(p.property);
    v.judged = p.judged;
    v.violated = p.violated();
    v.seeds_judged = p.seeds_judged;
    v.seeds_violated = p.seeds_violated;
    v.seed = p.seed;
    v.explanation = p.explanation;
    if (p.counterexample) {
      const auto& cx = *p.counterexample;
      v.trace = properties::format_trace(cx.trace);
      v.explanation = cx.explanation;  // as the shrunk run shows it, like `lockcheck run`
      v.counterexample_file = options.report_dir + "/" + reports::counterexample_name(r, v.property);
      if (auto s = reports::write_file_atomic(v.counterexample_file, chaos::format_scenario(cx.scenario)); !s.ok()) {
        return s.error();
      }
      v.replay_command = "lockcheck replay " + v.counterexample_file;
    }
    out.properties.push_back(std::move(v));
  }
  return out;
}

Result<CheckResult> check(const StrategyDef& strategy, const CheckOptions& options) {
  if (auto s = ensure_registered(strategy); !s.ok()) return s.error();
  return check(strategy.info.name, options);
}

}  // namespace lockcheck::testing
