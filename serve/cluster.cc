#include "serve/cluster.h"

#include <algorithm>
#include <limits>
#include <variant>

#include "impl/check.h"
#include "model/wait.h"
#include "sim/key_changes.h"
#include "sim/process_id.h"

namespace lockcheck::serve {

namespace {

// Bounds, as the simulator's (sim/groups.cc): a replica further behind than
// kBacklogRecordsMax records gets a full sync (Redis's repl-backlog-size).
constexpr size_t kBacklogRecordsMax = 10'000;
constexpr size_t kGroupKeysMax = 1'000'000;
constexpr size_t kWaitsMax = 10'000;

struct PersistenceInfo {
  Persistence p;
  const char* name;
};
constexpr PersistenceInfo kPersistence[] = {
    {Persistence::kNone, "none"}, {Persistence::kEverysec, "everysec"}, {Persistence::kAlways, "always"}};

std::optional<model::FsyncPolicy> fsync_of(Persistence p) {
  switch (p) {
    case Persistence::kNone: return std::nullopt;
    case Persistence::kEverysec: return model::FsyncPolicy::kEverySec;
    case Persistence::kAlways: return model::FsyncPolicy::kAlways;
  }
  return std::nullopt;
}

}  // namespace

const char* persistence_name(Persistence p) {
  for (const PersistenceInfo& i : kPersistence) {
    if (i.p == p) return i.name;
  }
  LC_CHECK(false);
  return "";
}

bool parse_persistence(const std::string& name, Persistence* out) {
  for (const PersistenceInfo& i : kPersistence) {
    if (name == i.name) {
      *out = i.p;
      return true;
    }
  }
  return false;
}

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
  std::optional<model::Reply> handle_blocking(model::Session& session, const std::vector<std::string>& argv,
                                              const ReplyLater& later) override {
    return cluster.wait(client, node, session, argv, later);
  }
  LinkState link() const override { return state; }

  Cluster& cluster;
  int client;
  int node;
  LinkState state;
  Listener listener;
};

// One unit of the replication stream: the images of the keys one command
// wrote (Redis 7 replicates effects), or a full sync.
struct Cluster::ReplRecord {
  uint64_t offset = 0;  // the primary's replication offset after this record
  bool full_sync = false;
  std::vector<model::KeyImage> images;
  std::chrono::steady_clock::time_point arrival;
};

// One Redis process of a group: node-N (member 0) or node-N-replica-r.
struct Cluster::Member {
  std::unique_ptr<model::Node> node;
  bool up = true;
  std::optional<model::Aof> aof;         // persistence != none, while up
  std::vector<model::KeyImage> on_disk;  // while down: what a restart reloads
  // As a replica of the current primary:
  std::deque<ReplRecord> stream;  // sent, not yet applied
  std::chrono::steady_clock::time_point last_arrival;  // FIFO, as TCP
  uint64_t applied = 0;
  bool online = false;  // synced with the current primary (counts for WAIT)
  uint64_t acked = 0;   // the primary's view of `applied`
};

// A blocked WAIT on the primary.
struct Cluster::WaitCall {
  uint64_t target_offset = 0;  // the connection's last write
  int64_t numreplicas = 0;
  std::optional<int64_t> deadline_wall_ms;  // by the primary's clock, as Redis
  ReplyLater reply;
};

struct Cluster::Group {
  std::vector<Member> members;  // [0] is node-N, [r] is node-N-replica-r
  size_t primary = 0;
  uint64_t offset = 0;  // replication records produced by the current primary
  uint64_t epoch = 0;   // bumped when the primary dies or changes
  std::map<int64_t, uint64_t> last_write;  // connection -> offset after its last write (c->woff)
  std::map<uint64_t, WaitCall> waits;      // blocked WAITs, in arrival order
  uint64_t next_wait = 0;
  std::set<std::string> keys;  // every key the group ever wrote
  NodeClock clock;
  std::vector<std::unique_ptr<Endpoint>> endpoints;  // one per client
  int64_t next_conn = 1;  // shared by its endpoints' listeners (and its members' lives)

