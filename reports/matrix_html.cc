#include "reports/matrix_html.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>

#include "reports/html.h"
#include "reports/outcome.h"

namespace lockcheck::reports {

namespace {

using properties::CellResult;

constexpr const char* kStyle = R"(
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1b1b1b; background: #fff; }
h1 { font-size: 1.4em; margin: 0 0 .3em; }
h2 { font-size: 1.15em; margin: 1.6em 0 .5em; }
.headline { font-size: 1.05em; margin: 0 0 1em; }
.bad { color: #a40000; font-weight: 600; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d0d0d0; padding: 2px 6px; vertical-align: top; }
th { background: #f1f1f1; text-align: left; }
table.params td:first-child { color: #555; white-space: nowrap; }
table.matrix { font-size: 13px; }
table.matrix thead th { position: sticky; top: 0; z-index: 1; }
table.matrix td.p { text-align: center; white-space: nowrap; min-width: 5.5em; }
td.strategy { font-weight: 600; background: #fafafa; }
.held { color: #1e6b1e; }
.notjudged { color: #999; }
.harness { background: #e9dcf5; }
.violated, .newviolation { background: #f8c9c4; font-weight: 600; }
.expected { background: #fbe7c6; }
.regression { background: #d93025; color: #fff; font-weight: 700; }
.regression a { color: #fff; }
.improvement { background: #c8dcf8; font-weight: 600; }
.newheld { color: #1e6b1e; font-style: italic; }
td.p small { display: block; font-weight: 400; }
code, pre { font-family: ui-monospace, monospace; font-size: 12.5px; }
pre { background: #f6f6f6; border: 1px solid #e0e0e0; padding: 4px 8px; margin: 4px 0; white-space: pre-wrap; }
section.cx { border-left: 4px solid #d0d0d0; padding: .2em .8em; margin: .8em 0; }
section.cx.fails { border-left-color: #d93025; }
section.cx.expected { border-left-color: #e8a33b; }
section.cx h3 { font-size: 1em; margin: .2em 0; }
dl { display: grid; grid-template-columns: max-content auto; gap: 1px 12px; margin: .3em 0; }
dt { color: #555; }
dd { margin: 0; }
.legend span { display: inline-block; padding: 0 6px; margin-right: 4px; border: 1px solid #d0d0d0; }
)";

const char* css_class(Outcome o) {
  switch (o) {
    case Outcome::kNotJudged: return "notjudged";
    case Outcome::kHarnessFault: return "harness";
    case Outcome::kHeld: return "held";
    case Outcome::kViolated: return "violated";
    case Outcome::kExpectedViolation: return "expected";
    case Outcome::kRegression: return "regression";
    case Outcome::kImprovement: return "improvement";
    case Outcome::kNewViolation: return "newviolation";
    case Outcome::kNewHeld: return "newheld";
  }
  return "";
}

std::string anchor(size_t i, size_t k) { return "cx-" + std::to_string(i) + "-" + std::to_string(k); }

// Distinct values in first-seen order, joined.
std::string distinct(const std::vector<std::string>& values) {
  std::vector<std::string> seen;
  for (const auto& v : values) {
    if (std::find(seen.begin(), seen.end(), v) == seen.end()) seen.push_back(v);
  }
  std::string out;
  for (const auto& v : seen) out += (out.empty() ? "" : ",") + v;
  return out;
}

std::string row(const std::string& name, const std::string& value_html) {
  return "<tr><td>" + html_escape(name) + "</td><td>" + value_html + "</td></tr>\n";
}

// The run's parameters as results.json records them, and the command
// that re-runs it when every cell shares its seeds.
std::string parameters(const std::vector<CellReport>& cells, const BaselineComparison& cmp) {
  std::vector<std::string> strategies, faults, seeds, first_seeds, shards, judged, runs;
  int64_t wall_ms = 0, checked_twice = 0;
  uint64_t cycles = 0;
  int budget_hit = 0;
  for (const auto& c : cells) {
    const auto& r = c.result;
    strategies.push_back(r.spec.strategy);
    faults.push_back(r.spec.faults_label);
    if (c.real_time) {
      runs.push_back(std::to_string(r.spec.seeds));  // no seeds, no shards
    } else {
      seeds.push_back(std::to_string(r.spec.seeds));
      first_seeds.push_back(chaos::format_seed(r.spec.first_seed));
      shards.push_back(format_shards(c));
    }
    std::string j;
    for (const auto& p : r.properties) {
      if (p.judged) j += (j.empty() ? "" : ",") + properties::property_name(p.property);
    }
    judged.push_back(j);
    wall_ms += c.wall_ms;
    checked_twice += r.seeds_checked_twice;
    cycles += r.lock_cycles;
    budget_hit += r.budget_hit ? 1 : 0;
  }
  std::string out = "<table class=\"params\">\n";
  out += row("cells", std::to_string(cells.size()));
  out += row("strategies", html_escape(distinct(strategies)));
  out += row("fault cells", html_escape(distinct(faults)));
  if (!seeds.empty()) {
    out += row("seeds per cell", html_escape(distinct(seeds)) + " from " + html_escape(distinct(first_seeds)));
  }
  if (!runs.empty()) {
    // Their "seeds" are runs: say so, and that runs are not replays.
    out += row("runs per real-time cell", html_escape(distinct(runs)) +
                                              "; such cells are marked <i>(real time)</i>, their seeds column counts "
                                              "runs of a foreign driver; " +
                                              html_escape(std::string(kRealTimeNote)));
  }
  if (!shards.empty()) out += row("shards", html_escape(distinct(shards)));
  out += row("properties judged", html_escape(distinct(judged)));
  out += row("lock cycles", std::to_string(cycles));
  out +=
      row("seeds checked twice", std::to_string(checked_twice) + (checked_twice > 0 ? " (--check-determinism)" : ""));
  if (budget_hit > 0) out += row("stopped by --budget-ms", std::to_string(budget_hit) + " cells");
  out += row("wall time (cells summed)",
             std::to_string(wall_ms / 1000) + "." + std::to_string(wall_ms % 1000 / 100) + " s");
  if (cmp.has_baseline()) out += row("baseline", "<code>" + html_escape(cmp.origin) + "</code>");
  auto all_same = [](const std::vector<std::string>& v) {
    return std::all_of(v.begin(), v.end(), [&](const std::string& x) { return x == v.front(); });
  };
  const bool any_real_time = std::any_of(cells.begin(), cells.end(), [](const CellReport& c) { return c.real_time.has_value(); });
  const bool uniform = !any_real_time && !seeds.empty() && all_same(seeds) && all_same(first_seeds) && all_same(judged);
  if (uniform) {
    std::string command = "lockcheck run --strategy " + distinct(strategies) + " --faults " + distinct(faults) +
                          " --seeds " + seeds.front() + " --seed " + first_seeds.front();
    // Every property judged is the default.
    if (!cells.front().result.spec.properties.empty()) command += " --properties " + judged.front();
    out += row("run it again", "<code>" + html_escape(command) + "</code>");
  }
  return out + "</table>\n";
}

std::string property_cell(const std::vector<CellReport>& cells, size_t i, size_t k, const BaselineComparison& cmp,
                          const std::string& page_path) {
  const CellReport& c = cells[i];
  const auto& p = c.result.properties[k];
  const Outcome o = outcome_of(cells, i, k, cmp);
  std::string out = "<td class=\"p " + std::string(css_class(o)) + "\" title=\"" +
                    html_escape(properties::property_name(p.property) + ": " + outcome_sentence(o)) + "\">";
  const std::string file = counterexample_file(c, k);
  if (!p.violated()) return out + html_escape(outcome_word(o)) + "</td>";
  if (file.empty()) return out + html_escape(outcome_word(o)) + "<small>" + html_escape(lowest_label(c, p)) + "</small></td>";
  out += "<a href=\"" + html_escape(relative_url(page_path, counterexample_page(file))) + "\" title=\"" +
         html_escape(p.counterexample ? p.counterexample->explanation : p.explanation) + "\">" +
         html_escape(outcome_word(o)) + "</a>";
  out += "<small><a href=\"#" + anchor(i, k) + "\">" + html_escape(lowest_label(c, p)) + "</a> · <a href=\"" +
         html_escape(relative_url(page_path, file)) + "\">json</a></small>";
  return out + "</td>";
}

std::string verdict_cell(const std::vector<CellReport>& cells, size_t i, const BaselineComparison& cmp) {
  const CellResult& r = cells[i].result;
  if (r.nondeterministic) return "<td class=\"harness\">HARNESS FAULT: " + html_escape(r.nondeterminism) + "</td>";
  std::string failing;
  bool unbaselined = false;
  for (size_t k = 0; k < r.properties.size(); ++k) {
    const Outcome o = outcome_of(cells, i, k, cmp);
    if (is_failure(o))
      failing += (failing.empty() ? "" : ", ") + std::string(outcome_word(o)) + " " + properties::property_name(r.properties[k].property);
    unbaselined = unbaselined || o == Outcome::kNewHeld || o == Outcome::kNewViolation;
  }
  std::string out = r.violated ? "violated" : "holds";
  if (cmp.has_baseline()) {
    out = !failing.empty() ? out + " — <span class=\"bad\">" + html_escape(failing) + "</span>"
          : unbaselined    ? out + " (not in the baseline)"
                           : out + " as expected";
  } else {
    out = r.violated ? "<span class=\"bad\">VIOLATED</span>" : "holds";
  }
  return "<td>" + out + "</td>";
}

std::string counterexample_section(const std::vector<CellReport>& cells, size_t i, size_t k,
                                   const BaselineComparison& cmp, const std::string& page_path) {
  const CellReport& c = cells[i];
  const auto& r = c.result;
  const auto& p = r.properties[k];
  const Outcome o = outcome_of(cells, i, k, cmp);
  const std::string file = counterexample_file(c, k);
  std::string out = "<section class=\"cx" +
                    std::string(is_failure(o)                      ? " fails"
                                : o == Outcome::kExpectedViolation ? " expected"
                                                                   : "") +
                    "\" id=\"" + anchor(i, k) + "\">\n<h3>" + html_escape(cell_label(c) + " / " + r.spec.faults_label) +
                    ": " + html_escape(properties::property_name(p.property)) + " — " + html_escape(outcome_sentence(o)) + "</h3>\n<dl>\n";
  if (c.real_time) {
    out += "<dt>real time</dt><dd>" + html_escape(c.real_time->driver) + ": <code>" + html_escape(c.real_time->command) +
           "</code>; " + html_escape(std::string(kRealTimeNote)) + "</dd>\n";
    out += "<dt>first run</dt><dd>" + html_escape(lowest_label(c, p)) + ", violated on " + std::to_string(p.seeds_violated) +
           " of " + std::to_string(p.seeds_judged) + " runs</dd>\n";
    out += "<dt>in that run</dt><dd>" + html_escape(p.explanation) + "</dd>\n";
  } else {
    out += "<dt>lowest seed</dt><dd><code>SEED=" + chaos::format_seed(p.seed) + "</code>, violated on " +
           std::to_string(p.seeds_violated) + " of " + std::to_string(p.seeds_judged) + " seeds</dd>\n";
    out += "<dt>at that seed</dt><dd>" + html_escape(p.explanation) + "</dd>\n";
  }
  if (p.counterexample && !c.real_time) {
    const auto& cx = *p.counterexample;
    out += "<dt>shrunk</dt><dd>" + html_escape(cx.explanation) + "</dd>\n";
    out += "<dt>trace</dt><dd><code>TRACE=" + properties::format_trace(cx.trace) + "</code></dd>\n";
    out += "<dt>shrinking</dt><dd>" + std::to_string(cx.stats.runs) + " runs: faults " +
           std::to_string(cx.stats.faults_before) + " → " + std::to_string(cx.stats.faults_after) + ", clients " +
           std::to_string(cx.stats.clients_before) + " → " + std::to_string(cx.stats.clients_after) +
           ", acquires/client " + std::to_string(cx.stats.acquires_before) + " → " +
           std::to_string(cx.stats.acquires_after) + "</dd>\n";
  }
  if (!file.empty()) {
    out += "<dt>files</dt><dd><a href=\"" + html_escape(relative_url(page_path, counterexample_page(file))) +
           "\">timeline</a> · <a href=\"" + html_escape(relative_url(page_path, file)) + "\">" +
           html_escape(std::filesystem::path(file).filename().string()) + "</a></dd>\n";
    out += std::string(c.real_time ? "<dt>re-judge</dt>" : "<dt>replay</dt>") + "<dd><pre>" +
           html_escape(replay_command(file)) + "</pre></dd>\n";
  }
  return out + "</dl>\n</section>\n";
}

}  // namespace

std::string counterexample_page(const std::string& file) {
  std::filesystem::path p(file);
  return p.replace_extension(".html").string();
}

std::string relative_url(const std::string& page_path, const std::string& target) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::absolute(fs::path(page_path)).lexically_normal().parent_path();
  const fs::path to = fs::absolute(fs::path(target)).lexically_normal();
  fs::path rel = to.lexically_relative(dir);
  if (rel.empty()) rel = to;
  std::string out;
  for (unsigned char ch : rel.generic_string()) {
    if (std::isalnum(ch) || std::string_view("-._~/").find(static_cast<char>(ch)) != std::string_view::npos) {
      out += static_cast<char>(ch);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", ch);
      out += buf;
    }
  }
  return out;
}

std::string matrix_html(const std::vector<CellReport>& cells, const BaselineComparison& cmp,
                        const std::string& page_path) {
  LC_CHECK(cmp.deltas.size() == cells.size());
  int holds = 0, violated = 0, faults = 0, failures = 0, expected = 0;
  for (size_t i = 0; i < cells.size(); ++i) {
    const auto& r = cells[i].result;
    faults += r.nondeterministic ? 1 : 0;
    violated += !r.nondeterministic && r.violated ? 1 : 0;
    holds += !r.nondeterministic && !r.violated ? 1 : 0;
    for (size_t k = 0; k < r.properties.size(); ++k) {
      const Outcome o = outcome_of(cells, i, k, cmp);
      failures += is_failure(o) ? 1 : 0;
      expected += o == Outcome::kExpectedViolation ? 1 : 0;
    }
  }
  std::string headline = std::to_string(cells.size()) + " cells: " + std::to_string(holds) + " hold, " +
                         std::to_string(violated) + " violated";
  if (faults > 0) headline += ", " + std::to_string(faults) + " harness faults";
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>lockcheck: " +
      html_escape(headline) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  out += "<h1>lockcheck safety matrix</h1>\n<p class=\"headline\">" + html_escape(headline) + ". ";
  if (cmp.has_baseline()) {
    out += cmp.matches()
               ? "Every verdict as the baseline expects (" + std::to_string(expected) + " expected violations)."
               : "<span class=\"bad\">" + std::to_string(cmp.differences.size()) +
                     " differences from the baseline</span> (" + std::to_string(cmp.regressions) + " regressions, " +
                     std::to_string(cmp.improvements) + " improvements, " + std::to_string(cmp.unbaselined) +
                     " not in the baseline).";
  } else if (failures > 0) {
    out += "No baseline: every violation counts.";
  }
  out += "</p>\n";
  if (cmp.has_baseline() && (!cmp.differences.empty() || !cmp.notes.empty())) {
    out += "<ul>\n";
    for (const auto& d : cmp.differences) out += "<li class=\"bad\">" + html_escape(d) + "</li>\n";
    for (const auto& n : cmp.notes) out += "<li>note: " + html_escape(n) + "</li>\n";
    if (!cmp.matches()) {
      out += "<li>if every difference is intended, regenerate the baseline with the command that wrote it: <code>" +
             html_escape(cmp.regenerate_command()) + "</code></li>\n";
    }
    out += "</ul>\n";
  }
  out += "<h2>Run</h2>\n" + parameters(cells, cmp);
  out += "<h2>Matrix</h2>\n<p class=\"legend\">";
  for (Outcome o : {Outcome::kHeld, Outcome::kViolated, Outcome::kExpectedViolation, Outcome::kRegression,
                    Outcome::kImprovement, Outcome::kNotJudged, Outcome::kHarnessFault}) {
    if (!cmp.has_baseline() &&
        (o == Outcome::kExpectedViolation || o == Outcome::kRegression || o == Outcome::kImprovement))
      continue;
    out += "<span class=\"" + std::string(css_class(o)) + "\"><b>" + html_escape(outcome_word(o)) + "</b> " +
           html_escape(outcome_sentence(o)) + "</span> ";
  }
  out +=
      "<br>A violated property links to its counterexample's timeline page, its lowest seed to the details "
      "below, and <i>json</i> to the counterexample file.</p>\n";
  out += "<table class=\"matrix\">\n<thead><tr><th>strategy</th><th>faults</th><th>seeds</th>";
  for (const auto& info : properties::property_catalog()) out += "<th>" + html_escape(std::string(info.id)) + "</th>";
  out += "<th>verdict</th></tr></thead>\n<tbody>\n";
  for (size_t i = 0; i < cells.size(); ++i) {
    const auto& c = cells[i];
    const auto& r = c.result;
    out += "<tr>";
    // The strategy spans its consecutive rows.
    if (i == 0 || cells[i - 1].result.spec.strategy != r.spec.strategy) {
      size_t span = 1;
      while (i + span < cells.size() && cells[i + span].result.spec.strategy == r.spec.strategy) ++span;
      out += "<td class=\"strategy" + std::string(c.real_time ? " real-time" : "") + "\" rowspan=\"" +
             std::to_string(span) + "\">" + html_escape(cell_label(c)) + "</td>";
    }
    const int64_t planned = seeds_planned(c);
    out += "<td>" + html_escape(r.spec.faults_label) + "</td><td>" +
           (r.seeds_run == planned ? std::to_string(planned)
                                   : std::to_string(r.seeds_run) + "/" + std::to_string(planned)) +
           "</td>";
    for (const auto& info : properties::property_catalog()) {
      size_t k = 0;
      while (k < r.properties.size() && r.properties[k].property != info.property) ++k;
      out += k < r.properties.size() ? property_cell(cells, i, k, cmp, page_path) : "<td class=\"p notjudged\">-</td>";
    }
    out += verdict_cell(cells, i, cmp) + "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
  std::string sections;
  for (size_t i = 0; i < cells.size(); ++i) {
    for (size_t k = 0; k < cells[i].result.properties.size(); ++k) {
      if (cells[i].result.properties[k].violated()) sections += counterexample_section(cells, i, k, cmp, page_path);
    }
  }
  if (!sections.empty()) out += "<h2>Counterexamples</h2>\n" + sections;
  return out + "</body>\n</html>\n";
}

}  // namespace lockcheck::reports
