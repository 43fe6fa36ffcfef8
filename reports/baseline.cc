#include "reports/baseline.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "impl/lock.h"

namespace lockcheck::reports {

namespace {

using nlohmann::json;
using properties::CellResult;
using properties::PropertyResult;

constexpr size_t kCellsMax = 100'000;
constexpr size_t kPropertiesMax = 64;
constexpr size_t kNameMax = 200;
constexpr size_t kCommandMax = 4096;
constexpr int64_t kSeedsMax = 10'000'000;  // as `run --seeds` allows
// Past this many, notes about one kind of thing only the baseline has are
// summed up, so a run of one strategy against the whole default baseline
// stays readable.
constexpr size_t kNotesListed = 5;

std::string cell_name(const std::string& strategy, const std::string& faults) { return strategy + " / " + faults; }

std::string show(const json& value) {
  std::string out = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (out.size() > 60) out = out.substr(0, 57) + "...";
  return out;
}

bool is_name(const json& v) {
  if (!v.is_string()) return false;
  const auto& s = v.get_ref<const std::string&>();
  return !s.empty() && s.size() <= kNameMax &&
         std::all_of(s.begin(), s.end(), [](char ch) { return static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f; });
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Reads one baseline cell; "" or the error (where: what).
std::string parse_cell(const json& c, const std::string& where, BaselineCell* out) {
  if (!c.is_object()) return where + ": must be an object";
  for (const auto& [key, value] : c.items()) {
    static const char* kKnown[] = {"strategy", "faults", "seeds", "first_seed", "violated", "held"};
    if (std::find(std::begin(kKnown), std::end(kKnown), key) == std::end(kKnown)) {
      return where + ": unknown key " + show(key);
    }
  }
  for (const char* key : {"strategy", "faults"}) {
    if (!c.contains(key) || !is_name(c[key])) return where + "." + key + ": must be a name on one line";
  }
  out->strategy = c["strategy"].get<std::string>();
  out->faults = c["faults"].get<std::string>();
  const std::string at = where + " (" + cell_name(out->strategy, out->faults) + ")";
  if (!c.contains("seeds") || !c["seeds"].is_number_integer() || c["seeds"].get<int64_t>() < 1 ||
      c["seeds"].get<int64_t>() > kSeedsMax) {
    return at + ".seeds: must be a whole number in [1, " + std::to_string(kSeedsMax) + "]";
  }
  out->seeds = static_cast<int>(c["seeds"].get<int64_t>());
  if (!c.contains("first_seed") || !c["first_seed"].is_string()) return at + ".first_seed: must be a seed string";
  const auto seed = chaos::parse_seed(c["first_seed"].get<std::string>());
  if (!seed) return at + ".first_seed: not a seed: " + show(c["first_seed"]);
  out->first_seed = *seed;
  for (const char* key : {"violated", "held"}) {
    if (!c.contains(key) || !c[key].is_array()) return at + "." + key + ": must be an array of property names";
    if (c[key].size() > kPropertiesMax)
      return at + "." + key + ": more than " + std::to_string(kPropertiesMax) + " properties";
    auto& list = std::string(key) == "violated" ? out->violated : out->held;
    for (const auto& p : c[key]) {
      if (!is_name(p)) return at + "." + key + ": must hold property names, got " + show(p);
      const std::string name = p.get<std::string>();
      if (contains(out->violated, name) || contains(out->held, name)) return at + ": " + name + " is listed twice";
      list.push_back(name);
    }
  }
  return "";
}

}  // namespace

Delta BaselineComparison::delta(size_t cell, size_t property) const {
  LC_CHECK(cell < deltas.size() && property < deltas[cell].size());
  return deltas[cell][property];
}

std::string BaselineComparison::regenerate_command() const {
  return command.empty() ? "lockcheck run -q --write-baseline " + origin : command;
}

Result<std::string> baseline_json(const std::vector<CellReport>& cells, const std::string& command) {
  std::string out = "{\n  \"lockcheck_baseline\": 1,\n  \"command\": " + json(command).dump() + ",\n  \"cells\": [";
  for (size_t i = 0; i < cells.size(); ++i) {
    const CellResult& r = cells[i].result;
    const std::string name = cell_name(r.spec.strategy, r.spec.faults_label);
    if (r.nondeterministic) {
      return Error{ErrorCode::kInvalidArgument, "no baseline from " + name + ": it is a harness fault"};
    }
    if (r.spec.shard_count != 1) {
      return Error{ErrorCode::kInvalidArgument, "no baseline from " + name + ": it covers shards " +
                                                    format_shards(cells[i]) +
                                                    " only (merge every shard with `lockcheck report` first)"};
    }
    json violated = json::array(), held = json::array();
    for (const PropertyResult& p : r.properties) {
      if (!p.judged) continue;
      (p.violated() ? violated : held).push_back(properties::property_name(p.property));
    }
    // One cell a line (key order fixed by hand): a changed verdict is a
    // one-line diff in review.
    out += std::string(i == 0 ? "" : ",") + "\n    {\"strategy\": " + json(r.spec.strategy).dump() +
           ", \"faults\": " + json(r.spec.faults_label).dump() + ", \"seeds\": " + std::to_string(r.spec.seeds) +
           ", \"first_seed\": " + json(chaos::format_seed(r.spec.first_seed)).dump() +
           ", \"violated\": " + violated.dump() + ", \"held\": " + held.dump() + "}";
  }
  return out + "\n  ]\n}\n";
}

Result<Baseline> parse_baseline(std::string_view text, std::string_view origin) {
  auto bad = [&](const std::string& what) {
    return Error{ErrorCode::kInvalidArgument, std::string(origin) + ": " + what};
  };
  json j;
  try {
    j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  } catch (const json::exception& e) {
    return bad(std::string("not valid JSON (") + e.what() + ")");
  }
  if (j.is_discarded()) return bad("not valid JSON");
  if (!j.is_object() || !j.contains("lockcheck_baseline"))
    return bad("not a lockcheck baseline (lockcheck_baseline: 1)");
  if (j["lockcheck_baseline"] != 1) {
    return bad("lockcheck_baseline " + show(j["lockcheck_baseline"]) + ": this lockcheck reads version 1");
  }
  for (const auto& [key, value] : j.items()) {
    if (key != "lockcheck_baseline" && key != "command" && key != "cells") return bad("unknown key " + show(key));
  }
  Baseline out;
  if (j.contains("command")) {
    if (!j["command"].is_string() || j["command"].get_ref<const std::string&>().size() > kCommandMax ||
        j["command"].get_ref<const std::string&>().find('\n') != std::string::npos) {
      return bad("command: must be one line of at most " + std::to_string(kCommandMax) + " characters");
    }
    out.command = j["command"].get<std::string>();
  }
  if (!j.contains("cells") || !j["cells"].is_array()) return bad("cells: must be an array");
  if (j["cells"].size() > kCellsMax) return bad("cells: more than " + std::to_string(kCellsMax));
  for (size_t i = 0; i < j["cells"].size(); ++i) {
    BaselineCell cell;
    const std::string error = parse_cell(j["cells"][i], "cells[" + std::to_string(i) + "]", &cell);
    if (!error.empty()) return bad(error);
    for (const auto& other : out.cells) {
      if (other.strategy == cell.strategy && other.faults == cell.faults) {
        return bad("cells[" + std::to_string(i) + "]: " + cell_name(cell.strategy, cell.faults) + " is given twice");
      }
    }
    out.cells.push_back(std::move(cell));
  }
  return out;
}

BaselineComparison without_baseline(const std::vector<CellReport>& cells) {
  BaselineComparison out;
  for (const auto& c : cells) {
    std::vector<Delta> row;
    for (const auto& p : c.result.properties) row.push_back(p.judged ? Delta::kNoBaseline : Delta::kNotCompared);
    out.deltas.push_back(std::move(row));
  }
  return out;
}

Result<BaselineComparison> compare_with_baseline(const std::vector<CellReport>& cells, const Baseline& baseline,
                                                 const std::string& origin) {
  BaselineComparison out;
  out.origin = origin;
  out.command = baseline.command;
  std::vector<std::string> harness_faults, seeds_differ;
  // Baseline property names this run did not judge, and in how many cells.
  std::vector<std::pair<std::string, int>> not_judged;
  for (const auto& c : cells) {
    const CellResult& r = c.result;
    const std::string name = cell_name(r.spec.strategy, r.spec.faults_label);
    out.deltas.emplace_back(r.properties.size(), Delta::kNotCompared);
    auto& row = out.deltas.back();
    if (r.spec.shard_count != 1) {
      return Error{ErrorCode::kInvalidArgument, "cannot compare " + name + " with the baseline: it covers shards " +
                                                    format_shards(c) +
                                                    " only (merge every shard with `lockcheck report` first)"};
    }
    if (r.nondeterministic) {
      harness_faults.push_back(name);
      continue;
    }
    const auto it = std::find_if(baseline.cells.begin(), baseline.cells.end(), [&](const BaselineCell& b) {
      return b.strategy == r.spec.strategy && b.faults == r.spec.faults_label;
    });
    ++out.cells_compared;
    if (it == baseline.cells.end()) {
      std::vector<std::string> violated;
      for (size_t k = 0; k < r.properties.size(); ++k) {
        if (!r.properties[k].judged) continue;
        row[k] = Delta::kNew;
        if (r.properties[k].violated()) violated.push_back(properties::property_name(r.properties[k].property));
      }
      ++out.unbaselined;  // the cell counts once, not each property
      out.differences.push_back("NEW " + name + ": not in the baseline; " +
                                (violated.empty() ? "holds now" : "violated now: " + join(violated)));
      continue;
    }
    const BaselineCell& b = *it;
    if (b.seeds != r.spec.seeds || b.first_seed != r.spec.first_seed) {
      seeds_differ.push_back(name + " (baseline " + std::to_string(b.seeds) + " from " +
                             chaos::format_seed(b.first_seed) + ", run " + std::to_string(r.spec.seeds) + " from " +
                             chaos::format_seed(r.spec.first_seed) + ")");
    }
    for (size_t k = 0; k < r.properties.size(); ++k) {
      const PropertyResult& p = r.properties[k];
      if (!p.judged) continue;
      const std::string file = k < c.counterexample_files.size() ? c.counterexample_files[k] : "";
      const std::string where = p.violated() ? " (seed " + chaos::format_seed(p.seed) +
                                                   (file.empty() ? "" : "; lockcheck replay " + file) + ")"
                                             : " over " + std::to_string(r.seeds_run) + " seeds";
      const std::string property = properties::property_name(p.property);
      if (contains(b.violated, property)) {
        row[k] = p.violated() ? Delta::kAsExpected : Delta::kImprovement;
      } else if (contains(b.held, property)) {
        row[k] = p.violated() ? Delta::kRegression : Delta::kAsExpected;
      } else {
        row[k] = Delta::kNew;
      }
      switch (row[k]) {
        case Delta::kRegression:
          ++out.regressions;
          out.differences.push_back("REGRESSION " + name + ": " + property + " held in the baseline, violated now" +
                                    where);
          break;
        case Delta::kImprovement:
          ++out.improvements;
          out.differences.push_back("IMPROVEMENT " + name + ": " + property + " violated in the baseline, held now" +
                                    where);
          break;
        case Delta::kNew:
          ++out.unbaselined;
          out.differences.push_back("NEW " + name + ": " + property + " is not in the baseline; " +
                                    (p.violated() ? "violated now" : "held now") + where);
          break;
        default: break;
      }
    }
    // What the baseline judged in this cell and the run did not.
    for (const auto* list : {&b.violated, &b.held}) {
      for (const auto& name_in_baseline : *list) {
        const auto property = properties::parse_property(name_in_baseline);
        const PropertyResult* p = property ? r.find(*property) : nullptr;
        if (p != nullptr && p->judged) continue;
        auto seen = std::find_if(not_judged.begin(), not_judged.end(),
                                 [&](const auto& e) { return e.first == name_in_baseline; });
        if (seen == not_judged.end()) {
          not_judged.emplace_back(name_in_baseline, 1);
        } else {
          ++seen->second;
        }
      }
    }
  }
  // Notes: what only the baseline has, and what was not compared.
  auto listed = [](const std::vector<std::string>& items) {
    std::vector<std::string> head(items.begin(), items.begin() + std::min(items.size(), kNotesListed));
    std::string out = join(head);
    if (items.size() > kNotesListed) out += " and " + std::to_string(items.size() - kNotesListed) + " more";
    return out;
  };
  for (const auto& name : harness_faults) out.notes.push_back("not compared: " + name + " is a harness fault");
  if (!seeds_differ.empty()) {
    out.notes.push_back(std::to_string(seeds_differ.size()) +
                        " cells ran other seeds than the baseline's: " + listed(seeds_differ));
  }
  for (const auto& [property, count] : not_judged) {
    out.notes.push_back(
        "baseline property " + property + " (" + std::to_string(count) + " cells) " +
        (properties::is_property(property) ? "was not judged by this run" : "is not one this build has"));
  }
  std::vector<std::string> not_run, unknown_strategies;
  for (const auto& b : baseline.cells) {
    const bool run = std::any_of(cells.begin(), cells.end(), [&](const CellReport& c) {
      return c.result.spec.strategy == b.strategy && c.result.spec.faults_label == b.faults;
    });
    if (run) continue;
    not_run.push_back(cell_name(b.strategy, b.faults));
    if (make_strategy(b.strategy) == nullptr && !contains(unknown_strategies, b.strategy)) {
      unknown_strategies.push_back(b.strategy);
    }
  }
  if (!not_run.empty()) {
    out.notes.push_back(std::to_string(not_run.size()) + " baseline cells not in this run: " + listed(not_run));
  }
  if (!unknown_strategies.empty()) {
    out.notes.push_back("the baseline names strategies this build does not have: " + join(unknown_strategies));
  }
  return out;
}

std::string comparison_text(const BaselineComparison& c) {
  if (!c.has_baseline()) return "";
  std::string out = "baseline " + c.origin + ": ";
  if (c.matches()) {
    out += std::to_string(c.cells_compared) + " cells as expected\n";
  } else {
    std::vector<std::string> kinds;
    if (c.regressions > 0)
      kinds.push_back(std::to_string(c.regressions) + (c.regressions == 1 ? " regression" : " regressions"));
    if (c.improvements > 0)
      kinds.push_back(std::to_string(c.improvements) + (c.improvements == 1 ? " improvement" : " improvements"));
    if (c.unbaselined > 0) kinds.push_back(std::to_string(c.unbaselined) + " not in the baseline");
    out += std::to_string(c.differences.size()) + (c.differences.size() == 1 ? " difference" : " differences") +
           " in " + std::to_string(c.cells_compared) + " cells (" + join(kinds) + ")\n";
  }
  for (const auto& d : c.differences) out += "  " + d + "\n";
  for (const auto& n : c.notes) out += "  note: " + n + "\n";
  if (!c.matches()) {
    out += "  if every difference is intended, regenerate the baseline with the command that wrote it: " +
           c.regenerate_command() + "\n";
  }
  return out;
}

}  // namespace lockcheck::reports