  Member& primary_member() { return members[primary]; }
  const Member& primary_member() const { return members[primary]; }
};

Cluster::Cluster(asio::io_context& io, ClusterOptions options, Recorder* recorder)
    : io_(io), options_(options), recorder_(recorder), origin_(std::chrono::steady_clock::now()) {
  LC_CHECK(options_.nodes >= 1 && options_.nodes <= kNodesMax);
  LC_CHECK(options_.clients >= 1 && options_.clients <= kClientsMax);
  LC_CHECK(options_.replicas >= 0 && options_.replicas <= kReplicasMax);
  LC_CHECK(options_.replication_lag_ms.count() >= 0 && options_.replication_lag_ms.count() <= kReplicationLagMsMax);
  const std::optional<model::FsyncPolicy> fsync = fsync_of(options_.persistence);
  for (int n = 0; n < options_.nodes; ++n) {
    auto g = std::make_unique<Group>();
    for (int m = 0; m <= options_.replicas; ++m) {
      Member mem;
      mem.node = std::make_unique<model::Node>(options_.limits);
      if (fsync) mem.aof.emplace(*fsync, 0);
      mem.online = m != 0;  // replicas start in sync with an empty primary
      g->members.push_back(std::move(mem));
    }
    for (int c = 0; c < options_.clients; ++c) g->endpoints.push_back(std::make_unique<Endpoint>(*this, c, n, g->next_conn));
    groups_.push_back(std::move(g));
  }
  client_op_.assign(static_cast<size_t>(options_.clients), sim::Op::kNone);
}

Cluster::~Cluster() { stop(); }

std::optional<std::string> Cluster::start() {
  for (auto& g : groups_) {
    for (auto& e : g->endpoints) {
      if (std::optional<std::string> err = e->listener.open()) {
        stop();
        return err;
      }
    }
  }
  return std::nullopt;
}

void Cluster::stop() {
  stopped_ = true;
  for (auto& g : groups_) {
    for (auto& e : g->endpoints) e->listener.close();
  }
  for (const auto& t : timers_) t->cancel();
  timers_.clear();
}

uint16_t Cluster::port(int client, int node) const {
  return groups_.at(static_cast<size_t>(node))->endpoints.at(static_cast<size_t>(client))->listener.port();
}

int64_t Cluster::mono_ms() const {
  return std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - origin_).count();
}

int64_t Cluster::wall_ms(int node) const {
  return groups_[static_cast<size_t>(node)]->clock.now().time_since_epoch().count();
}

void Cluster::at(std::chrono::steady_clock::time_point when, std::function<void()> f) {
  if (stopped_) return;
  auto t = std::make_shared<asio::steady_timer>(io_);
  t->expires_at(when);
  timers_.insert(t);
  t->async_wait([this, t, f = std::move(f)](asio::error_code ec) {
    if (ec) return;  // cancelled: the cluster stopped (and may be gone)
    timers_.erase(t);
    f();
  });
}

void Cluster::note(const std::string& what) {
  if (note_) note_(what);
}

void Cluster::record(sim::Event e) {
  if (recorder_) recorder_->record(std::move(e));
}

std::string Cluster::member_name(int node, size_t member) const {
  return sim::process_name(sim::ProcessId::node(node, static_cast<int>(member)));
}

std::map<std::string, model::KeyImage> Cluster::snapshot(int node, size_t member) const {
  const Group& g = *groups_[static_cast<size_t>(node)];
  std::map<std::string, model::KeyImage> out;
  for (const std::string& key : g.keys) out.emplace(key, g.members[member].node->image_of(key));
  return out;
}

void Cluster::record_changes(int node, const std::map<std::string, model::KeyImage>& before, int64_t before_wall_ms,
                             const std::map<std::string, model::KeyImage>& after, int64_t after_wall_ms,
                             const std::string& why) {
  for (sim::Event& e :
       sim::key_changes(node, groups_[static_cast<size_t>(node)]->keys, before, before_wall_ms, after, after_wall_ms, why)) {
    record(std::move(e));
  }
}

