#include "reports/results_json.h"

#include <algorithm>
#include <climits>
#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

#include "base/text.h"
#include "reports/json_reader.h"

namespace lockcheck::reports {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using properties::CellResult;
using properties::PropertyResult;

constexpr int kShardsMax = 1000;              // as `run --shard K/N` allows
constexpr int64_t kSeedsMax = 10'000'000;     // as `run --seeds` allows
constexpr int64_t kShrinkRunsMax = 100'000;   // as `run --shrink-runs` allows
constexpr int64_t kWallMsMax = 366LL * 24 * 3600 * 1000;
constexpr int64_t kCountMax = INT64_MAX;
constexpr int64_t kRunsMax = 10'000;  // runs of one real-time cell, merged (`clients --runs` allows 100)

std::string show(const json& value) { return show_json(value); }

// Reads results.json values strictly (JsonReader), with the value kinds
// results.json has.
class Reader : public JsonReader {
 public:
  using JsonReader::JsonReader;

  std::string text(const json& obj, const std::string& where, const char* key) {
    if (failed()) return "";
    if (!obj.contains(key) || !obj[key].is_string()) {
      fail(where + "." + key, "must be a string");
      return "";
    }
    return obj[key].get<std::string>();
  }
  bool flag(const json& obj, const std::string& where, const char* key) {
    if (failed() || !obj.contains(key)) return false;
    if (!obj[key].is_boolean()) {
      fail(where + "." + key, "must be true or false");
      return false;
    }
    return obj[key].get<bool>();
  }
  // A whole number in [0, max]: never a fraction, a negative or an
  // overflowing number read as something else.
  int64_t count(const json& value, const std::string& where, int64_t max) {
    if (failed()) return 0;
    const std::string range = "must be a whole number in [0, " + std::to_string(max) + "]";
    if (value.is_number_unsigned()) {
      if (value.get<uint64_t>() <= static_cast<uint64_t>(max)) return static_cast<int64_t>(value.get<uint64_t>());
    } else if (value.is_number_integer()) {
      const int64_t v = value.get<int64_t>();
      if (v >= 0 && v <= max) return v;
    }
    fail(where, range + ", got " + show(value));
    return 0;
  }
  int64_t count(const json& obj, const std::string& where, const char* key, int64_t max) {
    if (failed()) return 0;
    if (!obj.contains(key)) {
      fail(where + "." + key, "missing");
      return 0;
    }
    return count(obj[key], where + "." + key, max);
  }
  // [before, after] of a shrink statistic; shrinking never grows.
  std::pair<int64_t, int64_t> before_after(const json& obj, const std::string& where, const char* key) {
    if (failed()) return {0, 0};
    const std::string at = where + "." + key;
    if (!obj.contains(key) || !obj[key].is_array() || obj[key].size() != 2) {
      fail(at, "must be [before, after]");
      return {0, 0};
    }
    const int64_t before = count(obj[key][0], at + "[0]", kCountMax);
    const int64_t after = count(obj[key][1], at + "[1]", kCountMax);
    if (after > before) fail(at, "shrinking made it bigger (" + std::to_string(before) + " -> " + std::to_string(after) + ")");
    return {before, after};
  }
  uint64_t seed(const json& obj, const std::string& where, const char* key) {
    const std::string t = text(obj, where, key);
    if (failed()) return 0;
    auto s = chaos::parse_seed(t);
    if (!s) fail(where + "." + key, "not a seed: " + show(t));
    return s.value_or(0);
  }

};

// "K/N" or "K,K,.../N" (1-based, ascending) into 0-based shards.
bool parse_shards(const std::string& text, std::vector<int>* shards, int* count) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return false;
  auto number = [](std::string_view t) -> std::optional<int> {
    if (t.empty() || t.size() > 4 || t.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    return std::stoi(std::string(t));
  };
  const auto n = number(std::string_view(text).substr(slash + 1));
  if (!n || *n < 1 || *n > kShardsMax) return false;
  shards->clear();
  for (const std::string_view item : split_list(std::string_view(text).substr(0, slash))) {
    const auto k = number(item);
    if (!k || *k < 1 || *k > *n || (!shards->empty() && *k - 1 <= shards->back())) return false;
    shards->push_back(*k - 1);
  }
  *count = *n;
  return true;
}

bool is_trace(const std::string& t) {
  return t.size() == 16 && t.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// A counterexample file name as results.json keeps it: a bare name beside
// the results, never a path that leads elsewhere.
bool is_bare_name(const std::string& f) {
  return !f.empty() && f.size() <= 255 && f.find('/') == std::string::npos && f != "." && f != "..";
}

// The catalog's property ids, in its order; a key of a cell's `properties`
// that is not one of them is an error.
std::vector<std::string_view> property_ids(Reader& in, const json& props, const std::string& where) {
  std::vector<std::string_view> ids;
  for (const auto& info : properties::property_catalog()) ids.push_back(info.id);
  for (const auto& [key, value] : props.items()) {
    if (std::find(ids.begin(), ids.end(), key) == ids.end()) in.fail(where + ".properties", "unknown property " + show(key));
  }
  return ids;
}

void parse_counterexample(Reader& in, const json& x, const std::string& where, const std::string& dir,
                          PropertyResult* p, std::string* file) {
  in.only_keys(x, where, {"file", "trace", "explanation", "shrink"});
  const std::string name = in.text(x, where, "file");
  const std::string trace = in.text(x, where, "trace");
  properties::Counterexample cx;
  cx.explanation = in.text(x, where, "explanation");
  const json& shrink = in.object(x, where, "shrink");
  const std::string at = where + ".shrink";
  in.only_keys(shrink, at, {"runs", "faults", "clients", "acquires_per_client"});
  cx.stats.runs = static_cast<int>(in.count(shrink, at, "runs", kShrinkRunsMax));
  const auto faults = in.before_after(shrink, at, "faults");
  const auto clients = in.before_after(shrink, at, "clients");
  const auto acquires = in.before_after(shrink, at, "acquires_per_client");
  if (in.failed()) return;
  if (!is_bare_name(name)) return in.fail(where + ".file", "must be a file name beside results.json, got " + show(name));
  if (!is_trace(trace)) return in.fail(where + ".trace", "must be 16 hex digits, got " + show(trace));
  cx.trace = std::stoull(trace, nullptr, 16);
  cx.stats.faults_before = static_cast<size_t>(faults.first);
  cx.stats.faults_after = static_cast<size_t>(faults.second);
  cx.stats.clients_before = static_cast<int>(std::min<int64_t>(clients.first, INT32_MAX));
  cx.stats.clients_after = static_cast<int>(std::min<int64_t>(clients.second, INT32_MAX));
  cx.stats.acquires_before = static_cast<int>(std::min<int64_t>(acquires.first, INT32_MAX));
  cx.stats.acquires_after = static_cast<int>(std::min<int64_t>(acquires.second, INT32_MAX));
  p->counterexample = std::move(cx);
  *file = dir.empty() ? name : dir + "/" + name;
}

// One cell's property entry; `r` holds the cell as read so far.
void parse_property(Reader& in, const json& e, const std::string& where, const std::string& dir,
                    const CellReport& cell, PropertyResult* p, std::string* file) {
  const CellResult& r = cell.result;
  if (!e.is_object()) return in.fail(where, "must be an object");
  const std::string verdict = in.text(e, where, "verdict");
  if (in.failed()) return;
  if (verdict == "not_judged") {
    in.only_keys(e, where, {"verdict"});
    p->judged = false;
    return;
  }
  if (verdict != "held" && verdict != "violated") {
    return in.fail(where + ".verdict", "must be held, violated or not_judged, got " + show(verdict));
  }
  in.only_keys(e, where, {"verdict", "seeds_judged", "seeds_violated", "seed", "explanation", "counterexample"});
  p->seeds_judged = static_cast<int>(in.count(e, where, "seeds_judged", kSeedsMax));
  p->seeds_violated = static_cast<int>(in.count(e, where, "seeds_violated", kSeedsMax));
  if (in.failed()) return;
  // Every judged property is judged on every seed the cell ran.
  if (p->seeds_judged != r.seeds_run) {
    return in.fail(where + ".seeds_judged", std::to_string(p->seeds_judged) + " but the cell ran " +
                                                std::to_string(r.seeds_run) + " seeds");
  }
  if (p->seeds_violated > p->seeds_judged) {
    return in.fail(where + ".seeds_violated", std::to_string(p->seeds_violated) + " of " +
                                                  std::to_string(p->seeds_judged) + " seeds judged");
  }
  if (verdict == "held") {
    if (p->seeds_violated != 0) return in.fail(where, "held, yet violated on " + std::to_string(p->seeds_violated) + " seeds");
    for (const char* key : {"seed", "explanation", "counterexample"}) {
      if (e.contains(key)) return in.fail(where + "." + key, "a held property has none");
    }
    return;
  }
  if (p->seeds_violated == 0) return in.fail(where + ".seeds_violated", "a violated property was violated on 0 seeds");
  p->seed = in.seed(e, where, "seed");
  p->explanation = in.text(e, where, "explanation");
  if (in.failed()) return;
  // The seed must be one the covered shards ran.
  const auto shards = covered_shards(cell);
  const uint64_t first = r.spec.first_seed;
  const uint64_t index = p->seed - first;
  const int n = r.spec.shard_count;
  const bool in_cell = p->seed >= first && index < static_cast<uint64_t>(r.spec.seeds) &&
                       std::find(shards.begin(), shards.end(), static_cast<int>(index % n)) != shards.end() &&
                       (shards.size() > 1 || index / n < static_cast<uint64_t>(r.seeds_run));
  if (!in_cell) {
    return in.fail(where + ".seed", chaos::format_seed(p->seed) + " is not a seed this cell ran (from " +
                                        chaos::format_seed(first) + ", shard " + format_shards(cell) + ", " +
                                        std::to_string(r.seeds_run) + " seeds)");
  }
  if (!e.contains("counterexample")) {
    // A harness fault stops a cell before it shrinks anything.
    if (!r.nondeterministic) in.fail(where + ".counterexample", "missing");
    return;
  }
  parse_counterexample(in, in.object(e, where, "counterexample"), where + ".counterexample", dir, p, file);
}

std::optional<CellReport> parse_cell(Reader& in, const json& c, const std::string& where, const std::string& dir) {
  if (!c.is_object()) {
    in.fail(where, "must be an object");
    return std::nullopt;
  }
  in.only_keys(c, where,
               {"strategy", "faults", "verdict", "seeds", "first_seed", "shard", "seeds_run", "budget_hit",
                "stopped_early", "lock_cycles", "seeds_checked_twice", "wall_ms", "harness_fault", "mismatch", "seed",
                "properties"});
  CellReport report;
  CellResult& r = report.result;
  r.spec.strategy = in.text(c, where, "strategy");
  r.spec.faults_label = in.text(c, where, "faults");
  const std::string verdict = in.text(c, where, "verdict");
  r.spec.seeds = static_cast<int>(in.count(c, where, "seeds", kSeedsMax));
  r.spec.first_seed = in.seed(c, where, "first_seed");
  const std::string shard = in.text(c, where, "shard");
  r.seeds_run = static_cast<int>(in.count(c, where, "seeds_run", kSeedsMax));
  r.budget_hit = in.flag(c, where, "budget_hit");
  r.stopped_early = in.flag(c, where, "stopped_early");
  r.lock_cycles = static_cast<uint64_t>(in.count(c, where, "lock_cycles", kCountMax));
  r.seeds_checked_twice = static_cast<int>(in.count(c, where, "seeds_checked_twice", kSeedsMax));
  report.wall_ms = in.count(c, where, "wall_ms", kWallMsMax);
  r.mismatch = in.flag(c, where, "mismatch");
  if (in.failed()) return std::nullopt;
  // Names end up in one-line errors and in the matrix.
  auto one_line = [](const std::string& name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
      return static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f;
    });
  };
  if (!one_line(r.spec.strategy)) in.fail(where + ".strategy", "must be a name on one line, got " + show(r.spec.strategy));
  if (!one_line(r.spec.faults_label)) in.fail(where + ".faults", "must be a name on one line, got " + show(r.spec.faults_label));
  if (in.failed()) return std::nullopt;
  if (!parse_shards(shard, &report.shards, &r.spec.shard_count)) {
    in.fail(where + ".shard", "must be K/N or K,K,.../N with 1 <= K <= N <= 1000, ascending, got " + show(shard));
    return std::nullopt;
  }
  r.spec.shard_index = report.shards.front();
  if (r.seeds_run > seeds_planned(report)) {
    in.fail(where + ".seeds_run", std::to_string(r.seeds_run) + " of a cell whose shards have only " +
                                      std::to_string(seeds_planned(report)) + " seeds");
    return std::nullopt;
  }
  if (r.seeds_checked_twice > r.seeds_run) {
    in.fail(where + ".seeds_checked_twice", "more than the " + std::to_string(r.seeds_run) + " seeds run");
    return std::nullopt;
  }
  if (verdict == "harness_fault") {
    r.nondeterministic = true;
    r.nondeterminism = in.text(c, where, "harness_fault");
    if (!in.failed() && r.nondeterminism.find('\n') != std::string::npos) in.fail(where + ".harness_fault", "must be one line");
  } else if (verdict != "holds" && verdict != "violated") {
    in.fail(where + ".verdict", "must be holds, violated or harness_fault, got " + show(verdict));
    return std::nullopt;
  }
  const json& props = in.object(c, where, "properties");
  if (in.failed()) return std::nullopt;
  const std::vector<std::string_view> ids = property_ids(in, props, where);
  report.counterexample_files.assign(ids.size(), "");
  bool some_not_judged = false;
  for (size_t k = 0; k < ids.size(); ++k) {
    PropertyResult p;
    p.property = properties::property_catalog()[k].property;
    const std::string name(ids[k]);
    const std::string at = where + ".properties." + name;
    if (!props.contains(name)) in.fail(at, "missing");
    if (in.failed()) return std::nullopt;
    parse_property(in, props[name], at, dir, report, &p, &report.counterexample_files[k]);
    some_not_judged = some_not_judged || !p.judged;
    if (p.violated() && (!r.violated || p.seed < r.seed)) r.seed = p.seed;
    r.violated = r.violated || p.violated();
    r.properties.push_back(std::move(p));
  }
  if (in.failed()) return std::nullopt;
  // spec.properties lists the judged ones when some are not.
  if (some_not_judged) {
    for (const auto& p : r.properties) {
      if (p.judged) r.spec.properties.push_back(p.property);
    }
  }
  if (verdict == "holds" && r.violated) in.fail(where + ".verdict", "holds, yet a property is violated");
  if (verdict == "violated" && !r.violated) in.fail(where + ".verdict", "violated, yet every property held");
  if (c.contains("seed") && r.violated && in.seed(c, where, "seed") != r.seed) {
    in.fail(where + ".seed", "is not the lowest violating seed of its properties (" + chaos::format_seed(r.seed) + ")");
  }
  if (c.contains("seed") && !r.violated) in.fail(where + ".seed", "a cell without violations has none");
  if (in.failed()) return std::nullopt;
  return report;
}

