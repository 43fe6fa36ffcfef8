#include "reports/real_time.h"

#include <algorithm>
#include <climits>
#include <set>

#include <nlohmann/json.hpp>

#include "reports/json_reader.h"

namespace lockcheck::reports {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using sim::Event;
using sim::EventKind;
using sim::TrueInstant;

constexpr int kFormat = 2;
constexpr std::string_view kFormatKey = "lockcheck_real_time_counterexample";
// A check runs at most an hour (`clients --timeout-s`); a day of true time
// bounds every instant in a file.
constexpr int64_t kInstantNsMax = 24LL * 3600 * 1'000'000'000;
constexpr size_t kTextMax = 64 * 1024;  // any one string

int64_t ns_of(TrueInstant t) { return t.time_since_epoch().count(); }
TrueInstant at_ns(int64_t ns) { return TrueInstant{} + Nanos(ns); }

std::string show(const json& value) { return show_json(value); }

// Strict reading (JsonReader), with the value kinds this format has.
class In : public JsonReader {
 public:
  using JsonReader::JsonReader;
  std::string text(const json& obj, const std::string& where, const char* key, bool required = true) {
    if (failed()) return "";
    if (!obj.contains(key)) {
      if (required) fail(where + "." + key, "missing");
      return "";
    }
    if (!obj[key].is_string() || obj[key].get_ref<const std::string&>().size() > kTextMax) {
      fail(where + "." + key, "must be a string of at most " + std::to_string(kTextMax) + " bytes");
      return "";
    }
    return obj[key].get<std::string>();
  }
  // A whole number in [lo, hi]; absent: `absent` unless required.
  int64_t number(const json& obj, const std::string& where, const char* key, int64_t lo, int64_t hi,
                 std::optional<int64_t> absent = std::nullopt) {
    if (failed()) return 0;
    if (!obj.contains(key)) {
      if (!absent) fail(where + "." + key, "missing");
      return absent.value_or(0);
    }
    const json& v = obj[key];
    const std::string range = "must be a whole number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    if (v.is_number_unsigned() && v.get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX)) {
      const auto n = static_cast<int64_t>(v.get<uint64_t>());
      if (n >= lo && n <= hi) return n;
    } else if (v.is_number_integer()) {
      const int64_t n = v.get<int64_t>();
      if (n >= lo && n <= hi) return n;
    }
    fail(where + "." + key, range + ", got " + show(v));
    return 0;
  }
  uint64_t unsigned_number(const json& obj, const std::string& where, const char* key) {
    if (failed() || !obj.contains(key)) return 0;
    if (!obj[key].is_number_unsigned()) {
      fail(where + "." + key, "must be a whole number >= 0, got " + show(obj[key]));
      return 0;
    }
    return obj[key].get<uint64_t>();
  }
  const json& array(const json& obj, const std::string& where, const char* key, size_t max) {
    static const json kEmpty = json::array();
    if (failed()) return kEmpty;
    if (!obj.contains(key) || !obj[key].is_array()) {
      fail(where + "." + key, "must be an array");
      return kEmpty;
    }
    if (obj[key].size() > max) {
      fail(where + "." + key, "more than " + std::to_string(max) + " entries");
      return kEmpty;
    }
    return obj[key];
  }
};