model::Reply Cluster::execute(int client, int node, model::Session& session, const std::vector<std::string>& argv) {
  Group& g = *groups_[static_cast<size_t>(node)];
  Member& primary = g.primary_member();
  const model::NodeWallMs now = g.clock.now();
  const int64_t now_ms = now.time_since_epoch().count();
  const auto conn = static_cast<model::ConnId>(session.id);
  if (!primary.node->in_multi(conn)) {
    if (std::optional<model::Reply> r = model::execute_connection_command(session, argv, now_ms)) return *r;
  }
  std::vector<model::Mutation> mutations;
  model::Reply reply = primary.node->execute(argv, now, &mutations, conn);
  std::vector<std::string> written;
  for (model::Mutation& m : mutations) {
    if (std::find(written.begin(), written.end(), m.key) == written.end()) written.push_back(m.key);
    record(sim::mutation_event(client, client_op_[static_cast<size_t>(client)], node, std::move(m), now_ms));
  }
  // Into the AOF and down the replication streams before the reply leaves.
  if (!written.empty()) after_write(node, session.id, written);
  return reply;
}

void Cluster::after_write(int node, int64_t conn, const std::vector<std::string>& keys) {
  Group& g = *groups_[static_cast<size_t>(node)];
  ++g.offset;
  g.last_write[conn] = g.offset;
  for (const std::string& key : keys) g.keys.insert(key);
  LC_CHECK(g.keys.size() <= kGroupKeysMax);
  Member& primary = g.primary_member();
  ReplRecord record;
  for (const std::string& key : keys) record.images.push_back(primary.node->image_of(key));
  if (primary.aof) {
    const int64_t t = mono_ms();
    for (const auto& image : record.images) primary.aof->append(image, t);
  }
  record.offset = g.offset;
  for (size_t m = 0; m < g.members.size(); ++m) {
    if (m != g.primary && g.members[m].up) ship(node, m, record);
  }
}

void Cluster::ship(int node, size_t member, ReplRecord record) {
  Group& g = *groups_[static_cast<size_t>(node)];
  Member& mem = g.members[member];
  if (mem.stream.size() >= kBacklogRecordsMax) {
    full_sync(node, member);
    return;
  }
  record.arrival = std::max(std::chrono::steady_clock::now() + options_.replication_lag_ms, mem.last_arrival);
  mem.last_arrival = record.arrival;
  const auto arrival = record.arrival;
  mem.stream.push_back(std::move(record));
  at(arrival, [this, node, member, epoch = g.epoch] { pump(node, member, epoch); });
}

void Cluster::pump(int node, size_t member, uint64_t epoch) {
  Group& g = *groups_[static_cast<size_t>(node)];
  if (epoch != g.epoch) return;  // a stream from a primary that is gone
  Member& mem = g.members[member];
  if (!mem.up) return;
  const auto now = std::chrono::steady_clock::now();
  bool applied = false;
  while (!mem.stream.empty() && mem.stream.front().arrival <= now) {
    const ReplRecord record = std::move(mem.stream.front());
    mem.stream.pop_front();
    if (record.full_sync) {
      mem.node->clear();
      mem.online = true;
    }
    for (const auto& image : record.images) mem.node->put_image(image);
    if (mem.aof) {
      if (record.full_sync) {
        mem.aof->rewrite(record.images, mono_ms());
      } else {
        for (const auto& image : record.images) mem.aof->append(image, mono_ms());
      }
    }
    mem.applied = record.offset;
    applied = true;
  }
  if (applied) send_ack(node, member);
}