// A real-time cell (lockcheck_results 3, "mode": "real-time"): runs in
// place of seeds, no shards, counterexamples without trace or shrinking.
std::optional<CellReport> parse_real_time_cell(Reader& in, const json& c, const std::string& where,
                                               const std::string& dir) {
  in.only_keys(c, where,
               {"mode", "strategy", "faults", "driver", "command", "schedule_seed", "verdict", "runs", "lock_cycles",
                "wall_ms", "runs_wall_ms", "properties"});
  CellReport report;
  RealTimeCell rt;
  CellResult& r = report.result;
  r.spec.strategy = in.text(c, where, "strategy");
  r.spec.faults_label = in.text(c, where, "faults");
  rt.driver = in.text(c, where, "driver");
  rt.command = in.text(c, where, "command");
  rt.schedule_seed = in.seed(c, where, "schedule_seed");
  const std::string verdict = in.text(c, where, "verdict");
  r.spec.seeds = static_cast<int>(in.count(c, where, "runs", kRunsMax));
  r.spec.first_seed = 0;
  r.seeds_run = r.spec.seeds;
  r.lock_cycles = static_cast<uint64_t>(in.count(c, where, "lock_cycles", kCountMax));
  report.wall_ms = in.count(c, where, "wall_ms", kWallMsMax);
  if (in.failed()) return std::nullopt;
  if (r.spec.seeds < 1) {
    in.fail(where + ".runs", "a real-time cell ran at least one run");
    return std::nullopt;
  }
  for (const std::string* name : {&r.spec.strategy, &r.spec.faults_label, &rt.driver}) {
    if (name->empty() || std::any_of(name->begin(), name->end(), [](char ch) {
          return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f;
        })) {
      in.fail(where, "strategy, faults and driver must be names on one line, got " + show(*name));
      return std::nullopt;
    }
  }
  if (!c.contains("runs_wall_ms") || !c["runs_wall_ms"].is_array() ||
      c["runs_wall_ms"].size() != static_cast<size_t>(r.spec.seeds)) {
    in.fail(where + ".runs_wall_ms", "must be an array of one wall time per run");
    return std::nullopt;
  }
  for (size_t i = 0; i < c["runs_wall_ms"].size(); ++i) {
    rt.run_wall_ms.push_back(in.count(c["runs_wall_ms"][i], where + ".runs_wall_ms[" + std::to_string(i) + "]", kWallMsMax));
  }
  if (verdict != "holds" && verdict != "violated") {
    in.fail(where + ".verdict", "must be holds or violated, got " + show(verdict));
    return std::nullopt;
  }
  const json& props = in.object(c, where, "properties");
  if (in.failed()) return std::nullopt;
  const std::vector<std::string_view> ids = property_ids(in, props, where);
  report.counterexample_files.assign(ids.size(), "");
  for (size_t k = 0; k < ids.size() && !in.failed(); ++k) {
    PropertyResult p;
    p.property = properties::property_catalog()[k].property;
    const std::string id(ids[k]);
    const std::string at = where + ".properties." + id;
    if (!props.contains(id) || !props[id].is_object()) {
      in.fail(at, "must be an object");
      break;
    }
    const json& e = props[id];
    in.only_keys(e, at, {"verdict", "runs_judged", "runs_violated", "run", "explanation", "counterexample"});
    const std::string pv = in.text(e, at, "verdict");
    p.seeds_judged = static_cast<int>(in.count(e, at, "runs_judged", kRunsMax));
    p.seeds_violated = static_cast<int>(in.count(e, at, "runs_violated", kRunsMax));
    if (in.failed()) break;
    if (pv != "held" && pv != "violated") in.fail(at + ".verdict", "must be held or violated, got " + show(pv));
    if (p.seeds_judged != r.seeds_run) {
      in.fail(at + ".runs_judged", std::to_string(p.seeds_judged) + " but the cell ran " + std::to_string(r.seeds_run) + " runs");
    }
    if (p.seeds_violated > p.seeds_judged) in.fail(at + ".runs_violated", "more than the runs judged");
    if (pv == "held" && p.seeds_violated != 0) in.fail(at, "held, yet violated on " + std::to_string(p.seeds_violated) + " runs");
    if (pv == "violated" && p.seeds_violated == 0) in.fail(at + ".runs_violated", "a violated property was violated on 0 runs");
    if (in.failed()) break;
    if (pv == "violated") {
      p.seed = static_cast<uint64_t>(in.count(e, at, "run", r.seeds_run - 1));
      p.explanation = in.text(e, at, "explanation");
      const json& x = in.object(e, at, "counterexample");
      const std::string xat = at + ".counterexample";
      in.only_keys(x, xat, {"file", "explanation"});
      const std::string file = in.text(x, xat, "file");
      properties::Counterexample cx;
      cx.explanation = in.text(x, xat, "explanation");
      if (in.failed()) break;
      if (!is_bare_name(file)) {
        in.fail(xat + ".file", "must be a file name beside results.json, got " + show(file));
        break;
      }
      p.counterexample = std::move(cx);
      report.counterexample_files[k] = dir.empty() ? file : dir + "/" + file;
      if (!r.violated || p.seed < r.seed) r.seed = p.seed;
      r.violated = true;
    } else {
      for (const char* key : {"run", "explanation", "counterexample"}) {
        if (e.contains(key)) in.fail(at + "." + key, "a held property has none");
      }
    }
    r.properties.push_back(std::move(p));
  }
  if (in.failed()) return std::nullopt;
  if (verdict == "holds" && r.violated) in.fail(where + ".verdict", "holds, yet a property is violated");
  if (verdict == "violated" && !r.violated) in.fail(where + ".verdict", "violated, yet every property held");
  if (in.failed()) return std::nullopt;
  report.real_time = std::move(rt);
  return report;
}

