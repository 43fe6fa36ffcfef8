// lockcheck: the command line. See DESIGN.md "Command line (contract)".
// A library (lockcheck::cli) so a user builds their own lockcheck binary
// with their strategies next to the built-in ones (cli/cli.h).
//
// Exit codes: 0 every checked property held; 1 a property was violated (a
// counterexample was written); 2 bad usage or bad input (one line on
// stderr, nothing written); 3 harness fault (nondeterminism, a replay that
// does not reproduce).
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/cli.h"

#include "base/text.h"
#include "chaos/run.h"
#include "impl/lock.h"
#include "properties/suite.h"
#include "reports/html.h"
#include "reports/matrix_html.h"
#include "reports/baseline.h"
#include "reports/ci_outputs.h"
#include "reports/report.h"
#include "reports/results_json.h"
#include "serve/serve_main.h"
#include "testing/replay.h"

namespace lc = lockcheck;
using lockcheck::chaos::FaultKind;

namespace {

constexpr int kExitHolds = 0;
constexpr int kExitViolated = 1;
constexpr int kExitUsage = 2;
constexpr int kExitHarness = 3;

int usage_error(const std::string& what) {
  std::cerr << "lockcheck: error: " << what << "\n";
  return kExitUsage;
}

// A word as a POSIX shell reads it back: quoted only when it must be.
std::string shell_word(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                              "_./+:=@,-") == std::string::npos) {
    return word;
  }
  std::string out = "'";
  for (char ch : word) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

struct CellPlan {
  std::string label;
  std::vector<FaultKind> classes;
  bool swarm = false;
};

// "--faults" grammar: comma-separated cells; each cell is "none", "all"
// (every class, one cell each), "swarm" (each seed draws its own kinds) or
// kinds joined by '+' (mixed in one cell).
lc::Result<std::vector<CellPlan>> parse_cells(const std::string& text) {
  std::vector<CellPlan> out;
  if (text.empty()) return lc::Error{lc::ErrorCode::kInvalidArgument, "--faults is empty"};
  for (const std::string_view view : lc::split_list(text)) {
    const std::string item(view);
    if (item == "all") {
      for (const auto& f : lc::chaos::fault_catalog()) out.push_back({std::string(f.name), {f.kind}, false});
      continue;
    }
    if (item == "none") {
      out.push_back({"none", {}, false});
      continue;
    }
    if (item == "swarm") {
      out.push_back({"swarm", {}, true});
      continue;
    }
    std::string joined = item;
    for (char& ch : joined) ch = ch == '+' ? ',' : ch;
    auto classes = lc::chaos::parse_fault_classes(joined);
    if (!classes.ok()) return classes.error();
    out.push_back({item, classes.value(), false});
  }
  return out;
}

// "--strategy": all, correct, broken, or a comma list of names.
lc::Result<std::vector<std::string>> parse_strategies(const std::string& text) {
  std::vector<std::string> out;
  auto add = [&](std::string_view name) {
    if (std::find(out.begin(), out.end(), name) == out.end()) out.emplace_back(name);
  };
  for (const std::string_view view : lc::split_list(text)) {
    const std::string item(view);
    if (item == "all" || item == "correct" || item == "broken") {
      for (const auto& s : lc::strategy_catalog()) {
        if (item == "all" || s.correct == (item == "correct")) add(s.name);
      }
    } else if (lc::make_strategy(item)) {
      add(item);
    } else {
      std::vector<std::string_view> known = {"all", "correct", "broken"};
      // A copy held here: `known` views its names.
      const auto catalog = lc::strategy_catalog();
      for (const auto& s : catalog) known.push_back(s.name);
      return lc::Error{lc::ErrorCode::kInvalidArgument, "unknown strategy '" + item + "' " + lc::known_list(known)};
    }
  }
  return out;
}

// "--shard K/N" with 1 <= K <= N <= 1000.
std::optional<std::pair<int, int>> parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  auto number = [](const std::string& t) -> std::optional<int> {
    if (t.empty() || t.size() > 4 || t.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::stoi(t);
  };
  auto k = number(text.substr(0, slash));
  auto n = number(text.substr(slash + 1));
  if (!k || !n || *k < 1 || *n < 1 || *k > *n || *n > 1000) return std::nullopt;
  return std::make_pair(*k, *n);
}

