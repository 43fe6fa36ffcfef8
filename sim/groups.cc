// Node groups: what a client calls "node N" is a Redis primary and its
// replicas, each a process of its own (pausable, crashable, with its own
// clocks), each with an AOF under the world's persistence policy.
//
// Replication is asynchronous, as Redis's: after a command writes, the
// primary ships the images of the keys it wrote (Redis 7 replicates
// effects) down one FIFO link per replica, each record arriving after a
// lag drawn from the world's replication stream of randomness. A replica
// applies what has arrived and acknowledges its offset back over the same
// kind of link. A link cut by a partition holds the stream (TCP retransmits;
// the replication backlog keeps it) until it heals; message loss does not
// apply to it. WAIT counts acknowledgements; failover promotes the replica
// that applied the most and everything it had not applied is gone.
//
// Worlds with no replicas and no persistence behave, and hash, exactly as
// before these existed: nothing here draws randomness or mixes the trace
// for them. What a crash or a node's clock jump takes is recorded in every
// world alike (as mutations by no client), so the checkers see the node as
// clients do.
#include <algorithm>
#include <limits>
#include <variant>

#include "model/wait.h"
#include "sim/world_impl.h"

namespace lockcheck::sim {

namespace {

// Trace tags of replication events (mixed only in worlds with replicas).
constexpr uint64_t kTagShip = 0x5348'0000;
constexpr uint64_t kTagApply = 0x4150'0000;
constexpr uint64_t kTagAck = 0x414b'0000;

// Bounds (TIGER_STYLE). A replica further behind than kBacklogRecordsMax
// records has fallen off the primary's backlog and gets a full sync, as in
// Redis (repl-backlog-size); a group that ever wrote more distinct keys than
// kGroupKeysMax is a runaway workload.
constexpr size_t kBacklogRecordsMax = 10'000;
constexpr size_t kGroupKeysMax = 1'000'000;
constexpr size_t kWaitsMax = 100'000;

// A key's value as the history renders it (model/keyspace.h's render_value).
std::string render(const model::KeyImage& image) {
  if (!image.is_hash) return image.str;
  std::string out;
  for (const auto& [field, value] : image.hash) {
    if (!out.empty()) out += ';';
    out += field;
    out += '=';
    out += value;
  }
  return out;
}

// Present and not expired at the node's wall-clock reading wall_ms.
bool live(const model::KeyImage& image, int64_t wall_ms) {
  return image.exists && (!image.expire_unix_ms || *image.expire_unix_ms > wall_ms);
}

std::string integer_reply(int64_t v) { return model::encode_reply(model::Reply::integer_reply(v)); }

}  // namespace

void World::Impl::init_groups() {
  const WorldConfig& c = w.config_;
  switch (c.persistence) {
    case Persistence::kNone: break;
    case Persistence::kAlways: fsync = model::FsyncPolicy::kAlways; break;
    case Persistence::kEverysec: fsync = model::FsyncPolicy::kEverySec; break;
    case Persistence::kNo: fsync = model::FsyncPolicy::kNo; break;
  }
  tracks_data = c.replicas > 0 || fsync.has_value();
  groups.resize(static_cast<size_t>(c.nodes));
  for (int g = 0; g < c.nodes; ++g) {
    for (int m = 0; m <= c.replicas; ++m) {
      Member mem;
      mem.slot = member_slot(g, m);
      mem.node = std::make_unique<model::Node>();
      if (fsync) mem.aof.emplace(*fsync, mono_ms(mem.slot));
      mem.online = m != 0;  // replicas start in sync with an empty primary
      procs[mem.slot].name = process_name({ProcessId::Kind::kNode, g, m});
      groups[g].members.push_back(std::move(mem));
    }
  }
}

std::pair<int, int> World::Impl::member_of(int s) const {
  const WorldConfig& c = w.config_;
  if (s >= node_slot(0) && s < resource_slot()) return {s - node_slot(0), 0};
  if (s > resource_slot() && c.replicas > 0) {
    const int r = s - resource_slot() - 1;
    return {r / c.replicas, r % c.replicas + 1};
  }
  return {-1, -1};
}

std::map<std::string, model::KeyImage> World::Impl::snapshot(int g, int m) const {
  std::map<std::string, model::KeyImage> out;
  for (const std::string& key : groups[g].keys) out.emplace(key, groups[g].members[m].node->image_of(key));
  return out;
}

void World::Impl::handle_request(int g, int m, int c, Op op, const std::string& bytes, const ReplyTo& to) {
  Group& grp = groups[g];
  LC_CHECK(m == grp.primary);  // a demoted primary is dead: nothing reaches it
  auto argv = model::parse_command(bytes);
  LC_CHECK(argv.has_value());  // we encoded it ourselves
  Member& mem = grp.members[m];
  const auto conn = static_cast<model::ConnId>(c + 1);
  // Inside MULTI, WAIT is queued like any command and EXEC answers it at
  // once, never blocking (Redis's waitCommand in a transaction).
  if (model::is_wait(*argv) && !mem.node->in_multi(conn)) {
    handle_wait(g, c, *argv, to);
    return;
  }
  const int64_t now_wall_ms = wall_ms(mem.slot);
  std::vector<model::Mutation> mutations;
  model::Reply reply = mem.node->execute(*argv, model::NodeWallMs(Millis(now_wall_ms)), &mutations, conn);
  std::vector<std::string> written;
  for (auto& mu : mutations) {
    if (std::find(written.begin(), written.end(), mu.key) == written.end()) written.push_back(mu.key);
    Event e;
    e.kind = EventKind::kMutation;
    e.client = c;
    e.node = g;
    e.op = op;
    e.key = std::move(mu.key);
    e.before = std::move(mu.before);
    e.after = std::move(mu.after);
    e.after_expire_unix_ms = mu.after_expire_unix_ms;
    e.node_wall_unix_ms = now_wall_ms;
    record(std::move(e));
  }
  // Into the AOF (durable at once under `always`) before the reply leaves.
  if (!written.empty()) after_write(g, c, written);
  respond(to, model::encode_reply(reply));
}

void World::Impl::after_write(int g, int c, const std::vector<std::string>& keys) {
  Group& grp = groups[g];
  ++grp.offset;
  grp.last_write[c] = grp.offset;
  for (const std::string& key : keys) grp.keys.insert(key);
  LC_CHECK(grp.keys.size() <= kGroupKeysMax);
  // A standalone node without an AOF has nobody to tell: keep its hot path
  // as cheap as it was before replication existed.
  if (!tracks_data) return;
  Member& primary = grp.members[grp.primary];
  ReplRecord record;
  for (const std::string& key : keys) record.images.push_back(primary.node->image_of(key));
  if (primary.aof) {
    const int64_t t = mono_ms(primary.slot);
    for (const auto& image : record.images) primary.aof->append(image, t);
  }
  record.offset = grp.offset;
  for (int m = 0; m < static_cast<int>(grp.members.size()); ++m) {
    if (m != grp.primary && up(grp.members[m].slot)) ship(g, m, record);
  }
}

void World::Impl::ship(int g, int m, ReplRecord record) {
  Group& grp = groups[g];
  Member& mem = grp.members[m];
  if (mem.stream.size() >= kBacklogRecordsMax) {
    // Fallen off the backlog: what is queued is replaced by a full sync.
    full_sync(g, m);
    return;
  }
  const WorldConfig& c = w.config_;
  const Nanos lag = Millis(repl_rng.between(c.replication_lag_min.count(), c.replication_lag_max.count())) + extra_latency;
  record.arrival = std::max(now() + lag, mem.last_arrival);
  mem.last_arrival = record.arrival;
  const TrueInstant arrival = record.arrival;
  mix(mix64(kTagShip ^ static_cast<uint64_t>(g) << 8 ^ static_cast<uint64_t>(m), record.offset) ^
      static_cast<uint64_t>(arrival.time_since_epoch().count()));
  mem.stream.push_back(std::move(record));
  const int s = mem.slot;
  const uint64_t epoch = grp.epoch;
  const uint64_t inc = procs[s].incarnation;
  w.loop_.at(arrival, [this, g, m, s, epoch, inc]() {
    deliver(s, inc, [this, g, m, epoch]() { pump(g, m, epoch, false); });
  });
}

void World::Impl::pump(int g, int m, uint64_t epoch, bool force_ack) {
  Group& grp = groups[g];
  if (epoch != grp.epoch) return;  // a stream from a primary that is gone
  Member& mem = grp.members[m];
  if (cut.count({primary_slot(g), mem.slot}) > 0) return;  // held until the link heals
  bool applied = false;
  while (!mem.stream.empty() && mem.stream.front().arrival <= now()) {
    const ReplRecord record = std::move(mem.stream.front());
    mem.stream.pop_front();
    apply_record(g, m, record);
    applied = true;
  }
  if (applied || force_ack) send_ack(g, m);
}

void World::Impl::apply_record(int g, int m, const ReplRecord& record) {
  Member& mem = groups[g].members[m];
  if (record.full_sync) {
    mem.node->clear();
    mem.online = true;
  }
  for (const auto& image : record.images) mem.node->put_image(image);
  if (mem.aof) {
    const int64_t t = mono_ms(mem.slot);
    if (record.full_sync) {
      mem.aof->rewrite(record.images, t);
    } else {
      for (const auto& image : record.images) mem.aof->append(image, t);
    }
  }
  mem.applied = record.offset;
  mix(mix64(kTagApply ^ static_cast<uint64_t>(g) << 8 ^ static_cast<uint64_t>(m), record.offset));
}

void World::Impl::send_ack(int g, int m) {
  Group& grp = groups[g];
  const Member& mem = grp.members[m];
  const int ps = primary_slot(g);
  if (cut.count({mem.slot, ps}) > 0) return;  // acks are cumulative: the next one (or the heal) tells
  const WorldConfig& c = w.config_;
  const Nanos lag = Millis(repl_rng.between(c.replication_lag_min.count(), c.replication_lag_max.count())) + extra_latency;
  const uint64_t offset = mem.applied;
  const uint64_t epoch = grp.epoch;
  const uint64_t inc = procs[ps].incarnation;
  w.loop_.at(now() + lag, [this, g, m, ps, inc, offset, epoch]() {
    deliver(ps, inc, [this, g, m, offset, epoch]() {
      Group& gr = groups[g];
      if (epoch != gr.epoch) return;
      Member& mm = gr.members[m];
      mm.acked = std::max(mm.acked, offset);
      mix(mix64(kTagAck ^ static_cast<uint64_t>(g) << 8 ^ static_cast<uint64_t>(m), offset));
      check_waits(g, false);
    });
  });
}

void World::Impl::full_sync(int g, int m) {
  Group& grp = groups[g];
  Member& mem = grp.members[m];
  LC_CHECK(m != grp.primary);
  ReplRecord record;
  record.offset = grp.offset;
  record.full_sync = true;
  const Member& primary = grp.members[grp.primary];
  for (const std::string& key : grp.keys) {
    model::KeyImage image = primary.node->image_of(key);
    if (image.exists) record.images.push_back(std::move(image));
  }
  mem.stream.clear();
  mem.online = false;
  mem.acked = 0;
  ship(g, m, std::move(record));
}

int64_t World::Impl::acks(int g, uint64_t target) const {
  const Group& grp = groups[g];
  int64_t count = 0;
  for (int m = 0; m < static_cast<int>(grp.members.size()); ++m) {
    const Member& mem = grp.members[m];
    if (m != grp.primary && mem.online && mem.acked >= target) ++count;
  }
  return count;
}

void World::Impl::handle_wait(int g, int c, const std::vector<std::string>& argv, const ReplyTo& to) {
  auto parsed = model::parse_wait(argv);
  if (const model::Reply* error = std::get_if<model::Reply>(&parsed)) {
    respond(to, model::encode_reply(*error));
    return;
  }
  const model::WaitRequest request = std::get<model::WaitRequest>(parsed);
  Group& grp = groups[g];
  auto woff = grp.last_write.find(c);
  WaitCall call;
  call.target_offset = woff == grp.last_write.end() ? 0 : woff->second;
  call.numreplicas = request.numreplicas;
  const int64_t count = acks(g, call.target_offset);
  // Redis answers at once when enough replicas acked already; a standalone
  // node (no replicas) therefore blocks WAIT n>0 until its timeout, then 0.
  if (count >= call.numreplicas) {
    respond(to, integer_reply(count));
    return;
  }
  if (request.timeout_ms > 0) {
    // As Redis: an absolute deadline on the node's wall clock (saturating).
    const int64_t now_wall = wall_ms(primary_slot(g));
    call.deadline_wall_ms = request.timeout_ms > std::numeric_limits<int64_t>::max() - now_wall
                                ? std::numeric_limits<int64_t>::max()
                                : now_wall + request.timeout_ms;
  }
  call.reply_to = to;
  LC_CHECK(grp.waits.size() < kWaitsMax);
  const uint64_t id = grp.next_wait++;
  const bool timed = call.deadline_wall_ms.has_value();
  grp.waits.emplace(id, std::move(call));
  if (timed) arm_wait_timer(g, id);
}

void World::Impl::arm_wait_timer(int g, uint64_t id) {
  Group& grp = groups[g];
  const WaitCall& call = grp.waits.at(id);
  const int ps = primary_slot(g);
  // Redis times a blocked client out once its deadline is in the past
  // (timeout < now): one ms after it, by the node's wall clock. The timer
  // assumes the clock keeps its pace; a jump re-checks (wall_jumped) and a
  // timer that fires early re-arms.
  const int64_t left_ms = *call.deadline_wall_ms == std::numeric_limits<int64_t>::max()
                              ? WorldConfig::kDurationMsMax + 1
                              : std::max<int64_t>(0, *call.deadline_wall_ms - wall_ms(ps) + 1);
  const TrueInstant at = local_deadline(ps, Millis(std::min(left_ms, WorldConfig::kDurationMsMax + 1)));
  const uint64_t epoch = grp.epoch;
  const uint64_t inc = procs[ps].incarnation;
  w.loop_.at(at, [this, g, id, ps, inc, epoch]() {
    deliver(ps, inc, [this, g, id, epoch]() {
      Group& gr = groups[g];
      if (epoch != gr.epoch) return;
      auto it = gr.waits.find(id);
      if (it == gr.waits.end()) return;  // answered already
      if (wall_ms(primary_slot(g)) > *it->second.deadline_wall_ms) {
        check_waits(g, true);
      } else {
        arm_wait_timer(g, id);  // the clock was stepped back
      }
    });
  });
}

void World::Impl::check_waits(int g, bool deadlines_only) {
  Group& grp = groups[g];
  const int64_t now_wall = wall_ms(primary_slot(g));
  for (auto it = grp.waits.begin(); it != grp.waits.end();) {
    const WaitCall& call = it->second;
    const int64_t count = acks(g, call.target_offset);
    const bool enough = !deadlines_only && count >= call.numreplicas;
    const bool expired = call.deadline_wall_ms && now_wall > *call.deadline_wall_ms;
    if (!enough && !expired) {
      ++it;
      continue;
    }
    const ReplyTo to = it->second.reply_to;
    it = grp.waits.erase(it);
    respond(to, integer_reply(count));
  }
}

void World::Impl::wall_jumped(int s, int64_t wall_before_ms, Nanos delta) {
  const auto [g, m] = member_of(s);
  if (g < 0 || m != groups[g].primary || !up(s)) return;
  if (delta > Nanos(0)) {
    // A step forward expires every key whose expiry it passed: say so at
    // the jump, or the history shows a lock vanishing for no reason.
    const std::map<std::string, model::KeyImage> now_stored = snapshot(g, m);
    record_changes(g, now_stored, wall_before_ms, now_stored, wall_ms(s),
                   "expired: " + procs[s].name + "'s clock jumped +" + std::to_string(to_ms(delta)) + " ms");
  }
  if (groups[g].waits.empty()) return;
  // A step forward times out blocked WAITs whose deadline it passed.
  deliver(s, procs[s].incarnation, [this, g = g]() { check_waits(g, true); });
}

void World::Impl::new_epoch(int g) {
  Group& grp = groups[g];
  ++grp.epoch;
  grp.waits.clear();       // their connections died with the primary
  grp.last_write.clear();
  for (Member& mem : grp.members) {
    mem.stream.clear();
    mem.online = false;
    mem.acked = 0;
  }
}

void World::Impl::record_changes(int g, const std::map<std::string, model::KeyImage>& before, int64_t before_wall_ms,
                                 const std::map<std::string, model::KeyImage>& after, int64_t after_wall_ms,
                                 const std::string& why) {
  for (const std::string& key : groups[g].keys) {
    auto b = before.find(key);
    auto a = after.find(key);
    std::optional<std::string> was, is;
    std::optional<int64_t> was_expire, is_expire;
    if (b != before.end() && live(b->second, before_wall_ms)) {
      was = render(b->second);
      was_expire = b->second.expire_unix_ms;
    }
    if (a != after.end() && live(a->second, after_wall_ms)) {
      is = render(a->second);
      is_expire = a->second.expire_unix_ms;
    }
    if (was == is && was_expire == is_expire) continue;
    Event e;
    e.kind = EventKind::kMutation;
    e.node = g;
    e.key = key;
    e.before = was;
    e.after = is;
    e.after_expire_unix_ms = is ? is_expire : std::nullopt;
    e.node_wall_unix_ms = after_wall_ms;
    e.detail = why;
    record(std::move(e));
  }
}

void World::Impl::crash_member(int g, int m) {
  Group& grp = groups[g];
  Member& mem = grp.members[m];
  const bool primary = m == grp.primary;
  std::map<std::string, model::KeyImage> before;
  const int64_t now_wall = wall_ms(mem.slot);
  if (primary) before = snapshot(g, m);
  size_t lost_records = 0;
  if (mem.aof) {
    const int64_t t = mono_ms(mem.slot);
    mem.on_disk = mem.aof->durable_at(t);
    lost_records = mem.aof->lost_at(t);
    mem.aof.reset();
  }
  // Without persistence a node comes back empty (the Redlock restart case).
  mem.node->clear();
  if (primary) {
    new_epoch(g);
  } else {
    // Back empty (or with its AOF) it knows no offset: a failover prefers
    // any replica that kept its stream, until the full sync lands.
    mem.stream.clear();
    mem.online = false;
    mem.acked = 0;
    mem.applied = 0;
  }
  if (fsync) {
    w.note_fault(process_name({ProcessId::Kind::kNode, g, m}) + " lost " + std::to_string(lost_records) +
                 " AOF records not yet on disk (appendfsync " + std::string(model::fsync_policy_name(*fsync)) + ")");
  }
  if (primary) {
    // What the crash took for good: the live data against what the disk
    // will give back (nothing without persistence).
    std::map<std::string, model::KeyImage> kept;
    for (const auto& image : mem.on_disk) kept.emplace(image.key, image);
    record_changes(g, before, now_wall, kept, now_wall, "lost in crash of " + procs[mem.slot].name);
  }
}

void World::Impl::restart_member(int g, int m) {
  Group& grp = groups[g];
  Member& mem = grp.members[m];
  if (fsync) {
    for (const auto& image : mem.on_disk) mem.node->put_image(image);
    mem.aof.emplace(*fsync, mono_ms(mem.slot), mem.on_disk);
    w.note_fault(procs[mem.slot].name + " reloads " + std::to_string(mem.on_disk.size()) + " keys from its AOF");
    mem.on_disk.clear();
  }
  if (m == grp.primary) {
    // A new replication history: every replica resynchronizes in full (a
    // primary back without its data empties its replicas, as in Redis).
    for (int o = 0; o < static_cast<int>(grp.members.size()); ++o) {
      if (o != m && up(grp.members[o].slot)) full_sync(g, o);
    }
  } else if (up(primary_slot(g))) {
    full_sync(g, m);
  }
}

void World::Impl::failover(int g) {
  Group& grp = groups[g];
  const int old = grp.primary;
  const std::string group_name = process_name({ProcessId::Kind::kNode, g});
  int best = -1;
  for (int m = 0; m < static_cast<int>(grp.members.size()); ++m) {
    if (m == old || !reachable(grp.members[m].slot)) continue;
    if (best < 0 || grp.members[m].applied > grp.members[best].applied) best = m;
  }
  if (best < 0) {
    w.note_fault("failover of " + group_name + ": no reachable replica, nothing changes");
    return;
  }
  Member& dead = grp.members[old];
  Member& chosen = grp.members[best];
  const std::map<std::string, model::KeyImage> before = snapshot(g, old);
  const int64_t before_wall = wall_ms(dead.slot);
  // The old primary dies for good: a pending restart of it is void too.
  kill(dead.slot);
  dead.node->clear();
  dead.aof.reset();
  dead.on_disk.clear();
  const uint64_t lost = grp.offset - chosen.applied;
  const uint64_t had = grp.offset;
  new_epoch(g);
  grp.primary = best;
  grp.offset = chosen.applied;
  w.note_fault("failover of " + group_name + ": " + procs[chosen.slot].name + " promoted at offset " +
               std::to_string(chosen.applied) + " of " + std::to_string(had) + " (" + std::to_string(lost) +
               " writes lost); " + procs[dead.slot].name + " is dead");
  record_changes(g, before, before_wall, snapshot(g, best), wall_ms(chosen.slot), "failover to " + procs[chosen.slot].name);
  for (int o = 0; o < static_cast<int>(grp.members.size()); ++o) {
    if (o != best && o != old && up(grp.members[o].slot)) full_sync(g, o);
  }
}

void World::Impl::links_healed() {
  if (w.config_.replicas == 0) return;
  for (int g = 0; g < static_cast<int>(groups.size()); ++g) {
    Group& grp = groups[g];
    if (!up(primary_slot(g))) continue;
    for (int m = 0; m < static_cast<int>(grp.members.size()); ++m) {
      const int s = grp.members[m].slot;
      if (m == grp.primary || !up(s)) continue;
      const uint64_t epoch = grp.epoch;
      deliver(s, procs[s].incarnation, [this, g, m, epoch]() { pump(g, m, epoch, true); });
    }
  }
}

}  // namespace lockcheck::sim
