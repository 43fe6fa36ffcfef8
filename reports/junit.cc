#include "reports/junit.h"

#include <algorithm>
#include <cstdio>

#include "reports/outcome.h"

namespace lockcheck::reports {

namespace {

// XML 1.0 text or attribute value: markup characters as entities; line
// breaks and tabs in attributes as character references (a parser would
// fold them to spaces there; text keeps them); other control characters,
// which XML 1.0 cannot carry at all, as '?'.
std::string xml_escape(const std::string& s, bool attribute = true) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      case '\r': out += "&#13;"; break;
      default: out += static_cast<unsigned char>(ch) < 0x20 ? '?' : ch;
    }
  }
  return out;
}

std::string seconds(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(ms / 1000), static_cast<long long>(ms % 1000));
  return buf;
}

struct Counts {
  int tests = 0, failures = 0, errors = 0, skipped = 0;
  int64_t ms = 0;
  std::string attributes() const {
    return "tests=\"" + std::to_string(tests) + "\" failures=\"" + std::to_string(failures) + "\" errors=\"" +
           std::to_string(errors) + "\" skipped=\"" + std::to_string(skipped) + "\" time=\"" + seconds(ms) + "\"";
  }
  void add(const Counts& o) {
    tests += o.tests, failures += o.failures, errors += o.errors, skipped += o.skipped;
    ms += o.ms;
  }
};

// SEED=, TRACE=, the explanation, how often, and the replay command.
std::string violation_body(const CellReport& c, size_t k) {
  const auto& p = c.result.properties[k];
  const std::string file = counterexample_file(c, k);
  if (c.real_time) {
    // No seed and no trace: a real-time run is not replayed, only re-judged.
    std::string out = "REAL TIME: " + c.real_time->driver + " (" + c.real_time->command + ")\n";
    out += properties::property_name(p.property) + ": " + p.explanation + "\n";
    out += "violated on " + std::to_string(p.seeds_violated) + " of " + std::to_string(p.seeds_judged) +
           " runs, first " + lowest_label(c, p) + "\n";
    if (!file.empty()) out += "re-judge the recorded history: " + replay_command(file) + "\n";
    return out;
  }
  std::string out = "SEED=" + chaos::format_seed(p.seed) + "\n";
  if (p.counterexample) out += "TRACE=" + properties::format_trace(p.counterexample->trace) + "\n";
  out += properties::property_name(p.property) + ": " + (p.counterexample ? p.counterexample->explanation : p.explanation) + "\n";
  out += "violated on " + std::to_string(p.seeds_violated) + " of " + std::to_string(p.seeds_judged) +
         " seeds, lowest " + chaos::format_seed(p.seed) + "\n";
  if (!file.empty()) out += "replay: " + replay_command(file) + "\n";
  return out;
}

std::string testcase(const std::vector<CellReport>& cells, size_t i, size_t k, const BaselineComparison& cmp,
                     int64_t ms, Counts* counts) {
  const CellReport& c = cells[i];
  const auto& r = c.result;
  const auto& p = r.properties[k];
  const Outcome o = outcome_of(cells, i, k, cmp);
  std::string name = r.spec.faults_label + " / " + properties::property_name(p.property);
  if (o == Outcome::kExpectedViolation) name += " (expected violation)";
  ++counts->tests;
  counts->ms += ms;
  std::string out = "    <testcase name=\"" + xml_escape(name) + "\" classname=\"" +
                    xml_escape("lockcheck." + r.spec.strategy) + "\" time=\"" + seconds(ms) + "\"";
  const std::string explanation = p.counterexample ? p.counterexample->explanation : p.explanation;
  switch (o) {
    case Outcome::kHeld:
    case Outcome::kNewHeld: return out + "/>\n";
    case Outcome::kNotJudged:
      ++counts->skipped;
      return out + ">\n      <skipped message=\"not judged by this run (--properties)\"/>\n    </testcase>\n";
    case Outcome::kHarnessFault:
      ++counts->errors;
      return out + ">\n      <error message=\"" + xml_escape("harness fault: " + r.nondeterminism) +
             "\" type=\"harness fault\"/>\n    </testcase>\n";
    case Outcome::kExpectedViolation:
      return out + ">\n      <system-out>" + xml_escape(violation_body(c, k), false) +
             "</system-out>\n    </testcase>\n";
    case Outcome::kImprovement:
      ++counts->failures;
      return out + ">\n      <failure message=\"" +
             xml_escape(properties::property_name(p.property) + " held over " + std::to_string(p.seeds_judged) +
                        " " + runs_word(c) + ", but the baseline expects it violated") +
             "\" type=\"improvement\">" +
             xml_escape("the baseline " + cmp.origin + " expects " + properties::property_name(p.property) + " violated in " + r.spec.strategy +
                            " / " + r.spec.faults_label +
                            "; if the change is intended, regenerate the baseline with the command that wrote it: " +
                            cmp.regenerate_command() + "\n",
                        false) +
             "</failure>\n    </testcase>\n";
    case Outcome::kViolated:
    case Outcome::kRegression:
    case Outcome::kNewViolation: {
      ++counts->failures;
      const char* type = o == Outcome::kRegression     ? "regression"
                         : o == Outcome::kNewViolation ? "not in baseline"
                                                       : "violation";
      std::string message = properties::property_name(p.property) + " violated: " + explanation;
      if (o == Outcome::kRegression)
        message = properties::property_name(p.property) + " violated (regression: it held in the baseline): " + explanation;
      return out + ">\n      <failure message=\"" + xml_escape(message) + "\" type=\"" + type + "\">" +
             xml_escape(violation_body(c, k), false) + "</failure>\n    </testcase>\n";
    }
  }
  return out + "/>\n";
}

}  // namespace

std::string junit_xml(const std::vector<CellReport>& cells, const BaselineComparison& cmp) {
  LC_CHECK(cmp.deltas.size() == cells.size());
  // Strategies in first-seen order, each a testsuite.
  std::vector<std::string> strategies;
  for (const auto& c : cells) {
    if (std::find(strategies.begin(), strategies.end(), c.result.spec.strategy) == strategies.end()) {
      strategies.push_back(c.result.spec.strategy);
    }
  }
  Counts total;
  std::string suites;
  for (const auto& strategy : strategies) {
    Counts counts;
    std::string cases;
    for (size_t i = 0; i < cells.size(); ++i) {
      const auto& r = cells[i].result;
      if (r.spec.strategy != strategy) continue;
      int judged = 0;
      for (const auto& p : r.properties) judged += p.judged ? 1 : 0;
      // The properties are judged together over the same runs: the cell's
      // wall time split evenly, the remainder on the first, so the times
      // add up to the cell's exactly.
      const int64_t share = judged == 0 ? 0 : cells[i].wall_ms / judged;
      int64_t remainder = judged == 0 ? 0 : cells[i].wall_ms % judged;
      for (size_t k = 0; k < r.properties.size(); ++k) {
        const int64_t ms = r.properties[k].judged ? share + remainder : 0;
        if (r.properties[k].judged) remainder = 0;
        cases += testcase(cells, i, k, cmp, ms, &counts);
      }
    }
    total.add(counts);
    suites += "  <testsuite name=\"" + xml_escape(strategy) + "\" " + counts.attributes() + ">\n" + cases +
              "  </testsuite>\n";
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"lockcheck\" " + total.attributes() + ">\n" +
         suites + "</testsuites>\n";
}

}  // namespace lockcheck::reports
