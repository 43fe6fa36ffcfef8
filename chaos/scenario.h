// Scenario: one fully determined run as data — strategy, world
// configuration, seed and an explicit fault schedule. A counterexample is a
// scenario (with `expect` filled in). Files are JSON; see docs/scenarios.md and docs/DESIGN.md.
#ifndef LOCKCHECK_CHAOS_SCENARIO_H_
#define LOCKCHECK_CHAOS_SCENARIO_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "impl/result.h"
#include "sim/config.h"
#include "sim/process_id.h"

namespace lockcheck::chaos {

enum class FaultKind { kPause, kCrash, kClockJump, kDrift, kDelay, kDrop, kPartition, kNodeCrash, kFailover, kDuplicate };

struct FaultKindInfo {
  FaultKind kind;
  std::string_view name;     // as written in files and on the command line
  std::string_view summary;  // one line for `lockcheck list faults`
};
const std::vector<FaultKindInfo>& fault_catalog();
std::optional<FaultKind> parse_fault_kind(std::string_view name);
std::string_view fault_kind_name(FaultKind kind);

// When a pause starts. kAtOnce: at at_ms. The others (a client's pause
// only) arm it at at_ms to start right after the client next sends a
// command for that operation (its reply then waits: a pause in flight), or
// right after its next passed validity check (kCheck).
enum class During { kAtOnce, kAcquire, kRelease, kExtend, kCheck };
// "acquire", "release", "extend", "check" as files write them; "" for kAtOnce.
std::string_view during_name(During during);
std::optional<During> parse_during(std::string_view name);

struct Fault {
  int64_t at_ms = 0;
  FaultKind kind = FaultKind::kPause;
  // pause, crash, clock_jump, drift, node_crash, failover; delay: a slow
  // process (none: every message).
  std::optional<sim::ProcessId> target;
  During during = During::kAtOnce;        // pause
  int64_t duration_ms = 0;                // pause, delay, drop, partition
  int64_t delta_ms = 0;                   // clock_jump (may be negative)
  int64_t ppm = 0;                        // drift
  std::optional<int64_t> restart_after_ms;  // crash, node_crash
  int64_t extra_latency_ms = 0;           // delay
  int64_t drop_ppm = 0;                   // drop: loss rate in parts per million
  std::vector<std::vector<sim::ProcessId>> groups;  // partition (may name the resource)
  bool one_way = false;                   // partition: cut only groups[0] -> others

  bool operator==(const Fault&) const = default;
};

// What a scenario is expected to show when replayed.
struct Expectation {
  std::string verdict;   // "holds" or "violated"
  std::string property;  // the first violated property (verdict "violated")
  std::string trace;     // hex trace hash; empty: not checked
  // Properties that must hold even so (a survivor scenario: "fenced keeps
  // resource and fencing while validity breaks").
  std::vector<std::string> holds;
};

struct Scenario {
  // The trace-hash version expect.trace was recorded with ("trace_format";
  // absent: 1). Replay compares the trace only when it is the build's
  // (sim::kTraceFormat).
  int trace_format = 1;
  sim::WorldConfig world;
  std::vector<Fault> faults;  // sorted by at_ms (stable)
  std::optional<Expectation> expect;
  std::string description;
};

// Bounds on a scenario (TIGER_STYLE: a limit on everything). The history
// keeps every lock cycle and resource write, so these bound a run's memory
// (about 3 KB per cycle of 3 writes): a scenario past them is refused by
// the parser, not run until the machine runs out.
constexpr size_t kFaultsMax = 1000;
constexpr int64_t kLockCyclesMax = 50'000;    // clients x acquires_per_client
constexpr int64_t kWritesTotalMax = 500'000;  // clients x acquires_per_client x writes_per_hold

// Parses a scenario file's text; `origin` names it in error messages.
// Every error is one line: "<origin>: <path>: <what is wrong>", with
// control characters escaped. Unknown keys, kinds, targets and property
// names are errors, never ignored; so are a key given twice in one object,
// a number out of range (1e999), a fault at or after duration_ms, and a
// scenario past the bounds above. `properties`: the property names `expect`
// may use (the checkers' catalog: chaos/ cannot see it); empty: any name.
Result<Scenario> parse_scenario(std::string_view json_text, std::string_view origin,
                                std::span<const std::string_view> properties = {});

// The file text for a scenario (parses back to an equal scenario).
std::string format_scenario(const Scenario& scenario);

// One line describing a fault, e.g. "pause client-0 for 1500 ms".
std::string describe(const Fault& fault);

// `text` fit for a one-line message: control characters as \n, \t, \r or
// \xNN.
std::string escaped(std::string_view text);

// "0x5eed" style.
std::string format_seed(uint64_t seed);
std::optional<uint64_t> parse_seed(std::string_view text);

}  // namespace lockcheck::chaos

#endif  // LOCKCHECK_CHAOS_SCENARIO_H_
