#include "reports/report.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace lockcheck::reports {

namespace {

using properties::CellResult;
using properties::PropertyResult;

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

// The seeds of the whole cell that shard k of n runs.
int64_t shard_share(int64_t seeds, int k, int n) { return seeds <= k ? 0 : (seeds - k + n - 1) / n; }

std::string seeds_column(const CellReport& c) {
  const int64_t planned = seeds_planned(c);
  if (c.result.seeds_run == planned) return std::to_string(planned);
  return std::to_string(c.result.seeds_run) + "/" + std::to_string(planned);
}

std::string cell_verdict(const CellReport& c) {
  const auto& r = c.result;
  if (r.nondeterministic) return "HARNESS FAULT: " + r.nondeterminism;
  if (!r.violated) return "holds";
  std::string out = "VIOLATED";
  for (const PropertyResult& p : r.properties) {
    if (p.violated()) out += (out == "VIOLATED" ? " " : ", ") + properties::property_name(p.property) + " " + lowest_label(c, p);
  }
  return out;
}

std::string property_mark(const CellResult& r, properties::Property property) {
  const PropertyResult* p = r.find(property);
  if (p == nullptr || !p->judged) return "-";
  if (r.nondeterministic) return "?";
  return p->violated() ? "VIOLATED" : "ok";
}

}  // namespace

std::string cell_label(const CellReport& c) {
  return c.real_time ? c.result.spec.strategy + " (real time)" : c.result.spec.strategy;
}

std::string lowest_label(const CellReport& c, const PropertyResult& p) {
  return c.real_time ? "run " + std::to_string(p.seed + 1) : chaos::format_seed(p.seed);
}

const char* runs_word(const CellReport& c) { return c.real_time ? "runs" : "seeds"; }

namespace {

bool same_cell(const CellReport& a, const CellReport& b) {
  return a.result.spec.strategy == b.result.spec.strategy && a.result.spec.faults_label == b.result.spec.faults_label;
}

}  // namespace

std::vector<int> covered_shards(const CellReport& c) {
  return c.shards.empty() ? std::vector<int>{c.result.spec.shard_index} : c.shards;
}

int64_t seeds_planned(const CellReport& c) {
  int64_t planned = 0;
  for (int k : covered_shards(c)) planned += shard_share(c.result.spec.seeds, k, c.result.spec.shard_count);
  return planned;
}

std::string format_shards(const CellReport& c) {
  std::string out;
  for (int k : covered_shards(c)) out += (out.empty() ? "" : ",") + std::to_string(k + 1);
  return out + "/" + std::to_string(c.result.spec.shard_count);
}

std::string matrix_text(const std::vector<CellReport>& cells) {
  size_t sw = 8, fw = 6, nw = 5;
  for (const auto& c : cells) {
    sw = std::max(sw, cell_label(c).size());
    fw = std::max(fw, c.result.spec.faults_label.size());
    nw = std::max(nw, seeds_column(c).size());
  }
  std::ostringstream out;
  out << pad("strategy", sw + 2) << pad("faults", fw + 2) << pad("seeds", nw + 2);
  for (const auto& p : properties::property_catalog()) out << pad(std::string(p.id), 10);
  out << "verdict\n";
  for (const auto& c : cells) {
    const auto& r = c.result;
    out << pad(cell_label(c), sw + 2) << pad(r.spec.faults_label, fw + 2) << pad(seeds_column(c), nw + 2);
    for (const auto& p : properties::property_catalog()) out << pad(property_mark(r, p.property), 10);
    out << cell_verdict(c) << "\n";
  }
  return out.str();
}

namespace {

// Runs of one real-time cell from several report directories (the same
// driver on two machines, or run twice): the runs add up, numbered in
// input order, so each property's first violating run is the first over
// the inputs.
void merge_real_time(CellReport* into, const CellReport& c) {
  auto& m = into->result;
  const auto& r = c.result;
  const int offset = m.seeds_run;
  m.spec.seeds += r.spec.seeds;
  m.seeds_run += r.seeds_run;
  m.lock_cycles += r.lock_cycles;
  m.events += r.events;
  into->wall_ms += c.wall_ms;  // runs of one cell run one after another
  auto& walls = into->real_time->run_wall_ms;
  walls.insert(walls.end(), c.real_time->run_wall_ms.begin(), c.real_time->run_wall_ms.end());
  into->counterexample_files.resize(m.properties.size());
  for (size_t k = 0; k < m.properties.size() && k < r.properties.size(); ++k) {
    PropertyResult& mp = m.properties[k];
    const PropertyResult& rp = r.properties[k];
    mp.seeds_judged += rp.seeds_judged;
    if (rp.violated() && !mp.violated()) {
      mp.seed = rp.seed + static_cast<uint64_t>(offset);
      mp.explanation = rp.explanation;
      mp.counterexample = rp.counterexample;
      into->counterexample_files[k] = k < c.counterexample_files.size() ? c.counterexample_files[k] : "";
    }
    mp.seeds_violated += rp.seeds_violated;
  }
  if (r.violated && !m.violated) m.seed = r.seed + static_cast<uint64_t>(offset);
  m.violated = m.violated || r.violated;
}

}  // namespace