ordered_json event_json(const Event& e) {
  ordered_json j;
  j["at_ns"] = ns_of(e.at);
  j["kind"] = sim::event_kind_name(e.kind);
  if (e.client != -1) j["client"] = e.client;
  if (e.session != 0) j["session"] = e.session;
  if (!e.token.empty()) j["token"] = e.token;
  if (e.believed_until != TrueInstant{}) j["believed_until_ns"] = ns_of(e.believed_until);
  if (e.granted_until != TrueInstant{}) j["granted_until_ns"] = ns_of(e.granted_until);
  if (e.fence != 0) j["fence"] = e.fence;
  if (e.token_nodes != -1) j["token_nodes"] = e.token_nodes;
  if (!e.detail.empty()) j["detail"] = e.detail;
  if (e.due != TrueInstant{}) j["due_ns"] = ns_of(e.due);
  if (e.paused != Nanos(0)) j["paused_ns"] = e.paused.count();
  if (e.node != -1) j["node"] = e.node;
  if (e.op != sim::Op::kNone) j["op"] = sim::op_name(e.op);
  if (!e.key.empty()) j["key"] = e.key;
  if (e.before) j["before"] = *e.before;
  if (e.after) j["after"] = *e.after;
  if (e.after_expire_unix_ms) j["after_expire_unix_ms"] = *e.after_expire_unix_ms;
  if (e.node_wall_unix_ms != 0) j["node_wall_unix_ms"] = e.node_wall_unix_ms;
  return j;
}

std::optional<EventKind> event_kind(const std::string& name) {
  for (int k = 0; k <= static_cast<int>(EventKind::kNote); ++k) {
    if (name == sim::event_kind_name(static_cast<EventKind>(k))) return static_cast<EventKind>(k);
  }
  return std::nullopt;
}

std::optional<sim::Op> op_of(const std::string& name) {
  for (int k = 0; k <= static_cast<int>(sim::Op::kCheck); ++k) {
    if (name == sim::op_name(static_cast<sim::Op>(k))) return static_cast<sim::Op>(k);
  }
  return std::nullopt;
}

Event parse_event(In& in, const json& j, const std::string& where, const sim::History& h) {
  Event e;
  if (!j.is_object()) {
    in.fail(where, "must be an object");
    return e;
  }
  in.only_keys(j, where,
               {"at_ns", "kind", "client", "session", "token", "believed_until_ns", "granted_until_ns", "fence",
                "token_nodes", "detail", "due_ns", "paused_ns", "node", "op", "key", "before", "after",
                "after_expire_unix_ms", "node_wall_unix_ms"});
  e.at = at_ns(in.number(j, where, "at_ns", 0, kInstantNsMax));
  const std::string kind = in.text(j, where, "kind");
  if (in.failed()) return e;
  if (auto k = event_kind(kind)) {
    e.kind = *k;
  } else {
    in.fail(where + ".kind", "unknown event kind " + show(kind));
    return e;
  }
  e.client = static_cast<int>(in.number(j, where, "client", -1, h.clients - 1, -1));
  e.session = in.unsigned_number(j, where, "session");
  e.token = in.text(j, where, "token", false);
  e.believed_until = at_ns(in.number(j, where, "believed_until_ns", 0, kInstantNsMax, 0));
  e.granted_until = at_ns(in.number(j, where, "granted_until_ns", 0, kInstantNsMax, 0));
  e.fence = in.unsigned_number(j, where, "fence");
  e.token_nodes = static_cast<int>(in.number(j, where, "token_nodes", -1, h.nodes, -1));
  e.detail = in.text(j, where, "detail", false);
  e.due = at_ns(in.number(j, where, "due_ns", 0, kInstantNsMax, 0));
  e.paused = Nanos(in.number(j, where, "paused_ns", 0, kInstantNsMax, 0));
  e.node = static_cast<int>(in.number(j, where, "node", -1, h.nodes - 1, -1));
  const std::string op = in.text(j, where, "op", false);
  if (!op.empty()) {
    if (auto o = op_of(op)) {
      e.op = *o;
    } else {
      in.fail(where + ".op", "unknown operation " + show(op));
    }
  }
  e.key = in.text(j, where, "key", false);
  if (j.contains("before")) e.before = in.text(j, where, "before");
  if (j.contains("after")) e.after = in.text(j, where, "after");
  if (j.contains("after_expire_unix_ms")) {
    e.after_expire_unix_ms = in.number(j, where, "after_expire_unix_ms", INT64_MIN / 2, INT64_MAX / 2);
  }
  e.node_wall_unix_ms = in.number(j, where, "node_wall_unix_ms", INT64_MIN / 2, INT64_MAX / 2, 0);
  // The checkers index per-node state by node: a mutation names one.
  if (!in.failed() && e.kind == EventKind::kMutation && e.node < 0) in.fail(where + ".node", "a mutation names its node");
  return e;
}

