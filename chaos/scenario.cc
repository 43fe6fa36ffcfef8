#include "chaos/scenario.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <set>
#include <span>

#include <nlohmann/json.hpp>

#include "base/text.h"
#include "impl/lock.h"
#include "sim/world.h"

namespace lockcheck::chaos {

using nlohmann::json;
using nlohmann::ordered_json;

const std::vector<FaultKindInfo>& fault_catalog() {
  static const std::vector<FaultKindInfo> kCatalog = {
      {FaultKind::kPause, "pause", "stop-the-world pause (GC) of a client or node; its timers and messages wait"},
      {FaultKind::kCrash, "crash", "a client process dies (optionally restarts after restart_after_ms)"},
      {FaultKind::kClockJump, "clock_jump", "a process's wall clock steps by delta_ms (NTP step, operator)"},
      {FaultKind::kDrift, "drift", "a process's clocks run fast or slow by ppm from at_ms on"},
      {FaultKind::kDelay, "delay", "messages take extra_latency_ms longer for duration_ms: all of them, or those to and from one target (a slow node)"},
      {FaultKind::kDrop, "drop", "every message is lost with probability `drop` for duration_ms"},
      {FaultKind::kPartition, "partition", "links between groups (or one way) are cut for duration_ms"},
      {FaultKind::kNodeCrash, "node_crash", "a Redis node or replica dies, losing what its AOF had not fsynced; restarts after restart_after_ms"},
      {FaultKind::kFailover, "failover", "node-N's most up-to-date reachable replica is promoted, losing what it had not received; the old primary dies"},
      {FaultKind::kDuplicate, "duplicate", "for duration_ms nodes send every reply twice; RESP has no request ids, so the copy answers the client's next command"},
  };
  return kCatalog;
}

std::optional<FaultKind> parse_fault_kind(std::string_view name) {
  for (const auto& f : fault_catalog()) {
    if (f.name == name) return f.kind;
  }
  return std::nullopt;
}

std::string_view fault_kind_name(FaultKind kind) {
  for (const auto& f : fault_catalog()) {
    if (f.kind == kind) return f.name;
  }
  return "?";
}

namespace {

constexpr Named<During> kDuringNames[] = {
    {During::kAtOnce, ""},
    {During::kAcquire, "acquire"},
    {During::kRelease, "release"},
    {During::kExtend, "extend"},
    {During::kCheck, "check"},
};

}  // namespace

std::string_view during_name(During during) { return name_of<During>(kDuringNames, during); }

std::optional<During> parse_during(std::string_view name) { return value_named<During>(kDuringNames, name); }

std::string format_seed(uint64_t seed) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, seed);
  return buf;
}

std::optional<uint64_t> parse_seed(std::string_view text) {
  std::string s(text);
  if (s.empty() || s.size() > 20) return std::nullopt;
  int base = 10;
  size_t start = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    start = 2;
  }
  const std::string digits = s.substr(start);
  const char* allowed = base == 16 ? "0123456789abcdefABCDEF" : "0123456789";
  if (digits.empty() || digits.find_first_not_of(allowed) != std::string::npos) return std::nullopt;
  errno = 0;
  const unsigned long long v = std::strtoull(digits.c_str(), nullptr, base);
  if (errno == ERANGE) return std::nullopt;
  return static_cast<uint64_t>(v);
}

