#include "serve/cluster.h"

#include "impl/check.h"

namespace lockcheck::serve {

model::NodeWallMs NodeClock::now() const {
  const auto real = std::chrono::system_clock::now();
  const int64_t since_ms = std::chrono::duration_cast<Millis>(real - origin_).count();
  const Millis drift_ms(since_ms * drift_ppm_ / 1'000'000);
  return std::chrono::time_point_cast<Millis>(real) + offset_ms_ + drift_ms;
}

struct Cluster::Endpoint final : Handler {
  Endpoint(Cluster& c, int client_index, int node_index, int64_t& next_id)
      : cluster(c), client(client_index), node(node_index), listener(c.io_, *this, next_id) {}
  model::Reply handle(model::Session& session, const std::vector<std::string>& argv) override {
    return cluster.execute(client, node, session, argv);
  }
  LinkState link() const override { return state; }

  Cluster& cluster;
  int client;
  int node;
  LinkState state;
  Listener listener;
};

struct Cluster::ServedNode {
  explicit ServedNode(const model::NodeLimits& limits) : model(limits) {}
  model::Node model;
  NodeClock clock;
  bool up = true;
  std::vector<std::unique_ptr<Endpoint>> endpoints;  // one per client
  int64_t next_conn = 1;  // shared by its endpoints' listeners
};

Cluster::Cluster(asio::io_context& io, ClusterOptions options, Recorder* recorder)
    : io_(io), options_(options), recorder_(recorder) {
  LC_CHECK(options_.nodes >= 1 && options_.nodes <= kNodesMax);
  LC_CHECK(options_.clients >= 1 && options_.clients <= kClientsMax);
  for (int n = 0; n < options_.nodes; ++n) {
    auto node = std::make_unique<ServedNode>(options_.limits);
    for (int c = 0; c < options_.clients; ++c) node->endpoints.push_back(std::make_unique<Endpoint>(*this, c, n, node->next_conn));
    nodes_.push_back(std::move(node));
  }
  client_op_.assign(static_cast<size_t>(options_.clients), sim::Op::kNone);
}

Cluster::~Cluster() { stop(); }

std::optional<std::string> Cluster::start() {
  for (auto& node : nodes_) {
    for (auto& e : node->endpoints) {
      if (std::optional<std::string> err = e->listener.open()) {
        stop();
        return err;
      }
    }
  }
  return std::nullopt;
}

void Cluster::stop() {
  for (auto& node : nodes_) {
    for (auto& e : node->endpoints) e->listener.close();
  }
}

uint16_t Cluster::port(int client, int node) const {
  return nodes_.at(static_cast<size_t>(node))->endpoints.at(static_cast<size_t>(client))->listener.port();
}

model::Reply Cluster::execute(int client, int node, model::Session& session, const std::vector<std::string>& argv) {
  ServedNode& n = *nodes_[static_cast<size_t>(node)];
  const model::NodeWallMs now = n.clock.now();
  const int64_t now_ms = now.time_since_epoch().count();
  const auto conn = static_cast<model::ConnId>(session.id);
  if (!n.model.in_multi(conn)) {
    if (std::optional<model::Reply> r = model::execute_connection_command(session, argv, now_ms)) return *r;
  }
  std::vector<model::Mutation> mutations;
  model::Reply reply = n.model.execute(argv, now, recorder_ ? &mutations : nullptr, conn);
  if (recorder_) {
    for (model::Mutation& m : mutations) {
      sim::Event e;
      e.kind = sim::EventKind::kMutation;
      e.client = client;
      e.op = client_op_[static_cast<size_t>(client)];
      e.node = node;
      e.key = std::move(m.key);
      e.before = std::move(m.before);
      e.after = std::move(m.after);
      e.after_expire_unix_ms = m.after_expire_unix_ms;
      e.node_wall_unix_ms = now_ms;
      recorder_->record(std::move(e));
    }
  }
  return reply;
}

void Cluster::crash_node(int node) {
  ServedNode& n = *nodes_.at(static_cast<size_t>(node));
  if (!n.up) return;
  n.up = false;
  for (auto& e : n.endpoints) e->listener.close();
  if (options_.persistence == Persistence::kNone) {
    // What the crash took, recorded as the simulator records it (client
    // -1), so no checker blames a client for the lock key vanishing.
    const model::KeyImage image = n.model.image_of(options_.lock_key);
    if (recorder_ && image.exists) {
      sim::Event e;
      e.kind = sim::EventKind::kMutation;
      e.node = node;
      e.key = options_.lock_key;
      if (!image.is_hash) e.before = image.str;
      e.node_wall_unix_ms = n.clock.now().time_since_epoch().count();
      e.detail = "node crash without persistence";
      recorder_->record(std::move(e));
    }
    n.model.clear();
  }
}

std::optional<std::string> Cluster::restart_node(int node) {
  ServedNode& n = *nodes_.at(static_cast<size_t>(node));
  if (n.up) return std::nullopt;
  n.up = true;
  for (auto& e : n.endpoints) {
    // The same port as before: clients reconnect to where the node was.
    if (std::optional<std::string> err = e->listener.open(e->listener.port())) {
      return "node-" + std::to_string(node) + " cannot restart: " + *err;
    }
  }
  return std::nullopt;
}

bool Cluster::node_up(int node) const { return nodes_.at(static_cast<size_t>(node))->up; }

void Cluster::jump_clock(int node, Millis delta_ms) { nodes_.at(static_cast<size_t>(node))->clock.jump(delta_ms); }

void Cluster::set_drift(int node, int64_t ppm) { nodes_.at(static_cast<size_t>(node))->clock.set_drift_ppm(ppm); }

void Cluster::set_link(int client, int node, LinkState link) {
  ServedNode& n = *nodes_.at(static_cast<size_t>(node));
  for (auto& e : n.endpoints) {
    if (client >= 0 && e->client != client) continue;
    const bool healed = e->state.cut && !link.cut;
    e->state = link;
    if (healed) e->listener.close_blackholed();
  }
}

int Cluster::live_on(const std::string& key, const std::string& value) const {
  int live = 0;
  for (const auto& n : nodes_) {
    if (!n->up) continue;
    const model::KeyImage image = n->model.image_of(key);
    const int64_t now_ms = n->clock.now().time_since_epoch().count();
    if (image.exists && !image.is_hash && image.str == value &&
        (!image.expire_unix_ms || *image.expire_unix_ms > now_ms)) {
      ++live;
    }
  }
  return live;
}

}  // namespace lockcheck::serve