void parse_history(In& in, const json& j, const std::string& where, sim::History* h) {
  in.only_keys(j, where, {"clients", "nodes", "ttl_ms", "lock_key", "end_ns", "paused_at_end_ns", "messages_lost_ns", "events"});
  h->clients = static_cast<int>(in.number(j, where, "clients", 1, kRealTimeClientsMax));
  h->nodes = static_cast<int>(in.number(j, where, "nodes", 1, kRealTimeNodesMax));
  h->ttl_ms = in.number(j, where, "ttl_ms", 1, 24LL * 3600 * 1000);
  h->lock_key = in.text(j, where, "lock_key");
  h->end = at_ns(in.number(j, where, "end_ns", 0, kInstantNsMax));
  if (j.contains("paused_at_end_ns")) {
    const json& paused = in.array(j, where, "paused_at_end_ns", kRealTimeClientsMax);
    if (!in.failed() && paused.size() != static_cast<size_t>(h->clients)) {
      in.fail(where + ".paused_at_end_ns", "must have one entry per client");
    }
    for (size_t i = 0; i < paused.size() && !in.failed(); ++i) {
      h->paused_at_end.push_back(Nanos(in.number(json{{"v", paused[i]}}, where + ".paused_at_end_ns[" + std::to_string(i) + "]", "v", 0, kInstantNsMax)));
    }
  }
  if (j.contains("messages_lost_ns")) {
    const json& lost = in.array(j, where, "messages_lost_ns", kRealTimeEventsMax);
    for (size_t i = 0; i < lost.size() && !in.failed(); ++i) {
      h->messages_lost.push_back(at_ns(in.number(json{{"v", lost[i]}}, where + ".messages_lost_ns[" + std::to_string(i) + "]", "v", 0, kInstantNsMax)));
    }
  }
  const json& events = in.array(j, where, "events", kRealTimeEventsMax);
  h->events.reserve(events.size());
  for (size_t i = 0; i < events.size() && !in.failed(); ++i) {
    const std::string at = where + ".events[" + std::to_string(i) + "]";
    Event e = parse_event(in, events[i], at, *h);
    if (in.failed()) return;
    // The checkers read the history in true-time order.
    if (!h->events.empty() && e.at < h->events.back().at) return in.fail(at + ".at_ns", "before the event above it");
    h->events.push_back(std::move(e));
  }
}

}  // namespace

std::string real_time_cell_name(const std::string& driver, const std::string& strategy) {
  return strategy.empty() ? driver : driver + "/" + strategy;
}