std::string describe(const Fault& f) {
  const std::string at = "at " + std::to_string(f.at_ms) + " ms: ";
  const std::string target = f.target ? sim::process_name(*f.target) : "";
  switch (f.kind) {
    case FaultKind::kPause: {
      // "an acquire command", "a release command": read aloud, not decoded.
      const std::string article = f.during == During::kRelease ? "a " : "an ";
      return at + "pause " + target + " for " + std::to_string(f.duration_ms) + " ms" +
             (f.during == During::kAtOnce  ? ""
              : f.during == During::kCheck ? " right after its next passed validity check"
                                           : " right after it next sends " + article +
                                                 std::string(during_name(f.during)) + " command");
    }
    case FaultKind::kCrash:
    case FaultKind::kNodeCrash:
      return at + "crash " + target +
             (f.restart_after_ms ? ", restart after " + std::to_string(*f.restart_after_ms) + " ms" : ", no restart");
    case FaultKind::kClockJump:
      return at + "wall clock of " + target + " jumps " + (f.delta_ms >= 0 ? "+" : "") + std::to_string(f.delta_ms) + " ms";
    case FaultKind::kDrift: return at + "clocks of " + target + " drift " + std::to_string(f.ppm) + " ppm";
    case FaultKind::kDelay:
      return at + (f.target ? "messages to and from " + target : "messages") + " delayed +" +
             std::to_string(f.extra_latency_ms) + " ms for " + std::to_string(f.duration_ms) + " ms";
    case FaultKind::kDrop:
      return at + "messages lost with p=" + std::to_string(f.drop_ppm) + "e-6 for " + std::to_string(f.duration_ms) + " ms";
    case FaultKind::kFailover: return at + "failover " + target;
    case FaultKind::kDuplicate: return at + "replies duplicated for " + std::to_string(f.duration_ms) + " ms";
    case FaultKind::kPartition: {
      std::string g;
      for (const auto& group : f.groups) {
        g += g.empty() ? "[" : " | [";
        for (size_t i = 0; i < group.size(); ++i) g += (i ? " " : "") + sim::process_name(group[i]);
        g += "]";
      }
      return at + (f.one_way ? "one-way partition " : "partition ") + g + " for " + std::to_string(f.duration_ms) + " ms";
    }
  }
  return at + "?";
}

std::string escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto u = static_cast<unsigned char>(ch);
    if (u >= 0x20 && u != 0x7f) {
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (ch == '\r') {
      out += "\\r";
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    }
  }
  return out;
}

namespace {

// Thrown only inside this file and caught at its boundary (parse_scenario),
// which turns it into an Error value: nlohmann's own style, contained.
struct ParseError {
  std::string path;
  std::string what;
};

[[noreturn]] void fail(const std::string& path, const std::string& what) { throw ParseError{path, what}; }

// The path of `key` inside the object at `path` ("" is the root).
std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

void only_keys(const json& obj, const std::string& path, std::initializer_list<std::string_view> allowed) {
  if (!obj.is_object()) fail(path, "must be an object");
  for (const auto& [k, v] : obj.items()) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) fail(join(path, k), "unknown key");
  }
}

const json& need(const json& obj, const std::string& path, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) fail(join(path, key), "missing");
  return *it;
}

int64_t as_int(const json& v, const std::string& path, int64_t lo, int64_t hi) {
  if (!v.is_number_integer()) fail(path, "must be an integer");
  const int64_t x = v.get<int64_t>();
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) fail(path, "out of range");
  if (x < lo || x > hi) fail(path, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return x;
}

int64_t int_or(const json& obj, const std::string& path, const char* key, int64_t dflt, int64_t lo, int64_t hi) {
  auto it = obj.find(key);
  return it == obj.end() ? dflt : as_int(*it, join(path, key), lo, hi);
}

int64_t probability_ppm(const json& v, const std::string& path) {
  if (!v.is_number()) fail(path, "must be a number in [0, 1]");
  const double p = v.get<double>();
  if (!(p >= 0.0 && p <= 1.0)) fail(path, "must be a number in [0, 1]");
  return std::llround(p * 1e6);
}

std::string as_string(const json& v, const std::string& path) {
  if (!v.is_string()) fail(path, "must be a string");
  return v.get<std::string>();
}

constexpr int64_t kMsMax = sim::WorldConfig::kDurationMsMax;
constexpr int64_t kTraceFormatMax = 1000;

// Follows the parser's events and fails on a key an object already has:
// JSON leaves duplicates undefined and nlohmann keeps the last, so a file
// could say two things and mean one. The path for the message is built
// only then: a deeply nested file costs one small frame per level.
class DuplicateKeys {
 public:
  void see(json::parse_event_t event, const json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        frames_.push_back(Frame{event == json::parse_event_t::array_start, {}, {}, 0});
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames_.pop_back();
        element_done();
        break;
      case json::parse_event_t::key: {
        Frame& f = frames_.back();
        f.key = parsed.get<std::string>();
        if (!f.keys.insert(f.key).second) fail(path(), "duplicate key");
        break;
      }
      case json::parse_event_t::value:
        element_done();
        break;
    }
  }

 private:
  struct Frame {
    bool array;
    std::set<std::string> keys;  // objects: the keys seen
    std::string key;             // objects: the key being read
    size_t index;                // arrays: the element being read
  };
  std::string path() const {
    std::string out;
    for (const Frame& f : frames_) out = f.array ? out + "[" + std::to_string(f.index) + "]" : join(out, f.key);
    return out;
  }
  void element_done() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }
  std::vector<Frame> frames_;
};