// The cell's violations: per violated property its lowest seed (SEED=),
// how often it broke, the shrunk counterexample's explanation and shrink
// statistics, its TRACE= and the replay command.
void print_counterexamples(const lc::reports::CellReport& report) {
  const auto& r = report.result;
  std::cout << r.spec.strategy << " / " << r.spec.faults_label << ": VIOLATED";
  for (const auto& p : r.properties) {
    if (p.violated()) std::cout << " " << lc::properties::property_name(p.property);
  }
  std::cout << " (" << r.seeds_run << " seeds run" << (r.stopped_early ? ", stopped once every property broke" : "")
            << (r.budget_hit ? ", stopped by --budget-ms" : "") << ")\n";
  for (size_t k = 0; k < r.properties.size(); ++k) {
    const auto& p = r.properties[k];
    if (!p.violated() || !p.counterexample) continue;
    const auto& cx = *p.counterexample;
    std::cout << "SEED=" << lc::chaos::format_seed(p.seed) << "\n";
    std::cout << "  " << lc::properties::property_name(p.property) << ": violated on " << p.seeds_violated << " of " << p.seeds_judged
              << " seeds, lowest " << lc::chaos::format_seed(p.seed) << "; shrunk: " << cx.explanation << "\n";
    std::cout << "  shrunk in " << cx.stats.runs << " runs: faults " << cx.stats.faults_before << " -> "
              << cx.stats.faults_after << ", clients " << cx.stats.clients_before << " -> " << cx.stats.clients_after
              << ", acquires/client " << cx.stats.acquires_before << " -> " << cx.stats.acquires_after << "\n";
    std::cout << "TRACE=" << lc::properties::format_trace(cx.trace) << "\n";
    if (k < report.counterexample_files.size() && !report.counterexample_files[k].empty()) {
      std::cout << "  replay: lockcheck replay " << report.counterexample_files[k] << "\n";
    }
  }
}

struct RunArgs {
  std::string strategy = "all";
  std::string faults = "none,all";
  int seeds = 200;
  bool seeds_given = false;  // --seeds was on the command line
  std::string seed;
  int jobs = 2;
  std::string report_dir = "lockcheck-out";
  bool check_determinism = false;
  int shrink_runs = 400;
  bool quiet = false;
  std::string shard;      // "K/N"; empty: the whole cell
  std::string properties;  // comma list; empty: all
  int64_t budget_ms = 0;  // per cell; 0: none
  std::string expect;          // baseline to compare with; empty: none
  std::string write_baseline;  // where to write this run's baseline; empty: nowhere
  std::string command_line;    // as typed, recorded in a written baseline
};

// The baseline named by --expect, read before any work is done.
lc::Result<lc::reports::Baseline> read_baseline(const std::string& path) {
  auto text = lc::reports::read_file(path);
  if (!text.ok()) return lc::Error{lc::ErrorCode::kInvalidArgument, "--expect: " + text.error().message};
  return lc::reports::parse_baseline(text.value(), path);
}

// Writes the rendered outputs (each atomically) and says where they went.
// The timeline page beside each counterexample file the cells name (the
// files were checked to parse by check_counterexample_files).
lc::Status write_counterexample_pages(const std::vector<lc::reports::CellReport>& cells) {
  for (const auto& c : cells) {
    for (const std::string& file : c.counterexample_files) {
      if (file.empty()) continue;
      auto text = lc::reports::read_file(file);
      if (!text.ok()) return text.error();
      // A scenario's page replays it; a real-time file's draws its record.
      auto page = lc::reports::render_counterexample_file_page(file, text.value());
      if (!page.ok()) return page.error();
      if (auto s = lc::reports::write_file_atomic(lc::reports::counterexample_page(file), page.value()); !s.ok()) return s;
    }
  }
  return lc::Ok{};
}

lc::Status write_outputs(const std::vector<std::pair<std::string, std::string>>& outputs) {
  for (const auto& [path, content] : outputs) {
    if (auto s = lc::reports::write_file_atomic(path, content); !s.ok()) return s;
  }
  return lc::Ok{};
}

void print_output_paths(const lc::reports::OutputFiles& files) {
  if (!files.results.empty()) std::cout << "results: " << files.results << "\n";
  if (!files.html.empty()) std::cout << "html:    " << files.html << "\n";
  if (!files.junit.empty()) std::cout << "junit:   " << files.junit << "\n";
  if (!files.markdown.empty()) std::cout << "summary: " << files.markdown << "\n";
}

