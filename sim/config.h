// The configuration of one simulated world. Every limit is explicit.
#ifndef LOCKCHECK_SIM_CONFIG_H_
#define LOCKCHECK_SIM_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "impl/time.h"

namespace lockcheck::sim {

struct WorkloadConfig {
  int acquires_per_client = 5;  // lock cycles each client tries
  Millis hold{200};             // time spent working inside the critical section
  Millis think{50};             // pause between a release and the next acquire
  int writes_per_hold = 3;      // resource writes per critical section, each after a validity check
  Millis acquire_timeout{0};    // 0: 3 x ttl
  // Nested acquire/release pairs by the holder after its first write
  // (reentrant strategies); 0: none.
  int reentry_depth = 0;
};

struct NetworkConfig {
  Millis latency_min{1};         // one-way message latency, uniform in [min, max]
  Millis latency_max{5};
  int64_t drop_ppm = 0;          // chance a message is lost, parts per million
  Millis request_timeout{50};    // a client's wait for a reply before it gives up
};

// Node data after a node crash: none (no AOF: a crash loses it all) or an
// AOF with Redis's appendfsync policy always, everysec or no (model/aof.h
// says what each keeps).
enum class Persistence { kNone, kAlways, kEverysec, kNo };
// "none", "always", "everysec", "no": as written in scenario files.
std::string_view persistence_name(Persistence p);
std::optional<Persistence> parse_persistence(std::string_view name);

struct WorldConfig {
  std::string strategy = "single";
  uint64_t seed = 0;
  int nodes = 1;
  int clients = 2;
  Millis ttl{1000};
  Millis duration{20000};  // the run stops at this true time
  WorkloadConfig workload;
  NetworkConfig network;
  // Every node and replica alike.
  Persistence persistence = Persistence::kNone;
  // Replicas per node (0: standalone nodes, the world before replication).
  // A client's call to node i goes to the current primary of group i.
  int replicas = 0;
  // One-way delay of the replication link (records out, acks back),
  // uniform in [min, max], drawn from a stream of its own.
  Millis replication_lag_min{1};
  Millis replication_lag_max{5};

  // Bounds checked by validate_config (the scenario parser reports them).
  static constexpr int kNodesMax = 15;
  static constexpr int kClientsMax = 64;
  static constexpr int kReplicasMax = 4;
  static constexpr int kAcquiresMax = 10'000;
  static constexpr int kWritesMax = 100;
  static constexpr int kReentryDepthMax = 10;
  static constexpr int64_t kDurationMsMax = 24LL * 3600 * 1000;
};

// Empty when usable; otherwise one line saying what is wrong.
std::string validate_config(const WorldConfig& c);

}  // namespace lockcheck::sim

#endif  // LOCKCHECK_SIM_CONFIG_H_
