// The history events a modeled node's key changes produce (sim/history.h's
// contract for kMutation events): the simulator's node groups
// (sim/groups.cc) and lockcheck serve's real-time nodes (serve/cluster.cc)
// both build them here, so the same checkers judge a real-time check and a
// simulated run alike. Pure: no clock, no I/O.
#ifndef LOCKCHECK_SIM_KEY_CHANGES_H_
#define LOCKCHECK_SIM_KEY_CHANGES_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/node.h"
#include "sim/history.h"

namespace lockcheck::sim {

// A key's value as the history renders it (a hash as field=value;...).
std::string render(const model::KeyImage& image);

// Present and not expired at the node's wall-clock reading wall_ms.
bool live(const model::KeyImage& image, int64_t wall_ms);

// The event for one change a client's command made on node `node` (its
// wall clock read wall_ms when it ran the command).
Event mutation_event(int client, Op op, int node, model::Mutation mutation, int64_t wall_ms);

// One event by nobody (client -1, detail `why`) per key of `keys` whose
// live state differs between `before` (judged at before_wall_ms) and
// `after` (at after_wall_ms): data a crash, a failover or a clock jump took
// or brought back.
std::vector<Event> key_changes(int node, const std::set<std::string>& keys,
                                    const std::map<std::string, model::KeyImage>& before, int64_t before_wall_ms,
                                    const std::map<std::string, model::KeyImage>& after, int64_t after_wall_ms,
                                    const std::string& why);

}  // namespace lockcheck::sim

#endif  // LOCKCHECK_SIM_KEY_CHANGES_H_