// The exit code of a run or merge: a harness fault above all; then, against
// a baseline, whether every verdict matched it; without one, whether any
// property was violated.
int verdict_exit_code(const std::vector<lc::reports::CellReport>& cells,
                      const lc::reports::BaselineComparison& comparison) {
  bool violated = false;
  for (const auto& c : cells) {
    if (c.result.nondeterministic) return kExitHarness;
    violated = violated || c.result.violated;
  }
  if (comparison.has_baseline()) return comparison.matches() ? kExitHolds : kExitViolated;
  return violated ? kExitViolated : kExitHolds;
}

// --write-baseline: refused (exit 3) when a cell is a harness fault.
int write_baseline(const std::vector<lc::reports::CellReport>& cells, const std::string& path,
                   const std::string& command) {
  auto text = lc::reports::baseline_json(cells, command);
  if (!text.ok()) {
    std::cout << "baseline not written: " << text.error().message << "\n";
    return kExitHarness;
  }
  if (auto s = lc::reports::write_file_atomic(path, text.value()); !s.ok()) return usage_error(s.error().message);
  std::cout << "baseline: " << path << " (" << cells.size() << " cells)\n";
  return kExitHolds;
}

int cmd_run(const RunArgs& a) {
  auto strategies_or = parse_strategies(a.strategy);
  if (!strategies_or.ok()) return usage_error(strategies_or.error().message);
  const std::vector<std::string>& strategies = strategies_or.value();
  std::pair<int, int> shard{1, 1};
  if (!a.shard.empty()) {
    auto parsed = parse_shard(a.shard);
    if (!parsed) return usage_error("--shard must be K/N with 1 <= K <= N <= 1000, got '" + a.shard + "'");
    shard = *parsed;
  }
  std::vector<lc::properties::Property> judged;
  for (const std::string_view name : a.properties.empty() ? std::vector<std::string_view>{} : lc::split_list(a.properties)) {
    const auto property = lc::properties::parse_property(name);
    if (!property) {
      std::vector<std::string_view> known;
      for (const auto& p : lc::properties::property_catalog()) known.push_back(p.id);
      return usage_error("unknown property '" + std::string(name) + "' " + lc::known_list(known));
    }
    judged.push_back(*property);
  }
  if (a.budget_ms < 0 || a.budget_ms > 7 * 24 * 3600 * 1000LL) return usage_error("--budget-ms must be in [0, 604800000]");
  auto cells_or = parse_cells(a.faults);
  if (!cells_or.ok()) return usage_error(cells_or.error().message);
  if (a.seeds < 1 || a.seeds > 10'000'000) return usage_error("--seeds must be in [1, 10000000]");
  if (a.jobs < 1 || a.jobs > 64) return usage_error("--jobs must be in [1, 64]");
  if (a.shrink_runs < 1 || a.shrink_runs > 100'000) return usage_error("--shrink-runs must be in [1, 100000]");
  uint64_t first_seed = 1;
  int seeds = a.seeds;
  if (!a.seed.empty()) {
    auto s = lc::chaos::parse_seed(a.seed);
    if (!s) return usage_error("--seed must be a decimal or 0x-hex 64-bit number, got '" + a.seed + "'");
    first_seed = *s;
    if (!a.seeds_given) seeds = 1;  // --seed alone re-runs exactly that seed
  }
  // A sharded run's verdicts cover only its seeds: they are compared (or
  // recorded) once `lockcheck report` has merged every shard.
  if (shard.second > 1 && !a.expect.empty()) {
    return usage_error("--expect compares whole cells: merge the shards with `lockcheck report DIR... --expect " +
                       a.expect + "`");
  }
  if (shard.second > 1 && !a.write_baseline.empty()) {
    return usage_error("--write-baseline needs whole cells: merge the shards with `lockcheck report DIR... "
                       "--write-baseline " + a.write_baseline + "`");
  }
  std::optional<lc::reports::Baseline> baseline;
  if (!a.expect.empty()) {
    auto b = read_baseline(a.expect);
    if (!b.ok()) return usage_error(b.error().message);
    baseline = std::move(b.value());
  }
  if (!a.write_baseline.empty()) {
    if (auto s = lc::reports::prepare_output_file(a.write_baseline); !s.ok()) return usage_error(s.error().message);
  }
  // An unusable report directory is bad input, found before any cell runs.
  if (auto s = lc::reports::prepare_report_dir(a.report_dir); !s.ok()) return usage_error(s.error().message);

  std::vector<lc::reports::CellReport> reports;
  int exit_code = kExitHolds;
  int64_t checked_twice = 0;
  std::string first_mismatch;  // --check-determinism: the first cell whose two runs differed
  for (const auto& strategy : strategies) {
    for (const auto& plan : cells_or.value()) {
      const std::string& label = plan.label;
      lc::properties::CellSpec spec;
      spec.strategy = strategy;
      spec.faults_label = label;
      spec.classes = plan.classes;
      spec.swarm = plan.swarm;
      spec.first_seed = first_seed;
      spec.seeds = seeds;
      spec.shard_index = shard.first - 1;
      spec.shard_count = shard.second;
      spec.budget_ms = a.budget_ms;
      spec.properties = judged;
      spec.check_determinism = a.check_determinism;
      spec.shrink_runs_max = a.shrink_runs;
      const auto t0 = std::chrono::steady_clock::now();  // for the report's figures only
      const bool show_progress = !a.quiet && isatty(STDERR_FILENO);
      auto progress = [&](int done) {
        // This shard's share of the cell's seeds (all of them unsharded).
        const int of = lc::properties::shard_seeds(spec);
        if (show_progress) std::cerr << "\r  " << strategy << " / " << label << ": " << done << "/" << of << " seeds" << std::flush;
      };
      lc::reports::CellReport report;
      report.result = lc::properties::run_cell(spec, a.jobs, progress);
      // Wall time is reported, never fed back into a run.
      report.wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
      if (show_progress) std::cerr << "\r\033[K" << std::flush;
      const auto& r = report.result;
      checked_twice += r.seeds_checked_twice;
      if (r.nondeterministic) {
        std::cout << strategy << " / " << label << ": HARNESS FAULT: " << r.nondeterminism << "\n";
        if (r.mismatch && first_mismatch.empty()) first_mismatch = strategy + " / " + label + ": " + r.nondeterminism;
        exit_code = kExitHarness;
      } else if (r.violated) {
        report.counterexample_files.assign(r.properties.size(), "");
        for (size_t k = 0; k < r.properties.size(); ++k) {
          const auto& p = r.properties[k];
          if (!p.counterexample) continue;
          const std::string path = a.report_dir + "/" + lc::reports::counterexample_name(r, lc::properties::property_name(p.property));
          if (auto s = lc::reports::write_file_atomic(path, lc::chaos::format_scenario(p.counterexample->scenario));
              !s.ok()) {
            return usage_error(s.error().message);
          }
          report.counterexample_files[k] = path;
          // Its timeline page, where report.html links.
          const std::string page = lc::reports::render_counterexample_page(path, p.counterexample->scenario);
          if (auto s = lc::reports::write_file_atomic(lc::reports::counterexample_page(path), page); !s.ok()) {
            return usage_error(s.error().message);
          }
        }
        print_counterexamples(report);
        if (exit_code == kExitHolds) exit_code = kExitViolated;
      } else if (!a.quiet) {
        std::cout << strategy << " / " << label << ": holds over " << r.seeds_run << " seeds ("
                  << r.lock_cycles << " lock cycles in " << report.wall_ms << " ms"
                  << (r.budget_hit ? ", stopped by --budget-ms" : "") << ")\n";
      }
      reports.push_back(std::move(report));
    }
  }
  std::cout << "\n" << lc::reports::matrix_text(reports);
  if (a.check_determinism) {
    if (first_mismatch.empty()) {
      std::cout << "determinism: " << checked_twice << " seeds checked twice, all identical\n";
    } else {
      std::cout << "determinism: " << checked_twice << " seeds checked twice; MISMATCH: " << first_mismatch << "\n";
    }
  }
  auto comparison = lc::reports::without_baseline(reports);
  if (baseline) {
    auto compared = lc::reports::compare_with_baseline(reports, *baseline, a.expect);
    if (!compared.ok()) return usage_error(compared.error().message);
    comparison = std::move(compared.value());
    std::cout << lc::reports::comparison_text(comparison);
  }
  const auto files = lc::reports::outputs_in(a.report_dir);
  if (auto s = write_outputs(lc::reports::render_outputs(reports, comparison, files)); !s.ok()) {
    return usage_error(s.error().message);
  }
  print_output_paths(files);
  if (!a.write_baseline.empty()) {
    if (const int code = write_baseline(reports, a.write_baseline, a.command_line); code != kExitHolds) return code;
  }
  // Without a baseline: the contract of old (exit_code above).
  return baseline ? verdict_exit_code(reports, comparison) : exit_code;
}

// `replay FILE`: runs a scenario file and checks its `expect`. Bad input
// (unreadable, invalid, too big to run) is exit 2 with one line on stderr.
int cmd_replay(const std::string& file, bool verbose, const std::string& html_out) {
  const std::string name = lc::chaos::escaped(file);  // for messages: one line whatever the name holds
  auto text = lc::reports::read_file(file);
  if (!text.ok()) return usage_error(lc::chaos::escaped(text.error().message));
  if (lc::reports::is_real_time_counterexample(text.value())) {
    // Not a replay: a real-time run's interleaving cannot be run again.
    // What is reproducible is the checkers' verdict over its record.
    auto cx = lc::reports::parse_real_time_counterexample(text.value(), file);
    if (!cx.ok()) return usage_error(lc::chaos::escaped(cx.error().message));
    if (!html_out.empty()) {
      const std::string page = lc::reports::render_real_time_page(file, cx.value());
      if (auto s = lc::reports::write_file_atomic(html_out, page); !s.ok()) return usage_error(lc::chaos::escaped(s.error().message));
    }
    std::string out;
    const int code = lc::reports::rejudge_real_time(cx.value(), file, &out);
    if (verbose) {
      for (const auto& e : cx.value().history.events) out += "  " + lc::sim::describe(e) + "\n";
    }
    std::cout << out;
    return code;
  }
  std::vector<std::string_view> properties;
  for (const auto& p : lc::properties::property_catalog()) properties.push_back(p.id);
  auto parsed = lc::chaos::parse_scenario(text.value(), file, properties);
  if (!parsed.ok()) return usage_error(parsed.error().message);
  const lc::chaos::Scenario& sc = parsed.value();
  std::cout << "replaying " << name << ": strategy " << sc.world.strategy << ", seed "
            << lc::chaos::format_seed(sc.world.seed) << ", " << sc.world.clients << " clients, " << sc.world.nodes
            << " nodes, " << sc.faults.size() << " faults\n";
  for (const auto& f : sc.faults) std::cout << "  fault " << lc::chaos::describe(f) << "\n";
  const auto judged = lc::properties::judge(sc);
  if (judged.outcome.event_limit_hit) {
    // A verdict over a run cut short means nothing: the file asks for more
    // than one run may do (the parser's bounds cannot foresee every retry
    // storm), so it is refused like any other input too big to run.
    return usage_error(name + ": the run stopped at the simulator's limit of " +
                       std::to_string(lc::sim::EventLoop::kEventsMax) + " events before duration_ms (" +
                       std::to_string(sc.world.duration.count()) + ") was reached: the scenario is too big to run");
  }
  if (!html_out.empty()) {
    // Written whatever the verdict: a page of a run that no longer
    // reproduces is what one looks at next.
    const std::string page = lc::reports::render_replay_page({file, &sc, &judged.outcome, &judged.violations});
    if (auto s = lc::reports::write_file_atomic(html_out, page); !s.ok()) {
      return usage_error(lc::chaos::escaped(s.error().message));
    }
  }
  if (verbose) {
    for (const auto& e : judged.outcome.history.events) std::cout << "  " << lc::sim::describe(e) << "\n";
  }
  for (const auto& v : judged.violations) std::cout << "VIOLATED " << lc::properties::property_name(v.property) << ": " << v.explanation << "\n";
  if (judged.violations.empty()) std::cout << "all properties hold\n";
  std::cout << "SEED=" << lc::chaos::format_seed(sc.world.seed) << "\n";
  const std::string trace = lc::properties::format_trace(judged.outcome.trace_hash);
  std::cout << "TRACE=" << trace << "\n";
  if (sc.expect) {
    lc::chaos::Expectation e = *sc.expect;
    if (!e.trace.empty() && sc.trace_format != lc::sim::kTraceFormat) {
      // Another event order: the trace says nothing; the verdicts still must hold.
      std::cout << "TRACE not compared: the file's trace is trace_format " << sc.trace_format
                << ", this build's is trace_format " << lc::sim::kTraceFormat
                << " (re-record it with tests/rerecord_traces.sh)\n";
      e.trace.clear();
    }
    const std::vector<std::string> failed = lc::testing::mismatches(e, judged, trace);
    for (const auto& m : failed) std::cout << "MISMATCH: " << m << "\n";
    if (!failed.empty()) {
      std::cout << "not reproduced: " << failed.size() << " of the file's expectations failed\n";
      return kExitHarness;
    }
    std::cout << "reproduced: " << e.verdict << (e.property.empty() ? "" : " " + e.property) << "\n";
  }
  return judged.violations.empty() ? kExitHolds : kExitViolated;
}

struct ReportArgs {
  std::vector<std::string> inputs;
  std::string out_dir;         // merged results.json, counterexamples, and the renders
  std::string html;            // report.html elsewhere (or without --out)
  std::string junit;           // junit.xml elsewhere
  std::string markdown;        // summary.md elsewhere
  std::string expect;          // baseline to compare with
  std::string write_baseline;  // where to write the merged run's baseline
  std::string command_line;
};

// `report DIR...`: merges the results.json of several runs (shards),
// prints the matrix, and renders results.json, report.html, junit.xml and
// summary.md from them. Every input (results.json and each counterexample
// file it names) and the baseline are read and checked before anything is
// written.
int cmd_report(const ReportArgs& a) {
  std::optional<lc::reports::Baseline> baseline;
  if (!a.expect.empty()) {
    auto b = read_baseline(a.expect);
    if (!b.ok()) return usage_error(b.error().message);
    baseline = std::move(b.value());
  }
  std::vector<lc::reports::CellReport> all;
  for (const auto& input : a.inputs) {
    std::error_code ec;
    const std::string path = std::filesystem::is_directory(input, ec) ? input + "/results.json" : input;
    auto text = lc::reports::read_file(path);
    if (!text.ok()) return usage_error(text.error().message);
    auto cells = lc::reports::parse_results(text.value(), path);
    if (!cells.ok()) return usage_error(cells.error().message);
    for (auto& c : cells.value()) all.push_back(std::move(c));
  }
  if (auto s = lc::reports::check_counterexample_files(all); !s.ok()) return usage_error(s.error().message);
  auto merged_or = lc::reports::merge_cells(all);
  if (!merged_or.ok()) return usage_error(merged_or.error().message);
  auto& merged = merged_or.value();
  auto comparison = lc::reports::without_baseline(merged);
  if (baseline) {
    auto compared = lc::reports::compare_with_baseline(merged, *baseline, a.expect);
    if (!compared.ok()) return usage_error(compared.error().message);
    comparison = std::move(compared.value());
  }
  lc::reports::OutputFiles files;
  if (!a.out_dir.empty()) files = lc::reports::outputs_in(a.out_dir);
  if (!a.html.empty()) files.html = a.html;
  if (!a.junit.empty()) files.junit = a.junit;
  if (!a.markdown.empty()) files.markdown = a.markdown;
  for (const std::string& path : {files.html, files.junit, files.markdown, a.write_baseline}) {
    if (path.empty()) continue;
    if (auto s = lc::reports::prepare_output_file(path); !s.ok()) return usage_error(s.error().message);
  }
  if (!a.out_dir.empty()) {
    if (auto s = lc::reports::prepare_report_dir(a.out_dir); !s.ok()) return usage_error(s.error().message);
    if (auto s = lc::reports::copy_counterexamples(&merged, a.out_dir); !s.ok()) return usage_error(s.error().message);
    if (auto s = write_counterexample_pages(merged); !s.ok()) return usage_error(s.error().message);
    // Again, so its replay commands name the copies (it cannot fail now).
    if (baseline) comparison = lc::reports::compare_with_baseline(merged, *baseline, a.expect).value();
  }
  std::cout << lc::reports::matrix_text(merged);
  if (baseline) std::cout << lc::reports::comparison_text(comparison);
  if (auto s = write_outputs(lc::reports::render_outputs(merged, comparison, files)); !s.ok()) {
    return usage_error(s.error().message);
  }
  print_output_paths(files);
  if (!a.write_baseline.empty()) {
    if (const int code = write_baseline(merged, a.write_baseline, a.command_line); code != kExitHolds) return code;
  }
  return verdict_exit_code(merged, comparison);
}

// `list strategies`: one line each (name, kind, summary; scripts read
// it); with -v also its shape and its stated assumptions, indented.
int cmd_list(const std::string& what, bool verbose) {
  if (what == "strategies") {
    for (const auto& s : lc::strategy_catalog()) {
      std::printf("%-15s %-8s %s\n", s.name.c_str(), s.correct ? "correct" : "BROKEN", s.summary.c_str());
      if (!verbose) continue;
      std::printf("    %d node%s%s%s%s\n", s.nodes, s.nodes == 1 ? "" : "s", s.reentrant ? ", reentrant" : "",
                  s.renews ? ", renews" : "", s.fencing ? ", fencing" : "");
      for (const auto& a : s.assumptions) std::printf("    assumes: %s\n", a.c_str());
    }
  } else if (what == "faults") {
    for (const auto& f : lc::chaos::fault_catalog()) {
      std::printf("%-12s %s\n", std::string(f.name).c_str(), std::string(f.summary).c_str());
    }
  } else if (what == "properties") {
    for (const auto& p : lc::properties::property_catalog()) {
      std::printf("%-10s %s\n", std::string(p.id).c_str(), std::string(p.meaning).c_str());
    }
  } else {
    return usage_error("list what? expected strategies, faults or properties, got '" + what + "'");
  }
  return kExitHolds;
}

}  // namespace

