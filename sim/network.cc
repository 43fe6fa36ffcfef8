#include "sim/network.h"

#include <algorithm>

namespace lockcheck::sim {

Network::Route Network::route(Slot from, Slot to, TrueInstant now) {
  ++messages_;
  // A cut link draws nothing: the loss rate only applies to links that carry.
  if (is_cut(from, to)) return Route{Sent::kCut, {}};
  if (rng_.chance_ppm(config_.drop_ppm + extra_drop_ppm_)) return Route{Sent::kLost, {}};
  Nanos latency = Millis(rng_.between(config_.latency_min.count(), config_.latency_max.count())) + extra_latency_;
  if (!slow_.empty()) {
    if (auto it = slow_.find(from); it != slow_.end()) latency += it->second;
    if (auto it = slow_.find(to); it != slow_.end()) latency += it->second;
  }
  auto& last = last_arrival_[{from, to}];
  const TrueInstant arrival = std::max(now + latency, last);
  last = arrival;
  return Route{Sent::kOnItsWay, arrival};
}

void Network::cut(const std::vector<Link>& links) {
  for (const Link& l : links) ++cut_[l];
}

void Network::heal(const std::vector<Link>& links) {
  for (const Link& l : links) {
    if (--cut_[l] == 0) cut_.erase(l);
  }
}

void Network::remove_slow(Slot s, Nanos extra) {
  if ((slow_[s] -= extra) == Nanos(0)) slow_.erase(s);
}

}  // namespace lockcheck::sim