std::string format_real_time_counterexample(const RealTimeCounterexample& cx) {
  ordered_json j;
  j[std::string(kFormatKey)] = kFormat;
  j["note"] = std::string(kRealTimeNote);
  j["reproduce"] = cx.reproduce;
  j["driver"] = cx.driver;
  j["command"] = cx.command;
  j["strategy"] = cx.strategy;
  j["faults"] = cx.faults;
  j["run"] = cx.run;
  j["target"] = cx.target;
  j["property"] = cx.property;
  j["violations"] = ordered_json::array();
  for (const auto& v : cx.violations) {
    j["violations"].push_back(ordered_json{{"property", properties::property_name(v.property)},
                                           {"at_ns", ns_of(v.at)},
                                           {"explanation", v.explanation}});
  }
  j["schedule"] = ordered_json::array();
  for (const auto& f : cx.schedule) j["schedule"].push_back(ordered_json{{"at_ns", ns_of(f.at)}, {"what", f.what}});
  const sim::History& h = cx.history;
  ordered_json hj;
  hj["clients"] = h.clients;
  hj["nodes"] = h.nodes;
  hj["ttl_ms"] = h.ttl_ms;
  hj["lock_key"] = h.lock_key;
  hj["end_ns"] = ns_of(h.end);
  if (!h.paused_at_end.empty()) {
    hj["paused_at_end_ns"] = ordered_json::array();
    for (Nanos p : h.paused_at_end) hj["paused_at_end_ns"].push_back(p.count());
  }
  if (!h.messages_lost.empty()) {
    hj["messages_lost_ns"] = ordered_json::array();
    for (TrueInstant t : h.messages_lost) hj["messages_lost_ns"].push_back(ns_of(t));
  }
  hj["events"] = ordered_json::array();
  for (const Event& e : h.events) hj["events"].push_back(event_json(e));
  j["history"] = hj;
  // One event per line: big histories stay readable and diffable.
  std::string out = "{\n";
  bool first = true;
  for (const auto& [key, value] : j.items()) {
    out += first ? "" : ",\n";
    first = false;
    out += "  " + ordered_json(key).dump() + ": ";
    if (key == "history") {
      out += "{\n";
      bool first_h = true;
      for (const auto& [hk, hv] : value.items()) {
        out += first_h ? "" : ",\n";
        first_h = false;
        out += "    " + ordered_json(hk).dump() + ": ";
        if (hk == "events") {
          out += "[";
          for (size_t i = 0; i < hv.size(); ++i) out += std::string(i ? "," : "") + "\n      " + hv[i].dump(-1, ' ', false, ordered_json::error_handler_t::replace);
          out += hv.empty() ? "]" : "\n    ]";
        } else {
          out += hv.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
        }
      }
      out += "\n  }";
    } else {
      out += value.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
    }
  }
  return out + "\n}\n";
}

bool is_real_time_counterexample(std::string_view text) {
  // The key is the file's first: a cheap look before a full parse.
  const size_t brace = text.find_first_not_of(" \t\r\n");
  if (brace == std::string_view::npos || text[brace] != '{') return false;
  const size_t quote = text.find_first_not_of(" \t\r\n", brace + 1);
  return quote != std::string_view::npos && text.substr(quote).starts_with("\"" + std::string(kFormatKey) + "\"");
}

