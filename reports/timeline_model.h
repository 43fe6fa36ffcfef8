// What a timeline shows, gathered from a scenario and the history of its
// run before anything is drawn (reports/timeline.cc draws it): which events
// a violation names, when a node's clock reaches a key's expiry, and the
// stretches of time the schedule and the history imply (pauses, down time,
// cut links, who is primary after a failover). Pure functions, tested on
// their own in reports/html_test.cc.
#ifndef LOCKCHECK_REPORTS_TIMELINE_MODEL_H_
#define LOCKCHECK_REPORTS_TIMELINE_MODEL_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "chaos/scenario.h"
#include "properties/checkers.h"
#include "sim/history.h"

namespace lockcheck::reports {

std::string client_name(int client);
std::string member_name(int group, int member);  // "node-G" or "node-G-replica-M"

// The sessions, clients, nodes and instants violations' one-line
// explanations name ("client-1 (session 2) was granted the lock at
// 383.000 ms ..."), and each violation's own instant. The checkers explain
// in words, not event references, so the timeline reads their words back.
struct Named {
  std::set<uint64_t> sessions;
  std::set<int> clients;
  std::set<int> nodes;
  std::set<int64_t> instants_us;  // explanations print three decimals of ms

  // Named: at a named instant, and of a named session (a key change: on a
  // named node, by a named client when any is named).
  bool event(const sim::Event& e) const;
};
Named names_in(const std::vector<properties::Violation>& violations);

// A step or drift change of one process's wall clock, from the schedule.
struct ClockChange {
  sim::TrueInstant at;
  Nanos jump{0};
  std::optional<int64_t> drift_ppm;
};
// The changes of `process`'s clock, in time order. Every clock starts at
// drift 0 (sim::World).
std::vector<ClockChange> clock_changes(const chaos::Scenario& scenario, const std::string& process);

// The true instant at which a clock that read wall_ms at `from` reads
// expire_ms (where a node judges a key expired), given its later changes;
// nullopt when that is past `limit`.
std::optional<sim::TrueInstant> clock_reaches(const std::vector<ClockChange>& changes, sim::TrueInstant from,
                                              int64_t wall_ms, int64_t expire_ms, sim::TrueInstant limit);

// A stretch of time on one process's lane.
struct Stretch {
  std::string lane;  // process name
  sim::TrueInstant from, to;
  std::string kind;  // the shape's data-kind: pause, crash, node_crash, failover, partition, delay
  std::string hover;
};

struct Failover {
  sim::TrueInstant at;
  int group = 0, from_member = 0, to_member = 0;
  std::string hover;
};

struct LaneStretches {
  std::vector<Stretch> pauses, down, cuts;
  // Per node group, (from, member) in time order: which member is primary.
  std::vector<std::vector<std::pair<sim::TrueInstant, int>>> primaries;
  std::vector<Failover> failovers;

  int primary_at(int group, sim::TrueInstant t) const;
};

// From the schedule (pauses from an instant, node crashes, partitions,
// targeted delays) and from what the world recorded as it ran (pauses armed
// to start after a command, client crashes and restarts, which replica a
// failover promoted). Nothing runs past `end`.
LaneStretches lane_stretches(const chaos::Scenario& scenario, const sim::History& history, sim::TrueInstant end);

}  // namespace lockcheck::reports

#endif  // LOCKCHECK_REPORTS_TIMELINE_MODEL_H_
