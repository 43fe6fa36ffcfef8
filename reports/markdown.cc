#include "reports/markdown.h"

#include <algorithm>

#include "reports/outcome.h"

namespace lockcheck::reports {

namespace {

using properties::CellResult;

// Index of `property` in the cell's properties (catalog order), or npos.
size_t index_in(const CellResult& r, const std::string& property) {
  for (size_t k = 0; k < r.properties.size(); ++k) {
    if (properties::property_name(r.properties[k].property) == property) return k;
  }
  return std::string::npos;
}

std::string mark(Outcome o) {
  switch (o) {
    case Outcome::kViolated:
    case Outcome::kRegression:
    case Outcome::kNewViolation:
    case Outcome::kImprovement: return std::string("**") + outcome_word(o) + "**";
    default: return outcome_word(o);
  }
}

// The verdict column: what broke, with each property's lowest seed, and
// what (against the baseline) fails the job.
std::string verdict(const std::vector<CellReport>& cells, size_t i, const BaselineComparison& cmp) {
  const CellResult& r = cells[i].result;
  const CellReport& c = cells[i];
  if (r.nondeterministic) return "**HARNESS FAULT**: " + markdown_escape(r.nondeterminism);
  std::string out = r.violated ? "VIOLATED" : "holds";
  std::string failing;
  bool unbaselined = false;
  for (size_t k = 0; k < r.properties.size(); ++k) {
    const auto& p = r.properties[k];
    if (p.violated()) out += (out == "VIOLATED" ? " " : ", ") + properties::property_name(p.property) + " " + lowest_label(c, p);
    const Outcome o = outcome_of(cells, i, k, cmp);
    if (is_failure(o)) failing += (failing.empty() ? "" : ", ") + std::string(outcome_word(o)) + " " + properties::property_name(p.property);
    unbaselined = unbaselined || o == Outcome::kNewHeld || o == Outcome::kNewViolation;
  }
  if (!cmp.has_baseline()) return markdown_escape(out);
  if (!failing.empty()) return markdown_escape(out) + " — **" + markdown_escape(failing) + "**";
  return markdown_escape(out) + (unbaselined ? " (not in the baseline)" : " (as expected)");
}

}  // namespace

std::string markdown_escape(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch == '&') {
      out += "&amp;";
    } else if (ch == '\n' || ch == '\r' || ch == '\t') {
      out += ' ';
    } else if (std::string_view("\\`*_[]<>|~").find(ch) != std::string_view::npos) {
      // The characters that open or close markup anywhere in a line ('#',
      // '-', '+' and '.' only matter at a line's start, which run text
      // never is here: it follows "| " or "- ").
      out += '\\';
      out += ch;
    } else {
      out += ch;
    }
  }
  return out;
}