void Cluster::send_ack(int node, size_t member) {
  Group& g = *groups_[static_cast<size_t>(node)];
  const uint64_t offset = g.members[member].applied;
  at(std::chrono::steady_clock::now() + options_.replication_lag_ms, [this, node, member, offset, epoch = g.epoch] {
    Group& gr = *groups_[static_cast<size_t>(node)];
    if (epoch != gr.epoch) return;
    Member& mm = gr.members[member];
    mm.acked = std::max(mm.acked, offset);
    check_waits(node, false);
  });
}

void Cluster::full_sync(int node, size_t member) {
  Group& g = *groups_[static_cast<size_t>(node)];
  LC_CHECK(member != g.primary);
  Member& mem = g.members[member];
  ReplRecord record;
  record.offset = g.offset;
  record.full_sync = true;
  for (const std::string& key : g.keys) {
    model::KeyImage image = g.primary_member().node->image_of(key);
    if (image.exists) record.images.push_back(std::move(image));
  }
  mem.stream.clear();
  mem.online = false;
  mem.acked = 0;
  ship(node, member, std::move(record));
}

int64_t Cluster::acks(int node, uint64_t target) const {
  const Group& g = *groups_[static_cast<size_t>(node)];
  int64_t count = 0;
  for (size_t m = 0; m < g.members.size(); ++m) {
    const Member& mem = g.members[m];
    if (m != g.primary && mem.up && mem.online && mem.acked >= target) ++count;
  }
  return count;
}

std::optional<model::Reply> Cluster::wait(int client, int node, model::Session& session,
                                          const std::vector<std::string>& argv, const ReplyLater& later) {
  Group& g = *groups_[static_cast<size_t>(node)];
  const auto conn = static_cast<model::ConnId>(session.id);
  // Inside MULTI, WAIT is queued like any command and EXEC answers it at
  // once, never blocking (Redis's waitCommand in a transaction).
  if (!model::is_wait(argv) || g.primary_member().node->in_multi(conn)) return execute(client, node, session, argv);
  auto parsed = model::parse_wait(argv);
  if (const model::Reply* error = std::get_if<model::Reply>(&parsed)) return *error;
  const model::WaitRequest request = std::get<model::WaitRequest>(parsed);
  WaitCall call;
  auto woff = g.last_write.find(session.id);
  call.target_offset = woff == g.last_write.end() ? 0 : woff->second;
  call.numreplicas = request.numreplicas;
  const int64_t count = acks(node, call.target_offset);
  // Redis answers at once when enough replicas acked already; a standalone
  // node (no replicas) therefore blocks WAIT n>0 until its timeout, then 0.
  if (count >= call.numreplicas) return model::Reply::integer_reply(count);
  if (request.timeout_ms > 0) {
    const int64_t now_wall = wall_ms(node);
    call.deadline_wall_ms = request.timeout_ms > std::numeric_limits<int64_t>::max() - now_wall
                                ? std::numeric_limits<int64_t>::max()
                                : now_wall + request.timeout_ms;
  }
  call.reply = later;
  if (g.waits.size() >= kWaitsMax) return model::Reply::error("ERR lockcheck serve: too many blocked WAITs");
  const uint64_t id = g.next_wait++;
  const bool timed = call.deadline_wall_ms.has_value();
  g.waits.emplace(id, std::move(call));
  if (timed) arm_wait_timer(node, id);
  return std::nullopt;
}

void Cluster::arm_wait_timer(int node, uint64_t id) {
  Group& g = *groups_[static_cast<size_t>(node)];
  const WaitCall& call = g.waits.at(id);
  // Redis times a blocked client out once its deadline is in the past, by
  // the node's wall clock: one ms after it. A jump re-checks (jump_clock);
  // a timer that fires early (the clock was stepped back) re-arms.
  const int64_t left_ms =
      std::clamp<int64_t>(*call.deadline_wall_ms - wall_ms(node) + 1, 0, kReplicationLagMsMax * 10);
  at(std::chrono::steady_clock::now() + Millis(left_ms), [this, node, id, epoch = g.epoch] {
    Group& gr = *groups_[static_cast<size_t>(node)];
    if (epoch != gr.epoch) return;
    auto it = gr.waits.find(id);
    if (it == gr.waits.end()) return;  // answered already
    if (wall_ms(node) > *it->second.deadline_wall_ms) {
      check_waits(node, true);
    } else {
      arm_wait_timer(node, id);
    }
  });
}