// Which processes a fault kind may name.
struct Targets {
  bool clients = false;
  bool nodes = false;     // node-N
  bool replicas = false;  // node-N-replica-R
};

sim::ProcessId check_target(const std::string& target, const std::string& path, const sim::WorldConfig& c,
                            Targets allowed) {
  auto p = sim::parse_process(target, c);
  if (!p) {
    std::string known = "client-0.." + std::to_string(c.clients - 1) + ", node-0.." + std::to_string(c.nodes - 1);
    if (c.replicas > 0) known += ", node-N-replica-1.." + std::to_string(c.replicas);
    fail(path, "unknown target '" + target + "' (targets: " + known + ")");
  }
  const bool is_node = p->kind == sim::ProcessId::Kind::kNode;
  const bool ok = (p->kind == sim::ProcessId::Kind::kClient && allowed.clients) ||
                  (is_node && p->replica == 0 && allowed.nodes) || (is_node && p->replica > 0 && allowed.replicas);
  if (!ok) fail(path, "target '" + target + "' is not allowed for this fault kind");
  return *p;
}

constexpr Targets kAnyProcess{true, true, true};
constexpr Targets kClientsOnly{true, false, false};
constexpr Targets kNodeProcesses{false, true, true};
constexpr Targets kNodeGroups{false, true, false};