std::string markdown_code(const std::string& text) {
  // The fence is one backtick longer than the longest run inside; a space
  // pads a text that starts or ends with one.
  size_t longest = 0, run = 0;
  for (char ch : text) {
    run = ch == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  std::string body;
  for (char ch : text) body += ch == '\n' || ch == '|' ? ' ' : ch;  // a '|' would end a table cell
  const std::string fence(longest + 1, '`');
  const bool pad = !body.empty() && (body.front() == '`' || body.back() == '`');
  return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

std::string summary_markdown(const std::vector<CellReport>& cells, const BaselineComparison& cmp) {
  LC_CHECK(cmp.deltas.size() == cells.size());
  int holds = 0, violated = 0, faults = 0, failing_cells = 0;
  for (size_t i = 0; i < cells.size(); ++i) {
    const auto& r = cells[i].result;
    faults += r.nondeterministic ? 1 : 0;
    violated += !r.nondeterministic && r.violated ? 1 : 0;
    holds += !r.nondeterministic && !r.violated ? 1 : 0;
    bool fails = false;
    for (size_t k = 0; k < r.properties.size(); ++k) fails = fails || is_failure(outcome_of(cells, i, k, cmp));
    failing_cells += fails ? 1 : 0;
  }
  std::string out = "## lockcheck safety matrix\n\n";
  out += std::to_string(cells.size()) + " cells: " + std::to_string(holds) + " hold, " + std::to_string(violated) +
         " violated" + (faults > 0 ? ", **" + std::to_string(faults) + " harness faults**" : "") + ".";
  if (cmp.has_baseline()) {
    out += " Baseline " + markdown_code(cmp.origin) + ": ";
    out += cmp.matches() ? "every cell as expected."
                         : "**" + std::to_string(cmp.differences.size()) + " differences** (" +
                               std::to_string(cmp.regressions) + " regressions, " + std::to_string(cmp.improvements) +
                               " improvements, " + std::to_string(cmp.unbaselined) + " not in the baseline).";
  } else if (violated > 0) {
    out += " No baseline: every violation fails.";
  }
  out += "\n\n| strategy | faults | seeds |";
  std::string rule = "|---|---|--:|";
  for (const auto& info : properties::property_catalog()) {
    out += " " + markdown_escape(std::string(info.id)) + " |";
    rule += ":-:|";
  }
  out += " verdict |\n" + rule + "---|\n";
  for (size_t i = 0; i < cells.size(); ++i) {
    const auto& c = cells[i];
    const auto& r = c.result;
    const int64_t planned = seeds_planned(c);
    const std::string seeds =
        r.seeds_run == planned ? std::to_string(planned) : std::to_string(r.seeds_run) + "/" + std::to_string(planned);
    out +=
        "| " + markdown_escape(cell_label(c)) + " | " + markdown_escape(r.spec.faults_label) + " | " + seeds + " |";
    for (const auto& info : properties::property_catalog()) {
      const size_t k = index_in(r, std::string(info.id));
      out += " " + (k == std::string::npos ? std::string("-") : mark(outcome_of(cells, i, k, cmp))) + " |";
    }
    out += " " + verdict(cells, i, cmp) + " |\n";
  }
  // Violations the baseline expects are folded away: the job summary
  // shows what needs a person first.
  std::string lines, expected_lines;
  int expected = 0;
  for (size_t i = 0; i < cells.size(); ++i) {
    const auto& c = cells[i];
    const auto& r = c.result;
    for (size_t k = 0; k < r.properties.size(); ++k) {
      const auto& p = r.properties[k];
      if (!p.violated()) continue;
      const Outcome o = outcome_of(cells, i, k, cmp);
      const std::string file = counterexample_file(c, k);
      const std::string line =
          "- " + markdown_escape(cell_label(c) + " / " + r.spec.faults_label) + " **" + markdown_escape(properties::property_name(p.property)) +
          "**" +
          (!cmp.has_baseline() || o == Outcome::kExpectedViolation ? ""
                                                                   : " (**" + std::string(outcome_word(o)) + "**)") +
          (c.real_time ? ": " + lowest_label(c, p) : ": seed " + chaos::format_seed(p.seed)) +
          (p.counterexample && !c.real_time ? ", TRACE=" + properties::format_trace(p.counterexample->trace) : "") + ", " +
          markdown_escape(p.counterexample ? p.counterexample->explanation : p.explanation) +
          (file.empty() ? "" : " — " + markdown_code(replay_command(file))) + "\n";
      if (o == Outcome::kExpectedViolation) {
        expected_lines += line;
        ++expected;
      } else {
        lines += line;
      }
    }
  }
  if (!lines.empty()) out += "\n### Violations\n\n" + lines;
  if (!expected_lines.empty()) {
    out += "\n<details><summary>" + std::to_string(expected) + " violations the baseline expects</summary>\n\n" +
           expected_lines + "\n</details>\n";
  }
  if (cmp.has_baseline() && (!cmp.differences.empty() || !cmp.notes.empty())) {
    out += "\n### Baseline " + markdown_code(cmp.origin) + "\n\n";
    for (const auto& d : cmp.differences) out += "- " + markdown_escape(d) + "\n";
    for (const auto& n : cmp.notes) out += "- note: " + markdown_escape(n) + "\n";
    if (!cmp.matches()) {
      out += "\nIf every difference is intended, regenerate the baseline with the command that wrote it: " +
             markdown_code(cmp.regenerate_command()) + "\n";
    }
  }
  return out;
}

}  // namespace lockcheck::reports