void Cluster::check_waits(int node, bool deadlines_only) {
  Group& g = *groups_[static_cast<size_t>(node)];
  const int64_t now_wall = wall_ms(node);
  for (auto it = g.waits.begin(); it != g.waits.end();) {
    const WaitCall& call = it->second;
    const int64_t count = acks(node, call.target_offset);
    const bool enough = !deadlines_only && count >= call.numreplicas;
    const bool expired = call.deadline_wall_ms && now_wall > *call.deadline_wall_ms;
    if (!enough && !expired) {
      ++it;
      continue;
    }
    const ReplyLater reply = std::move(it->second.reply);
    it = g.waits.erase(it);
    reply(model::Reply::integer_reply(count));
  }
}

void Cluster::new_epoch(int node) {
  Group& g = *groups_[static_cast<size_t>(node)];
  ++g.epoch;
  g.waits.clear();  // their connections die with the primary
  g.last_write.clear();
  for (Member& mem : g.members) {
    mem.stream.clear();
    mem.online = false;
    mem.acked = 0;
  }
}

void Cluster::crash_node(int node) {
  Group& g = *groups_[static_cast<size_t>(node)];
  Member& mem = g.primary_member();
  if (!mem.up) return;
  const std::string name = member_name(node, g.primary);
  const std::map<std::string, model::KeyImage> before = snapshot(node, g.primary);
  const int64_t now_wall = wall_ms(node);
  size_t lost_records = 0;
  if (mem.aof) {
    const int64_t t = mono_ms();
    mem.on_disk = mem.aof->durable_at(t);
    lost_records = mem.aof->lost_at(t);
    mem.aof.reset();
  }
  mem.up = false;
  mem.node->clear();
  new_epoch(node);
  for (auto& e : g.endpoints) e->listener.close();
  if (options_.persistence != Persistence::kNone) {
    note(name + " lost " + std::to_string(lost_records) + " AOF records not yet on disk (appendfsync " +
         persistence_name(options_.persistence) + ")");
  }
  // What the crash took for good: the live data against what the disk
  // gives back (nothing without persistence).
  std::map<std::string, model::KeyImage> kept;
  for (const auto& image : mem.on_disk) kept.emplace(image.key, image);
  record_changes(node, before, now_wall, kept, now_wall, "lost in crash of " + name);
}

std::optional<std::string> Cluster::restart_node(int node) {
  Group& g = *groups_[static_cast<size_t>(node)];
  Member& mem = g.primary_member();
  if (mem.up) return std::nullopt;
  mem.up = true;
  if (const std::optional<model::FsyncPolicy> fsync = fsync_of(options_.persistence)) {
    for (const auto& image : mem.on_disk) mem.node->put_image(image);
    mem.aof.emplace(*fsync, mono_ms(), mem.on_disk);
    note(member_name(node, g.primary) + " reloads " + std::to_string(mem.on_disk.size()) + " keys from its AOF");
    mem.on_disk.clear();
  }
  // A new replication history: every replica resynchronizes in full (a
  // primary back without its data empties its replicas, as in Redis).
  for (size_t m = 0; m < g.members.size(); ++m) {
    if (m != g.primary && g.members[m].up) full_sync(node, m);
  }
  for (auto& e : g.endpoints) {
    // The same port as before: clients reconnect to where the node was.
    if (std::optional<std::string> err = e->listener.open(e->listener.port())) {
      return "node-" + std::to_string(node) + " cannot restart: " + *err;
    }
  }
  return std::nullopt;
}