ordered_json real_time_cell_json(const CellReport& c) {
  const auto& r = c.result;
  ordered_json cell;
  cell["mode"] = "real-time";
  cell["strategy"] = r.spec.strategy;
  cell["faults"] = r.spec.faults_label;
  cell["driver"] = c.real_time->driver;
  cell["command"] = c.real_time->command;
  cell["schedule_seed"] = chaos::format_seed(c.real_time->schedule_seed);
  cell["verdict"] = r.violated ? "violated" : "holds";
  cell["runs"] = r.seeds_run;
  cell["lock_cycles"] = r.lock_cycles;
  cell["wall_ms"] = c.wall_ms;
  cell["runs_wall_ms"] = c.real_time->run_wall_ms;
  ordered_json ps = ordered_json::object();
  for (size_t k = 0; k < r.properties.size(); ++k) {
    const PropertyResult& p = r.properties[k];
    ordered_json e;
    e["verdict"] = p.violated() ? "violated" : "held";
    e["runs_judged"] = p.seeds_judged;
    e["runs_violated"] = p.seeds_violated;
    if (p.violated()) {
      e["run"] = p.seed;
      e["explanation"] = p.explanation;
      const std::string file = k < c.counterexample_files.size() ? c.counterexample_files[k] : "";
      if (p.counterexample && !file.empty()) {
        e["counterexample"] = ordered_json{{"file", std::filesystem::path(file).filename().string()},
                                           {"explanation", p.counterexample->explanation}};
      }
    }
    ps[properties::property_name(p.property)] = e;
  }
  cell["properties"] = ps;
  return cell;
}

}  // namespace

