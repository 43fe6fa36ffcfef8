// Swarm testing (Groce et al., "Swarm Testing", ISSTA 2012): instead of
// every fault kind in every scenario, each seed draws its own subset of
// kinds, so rare combinations get whole runs to themselves and no kind
// always masks another. The draw is a function of the seed alone.
#ifndef LOCKCHECK_CHAOS_SWARM_H_
#define LOCKCHECK_CHAOS_SWARM_H_

#include <cstdint>
#include <vector>

#include "chaos/scenario.h"

namespace lockcheck::chaos {

// A non-empty subset of fault_catalog() kinds, in catalog order.
std::vector<FaultKind> swarm_classes(uint64_t seed);

}  // namespace lockcheck::chaos

#endif  // LOCKCHECK_CHAOS_SWARM_H_
