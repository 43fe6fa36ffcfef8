// The history events a modeled node's key changes produce, built as the
// simulator builds them (sim/groups.cc), so the same checkers judge a
// real-time check and a simulated run alike. Pure: no clock, no I/O.
//
// sim/groups.cc holds its own copy of the same rules (sim/ may not depend
// on serve/); both follow sim/history.h's contract for kMutation events.
#ifndef LOCKCHECK_SERVE_KEY_CHANGES_H_
#define LOCKCHECK_SERVE_KEY_CHANGES_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "model/node.h"
#include "sim/history.h"

namespace lockcheck::serve {

// A key's value as the history renders it (a hash as field=value;...).
std::string render(const model::KeyImage& image);

// Present and not expired at the node's wall-clock reading wall_ms.
bool live(const model::KeyImage& image, int64_t wall_ms);

// The event for one change a client's command made on node `node` (its
// wall clock read wall_ms when it ran the command).
sim::Event mutation_event(int client, sim::Op op, int node, model::Mutation mutation, int64_t wall_ms);

// One event by nobody (client -1, detail `why`) per key of `keys` whose
// live state differs between `before` (judged at before_wall_ms) and
// `after` (at after_wall_ms): data a crash, a failover or a clock jump took
// or brought back.
std::vector<sim::Event> key_changes(int node, const std::set<std::string>& keys,
                                    const std::map<std::string, model::KeyImage>& before, int64_t before_wall_ms,
                                    const std::map<std::string, model::KeyImage>& after, int64_t after_wall_ms,
                                    const std::string& why);

}  // namespace lockcheck::serve

#endif  // LOCKCHECK_SERVE_KEY_CHANGES_H_