Result<std::vector<CellReport>> merge_cells(const std::vector<CellReport>& cells) {
  std::vector<CellReport> out;
  auto bad = [](const CellReport& c, const std::string& what) {
    return Error{ErrorCode::kInvalidArgument,
                 "cannot merge " + c.result.spec.strategy + " / " + c.result.spec.faults_label + ": " + what};
  };
  for (const auto& c : cells) {
    auto it = std::find_if(out.begin(), out.end(), [&](const CellReport& o) { return same_cell(o, c); });
    if (it == out.end()) {
      out.push_back(c);
      out.back().shards = covered_shards(c);
      continue;
    }
    auto& m = it->result;
    const auto& r = c.result;
    if (it->real_time.has_value() != c.real_time.has_value()) return bad(c, "a simulated and a real-time cell of one name");
    if (c.real_time) {
      merge_real_time(&*it, c);
      continue;
    }
    if (m.spec.first_seed != r.spec.first_seed || m.spec.seeds != r.spec.seeds) {
      return bad(c, "runs of different seeds (" + std::to_string(m.spec.seeds) + " from " +
                        chaos::format_seed(m.spec.first_seed) + " and " + std::to_string(r.spec.seeds) + " from " +
                        chaos::format_seed(r.spec.first_seed) + ")");
    }
    if (m.spec.shard_count != r.spec.shard_count) {
      return bad(c, "shards of " + std::to_string(m.spec.shard_count) + " and of " +
                        std::to_string(r.spec.shard_count));
    }
    if (m.spec.properties != r.spec.properties || m.properties.size() != r.properties.size()) {
      return bad(c, "runs that judged different properties");
    }
    std::vector<int> shards = it->shards;
    for (int k : covered_shards(c)) {
      if (std::find(shards.begin(), shards.end(), k) != shards.end()) {
        return bad(c, "shard " + std::to_string(k + 1) + "/" + std::to_string(r.spec.shard_count) + " given twice");
      }
      shards.push_back(k);
    }
    std::sort(shards.begin(), shards.end());
    it->shards = shards;
    m.seeds_run += r.seeds_run;
    m.lock_cycles += r.lock_cycles;
    m.events += r.events;
    m.seeds_checked_twice += r.seeds_checked_twice;
    m.budget_hit = m.budget_hit || r.budget_hit;
    m.stopped_early = m.stopped_early || r.stopped_early;
    it->wall_ms = std::max(it->wall_ms, c.wall_ms);  // shards run side by side
    if (r.nondeterministic && !m.nondeterministic) {
      m.nondeterministic = true;
      m.mismatch = r.mismatch;
      m.nondeterminism = r.nondeterminism;
    }
    it->counterexample_files.resize(m.properties.size());
    for (size_t k = 0; k < m.properties.size(); ++k) {
      PropertyResult& mp = m.properties[k];
      const PropertyResult& rp = r.properties[k];
      mp.seeds_judged += rp.seeds_judged;
      // Each property's lowest violating seed over all shards, with the
      // counterexample shrunk from it.
      if (rp.violated() && (!mp.violated() || rp.seed < mp.seed)) {
        mp.seed = rp.seed;
        mp.explanation = rp.explanation;
        mp.counterexample = rp.counterexample;
        it->counterexample_files[k] = k < c.counterexample_files.size() ? c.counterexample_files[k] : "";
      }
      mp.seeds_violated += rp.seeds_violated;
    }
    if (r.violated && (!m.violated || r.seed < m.seed)) m.seed = r.seed;
    m.violated = m.violated || r.violated;
  }
  // Every shard of a cell together is the whole cell.
  for (auto& c : out) {
    if (static_cast<int>(c.shards.size()) == c.result.spec.shard_count) {
      c.shards = {0};
      c.result.spec.shard_index = 0;
      c.result.spec.shard_count = 1;
    }
  }
  return out;
}

Status copy_counterexamples(std::vector<CellReport>* cells, const std::string& dir) {
  for (auto& c : *cells) {
    for (auto& file : c.counterexample_files) {
      if (file.empty()) continue;
      auto text = read_file(file);
      if (!text.ok()) return text.error();
      const std::string copy = dir + "/" + std::filesystem::path(file).filename().string();
      if (auto s = write_file_atomic(copy, text.value()); !s.ok()) return s;
      file = copy;
    }
  }
  return Ok{};
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

Status prepare_report_dir(const std::string& dir) {
  if (auto s = ensure_dir(dir); !s.ok()) return s;
  std::error_code ec;
  const std::string results = dir + "/results.json";
  if (std::filesystem::is_directory(results, ec)) return Error{ErrorCode::kInvalidArgument, results + " is a directory"};
  const std::string probe = dir + "/.lockcheck-probe";
  if (auto s = write_file_atomic(probe, ""); !s.ok()) return s;
  std::remove(probe.c_str());
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
