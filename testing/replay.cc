#include "testing/replay.h"

#include "properties/checkers.h"
#include "properties/suite.h"
#include "reports/report.h"
#include "sim/event_loop.h"

namespace lockcheck::testing {

bool ReplayResult::violated(const std::string& name) const {
  const auto property = properties::parse_property(name);
  return property && properties::find_violation(judged.violations, *property) != nullptr;
}

std::string ReplayResult::report() const {
  std::string out;
  for (const auto& v : judged.violations) out += "VIOLATED " + std::string(properties::property_name(v.property)) + ": " + v.explanation + "\n";
  if (judged.violations.empty()) out += "all properties hold\n";
  out += "SEED=" + chaos::format_seed(scenario.world.seed) + "\n";
  out += "TRACE=" + trace + "\n";
  for (const auto& m : mismatches) out += "MISMATCH: " + m + "\n";
  return out;
}

std::vector<std::string> mismatches(const chaos::Expectation& e, const properties::Judged& judged,
                                    const std::string& trace) {
  std::string violated;
  for (const auto& v : judged.violations) {
    violated += (violated.empty() ? "" : ", ") + std::string(properties::property_name(v.property));
  }
  // The file's names were checked against the catalog (parse_scenario).
  auto was_violated = [&](const std::string& name) {
    const auto property = properties::parse_property(name);
    return property && properties::find_violation(judged.violations, *property) != nullptr;
  };
  const std::string expects = "the scenario expects ";
  std::vector<std::string> out;
  if (e.verdict == "holds" && !judged.violations.empty()) {
    out.push_back(expects + "every property to hold; got violated " + violated);
  }
  if (e.verdict == "violated" && !was_violated(e.property)) {
    out.push_back(expects + e.property + " violated; got it held (" +
                  (violated.empty() ? "every property held" : "violated: " + violated) + ")");
  }
  for (const auto& must_hold : e.holds) {
    if (was_violated(must_hold)) out.push_back(expects + must_hold + " to hold (expect.holds); got it violated");
  }
  if (!e.trace.empty() && e.trace != trace) out.push_back(expects + "TRACE=" + e.trace + "; got TRACE=" + trace);
  return out;
}

Result<ReplayResult> replay(const chaos::Scenario& scenario) {
  ReplayResult r;
  r.scenario = scenario;
  r.judged = properties::judge(scenario);
  if (r.judged.outcome.event_limit_hit) {
    return Error{ErrorCode::kInvalidArgument,
                 "the run stopped at the simulator's limit of " + std::to_string(sim::EventLoop::kEventsMax) +
                     " events before duration_ms was reached: the scenario is too big to run"};
  }
  r.trace = properties::format_trace(r.judged.outcome.trace_hash);
  if (scenario.expect) {
    chaos::Expectation e = *scenario.expect;
    // A file recorded in another event order: its trace says nothing, its
    // verdicts still must hold.
    if (scenario.trace_format != sim::kTraceFormat) e.trace.clear();
    r.mismatches = mismatches(e, r.judged, r.trace);
  }
  return r;
}

Result<ReplayResult> replay(const std::string& path) {
  auto text = reports::read_file(path);
  if (!text.ok()) return Error{ErrorCode::kInvalidArgument, text.error().message};
  std::vector<std::string_view> names;
  for (const auto& p : properties::property_catalog()) names.push_back(p.id);
  auto parsed = chaos::parse_scenario(text.value(), path, names);
  if (!parsed.ok()) return parsed.error();
  auto r = replay(parsed.value());
  if (!r.ok()) return Error{ErrorCode::kInvalidArgument, path + ": " + r.error().message};
  return r;
}

}  // namespace lockcheck::testing