std::string results_json(const std::vector<CellReport>& cells) {
  ordered_json j;
  // Version 3 only when a real-time cell needs it: a results.json of
  // simulated cells stays the version 2 older builds read.
  const bool real_time = std::any_of(cells.begin(), cells.end(), [](const CellReport& c) { return c.real_time.has_value(); });
  j["lockcheck_results"] = real_time ? 3 : 2;
  ordered_json props = ordered_json::array();
  for (const auto& p : properties::property_catalog()) props.push_back(std::string(p.id));
  j["properties"] = props;
  j["cells"] = ordered_json::array();
  for (const auto& c : cells) {
    if (c.real_time) {
      j["cells"].push_back(real_time_cell_json(c));
      continue;
    }
    const auto& r = c.result;
    ordered_json cell;
    cell["strategy"] = r.spec.strategy;
    cell["faults"] = r.spec.faults_label;
    cell["verdict"] = r.nondeterministic ? "harness_fault" : r.violated ? "violated" : "holds";
    cell["seeds"] = r.spec.seeds;
    cell["first_seed"] = chaos::format_seed(r.spec.first_seed);
    cell["shard"] = format_shards(c);
    cell["seeds_run"] = r.seeds_run;
    if (r.budget_hit) cell["budget_hit"] = true;
    if (r.stopped_early) cell["stopped_early"] = true;
    cell["lock_cycles"] = r.lock_cycles;
    cell["seeds_checked_twice"] = r.seeds_checked_twice;
    cell["wall_ms"] = c.wall_ms;
    if (r.nondeterministic) cell["harness_fault"] = r.nondeterminism;
    if (r.mismatch) cell["mismatch"] = true;
    if (r.violated) cell["seed"] = chaos::format_seed(r.seed);
    ordered_json ps = ordered_json::object();
    for (size_t k = 0; k < r.properties.size(); ++k) {
      const PropertyResult& p = r.properties[k];
      const std::string name = properties::property_name(p.property);
      ordered_json e;
      if (!p.judged) {
        e["verdict"] = "not_judged";
        ps[name] = e;
        continue;
      }
      e["verdict"] = p.violated() ? "violated" : "held";
      e["seeds_judged"] = p.seeds_judged;
      e["seeds_violated"] = p.seeds_violated;
      if (p.violated()) {
        e["seed"] = chaos::format_seed(p.seed);
        e["explanation"] = p.explanation;
      }
      if (p.violated() && p.counterexample) {
        const auto& cx = *p.counterexample;
        ordered_json x;
        const std::string file = k < c.counterexample_files.size() ? c.counterexample_files[k] : "";
        x["file"] = file.empty() ? counterexample_name(r, name) : std::filesystem::path(file).filename().string();
        x["trace"] = properties::format_trace(cx.trace);
        x["explanation"] = cx.explanation;
        x["shrink"] = ordered_json{{"runs", cx.stats.runs},
                                   {"faults", {cx.stats.faults_before, cx.stats.faults_after}},
                                   {"clients", {cx.stats.clients_before, cx.stats.clients_after}},
                                   {"acquires_per_client", {cx.stats.acquires_before, cx.stats.acquires_after}}};
        e["counterexample"] = x;
      }
      ps[name] = e;
    }
    cell["properties"] = ps;
    j["cells"].push_back(cell);
  }
  return j.dump(2) + "\n";
}

