// Modeled Redis nodes served over loopback TCP, in real time.
//
// Each node is a model::Node (the simulator's model) with its own wall
// clock: the machine's clock plus an offset plus drift, so a clock jump is a
// change of offset. Every (client, node) pair gets its own listening port,
// so the server knows which client a connection belongs to without asking
// it: partitions and delays act on one link, and the history names the
// client behind each key change. Node crashes close a node's ports and
// connections; a restart reopens the same ports, with the data
// (persistence "always") or without ("none").
//
// Every key change is recorded in true time (the recorder's steady clock)
// as a sim::Event, for the same checkers the simulator feeds.
#ifndef LOCKCHECK_SERVE_CLUSTER_H_
#define LOCKCHECK_SERVE_CLUSTER_H_

#include <asio.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

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

enum class Persistence { kNone, kAlways };

struct ClusterOptions {
  int nodes = 1;
  int clients = 1;  // ports per node: one per client (plus none for others)
  Persistence persistence = Persistence::kNone;
  std::string lock_key = "lockcheck:lock";  // what a crash's loss is recorded for
  model::NodeLimits limits;
};
inline constexpr int kNodesMax = 16;
inline constexpr int kClientsMax = 16;

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
  void crash_node(int node);
  // Reopens the node's ports; an error message if one cannot be reopened.
  std::optional<std::string> restart_node(int node);
  bool node_up(int node) const;
  void jump_clock(int node, Millis delta_ms);
  void set_drift(int node, int64_t ppm);
  // client -1: every client's link to the node.
  void set_link(int client, int node, LinkState link);

  // What `client` is doing (from its driver's reports), for the key
  // changes it makes: the owner checker judges releases and extends.
  void set_op(int client, sim::Op op) { client_op_.at(static_cast<size_t>(client)) = op; }

  // On how many nodes `key` holds `value` unexpired by the node's clock
  // (a crashed node counts as not holding it).
  int live_on(const std::string& key, const std::string& value) const;

 private:
  struct Endpoint;
  struct ServedNode;

  model::Reply execute(int client, int node, model::Session& session, const std::vector<std::string>& argv);

  asio::io_context& io_;
  ClusterOptions options_;
  Recorder* recorder_;
  std::vector<std::unique_ptr<ServedNode>> nodes_;
  std::vector<sim::Op> client_op_;
};

}  // namespace lockcheck::serve

#endif  // LOCKCHECK_SERVE_CLUSTER_H_
