#include "reports/ci_outputs.h"

#include <cstdio>
#include <filesystem>

#include "chaos/scenario.h"
#include "reports/junit.h"
#include "reports/markdown.h"
#include "reports/matrix_html.h"
#include "reports/outcome.h"
#include "reports/real_time.h"
#include "reports/results_json.h"

namespace lockcheck::reports {

OutputFiles outputs_in(const std::string& dir) {
  return OutputFiles{dir + "/results.json", dir + "/report.html", dir + "/junit.xml", dir + "/summary.md"};
}

Status prepare_output_file(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) return Error{ErrorCode::kInvalidArgument, "an output file name is empty"};
  const fs::path parent = fs::path(path).parent_path();
  const std::string dir = parent.empty() ? "." : parent.string();
  if (auto s = ensure_dir(dir); !s.ok()) return s;
  std::error_code ec;
  if (fs::is_directory(path, ec)) return Error{ErrorCode::kInvalidArgument, path + " is a directory"};
  const std::string probe = dir + "/.lockcheck-probe";
  if (auto s = write_file_atomic(probe, ""); !s.ok()) return s;
  std::remove(probe.c_str());
  return Ok{};
}

std::vector<std::pair<std::string, std::string>> render_outputs(const std::vector<CellReport>& cells,
                                                                const BaselineComparison& comparison,
                                                                const OutputFiles& files) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!files.results.empty()) out.emplace_back(files.results, results_json(cells));
  if (!files.html.empty()) out.emplace_back(files.html, matrix_html(cells, comparison, files.html));
  if (!files.junit.empty()) out.emplace_back(files.junit, junit_xml(cells, comparison));
  if (!files.markdown.empty()) out.emplace_back(files.markdown, summary_markdown(cells, comparison));
  return out;
}

Status check_counterexample_files(const std::vector<CellReport>& cells) {
  for (const auto& c : cells) {
    const auto& r = c.result;
    for (size_t k = 0; k < r.properties.size(); ++k) {
      const std::string file = counterexample_file(c, k);
      if (file.empty()) continue;
      const auto& p = r.properties[k];
      auto text = read_file(file);
      if (!text.ok()) return text.error();
      const std::string property = properties::property_name(p.property);
      if (c.real_time) {
        // A real-time cell names real-time files, and only those.
        if (!is_real_time_counterexample(text.value())) {
          return Error{ErrorCode::kInvalidArgument, file + ": not a real-time counterexample, yet its results.json cell is real-time"};
        }
        auto cx = parse_real_time_counterexample(text.value(), file);
        if (!cx.ok()) return cx.error();
        if (cx.value().property != property || cx.value().faults != r.spec.faults_label) {
          return Error{ErrorCode::kInvalidArgument, file + ": the counterexample of " + cx.value().property + " / " +
                                                        cx.value().faults + ", not of " + property + " / " +
                                                        r.spec.faults_label + " as its results.json names"};
        }
        continue;
      }
      if (is_real_time_counterexample(text.value())) {
        return Error{ErrorCode::kInvalidArgument, file + ": a real-time counterexample, yet its results.json cell is simulated"};
      }
      auto scenario = chaos::parse_scenario(text.value(), file);
      if (!scenario.ok()) return scenario.error();
      const auto& expect = scenario.value().expect;
      const std::string trace = properties::format_trace(p.counterexample->trace);
      if (!expect || expect->verdict != "violated" || expect->property != property) {
        return Error{ErrorCode::kInvalidArgument, file + ": not the counterexample of " + property +
                                                      " its results.json names (expect.property " +
                                                      (expect ? "'" + expect->property + "'" : "missing") + ")"};
      }
      if (expect->trace != trace) {
        return Error{ErrorCode::kInvalidArgument, file + ": expect.trace '" + expect->trace +
                                                      "' is not the trace its results.json names (" + trace + ")"};
      }
    }
  }
  return Ok{};
}

}  // namespace lockcheck::reports
