#include "sim/config.h"

#include "base/text.h"
#include "impl/lock.h"

namespace lockcheck::sim {

namespace {

constexpr Named<Persistence> kPersistenceNames[] = {
    {Persistence::kNone, "none"},
    {Persistence::kAlways, "always"},
    {Persistence::kEverysec, "everysec"},
    {Persistence::kNo, "no"},
};

}  // namespace

std::string_view persistence_name(Persistence p) { return name_of<Persistence>(kPersistenceNames, p); }

std::optional<Persistence> parse_persistence(std::string_view name) {
  return value_named<Persistence>(kPersistenceNames, name);
}

std::string validate_config(const WorldConfig& c) {
  if (!make_strategy(c.strategy)) return "unknown strategy '" + c.strategy + "'";
  if (c.nodes < 1 || c.nodes > WorldConfig::kNodesMax) return "nodes must be in [1, 15]";
  if (c.clients < 1 || c.clients > WorldConfig::kClientsMax) return "clients must be in [1, 64]";
  if (c.ttl <= Millis(0) || c.ttl.count() > WorldConfig::kDurationMsMax) return "ttl_ms must be positive";
  if (c.duration <= Millis(0) || c.duration.count() > WorldConfig::kDurationMsMax) {
    return "duration_ms must be in [1, 86400000]";
  }
  const auto& wl = c.workload;
  if (wl.acquires_per_client < 0 || wl.acquires_per_client > WorldConfig::kAcquiresMax) {
    return "acquires_per_client must be in [0, 10000]";
  }
  if (wl.writes_per_hold < 1 || wl.writes_per_hold > WorldConfig::kWritesMax) return "writes_per_hold must be in [1, 100]";
  if (wl.reentry_depth < 0 || wl.reentry_depth > WorldConfig::kReentryDepthMax) return "reentry_depth must be in [0, 10]";
  if (wl.hold < Millis(0) || wl.think < Millis(0) || wl.acquire_timeout < Millis(0)) {
    return "hold_ms, think_ms and acquire_timeout_ms must not be negative";
  }
  const auto& n = c.network;
  if (n.latency_min < Millis(0) || n.latency_max < n.latency_min) return "latency_ms must be [min, max] with 0 <= min <= max";
  if (n.drop_ppm < 0 || n.drop_ppm > 1'000'000) return "drop must be in [0, 1]";
  if (n.request_timeout <= Millis(0)) return "request_timeout_ms must be positive";
  if (persistence_name(c.persistence).empty()) return "persistence must be none, always, everysec or no";
  if (c.replicas < 0 || c.replicas > WorldConfig::kReplicasMax) return "replicas must be in [0, 4]";
  if (c.replication_lag_min < Millis(0) || c.replication_lag_max < c.replication_lag_min ||
      c.replication_lag_max.count() > WorldConfig::kDurationMsMax) {
    return "replication_lag_ms must be [min, max] with 0 <= min <= max";
  }
  return "";
}


}  // namespace lockcheck::sim
