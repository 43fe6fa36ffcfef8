#include "chaos/swarm.h"

#include "sim/rng.h"

namespace lockcheck::chaos {

std::vector<FaultKind> swarm_classes(uint64_t seed) {
  // A stream of its own (split 11): the scenario's other draws for this
  // seed are the same with or without swarm.
  sim::Rng r = sim::Rng(seed).split(11);
  std::vector<FaultKind> out;
  for (const auto& f : fault_catalog()) {
    if (r.between(0, 1) == 1) out.push_back(f.kind);
  }
  if (out.empty()) {
    const auto& all = fault_catalog();
    out.push_back(all[static_cast<size_t>(r.between(0, static_cast<int64_t>(all.size()) - 1))].kind);
  }
  return out;
}

}  // namespace lockcheck::chaos