bool Cluster::failover(int node) {
  Group& g = *groups_[static_cast<size_t>(node)];
  const size_t old = g.primary;
  const std::string group_name = "node-" + std::to_string(node);
  std::optional<size_t> best;
  for (size_t m = 0; m < g.members.size(); ++m) {
    if (m == old || !g.members[m].up) continue;
    if (!best || g.members[m].applied > g.members[*best].applied) best = m;
  }
  if (!best) {
    note("failover of " + group_name + ": no reachable replica, nothing changes");
    return false;
  }
  Member& dead = g.members[old];
  Member& chosen = g.members[*best];
  const std::map<std::string, model::KeyImage> before = snapshot(node, old);
  const int64_t before_wall = wall_ms(node);
  // The old primary dies for good (a pending restart of it is void too).
  const bool was_up = dead.up;
  dead.up = false;
  dead.node->clear();
  dead.aof.reset();
  dead.on_disk.clear();
  const uint64_t lost = g.offset - chosen.applied;
  const uint64_t had = g.offset;
  new_epoch(node);
  g.primary = *best;
  g.offset = chosen.applied;
  note("failover of " + group_name + ": " + member_name(node, *best) + " promoted at offset " +
       std::to_string(chosen.applied) + " of " + std::to_string(had) + " (" + std::to_string(lost) +
       " writes lost); " + member_name(node, old) + " is dead");
  // A dead primary's data was recorded as lost at its crash already.
  record_changes(node, was_up ? before : std::map<std::string, model::KeyImage>{}, before_wall, snapshot(node, *best),
                 wall_ms(node), "failover to " + member_name(node, *best));
  for (size_t m = 0; m < g.members.size(); ++m) {
    if (m != *best && g.members[m].up) full_sync(node, m);
  }
  drop_connections(node);
  return true;
}

void Cluster::drop_connections(int node) {
  // A new process behind the same ports: every old connection is gone
  // (clients see it close and reconnect), and no WATCH/MULTI survives.
  for (auto& e : groups_[static_cast<size_t>(node)]->endpoints) e->listener.close_connections();
}

bool Cluster::node_up(int node) const { return groups_.at(static_cast<size_t>(node))->primary_member().up; }

void Cluster::jump_clock(int node, Millis delta_ms) {
  Group& g = *groups_.at(static_cast<size_t>(node));
  const int64_t before_wall = wall_ms(node);
  g.clock.jump(delta_ms);
  if (!g.primary_member().up) return;
  if (delta_ms > Millis(0)) {
    // A step forward expires every key whose expiry it passed: say so at
    // the jump (as the simulator does), or the history shows a lock
    // vanishing for no reason.
    const std::map<std::string, model::KeyImage> stored = snapshot(node, g.primary);
    record_changes(node, stored, before_wall, stored, wall_ms(node),
                   "expired: " + member_name(node, g.primary) + "'s clock jumped +" +
                       std::to_string(delta_ms.count()) + " ms");
  }
  // A step forward times out blocked WAITs whose deadline it passed.
  if (!g.waits.empty()) check_waits(node, true);
}

void Cluster::set_drift(int node, int64_t ppm) { groups_.at(static_cast<size_t>(node))->clock.set_drift_ppm(ppm); }

void Cluster::set_link(int client, int node, LinkState link) {
  Group& g = *groups_.at(static_cast<size_t>(node));
  for (auto& e : g.endpoints) {
    if (client >= 0 && e->client != client) continue;
    const bool healed = (e->state.cut && !link.cut) || (e->state.drop_replies && !link.drop_replies);
    e->state = link;
    if (healed) e->listener.close_blackholed();
  }
}

int Cluster::live_on(const std::string& key, const std::string& value) const {
  int count = 0;
  for (size_t n = 0; n < groups_.size(); ++n) {
    const Group& g = *groups_[n];
    if (!g.primary_member().up) continue;
    const model::KeyImage image = g.primary_member().node->image_of(key);
    if (!sim::live(image, wall_ms(static_cast<int>(n)))) continue;
    count += image.is_hash ? static_cast<int>(image.hash.count(value)) : image.str == value ? 1 : 0;
  }
  return count;
}

}  // namespace lockcheck::serve