namespace lockcheck::cli {

int main(int argc, char** argv, const std::vector<StrategyDef>& extra_strategies) {
  // The user's strategies join the catalog before anything reads it; a
  // def that cannot be registered is bad input.
  for (const auto& def : extra_strategies) {
    if (auto s = ensure_registered(def); !s.ok()) return usage_error(s.error().message);
  }
  // `serve` and `clients` (foreign clients in real time) parse their own
  // arguments (serve/serve_main.h).
  if (argc >= 2 && (std::string_view(argv[1]) == "serve" || std::string_view(argv[1]) == "clients")) {
    const std::vector<std::string> rest(argv + 2, argv + argc);
    return std::string_view(argv[1]) == "serve" ? serve::serve_main(rest) : serve::clients_main(rest);
  }
  CLI::App app{"lockcheck: finds the faults under which a Redis lock breaks, in deterministic simulation.\n"
               "Exit codes: 0 all properties held, 1 a property was violated, 2 bad usage or input, 3 harness fault.\n"
               "Foreign lock clients in real time: `lockcheck serve --help`, `lockcheck clients --help`."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "lockcheck 0.1.0");

  RunArgs run;
  auto* run_cmd = app.add_subcommand("run", "run the property suite over generated scenarios and print the matrix");
  run_cmd->add_option("--strategy", run.strategy,
                      "comma list of strategy names (see `lockcheck list strategies`), or all, correct, broken")
      ->capture_default_str();
  run_cmd->add_option("--faults", run.faults,
                      "comma list of cells: none, all (each class its own cell), swarm (each seed draws its own "
                      "classes), a fault class, or classes joined by + (mixed in one cell)")
      ->capture_default_str();
  auto* seeds_opt = run_cmd->add_option("--seeds", run.seeds, "scenarios per cell")->capture_default_str();
  run_cmd->add_option("--seed", run.seed,
                      "first seed (decimal or 0x-hex); alone, runs exactly that seed; with --seeds N, N seeds from it");
  run_cmd->add_option("--jobs", run.jobs, "worker threads (results do not depend on it)")->capture_default_str();
  run_cmd->add_option("--report", run.report_dir, "directory for results.json and counterexamples")
      ->capture_default_str();
  run_cmd->add_flag("--check-determinism", run.check_determinism,
                    "run every seed twice and shrink every counterexample twice, and compare them in full");
  run_cmd->add_option("--shrink-runs", run.shrink_runs, "most scenario runs spent shrinking one counterexample")
      ->capture_default_str();
  run_cmd->add_flag("-q,--quiet", run.quiet, "no progress, print only violations and the matrix");
  run_cmd->add_option("--properties", run.properties,
                      "comma list of the properties to judge (see `lockcheck list properties`); default all");
  run_cmd->add_option("--shard", run.shard,
                      "run shard K of N of every cell's seeds (merge shards' report dirs with `lockcheck report`)");
  run_cmd->add_option("--expect", run.expect,
                      "compare every cell's per-property verdicts with this baseline file: exit 0 when all match, "
                      "1 when any differs (each regression, improvement or cell missing from it is listed)");
  run_cmd->add_option("--write-baseline", run.write_baseline,
                      "write this run's per-property verdicts as a baseline file (for --expect)");
  run_cmd->add_option("--budget-ms", run.budget_ms,
                      "per-cell wall-clock budget: start no new seed after it (0: none); the seeds run are a "
                      "prefix, so the verdict replays with --seeds <count>")
      ->capture_default_str();

  std::string replay_file;
  bool verbose = false;
  auto* replay_cmd = app.add_subcommand("replay", "re-run a scenario or counterexample file bit for bit");
  replay_cmd->add_option("FILE", replay_file,
                         "scenario file (JSON); a real-time counterexample is re-judged, not replayed")
      ->required();
  replay_cmd->add_flag("-v,--verbose", verbose, "print every event of the run");
  std::string replay_html;
  replay_cmd->add_option("--html", replay_html, "also write the run as a self-contained HTML page (timeline) to this file");

  ReportArgs report;
  auto* report_cmd = app.add_subcommand(
      "report", "merge the results of several runs (e.g. --shard K/N), print the matrix and render the reports");
  report_cmd->add_option("DIR", report.inputs, "report directories (or results.json files)")->required();
  report_cmd->add_option("--out", report.out_dir,
                         "write the merged results.json, copies of the counterexample files it names, report.html, "
                         "junit.xml and summary.md into this directory");
  report_cmd->add_option("--html", report.html, "write the HTML matrix page here (instead of --out's report.html)");
  report_cmd->add_option("--junit", report.junit, "write JUnit XML here (instead of --out's junit.xml)");
  report_cmd->add_option("--markdown", report.markdown,
                         "write the Markdown summary here (instead of --out's summary.md), e.g. for "
                         "$GITHUB_STEP_SUMMARY");
  report_cmd->add_option("--expect", report.expect,
                         "compare the merged verdicts with this baseline file: exit 0 when all match, 1 when any "
                         "differs");
  report_cmd->add_option("--write-baseline", report.write_baseline,
                         "write the merged per-property verdicts as a baseline file");

  std::string list_what;
  bool list_verbose = false;
  auto* list_cmd = app.add_subcommand("list", "list strategies, faults or properties");
  list_cmd->add_option("WHAT", list_what, "strategies | faults | properties")->required();
  list_cmd->add_flag("-v,--verbose", list_verbose, "strategies: also nodes, reentrant, renews, fencing and assumptions");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return kExitHolds;
  } catch (const CLI::CallForVersion&) {
    std::cout << "lockcheck 0.1.0\n";
    return kExitHolds;
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    if (msg.empty()) msg = "bad usage (see lockcheck --help)";
    return usage_error(msg + " (see lockcheck --help)");
  }
  run.seeds_given = seeds_opt->count() > 0;
  // The command as typed, for a baseline to say how it was made, without
  // the options that cannot change a verdict (where files go, threads,
  // quiet, the baseline compared with).
  std::string command_line = "lockcheck";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-q" || arg == "--quiet") continue;
    bool skipped = false;
    for (const char* option : {"--report", "--jobs", "--expect", "--out", "--html", "--junit", "--markdown"}) {
      if (arg == option) {
        ++i;  // and its value
        skipped = true;
      } else if (arg.rfind(std::string(option) + "=", 0) == 0) {
        skipped = true;
      }
    }
    if (!skipped) command_line += " " + shell_word(arg);
  }
  run.command_line = report.command_line = command_line;
  // Dispatch: one line per subcommand.
  if (run_cmd->parsed()) return cmd_run(run);
  if (replay_cmd->parsed()) return cmd_replay(replay_file, verbose, replay_html);
  if (list_cmd->parsed()) return cmd_list(list_what, list_verbose);
  if (report_cmd->parsed()) return cmd_report(report);
  return usage_error("no subcommand (see lockcheck --help)");
}

}  // namespace lockcheck::cli
