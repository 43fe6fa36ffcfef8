// ProcessId: a simulated process named structurally — a client, a Redis
// node process (a group's first primary or one of its replicas), or the
// protected resource. Names ("client-0", "node-1-replica-2", "resource")
// exist only at the edges: scenario files, the CLI, reports.
#ifndef LOCKCHECK_SIM_PROCESS_ID_H_
#define LOCKCHECK_SIM_PROCESS_ID_H_

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace lockcheck::sim {

struct WorldConfig;

struct ProcessId {
  enum class Kind { kClient, kNode, kResource };
  Kind kind = Kind::kClient;
  int index = 0;    // client number, or node group number
  int replica = 0;  // kNode: 0 is "node-N" (the group's first primary), r >= 1 is "node-N-replica-r"

  static constexpr ProcessId client(int i) { return {Kind::kClient, i, 0}; }
  static constexpr ProcessId node(int group, int replica = 0) { return {Kind::kNode, group, replica}; }
  static constexpr ProcessId resource() { return {Kind::kResource, 0, 0}; }
  bool is_client() const { return kind == Kind::kClient; }
  bool is_node() const { return kind == Kind::kNode; }
  bool is_replica() const { return kind == Kind::kNode && replica > 0; }

  auto operator<=>(const ProcessId&) const = default;
};

std::string process_name(ProcessId p);
// Parses "client-N", "node-N", "node-N-replica-R" or "resource" against
// the world's sizes. Names are processes, not roles: after a failover,
// "node-N" still names the old (dead) primary.
std::optional<ProcessId> parse_process(std::string_view name, const WorldConfig& config);
// Whether p names a process of a world of config's sizes.
bool exists_in(ProcessId p, const WorldConfig& config);

}  // namespace lockcheck::sim

#endif  // LOCKCHECK_SIM_PROCESS_ID_H_