Fault parse_fault(const json& j, const std::string& path, const sim::WorldConfig& c) {
  if (!j.is_object()) fail(path, "must be an object");
  Fault f;
  const std::string kind_name = as_string(need(j, path, "kind"), path + ".kind");
  auto kind = parse_fault_kind(kind_name);
  if (!kind) fail(path + ".kind", "unknown fault kind '" + kind_name + "'");
  f.kind = *kind;
  f.at_ms = as_int(need(j, path, "at_ms"), path + ".at_ms", 0, kMsMax);
  auto duration = [&] { return as_int(need(j, path, "duration_ms"), path + ".duration_ms", 0, kMsMax); };
  auto target = [&](Targets allowed) {
    const std::string t = as_string(need(j, path, "target"), path + ".target");
    return check_target(t, path + ".target", c, allowed);
  };
  auto restart = [&]() -> std::optional<int64_t> {
    auto it = j.find("restart_after_ms");
    if (it == j.end() || it->is_null()) return std::nullopt;
    return as_int(*it, path + ".restart_after_ms", 0, kMsMax);
  };
  switch (f.kind) {
    case FaultKind::kPause:
      only_keys(j, path, {"kind", "at_ms", "target", "duration_ms", "during"});
      f.target = target(kAnyProcess);
      f.duration_ms = duration();
      if (auto it = j.find("during"); it != j.end()) {
        if (!it->is_string()) fail(path + ".during", "must be \"acquire\", \"release\", \"extend\" or \"check\"");
        const std::string name = it->get<std::string>();
        auto during = parse_during(name);
        if (!during) {
          fail(path + ".during", "must be \"acquire\", \"release\", \"extend\" or \"check\", got '" + name + "'");
        }
        f.during = *during;
        if (!f.target->is_client()) fail(path + ".during", "only a client's pause can wait for an operation");
      }
      break;
    case FaultKind::kCrash:
      only_keys(j, path, {"kind", "at_ms", "target", "restart_after_ms"});
      f.target = target(kClientsOnly);
      f.restart_after_ms = restart();
      break;
    case FaultKind::kNodeCrash:
      only_keys(j, path, {"kind", "at_ms", "target", "restart_after_ms"});
      f.target = target(kNodeProcesses);
      f.restart_after_ms = restart();
      break;
    case FaultKind::kFailover:
      only_keys(j, path, {"kind", "at_ms", "target"});
      if (c.replicas == 0) fail(path + ".kind", "failover needs replicas (set \"replicas\" to 1 or more)");
      f.target = target(kNodeGroups);
      break;
    case FaultKind::kClockJump:
      only_keys(j, path, {"kind", "at_ms", "target", "delta_ms"});
      f.target = target(kAnyProcess);
      f.delta_ms = as_int(need(j, path, "delta_ms"), path + ".delta_ms", -kMsMax, kMsMax);
      break;
    case FaultKind::kDrift:
      only_keys(j, path, {"kind", "at_ms", "target", "ppm"});
      f.target = target(kAnyProcess);
      f.ppm = as_int(need(j, path, "ppm"), path + ".ppm", -100'000, 100'000);
      break;
    case FaultKind::kDelay:
      only_keys(j, path, {"kind", "at_ms", "duration_ms", "extra_latency_ms", "target"});
      if (j.contains("target")) f.target = target(kAnyProcess);  // a slow process; else every message
      f.duration_ms = duration();
      f.extra_latency_ms = as_int(need(j, path, "extra_latency_ms"), path + ".extra_latency_ms", 0, kMsMax);
      break;
    case FaultKind::kDuplicate:
      only_keys(j, path, {"kind", "at_ms", "duration_ms"});
      f.duration_ms = duration();
      break;
    case FaultKind::kDrop:
      only_keys(j, path, {"kind", "at_ms", "duration_ms", "drop"});
      f.duration_ms = duration();
      f.drop_ppm = probability_ppm(need(j, path, "drop"), path + ".drop");
      break;
    case FaultKind::kPartition: {
      only_keys(j, path, {"kind", "at_ms", "duration_ms", "groups", "one_way"});
      f.duration_ms = duration();
      const json& groups = need(j, path, "groups");
      if (!groups.is_array() || groups.empty()) fail(path + ".groups", "must be a non-empty array of arrays");
      std::set<sim::ProcessId> seen;
      for (size_t g = 0; g < groups.size(); ++g) {
        const std::string gp = path + ".groups[" + std::to_string(g) + "]";
        if (!groups[g].is_array()) fail(gp, "must be an array of targets");
        std::vector<sim::ProcessId> group;
        for (size_t i = 0; i < groups[g].size(); ++i) {
          const std::string ip = gp + "[" + std::to_string(i) + "]";
          const std::string t = as_string(groups[g][i], ip);
          const sim::ProcessId p = t == "resource" ? sim::ProcessId::resource() : check_target(t, ip, c, kAnyProcess);
          if (!seen.insert(p).second) fail(ip, "'" + t + "' is in two groups");
          group.push_back(p);
        }
        f.groups.push_back(std::move(group));
      }
      if (auto it = j.find("one_way"); it != j.end()) {
        if (!it->is_boolean()) fail(path + ".one_way", "must be true or false");
        f.one_way = it->get<bool>();
      }
      break;
    }
  }
  return f;
}

