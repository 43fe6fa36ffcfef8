// Network: what becomes of a message between two processes — lost (the
// loss rate), cut (a partition), or on its way with a latency (plus delay
// spikes and slow processes), FIFO per directed link as TCP. It decides;
// the world schedules the arrival. Internal to sim/.
#ifndef LOCKCHECK_SIM_NETWORK_H_
#define LOCKCHECK_SIM_NETWORK_H_

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "sim/config.h"
#include "sim/ids.h"
#include "sim/inline_function.h"
#include "sim/rng.h"
#include "sim/time.h"

namespace lockcheck::sim {

// Where a request's reply goes (now, or later for a blocked WAIT): plain
// data, so answering costs no allocation.
struct ReplyTo {
  ClientIndex client;
  uint64_t client_inc = 0;  // the client incarnation that asked
  Slot from;                // the process that answers
  uint64_t call = 0;        // the client's call id
};

// What a request does where it arrives, given where to answer. Inline, so
// that it fits with its ReplyTo in the arrival's Work (processes.h): a
// command's handler carries the command's argv, moved, not a copy.
using RequestHandler = InlineFunction<void(const ReplyTo&), 80>;

using Link = std::pair<Slot, Slot>;  // directed: (from, to)

class Network {
 public:
  Network(const NetworkConfig& config, Rng rng) : config_(config), rng_(rng) {}

  // What became of a message as it left. kCut: a partition; kLost: the loss rate.
  enum class Sent { kOnItsWay, kCut, kLost };
  struct Route {
    Sent sent = Sent::kOnItsWay;
    TrueInstant arrival{};  // kOnItsWay only
  };
  // Routes one message sent at `now`; draws from the network's stream.
  Route route(Slot from, Slot to, TrueInstant now);
  uint64_t messages() const { return messages_; }

  // Partitions: each cut link counts, so overlapping partitions heal apart.
  void cut(const std::vector<Link>& links);
  void heal(const std::vector<Link>& links);
  bool is_cut(Slot from, Slot to) const { return cut_.count({from, to}) > 0; }

  // Delay spikes (every message) and slow processes (messages to and from one).
  void add_latency(Nanos extra) { extra_latency_ += extra; }
  Nanos extra_latency() const { return extra_latency_; }
  void add_slow(Slot s, Nanos extra) { slow_[s] += extra; }
  void remove_slow(Slot s, Nanos extra);
  void add_drop_ppm(int64_t ppm) { extra_drop_ppm_ += ppm; }
  // Duplicate-reply windows open.
  void add_duplicating(int windows) { duplicating_ += windows; }
  bool duplicating() const { return duplicating_ > 0; }

 private:
  const NetworkConfig& config_;
  Rng rng_;
  std::map<Link, TrueInstant> last_arrival_;  // FIFO per link, as TCP
  std::map<Link, int> cut_;                   // directed links cut by partitions (count)
  Nanos extra_latency_{0};
  std::map<Slot, Nanos> slow_;  // per process: extra latency of its messages (a slow node)
  int64_t extra_drop_ppm_ = 0;
  int duplicating_ = 0;  // open duplicate-reply windows
  uint64_t messages_ = 0;
};

// Told, at once, why a request did not get out.
using Undelivered = InlineFunction<void(Network::Sent), 32>;

}  // namespace lockcheck::sim

#endif  // LOCKCHECK_SIM_NETWORK_H_
