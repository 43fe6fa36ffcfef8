#include "reports/outcome.h"

namespace lockcheck::reports {

Outcome outcome_of(const std::vector<CellReport>& cells, size_t i, size_t k, const BaselineComparison& comparison) {
  LC_CHECK(i < cells.size() && k < cells[i].result.properties.size());
  const auto& r = cells[i].result;
  const auto& p = r.properties[k];
  if (!p.judged) return Outcome::kNotJudged;
  if (r.nondeterministic) return Outcome::kHarnessFault;
  switch (comparison.delta(i, k)) {
    case Delta::kAsExpected: return p.violated() ? Outcome::kExpectedViolation : Outcome::kHeld;
    case Delta::kRegression: return Outcome::kRegression;
    case Delta::kImprovement: return Outcome::kImprovement;
    case Delta::kNew: return p.violated() ? Outcome::kNewViolation : Outcome::kNewHeld;
    case Delta::kNoBaseline:
    case Delta::kNotCompared: break;
  }
  return p.violated() ? Outcome::kViolated : Outcome::kHeld;
}

bool is_failure(Outcome o) {
  return o == Outcome::kViolated || o == Outcome::kRegression || o == Outcome::kImprovement ||
         o == Outcome::kNewViolation;
}

const char* outcome_word(Outcome o) {
  switch (o) {
    case Outcome::kNotJudged: return "-";
    case Outcome::kHarnessFault: return "?";
    case Outcome::kHeld: return "ok";
    case Outcome::kViolated: return "VIOLATED";
    case Outcome::kExpectedViolation: return "expected";
    case Outcome::kRegression: return "REGRESSION";
    case Outcome::kImprovement: return "IMPROVED";
    case Outcome::kNewViolation: return "NEW VIOLATED";
    case Outcome::kNewHeld: return "new ok";
  }
  return "?";
}

const char* outcome_sentence(Outcome o) {
  switch (o) {
    case Outcome::kNotJudged: return "not judged";
    case Outcome::kHarnessFault: return "harness fault: no verdict";
    case Outcome::kHeld: return "held over every seed";
    case Outcome::kViolated: return "violated";
    case Outcome::kExpectedViolation: return "violated, as the baseline expects";
    case Outcome::kRegression: return "violated, but the baseline expects it to hold (regression)";
    case Outcome::kImprovement: return "held, but the baseline expects a violation (improvement: update the baseline)";
    case Outcome::kNewViolation: return "violated, and the baseline has no verdict for it";
    case Outcome::kNewHeld: return "held; the baseline has no verdict for it";
  }
  return "?";
}

std::string replay_command(const std::string& file) {
  const bool plain = !file.empty() && file.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_./+:=@,-") == std::string::npos;
  if (plain) return "lockcheck replay " + file;
  std::string quoted = "'";
  for (char ch : file) quoted += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return "lockcheck replay " + quoted + "'";
}

std::string counterexample_file(const CellReport& cell, size_t k) {
  const auto& p = cell.result.properties[k];
  if (!p.violated() || !p.counterexample || k >= cell.counterexample_files.size()) return "";
  return cell.counterexample_files[k];
}

}  // namespace lockcheck::reports
