#include "reports/report.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

namespace lockcheck::reports {

namespace {

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string cell_verdict(const CellReport& c) {
  const auto& r = c.result;
  if (r.nondeterministic) return "HARNESS FAULT: " + r.nondeterminism;
  if (!r.violated) return "holds (" + std::to_string(r.seeds_run) + " seeds)";
  std::string out = "VIOLATED " + r.violations.front().property + " (seed " + chaos::format_seed(r.seed) + ")";
  if (!c.counterexample_files.empty()) out += " -> " + c.counterexample_files.front();
  return out;
}

}  // namespace

std::string matrix_text(const std::vector<CellReport>& cells) {
  size_t sw = 8, fw = 6;
  for (const auto& c : cells) {
    sw = std::max(sw, c.result.spec.strategy.size());
    fw = std::max(fw, c.result.spec.faults_label.size());
  }
  std::ostringstream out;
  out << pad("strategy", sw + 2) << pad("faults", fw + 2);
  for (const auto& p : properties::property_catalog()) out << pad(std::string(p.id), 10);
  out << "verdict\n";
  for (const auto& c : cells) {
    const auto& r = c.result;
    out << pad(r.spec.strategy, sw + 2) << pad(r.spec.faults_label, fw + 2);
    for (const auto& p : properties::property_catalog()) {
      std::string mark = "ok";
      if (r.nondeterministic) mark = "?";
      const auto& judged = r.spec.properties;
      if (!judged.empty() && std::find(judged.begin(), judged.end(), p.id) == judged.end()) mark = "-";
      for (const auto& v : r.violations) {
        if (v.property == p.id) mark = "VIOLATED";
      }
      out << pad(mark, 10);
    }
    out << cell_verdict(c) << "\n";
  }
  return out.str();
}

std::string results_json(const std::vector<CellReport>& cells) {
  using nlohmann::ordered_json;
  ordered_json j;
  j["lockcheck_results"] = 1;
  ordered_json props = ordered_json::array();
  for (const auto& p : properties::property_catalog()) props.push_back(std::string(p.id));
  j["properties"] = props;
  j["cells"] = ordered_json::array();
  for (const auto& c : cells) {
    const auto& r = c.result;
    ordered_json cell;
    cell["strategy"] = r.spec.strategy;
    cell["faults"] = r.spec.faults_label;
    cell["verdict"] = r.nondeterministic ? "harness_fault" : r.violated ? "violated" : "holds";
    cell["seeds_run"] = r.seeds_run;
    cell["seeds"] = r.spec.seeds;
    cell["first_seed"] = chaos::format_seed(r.spec.first_seed);
    cell["shard"] = std::to_string(r.spec.shard_index + 1) + "/" + std::to_string(r.spec.shard_count);
    if (r.budget_hit) cell["budget_hit"] = true;
    cell["lock_cycles"] = r.lock_cycles;
    cell["wall_ms"] = c.wall_ms;
    if (r.nondeterministic) cell["harness_fault"] = r.nondeterminism;
    if (r.violated) {
      cell["seed"] = chaos::format_seed(r.seed);
      ordered_json vs = ordered_json::array();
      for (const auto& v : r.violations) vs.push_back(ordered_json{{"property", v.property}, {"explanation", v.explanation}});
      cell["violations"] = vs;
      ordered_json cxs = ordered_json::array();
      for (size_t i = 0; i < r.counterexamples.size(); ++i) {
        const auto& cx = r.counterexamples[i];
        ordered_json x;
        x["property"] = cx.property;
        if (i < c.counterexample_files.size()) x["file"] = c.counterexample_files[i];
        x["trace"] = properties::format_trace(cx.trace);
        x["explanation"] = cx.explanation;
        x["shrink"] = ordered_json{{"runs", cx.stats.runs},
                                   {"faults", {cx.stats.faults_before, cx.stats.faults_after}},
                                   {"clients", {cx.stats.clients_before, cx.stats.clients_after}},
                                   {"acquires_per_client", {cx.stats.acquires_before, cx.stats.acquires_after}}};
        cxs.push_back(x);
      }
      cell["counterexamples"] = cxs;
    }
    j["cells"].push_back(cell);
  }
  return j.dump(2) + "\n";
}

Result<std::vector<CellReport>> parse_results(std::string_view text, std::string_view origin) {
  using nlohmann::json;
  const std::string where(origin);
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  auto bad = [&](const std::string& what) { return Error{ErrorCode::kInvalidArgument, where + ": " + what}; };
  if (j.is_discarded()) return bad("not valid JSON");
  if (!j.is_object() || j.value("lockcheck_results", 0) != 1) return bad("not a lockcheck results.json (lockcheck_results: 1)");
  if (!j.contains("cells") || !j["cells"].is_array()) return bad("cells: missing");
  std::vector<CellReport> out;
  for (const auto& c : j["cells"]) {
    if (!c.is_object()) return bad("cells: not an object");
    CellReport report;
    auto& r = report.result;
    auto str = [&](const char* key) -> std::optional<std::string> {
      if (!c.contains(key) || !c[key].is_string()) return std::nullopt;
      return c[key].get<std::string>();
    };
    auto strategy = str("strategy");
    auto faults = str("faults");
    auto verdict = str("verdict");
    if (!strategy || !faults || !verdict) return bad("cells: strategy, faults and verdict are required");
    r.spec.strategy = *strategy;
    r.spec.faults_label = *faults;
    r.seeds_run = c.value("seeds_run", 0);
    r.spec.seeds = c.value("seeds", r.seeds_run);
    r.lock_cycles = c.value("lock_cycles", uint64_t{0});
    report.wall_ms = c.value("wall_ms", int64_t{0});
    r.budget_hit = c.value("budget_hit", false);
    if (auto fs = str("first_seed")) r.spec.first_seed = chaos::parse_seed(*fs).value_or(1);
    if (*verdict == "harness_fault") {
      r.nondeterministic = true;
      r.nondeterminism = str("harness_fault").value_or("harness fault");
    } else if (*verdict == "violated") {
      r.violated = true;
      auto seed = str("seed");
      if (!seed || !chaos::parse_seed(*seed)) return bad("cells: a violated cell needs its seed");
      r.seed = *chaos::parse_seed(*seed);
      for (const auto& v : c.value("violations", json::array())) {
        r.violations.push_back(properties::Violation{v.value("property", ""), {}, v.value("explanation", "")});
      }
      for (const auto& x : c.value("counterexamples", json::array())) {
        properties::CellResult::Counterexample cx;
        cx.property = x.value("property", "");
        cx.explanation = x.value("explanation", "");
        report.counterexample_files.push_back(x.value("file", ""));
        r.counterexamples.push_back(std::move(cx));
      }
      if (r.violations.empty()) return bad("cells: a violated cell lists no violation");
    } else if (*verdict != "holds") {
      return bad("cells: unknown verdict '" + *verdict + "'");
    }
    out.push_back(std::move(report));
  }
  return out;
}

std::vector<CellReport> merge_cells(const std::vector<CellReport>& cells) {
  std::vector<CellReport> out;
  for (const auto& c : cells) {
    auto it = std::find_if(out.begin(), out.end(), [&](const CellReport& o) {
      return o.result.spec.strategy == c.result.spec.strategy && o.result.spec.faults_label == c.result.spec.faults_label;
    });
    if (it == out.end()) {
      out.push_back(c);
      continue;
    }
    auto& m = it->result;
    const auto& r = c.result;
    m.seeds_run += r.seeds_run;
    m.lock_cycles += r.lock_cycles;
    m.budget_hit = m.budget_hit || r.budget_hit;
    it->wall_ms = std::max(it->wall_ms, c.wall_ms);  // shards run side by side
    if (r.nondeterministic && !m.nondeterministic) {
      m.nondeterministic = true;
      m.nondeterminism = r.nondeterminism;
    }
    // The cell's violation is the lowest violating seed over all shards.
    if (r.violated && (!m.violated || r.seed < m.seed)) {
      m.violated = true;
      m.seed = r.seed;
      m.violations = r.violations;
      m.counterexamples = r.counterexamples;
      it->counterexample_files = c.counterexample_files;
    }
  }
  return out;
}

std::string counterexample_name(const properties::CellResult& cell, const std::string& property) {
  std::string name = cell.spec.strategy + "-" + cell.spec.faults_label + "-" + property + ".json";
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' && ch != '.') ch = '_';
  }
  return name;
}

Status ensure_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{ErrorCode::kInvalidArgument, "cannot create directory " + dir + ": " + ec.message()};
  if (!std::filesystem::is_directory(dir, ec)) return Error{ErrorCode::kInvalidArgument, dir + " is not a directory"};
  return Ok{};
}

Status write_file_atomic(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Error{ErrorCode::kInvalidArgument, "cannot write " + tmp + ": " + std::strerror(errno)};
    out << content;
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return Error{ErrorCode::kInvalidArgument, "cannot write " + tmp + ": " + std::strerror(errno)};
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return Error{ErrorCode::kInvalidArgument, "cannot write " + path + ": " + why};
  }
  return Ok{};
}

Result<std::string> read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return Error{ErrorCode::kInvalidArgument, path + ": is a directory"};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ErrorCode::kInvalidArgument, "cannot read " + path + ": " + std::strerror(errno)};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace lockcheck::reports