Result<RealTimeCounterexample> parse_real_time_counterexample(std::string_view text, std::string_view origin) {
  In in{std::string(origin)};
  Result<json> parsed = parse_json_text(text, origin);
  if (!parsed.ok()) return parsed.error();
  json j = std::move(parsed).value();
  const std::string key(kFormatKey);
  if (!j.is_object() || !j.contains(key) || !j[key].is_number_integer()) {
    return Error{ErrorCode::kInvalidArgument, std::string(origin) + ": not a real-time counterexample (" + key + ": 2)"};
  }
  if (j[key] != kFormat) {
    return Error{ErrorCode::kInvalidArgument, std::string(origin) + ": " + key + " " + j[key].dump() +
                                                  ": this lockcheck reads version 2 (re-run the check with this build)"};
  }
  in.only_keys(j, "counterexample",
               {key, "note", "reproduce", "driver", "command", "strategy", "faults", "run", "target", "property",
                "violations", "schedule", "history"});
  RealTimeCounterexample cx;
  in.text(j, "counterexample", "note");
  cx.reproduce = in.text(j, "counterexample", "reproduce");
  cx.driver = in.text(j, "counterexample", "driver");
  cx.command = in.text(j, "counterexample", "command");
  cx.strategy = in.text(j, "counterexample", "strategy");
  cx.faults = in.text(j, "counterexample", "faults");
  cx.run = static_cast<int>(in.number(j, "counterexample", "run", 0, 10'000));
  cx.property = in.text(j, "counterexample", "property");
  parse_history(in, in.object(j, "counterexample", "history"), "history", &cx.history);
  if (in.failed()) return in.error();
  cx.target = static_cast<int>(in.number(j, "counterexample", "target", 0, cx.history.clients - 1));
  if (in.failed()) return in.error();
  for (const std::string* name : {&cx.driver, &cx.faults, &cx.reproduce}) {
    if (name->empty() || name->find('\n') != std::string::npos) return Error{ErrorCode::kInvalidArgument, std::string(origin) + ": driver, faults and reproduce must be one non-empty line each"};
  }
  const auto property = properties::parse_property(cx.property);
  if (!property) return Error{ErrorCode::kInvalidArgument, std::string(origin) + ": property: unknown property " + show(cx.property)};
  const json& violations = in.array(j, "counterexample", "violations", properties::property_catalog().size());
  std::set<std::string> seen;
  for (size_t i = 0; i < violations.size() && !in.failed(); ++i) {
    const std::string at = "violations[" + std::to_string(i) + "]";
    const json& v = violations[i];
    if (!v.is_object()) {
      in.fail(at, "must be an object");
      break;
    }
    in.only_keys(v, at, {"property", "at_ns", "explanation"});
    const std::string name = in.text(v, at, "property");
    const auto p = properties::parse_property(name);
    const TrueInstant when = at_ns(in.number(v, at, "at_ns", 0, kInstantNsMax));
    const std::string explanation = in.text(v, at, "explanation");
    if (in.failed()) break;
    if (!p) in.fail(at + ".property", "unknown property " + show(name));
    if (!seen.insert(name).second) in.fail(at + ".property", name + " given twice");
    if (!in.failed()) cx.violations.push_back({*p, when, explanation});
  }
  const json& schedule = in.array(j, "counterexample", "schedule", kRealTimeScheduleMax);
  for (size_t i = 0; i < schedule.size() && !in.failed(); ++i) {
    const std::string at = "schedule[" + std::to_string(i) + "]";
    if (!schedule[i].is_object()) {
      in.fail(at, "must be an object");
      break;
    }
    in.only_keys(schedule[i], at, {"at_ns", "what"});
    const TrueInstant when = at_ns(in.number(schedule[i], at, "at_ns", 0, kInstantNsMax));
    cx.schedule.push_back({when, in.text(schedule[i], at, "what")});
  }
  if (in.failed()) return in.error();
  if (!seen.count(cx.property)) {
    return Error{ErrorCode::kInvalidArgument,
                 std::string(origin) + ": property: " + cx.property + " is not among the file's violations"};
  }
  return cx;
}

int rejudge_real_time(const RealTimeCounterexample& cx, const std::string& file, std::string* out) {
  std::string& o = *out;
  o += "a real-time counterexample: its schedule can be re-run with: " + cx.reproduce +
       "; the interleaving is not reproduced\n";
  o += "re-judging the recorded history of " + real_time_cell_name(cx.driver, cx.strategy) + " / " + cx.faults +
       " run " + std::to_string(cx.run + 1) + " (" + std::to_string(cx.history.events.size()) + " events, " +
       std::to_string(cx.schedule.size()) + " faults applied)\n";
  for (const auto& f : cx.schedule) {
    o += "  fault at " + std::to_string(sim::true_ms(f.at)) + " ms: " + f.what + "\n";
  }
  const std::vector<properties::Violation> now = properties::check_all(cx.history);
  for (const auto& v : now) o += "VIOLATED " + properties::property_name(v.property) + ": " + v.explanation + "\n";
  if (now.empty()) o += "all properties hold\n";
  std::set<std::string> recorded, judged;
  for (const auto& v : cx.violations) recorded.insert(properties::property_name(v.property));
  for (const auto& v : now) judged.insert(properties::property_name(v.property));
  if (recorded != judged) {
    auto list = [](const std::set<std::string>& s) {
      std::string t;
      for (const auto& p : s) t += (t.empty() ? "" : ",") + p;
      return t.empty() ? std::string("none") : t;
    };
    o += "MISMATCH: " + file + " records violations " + list(recorded) + ", the checkers now find " + list(judged) + "\n";
    o += "not reproduced: the checkers' verdict over the recorded history changed\n";
    return 3;
  }
  o += "reproduced from the record: violated " + cx.property + "\n";
  return 1;
}

}  // namespace lockcheck::reports
