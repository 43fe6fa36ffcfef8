// Modeled Redis nodes served over loopback TCP, in real time.
//
// What a client calls node N is a group (as in the simulator,
// sim/groups.h): a primary and `replicas` replicas, each a model::Node
// (the simulator's model). Replication is asynchronous, as Redis 7's: after
// a command writes, the primary ships the images of the keys it wrote down
// one FIFO stream per replica; each record lands replication_lag_ms later
// (an asio timer), and the replica's acknowledgement takes as long again to
// come back. WAIT counts acknowledgements, blocks, and times out by the
// primary's clock. A failover promotes the replica that applied the most:
// what it had not applied is lost, the old primary is dead for good, and
// every connection to the node closes (a new process answers the port).
//
// Every (client, node) pair gets its own listening port, so the server
// knows which client a connection belongs to without asking it:
// partitions, drops and delays act on one link, and the history names the
// client behind each key change. Node crashes close a node's ports and
// connections; a restart reopens the same ports with what its AOF kept
// (model/aof.h: "always" keeps every write, "everysec" loses the last
// second's, "none" comes back empty).
//
// One wall clock per group: the machine's clock plus an offset plus drift,
// so a clock jump is a change of offset, and a promoted replica keeps the
// group's clock (the simulator gives each member its own; no serve fault
// jumps a replica's clock alone).
//
// Every key change is recorded in true time (the recorder's steady clock)
// as a sim::Event, for the same checkers the simulator feeds; data a
// crash, failover or clock jump takes is recorded as the simulator records
// it (client -1, detail saying why).
#ifndef LOCKCHECK_SERVE_CLUSTER_H_
#define LOCKCHECK_SERVE_CLUSTER_H_

#include <asio.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/aof.h"
#include "model/node.h"
#include "serve/recorder.h"
#include "serve/resp_server.h"

namespace lockcheck::serve {

// A node's wall clock: the machine's plus offset_ms plus drift_ppm of the
// time since `origin`.
class NodeClock {
 public:
  NodeClock() : origin_(std::chrono::system_clock::now()) {}
  model::NodeWallMs now() const;
  void jump(Millis delta_ms) { offset_ms_ += delta_ms; }
  void set_drift_ppm(int64_t ppm) { drift_ppm_ = ppm; }

 private:
  std::chrono::system_clock::time_point origin_;
  Millis offset_ms_{0};
  int64_t drift_ppm_ = 0;
};

// What a node's disk keeps across a crash: nothing, the writes fsynced
// once a second (Redis's appendfsync everysec), or every write (always).
enum class Persistence { kNone, kEverysec, kAlways };
const char* persistence_name(Persistence p);
// "none" | "everysec" | "always"; false else.
bool parse_persistence(const std::string& name, Persistence* out);

struct ClusterOptions {
  int nodes = 1;
  int clients = 1;  // ports per node: one per client (plus none for others)
  int replicas = 0;  // per node
  // One replication record's trip from primary to replica, and one ack's
  // trip back.
  Millis replication_lag_ms{0};
  Persistence persistence = Persistence::kNone;
  model::NodeLimits limits;
};
inline constexpr int kNodesMax = 16;
inline constexpr int kClientsMax = 16;
inline constexpr int kReplicasMax = 4;
inline constexpr int64_t kReplicationLagMsMax = 60'000;

class Cluster {
 public:
  // `recorder` may be null (plain `lockcheck serve` records nothing).
  Cluster(asio::io_context& io, ClusterOptions options, Recorder* recorder);
  ~Cluster();

  // Opens every port. An error message on failure (nothing left open).
  std::optional<std::string> start();
  void stop();

  uint16_t port(int client, int node) const;
  int nodes() const { return options_.nodes; }
  int clients() const { return options_.clients; }

  // ---- faults, applied at once ----
  // The node's primary crashes: its connections close, its ports refuse,
  // and it keeps what its AOF had on disk (persistence).
  void crash_node(int node);
  // Reopens the node's ports with what its disk kept; its replicas
  // resynchronize in full. An error message if a port cannot be reopened.
  std::optional<std::string> restart_node(int node);
  bool node_up(int node) const;
  // The node's most up-to-date replica becomes its primary, losing what it
  // had not applied; the old primary is dead for good and every
  // connection to the node closes, so clients reconnect to the new one on
  // the same ports. False (nothing changes) when no replica is up.
  bool failover(int node);
  void jump_clock(int node, Millis delta_ms);
  void set_drift(int node, int64_t ppm);
  // client -1: every client's link to the node.
  void set_link(int client, int node, LinkState link);

  // Where the cluster says what a fault did beyond the fault itself (the
  // writes a failover or a crash lost): the check records it as a fault
  // event, as the simulator's note_fault does. May be unset.
  void set_notes(std::function<void(const std::string&)> note) { note_ = std::move(note); }

  // What `client` is doing (from its driver's reports), for the key
  // changes it makes: the owner checker judges releases and extends.
  void set_op(int client, sim::Op op) { client_op_.at(static_cast<size_t>(client)) = op; }

  // On how many nodes `key` holds `value` unexpired by the node's clock:
  // the value itself, or a field of a hash (a crashed node holds nothing).
  int live_on(const std::string& key, const std::string& value) const;

 private:
  struct Endpoint;
  struct Member;
  struct Group;
  struct ReplRecord;
  struct WaitCall;

  model::Reply execute(int client, int node, model::Session& session, const std::vector<std::string>& argv);
  std::optional<model::Reply> wait(int client, int node, model::Session& session, const std::vector<std::string>& argv,
                                   const ReplyLater& later);
  // The node's monotonic clock in ms (AOF fsync schedules run on it).
  int64_t mono_ms() const;
  int64_t wall_ms(int node) const;
  // Runs f at `at` unless the cluster stops first.
  void at(std::chrono::steady_clock::time_point when, std::function<void()> f);
  void note(const std::string& what);
  void record(sim::Event e);
  std::string member_name(int node, size_t member) const;
  void after_write(int node, int64_t conn, const std::vector<std::string>& keys);
  void ship(int node, size_t member, ReplRecord record);
  void pump(int node, size_t member, uint64_t epoch);
  void send_ack(int node, size_t member);
  void full_sync(int node, size_t member);
  int64_t acks(int node, uint64_t target) const;
  void check_waits(int node, bool deadlines_only);
  void arm_wait_timer(int node, uint64_t id);
  void new_epoch(int node);
  std::map<std::string, model::KeyImage> snapshot(int node, size_t member) const;
  void record_changes(int node, const std::map<std::string, model::KeyImage>& before, int64_t before_wall_ms,
                      const std::map<std::string, model::KeyImage>& after, int64_t after_wall_ms,
                      const std::string& why);
  // Closes every connection to the node, its ports still accepting (a failover).
  void drop_connections(int node);

  asio::io_context& io_;
  ClusterOptions options_;
  Recorder* recorder_;
  std::chrono::steady_clock::time_point origin_;
  std::vector<std::unique_ptr<Group>> groups_;
  std::vector<sim::Op> client_op_;
  std::set<std::shared_ptr<asio::steady_timer>> timers_;
  std::function<void(const std::string&)> note_;
  bool stopped_ = false;
};

}  // namespace lockcheck::serve

#endif  // LOCKCHECK_SERVE_CLUSTER_H_