Scenario parse_root(const json& j, std::span<const std::string_view> properties) {
  only_keys(j, "", {"lockcheck_scenario", "trace_format", "description", "strategy", "seed", "nodes", "clients",
                    "ttl_ms", "duration_ms", "workload", "network", "persistence", "replicas", "replication_lag_ms",
                    "faults", "expect"});
  if (as_int(need(j, "", "lockcheck_scenario"), "lockcheck_scenario", 0, 1000) != 1) {
    fail("lockcheck_scenario", "unsupported version (this build reads version 1)");
  }
  Scenario s;
  s.trace_format = static_cast<int>(int_or(j, "", "trace_format", 1, 1, kTraceFormatMax));
  sim::WorldConfig& c = s.world;
  if (auto it = j.find("description"); it != j.end()) s.description = as_string(*it, "description");
  c.strategy = as_string(need(j, "", "strategy"), "strategy");
  if (!make_strategy(c.strategy)) {
    std::vector<std::string_view> known;
    // A copy held here: `known` views its names.
    const auto catalog = strategy_catalog();
    for (const auto& info : catalog) known.push_back(info.name);
    fail("strategy", "unknown strategy '" + c.strategy + "' " + known_list(known));
  }
  const json& seed = need(j, "", "seed");
  if (seed.is_string()) {
    auto v = parse_seed(seed.get<std::string>());
    if (!v) fail("seed", "must be a decimal or 0x-hex 64-bit number");
    c.seed = *v;
  } else if (seed.is_number_unsigned()) {
    c.seed = seed.get<uint64_t>();
  } else {
    fail("seed", "must be a decimal or 0x-hex 64-bit number");
  }
  c.nodes = static_cast<int>(int_or(j, "", "nodes", c.nodes, 1, sim::WorldConfig::kNodesMax));
  c.clients = static_cast<int>(int_or(j, "", "clients", c.clients, 1, sim::WorldConfig::kClientsMax));
  c.ttl = Millis(int_or(j, "", "ttl_ms", c.ttl.count(), 1, kMsMax));
  c.duration = Millis(int_or(j, "", "duration_ms", c.duration.count(), 1, kMsMax));
  if (auto it = j.find("workload"); it != j.end()) {
    only_keys(*it, "workload",
              {"acquires_per_client", "hold_ms", "think_ms", "writes_per_hold", "acquire_timeout_ms", "reentry_depth"});
    auto& w = c.workload;
    w.acquires_per_client = static_cast<int>(
        int_or(*it, "workload", "acquires_per_client", w.acquires_per_client, 0, sim::WorldConfig::kAcquiresMax));
    w.hold = Millis(int_or(*it, "workload", "hold_ms", w.hold.count(), 0, kMsMax));
    w.think = Millis(int_or(*it, "workload", "think_ms", w.think.count(), 0, kMsMax));
    w.writes_per_hold =
        static_cast<int>(int_or(*it, "workload", "writes_per_hold", w.writes_per_hold, 1, sim::WorldConfig::kWritesMax));
    w.acquire_timeout = Millis(int_or(*it, "workload", "acquire_timeout_ms", w.acquire_timeout.count(), 0, kMsMax));
    w.reentry_depth = static_cast<int>(
        int_or(*it, "workload", "reentry_depth", w.reentry_depth, 0, sim::WorldConfig::kReentryDepthMax));
  }
  if (auto it = j.find("network"); it != j.end()) {
    only_keys(*it, "network", {"latency_ms", "drop", "request_timeout_ms"});
    auto& n = c.network;
    if (auto lat = it->find("latency_ms"); lat != it->end()) {
      if (!lat->is_array() || lat->size() != 2) fail("network.latency_ms", "must be [min, max]");
      n.latency_min = Millis(as_int((*lat)[0], "network.latency_ms[0]", 0, kMsMax));
      n.latency_max = Millis(as_int((*lat)[1], "network.latency_ms[1]", 0, kMsMax));
      if (n.latency_max < n.latency_min) fail("network.latency_ms", "max must not be below min");
    }
    if (auto d = it->find("drop"); d != it->end()) n.drop_ppm = probability_ppm(*d, "network.drop");
    n.request_timeout = Millis(int_or(*it, "network", "request_timeout_ms", n.request_timeout.count(), 1, kMsMax));
  }
  if (auto it = j.find("persistence"); it != j.end()) {
    const std::string name = as_string(*it, "persistence");
    auto persistence = sim::parse_persistence(name);
    if (!persistence) {
      fail("persistence",
           "must be \"none\" or an appendfsync policy: \"always\", \"everysec\" or \"no\" (got '" + name + "')");
    }
    c.persistence = *persistence;
  }
  c.replicas = static_cast<int>(int_or(j, "", "replicas", c.replicas, 0, sim::WorldConfig::kReplicasMax));
  if (auto lag = j.find("replication_lag_ms"); lag != j.end()) {
    if (!lag->is_array() || lag->size() != 2) fail("replication_lag_ms", "must be [min, max]");
    c.replication_lag_min = Millis(as_int((*lag)[0], "replication_lag_ms[0]", 0, kMsMax));
    c.replication_lag_max = Millis(as_int((*lag)[1], "replication_lag_ms[1]", 0, kMsMax));
    if (c.replication_lag_max < c.replication_lag_min) fail("replication_lag_ms", "max must not be below min");
  }
  if (const std::string problem = sim::validate_config(c); !problem.empty()) fail("", problem);
  // Refused up front: the history keeps every lock cycle and write, so a
  // run's memory grows with them (64 clients x 10,000 cycles grew it by
  // 40 MB/s until killed).
  const int64_t cycles = int64_t{c.clients} * c.workload.acquires_per_client;
  if (cycles > kLockCyclesMax) {
    fail("workload.acquires_per_client", "clients x acquires_per_client is " + std::to_string(cycles) +
                                             " lock cycles, more than the " + std::to_string(kLockCyclesMax) +
                                             " a scenario may run");
  }
  if (const int64_t writes = cycles * c.workload.writes_per_hold; writes > kWritesTotalMax) {
    fail("workload.writes_per_hold", "clients x acquires_per_client x writes_per_hold is " + std::to_string(writes) +
                                         " resource writes, more than the " + std::to_string(kWritesTotalMax) +
                                         " a scenario may run");
  }
  if (auto it = j.find("faults"); it != j.end()) {
    if (!it->is_array()) fail("faults", "must be an array");
    if (it->size() > kFaultsMax) fail("faults", "more than " + std::to_string(kFaultsMax) + " faults");
    for (size_t i = 0; i < it->size(); ++i) {
      const std::string path = "faults[" + std::to_string(i) + "]";
      s.faults.push_back(parse_fault((*it)[i], path, c));
      // The run stops at duration_ms: a fault then or later never fires,
      // and a file that lists one says something that does not happen.
      if (s.faults.back().at_ms >= c.duration.count()) {
        fail(path + ".at_ms", "at or after duration_ms (" + std::to_string(c.duration.count()) +
                                  "): the fault would never fire");
      }
    }
    std::stable_sort(s.faults.begin(), s.faults.end(), [](const Fault& a, const Fault& b) { return a.at_ms < b.at_ms; });
  }
  if (auto it = j.find("expect"); it != j.end()) {
    only_keys(*it, "expect", {"verdict", "property", "trace", "holds"});
    Expectation e;
    e.verdict = as_string(need(*it, "expect", "verdict"), "expect.verdict");
    if (e.verdict != "holds" && e.verdict != "violated") fail("expect.verdict", "must be \"holds\" or \"violated\"");
    // A name the checkers do not know can be neither violated nor held:
    // the expectation would fail (or pass) for the wrong reason.
    auto property = [&](const json& v, const std::string& path) {
      std::string name = as_string(v, path);
      if (!properties.empty() && std::find(properties.begin(), properties.end(), name) == properties.end()) {
        fail(path, "unknown property '" + name + "' " + known_list({properties.begin(), properties.end()}));
      }
      return name;
    };
    if (auto p = it->find("property"); p != it->end()) e.property = property(*p, "expect.property");
    if (auto t = it->find("trace"); t != it->end()) e.trace = as_string(*t, "expect.trace");
    if (e.verdict == "violated" && e.property.empty()) fail("expect.property", "missing (verdict is \"violated\")");
    if (e.verdict == "holds" && !e.property.empty()) fail("expect.property", "given, but the verdict is \"holds\"");
    if (auto h = it->find("holds"); h != it->end()) {
      if (!h->is_array()) fail("expect.holds", "must be a list of property names");
      for (size_t i = 0; i < h->size(); ++i) {
        const std::string path = "expect.holds[" + std::to_string(i) + "]";
        std::string name = property((*h)[i], path);
        if (std::find(e.holds.begin(), e.holds.end(), name) != e.holds.end()) fail(path, "'" + name + "' is listed twice");
        e.holds.push_back(std::move(name));
      }
    }
    s.expect = e;
  }
  return s;
}

