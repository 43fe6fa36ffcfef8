// Test helpers over a History (sim tests only).
#ifndef LOCKCHECK_SIM_TEST_HISTORY_H_
#define LOCKCHECK_SIM_TEST_HISTORY_H_

#include <vector>

#include "sim/history.h"

namespace lockcheck::sim {

// The events of kind k, in history order.
inline std::vector<Event> of_kind(const History& h, EventKind k) {
  std::vector<Event> out;
  for (const auto& e : h.events) {
    if (e.kind == k) out.push_back(e);
  }
  return out;
}

}  // namespace lockcheck::sim

#endif  // LOCKCHECK_SIM_TEST_HISTORY_H_
