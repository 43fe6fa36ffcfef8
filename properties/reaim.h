// Re-aiming, for shrinking: some faults matter only at one instant (a
// crash between SETNX and its EXPIRE, a pause just after a grant). Fewer
// clients or a plainer network shift every client's timing, so the same
// at_ms misses. Such a fault is re-aimed: it fired `offset` after its
// target's n-th event of some kind (a mutation it made, a grant it got);
// in the smaller scenario it fires the same offset after the target's n-th
// event of that kind.
#ifndef LOCKCHECK_PROPERTIES_REAIM_H_
#define LOCKCHECK_PROPERTIES_REAIM_H_

#include <cstddef>
#include <cstdint>
#include <optional>

#include "chaos/scenario.h"
#include "sim/history.h"

namespace lockcheck::properties {

struct Anchor {
  sim::Event event;  // its kind, op, node and (for a mutation) shape matter
  int ordinal = 0;   // the target's how-many-th event of that kind (1-based)
  Nanos offset{0};   // from it to the fault
};

// Where fault f's own record sits in h (an index into h.events), or
// h.events.size() when it never fired.
size_t fault_event(const sim::History& h, const chaos::Fault& f);

// The anchor of fault f in h (a run of the scenario f belongs to): the last event of
// its target before the fault fired. nullopt: the fault is not re-aimed (it
// names a replica, or waits for an operation itself: `during`), or nothing
// of its target came before it. A fault without a target (a delay spike, a
// partition, lost or duplicated replies) is aimed at everyone's events.
std::optional<Anchor> anchor_of(const sim::History& h, const chaos::Fault& f);

// The time (whole ms, rounded up) at which the `ordinal`-th occurrence of
// a's event falls, plus a's offset, in h (a run of candidate c) for c's
// fault i, looking only at h.events[0, before). With fewer occurrences than
// `ordinal` (fewer lock cycles), the last one, but only when the whole run
// was looked at. nullopt: none, or the time falls outside [0, duration).
std::optional<int64_t> reaimed_at_ms(const chaos::Scenario& c, const sim::History& h, size_t i, const Anchor& a,
                                     int ordinal, size_t before);

}  // namespace lockcheck::properties

#endif  // LOCKCHECK_PROPERTIES_REAIM_H_