ordered_json fault_json(const Fault& f) {
  ordered_json j;
  j["at_ms"] = f.at_ms;
  j["kind"] = std::string(fault_kind_name(f.kind));
  const std::string target = f.target ? sim::process_name(*f.target) : "";
  switch (f.kind) {
    case FaultKind::kPause:
      j["target"] = target;
      j["duration_ms"] = f.duration_ms;
      if (f.during != During::kAtOnce) j["during"] = std::string(during_name(f.during));
      break;
    case FaultKind::kCrash:
    case FaultKind::kNodeCrash:
      j["target"] = target;
      if (f.restart_after_ms) j["restart_after_ms"] = *f.restart_after_ms;
      break;
    case FaultKind::kFailover:
      j["target"] = target;
      break;
    case FaultKind::kClockJump:
      j["target"] = target;
      j["delta_ms"] = f.delta_ms;
      break;
    case FaultKind::kDrift:
      j["target"] = target;
      j["ppm"] = f.ppm;
      break;
    case FaultKind::kDelay:
      if (f.target) j["target"] = target;
      j["duration_ms"] = f.duration_ms;
      j["extra_latency_ms"] = f.extra_latency_ms;
      break;
    case FaultKind::kDuplicate:
      j["duration_ms"] = f.duration_ms;
      break;
    case FaultKind::kDrop:
      j["duration_ms"] = f.duration_ms;
      j["drop"] = static_cast<double>(f.drop_ppm) / 1e6;
      break;
    case FaultKind::kPartition:
      j["duration_ms"] = f.duration_ms;
      j["groups"] = ordered_json::array();
      for (const auto& group : f.groups) {
        ordered_json names = ordered_json::array();
        for (const sim::ProcessId p : group) names.push_back(sim::process_name(p));
        j["groups"].push_back(std::move(names));
      }
      if (f.one_way) j["one_way"] = true;
      break;
  }
  return j;
}

}  // namespace