Result<std::vector<CellReport>> parse_results(std::string_view text, std::string_view origin) {
  Reader in{std::string(origin)};
  const std::string dir = std::filesystem::path(origin).parent_path().string();
  Result<json> parsed = parse_json_text(text, origin);
  if (!parsed.ok()) return parsed.error();
  json j = std::move(parsed).value();
  if (!j.is_object() || !j.contains("lockcheck_results") || !j["lockcheck_results"].is_number_integer()) {
    return Error{ErrorCode::kInvalidArgument, std::string(origin) + ": not a lockcheck results.json (lockcheck_results: 2)"};
  }
  if (j["lockcheck_results"] != 2 && j["lockcheck_results"] != 3) {
    return Error{ErrorCode::kInvalidArgument,
                 std::string(origin) + ": lockcheck_results " + j["lockcheck_results"].dump() +
                     ": this lockcheck reads versions 2 and 3 (re-run the older shards with this build)"};
  }
  const bool v3 = j["lockcheck_results"] == 3;
  in.only_keys(j, "results", {"lockcheck_results", "properties", "cells"});
  if (!j.contains("cells") || !j["cells"].is_array()) in.fail("cells", "must be an array");
  if (in.failed()) return in.error();
  std::vector<CellReport> out;
  for (size_t i = 0; i < j["cells"].size(); ++i) {
    const json& c = j["cells"][i];
    const std::string where = "cells[" + std::to_string(i) + "]";
    std::optional<CellReport> cell;
    if (c.is_object() && c.contains("mode")) {
      // Version 3 added real-time cells; a version 2 file has none.
      if (!v3) {
        in.fail(where + ".mode", "needs lockcheck_results 3");
      } else if (c["mode"] != "real-time") {
        in.fail(where + ".mode", "must be real-time (or absent: simulated), got " + show(c["mode"]));
      } else {
        cell = parse_real_time_cell(in, c, where, dir);
      }
    } else {
      cell = parse_cell(in, c, where, dir);
    }
    if (!cell) return in.error();
    out.push_back(std::move(*cell));
  }
  return out;
}

}  // namespace lockcheck::reports