Result<Scenario> parse_scenario(std::string_view text, std::string_view origin,
                                std::span<const std::string_view> properties) {
  // Every message is one line, whatever the file's names hold.
  auto error = [&](const std::string& message) {
    return Error{ErrorCode::kInvalidArgument, escaped(std::string(origin) + ": " + message)};
  };
  json j;
  try {
    DuplicateKeys duplicates;
    j = json::parse(text, [&duplicates](int, json::parse_event_t event, json& parsed) {
      duplicates.see(event, parsed);
      return true;
    });
  } catch (const ParseError& e) {
    return error(e.path + ": " + e.what);
  } catch (const json::exception& e) {
    // Syntax errors, and numbers too big for a double (1e999).
    std::string msg = e.what();
    // nlohmann's message starts with "[json.exception.parse_error.101] ".
    if (auto p = msg.find("] "); p != std::string::npos) msg = msg.substr(p + 2);
    return error(e.id >= 100 && e.id < 200 ? "not valid JSON: " + msg : msg);
  }
  try {
    return parse_root(j, properties);
  } catch (const ParseError& e) {
    return error((e.path.empty() ? "" : e.path + ": ") + e.what);
  } catch (const json::exception& e) {
    return error(e.what());
  }
}

std::string format_scenario(const Scenario& s) {
  const sim::WorldConfig& c = s.world;
  ordered_json j;
  j["lockcheck_scenario"] = 1;
  // Written only past version 1, so files of the first format read as they
  // always did.
  if (s.trace_format != 1) j["trace_format"] = s.trace_format;
  if (!s.description.empty()) j["description"] = s.description;
  j["strategy"] = c.strategy;
  j["seed"] = format_seed(c.seed);
  j["nodes"] = c.nodes;
  j["clients"] = c.clients;
  j["ttl_ms"] = c.ttl.count();
  j["duration_ms"] = c.duration.count();
  j["workload"] = ordered_json{{"acquires_per_client", c.workload.acquires_per_client},
                               {"hold_ms", c.workload.hold.count()},
                               {"think_ms", c.workload.think.count()},
                               {"writes_per_hold", c.workload.writes_per_hold},
                               {"acquire_timeout_ms", c.workload.acquire_timeout.count()},
                               {"reentry_depth", c.workload.reentry_depth}};
  j["network"] = ordered_json{{"latency_ms", {c.network.latency_min.count(), c.network.latency_max.count()}},
                              {"drop", static_cast<double>(c.network.drop_ppm) / 1e6},
                              {"request_timeout_ms", c.network.request_timeout.count()}};
  j["persistence"] = std::string(sim::persistence_name(c.persistence));
  // Written only when there are replicas, so files of standalone worlds
  // read exactly as they did before replication existed.
  if (c.replicas > 0) {
    j["replicas"] = c.replicas;
    j["replication_lag_ms"] = {c.replication_lag_min.count(), c.replication_lag_max.count()};
  }
  j["faults"] = ordered_json::array();
  for (const Fault& f : s.faults) j["faults"].push_back(fault_json(f));
  if (s.expect) {
    ordered_json e;
    e["verdict"] = s.expect->verdict;
    if (!s.expect->property.empty()) e["property"] = s.expect->property;
    if (!s.expect->trace.empty()) e["trace"] = s.expect->trace;
    if (!s.expect->holds.empty()) e["holds"] = s.expect->holds;
    j["expect"] = e;
  }
  return j.dump(2) + "\n";
}

}  // namespace lockcheck::chaos
