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
#include "sim/groups.h"

#include <algorithm>
#include <limits>
#include <variant>

#include "impl/reply.h"
#include "model/wait.h"
#include "sim/key_changes.h"
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

std::string integer_reply(int64_t v) { return model::encode_reply(model::Reply::integer_reply(v)); }

// The trace tag of a replication event on member m of group g.
uint64_t tag(uint64_t kind, GroupIndex g, MemberIndex m) { return kind ^ g.value << 8 ^ m.value; }

std::optional<model::FsyncPolicy> fsync_of(Persistence p) {
  switch (p) {
    case Persistence::kNone: return std::nullopt;
    case Persistence::kAlways: return model::FsyncPolicy::kAlways;
    case Persistence::kEverysec: return model::FsyncPolicy::kEverySec;
    case Persistence::kNo: return model::FsyncPolicy::kNo;
  }
  return std::nullopt;
}

}  // namespace

NodeGroups::NodeGroups(World::Impl& world)
    : w_(world),
      fsync_(fsync_of(world.w.config().persistence)),
      tracks_data_(world.layout.replicas > 0 || fsync_.has_value()),
      repl_rng_(Rng(world.w.config().seed).split(2)) {
  const Layout& layout = w_.layout;
  groups_.resize(layout.nodes);
  for (size_t g = 0; g < layout.nodes; ++g) {
    for (size_t m = 0; m <= layout.replicas; ++m) {
      Member mem;
      mem.slot = layout.member_slot(GroupIndex(g), MemberIndex(m));
      mem.node = std::make_unique<model::Node>();
      if (fsync_) mem.aof.emplace(*fsync_, w_.procs.mono_ms(mem.slot));
      mem.online = m != 0;  // replicas start in sync with an empty primary
      w_.procs[mem.slot].name = process_name(ProcessId::node(static_cast<int>(g), static_cast<int>(m)));
      groups_[g].members.push_back(std::move(mem));
    }
  }
}

Slot NodeGroups::primary_slot(GroupIndex g) const { return (*this)[g].member((*this)[g].primary).slot; }

void NodeGroups::mix(uint64_t v) { w_.mix(v); }

std::map<std::string, model::KeyImage> NodeGroups::snapshot(GroupIndex g, MemberIndex m) const {
  std::map<std::string, model::KeyImage> out;
  for (const std::string& key : (*this)[g].keys) out.emplace(key, (*this)[g].member(m).node->image_of(key));
  return out;
}

int NodeGroups::token_nodes(const std::string& key, const std::string& token) const {
  int holding = 0;
  for (const Group& g : groups_) {
    const Member& m = g.member(g.primary);
    if (!w_.procs.up(m.slot)) continue;  // a dead node holds nothing
    const model::KeyImage image = m.node->image_of(key);
    if (!image.exists) continue;
    if (image.expire_unix_ms && *image.expire_unix_ms <= w_.procs.wall_ms(m.slot)) continue;
    holding += image.is_hash ? static_cast<int>(image.hash.count(token)) : image.str == token ? 1 : 0;
  }
  return holding;
}

void NodeGroups::forget_client(ClientIndex c) {
  for (Group& g : groups_) g.last_write.erase(c);
}

void NodeGroups::handle_request(GroupIndex g, MemberIndex m, ClientIndex c, Op op,
                                const std::vector<std::string>& sent, const ReplyTo& to) {
  Group& grp = (*this)[g];
  LC_CHECK(m == grp.primary);  // a demoted primary is dead: nothing reaches it
  // The node runs the client's argv as sent. Encoding it as RESP and
  // parsing it back here gave the very same strings (bulk strings carry
  // any bytes) at a sixth of a command's cost, so the bytes are skipped.
  const std::vector<std::string>& argv = sent;
  Member& mem = grp.member(m);
  const auto conn = static_cast<model::ConnId>(c.value + 1);
  // Inside MULTI, WAIT is queued like any command and EXEC answers it at
  // once, never blocking (Redis's waitCommand in a transaction).
  if (model::is_wait(argv) && !mem.node->in_multi(conn)) {
    handle_wait(g, c, argv, to);
    return;
  }
  const int64_t now_wall_ms = w_.procs.wall_ms(mem.slot);
  std::vector<model::Mutation>& mutations = mutations_;
  mutations.clear();
  model::Reply reply = mem.node->execute(argv, model::NodeWallMs(Millis(now_wall_ms)), &mutations, conn);
  std::vector<std::string>& written = written_;
  written.clear();
  for (auto& mu : mutations) {
    if (std::find(written.begin(), written.end(), mu.key) == written.end()) written.push_back(mu.key);
    w_.record(mutation_event(as_int(c), op, as_int(g), std::move(mu), now_wall_ms));
  }
  // Into the AOF (durable at once under `always`) before the reply leaves.
  if (!written.empty()) after_write(g, c, written);
  w_.respond(to, model::encode_reply(reply));
}

void NodeGroups::after_write(GroupIndex g, ClientIndex c, const std::vector<std::string>& keys) {
  Group& grp = (*this)[g];
  ++grp.offset;
  grp.last_write[c] = grp.offset;
  for (const std::string& key : keys) grp.keys.insert(key);
  LC_CHECK(grp.keys.size() <= kGroupKeysMax);
  // A standalone node without an AOF has nobody to tell: keep its hot path
  // as cheap as it was before replication existed.
  if (!tracks_data_) return;
  Member& primary = grp.member(grp.primary);
  ReplRecord record;
  for (const std::string& key : keys) record.images.push_back(primary.node->image_of(key));
  if (primary.aof) {
    const int64_t t = w_.procs.mono_ms(primary.slot);
    for (const auto& image : record.images) primary.aof->append(image, t);
  }
  record.offset = grp.offset;
  for (size_t m = 0; m < grp.members.size(); ++m) {
    if (MemberIndex(m) != grp.primary && w_.procs.up(grp.members[m].slot)) ship(g, MemberIndex(m), record);
  }
}

Nanos NodeGroups::replication_lag() {
  const WorldConfig& c = w_.w.config();
  return Millis(repl_rng_.between(c.replication_lag_min.count(), c.replication_lag_max.count())) +
         w_.net.extra_latency();
}

void NodeGroups::ship(GroupIndex g, MemberIndex m, ReplRecord record) {
  Group& grp = (*this)[g];
  Member& mem = grp.member(m);
  if (mem.stream.size() >= kBacklogRecordsMax) {
    // Fallen off the backlog: what is queued is replaced by a full sync.
    full_sync(g, m);
    return;
  }
  const Nanos lag = replication_lag();
  record.arrival = std::max(w_.now() + lag, mem.last_arrival);
  mem.last_arrival = record.arrival;
  const TrueInstant arrival = record.arrival;
  mix(mix64(tag(kTagShip, g, m), record.offset) ^ static_cast<uint64_t>(arrival.time_since_epoch().count()));
  mem.stream.push_back(std::move(record));
  const Slot s = mem.slot;
  const uint64_t epoch = grp.epoch;
  const uint64_t inc = w_.procs[s].incarnation;
  w_.w.loop().at(arrival, [this, g, m, s, epoch, inc]() {
    w_.procs.deliver(s, inc, [this, g, m, epoch]() { pump(g, m, epoch, false); });
  });
}

void NodeGroups::pump(GroupIndex g, MemberIndex m, uint64_t epoch, bool force_ack) {
  Group& grp = (*this)[g];
  if (epoch != grp.epoch) return;  // a stream from a primary that is gone
  Member& mem = grp.member(m);
  if (w_.net.is_cut(primary_slot(g), mem.slot)) return;  // held until the link heals
  bool applied = false;
  while (!mem.stream.empty() && mem.stream.front().arrival <= w_.now()) {
    const ReplRecord record = std::move(mem.stream.front());
    mem.stream.pop_front();
    apply_record(g, m, record);
    applied = true;
  }
  if (applied || force_ack) send_ack(g, m);
}

void NodeGroups::apply_record(GroupIndex g, MemberIndex m, const ReplRecord& record) {
  Member& mem = (*this)[g].member(m);
  if (record.full_sync) {
    mem.node->clear();
    mem.online = true;
  }
  for (const auto& image : record.images) mem.node->put_image(image);
  if (mem.aof) {
    const int64_t t = w_.procs.mono_ms(mem.slot);
    if (record.full_sync) {
      mem.aof->rewrite(record.images, t);
    } else {
      for (const auto& image : record.images) mem.aof->append(image, t);
    }
  }
  mem.applied = record.offset;
  mix(mix64(tag(kTagApply, g, m), record.offset));
}

void NodeGroups::send_ack(GroupIndex g, MemberIndex m) {
  Group& grp = (*this)[g];
  const Member& mem = grp.member(m);
  const Slot ps = primary_slot(g);
  if (w_.net.is_cut(mem.slot, ps)) return;  // acks are cumulative: the next one (or the heal) tells
  const Nanos lag = replication_lag();
  const uint64_t offset = mem.applied;
  const uint64_t epoch = grp.epoch;
  const uint64_t inc = w_.procs[ps].incarnation;
  w_.w.loop().at(w_.now() + lag, [this, g, m, ps, inc, offset, epoch]() {
    w_.procs.deliver(ps, inc, [this, g, m, offset, epoch]() {
      Group& gr = (*this)[g];
      if (epoch != gr.epoch) return;
      Member& mm = gr.member(m);
      mm.acked = std::max(mm.acked, offset);
      mix(mix64(tag(kTagAck, g, m), offset));
      check_waits(g, false);
    });
  });
}

void NodeGroups::full_sync(GroupIndex g, MemberIndex m) {
  Group& grp = (*this)[g];
  Member& mem = grp.member(m);
  LC_CHECK(m != grp.primary);
  ReplRecord record;
  record.offset = grp.offset;
  record.full_sync = true;
  const Member& primary = grp.member(grp.primary);
  for (const std::string& key : grp.keys) {
    model::KeyImage image = primary.node->image_of(key);
    if (image.exists) record.images.push_back(std::move(image));
  }
  mem.stream.clear();
  mem.online = false;
  mem.acked = 0;
  ship(g, m, std::move(record));
}

int64_t NodeGroups::acks(GroupIndex g, uint64_t target) const {
  const Group& grp = (*this)[g];
  int64_t count = 0;
  for (size_t m = 0; m < grp.members.size(); ++m) {
    const Member& mem = grp.members[m];
    if (MemberIndex(m) != grp.primary && mem.online && mem.acked >= target) ++count;
  }
  return count;
}

void NodeGroups::handle_wait(GroupIndex g, ClientIndex c, const std::vector<std::string>& argv, const ReplyTo& to) {
  auto parsed = model::parse_wait(argv);
  if (const model::Reply* error = std::get_if<model::Reply>(&parsed)) {
    w_.respond(to, model::encode_reply(*error));
    return;
  }
  const model::WaitRequest request = std::get<model::WaitRequest>(parsed);
  Group& grp = (*this)[g];
  auto woff = grp.last_write.find(c);
  WaitCall call;
  call.target_offset = woff == grp.last_write.end() ? 0 : woff->second;
  call.numreplicas = request.numreplicas;
  const int64_t count = acks(g, call.target_offset);
  // Redis answers at once when enough replicas acked already; a standalone
  // node (no replicas) therefore blocks WAIT n>0 until its timeout, then 0.
  if (count >= call.numreplicas) {
    w_.respond(to, integer_reply(count));
    return;
  }
  if (request.timeout_ms > 0) {
    // As Redis: an absolute deadline on the node's wall clock (saturating).
    const int64_t now_wall = w_.procs.wall_ms(primary_slot(g));
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

void NodeGroups::arm_wait_timer(GroupIndex g, uint64_t id) {
  Group& grp = (*this)[g];
  const WaitCall& call = grp.waits.at(id);
  const Slot ps = primary_slot(g);
  // Redis times a blocked client out once its deadline is in the past
  // (timeout < now): one ms after it, by the node's wall clock. The timer
  // assumes the clock keeps its pace; a jump re-checks (wall_jumped) and a
  // timer that fires early re-arms.
  const int64_t left_ms = *call.deadline_wall_ms == std::numeric_limits<int64_t>::max()
                              ? WorldConfig::kDurationMsMax + 1
                              : std::max<int64_t>(0, *call.deadline_wall_ms - w_.procs.wall_ms(ps) + 1);
  const TrueInstant at = w_.procs.local_deadline(ps, Millis(std::min(left_ms, WorldConfig::kDurationMsMax + 1)));
  const uint64_t epoch = grp.epoch;
  const uint64_t inc = w_.procs[ps].incarnation;
  w_.w.loop().at(at, [this, g, id, ps, inc, epoch]() {
    w_.procs.deliver(ps, inc, [this, g, id, epoch]() {
      Group& gr = (*this)[g];
      if (epoch != gr.epoch) return;
      auto it = gr.waits.find(id);
      if (it == gr.waits.end()) return;  // answered already
      if (w_.procs.wall_ms(primary_slot(g)) > *it->second.deadline_wall_ms) {
        check_waits(g, true);
      } else {
        arm_wait_timer(g, id);  // the clock was stepped back
      }
    });
  });
}

void NodeGroups::check_waits(GroupIndex g, bool deadlines_only) {
  Group& grp = (*this)[g];
  const int64_t now_wall = w_.procs.wall_ms(primary_slot(g));
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
    w_.respond(to, integer_reply(count));
  }
}

void NodeGroups::wall_jumped(Slot s, int64_t wall_before_ms, Nanos delta) {
  const auto member = w_.layout.member_of(s);
  if (!member) return;
  const auto [g, m] = *member;
  if (m != (*this)[g].primary || !w_.procs.up(s)) return;
  if (delta > Nanos(0)) {
    // A step forward expires every key whose expiry it passed: say so at
    // the jump, or the history shows a lock vanishing for no reason.
    const std::map<std::string, model::KeyImage> now_stored = snapshot(g, m);
    record_changes(g, now_stored, wall_before_ms, now_stored, w_.procs.wall_ms(s),
                   "expired: " + w_.procs[s].name + "'s clock jumped +" + std::to_string(to_ms(delta)) + " ms");
  }
  if ((*this)[g].waits.empty()) return;
  // A step forward times out blocked WAITs whose deadline it passed.
  w_.procs.deliver(s, w_.procs[s].incarnation, [this, g = g]() { check_waits(g, true); });
}

void NodeGroups::new_epoch(GroupIndex g) {
  Group& grp = (*this)[g];
  ++grp.epoch;
  grp.waits.clear();  // their connections died with the primary
  grp.last_write.clear();
  for (Member& mem : grp.members) {
    mem.stream.clear();
    mem.online = false;
    mem.acked = 0;
  }
}

void NodeGroups::record_changes(GroupIndex g, const std::map<std::string, model::KeyImage>& before,
                                int64_t before_wall_ms, const std::map<std::string, model::KeyImage>& after,
                                int64_t after_wall_ms, const std::string& why) {
  for (Event& e : key_changes(as_int(g), (*this)[g].keys, before, before_wall_ms, after, after_wall_ms, why)) {
    w_.record(std::move(e));
  }
}

void NodeGroups::crash_member(GroupIndex g, MemberIndex m) {
  Group& grp = (*this)[g];
  Member& mem = grp.member(m);
  const bool primary = m == grp.primary;
  std::map<std::string, model::KeyImage> before;
  const int64_t now_wall = w_.procs.wall_ms(mem.slot);
  if (primary) before = snapshot(g, m);
  size_t lost_records = 0;
  if (mem.aof) {
    const int64_t t = w_.procs.mono_ms(mem.slot);
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
  if (fsync_) {
    w_.w.note_fault(w_.procs[mem.slot].name + " lost " + std::to_string(lost_records) +
                    " AOF records not yet on disk (appendfsync " + std::string(model::fsync_policy_name(*fsync_)) +
                    ")");
  }
  if (primary) {
    // What the crash took for good: the live data against what the disk
    // will give back (nothing without persistence).
    std::map<std::string, model::KeyImage> kept;
    for (const auto& image : mem.on_disk) kept.emplace(image.key, image);
    record_changes(g, before, now_wall, kept, now_wall, "lost in crash of " + w_.procs[mem.slot].name);
  }
}

void NodeGroups::restart_member(GroupIndex g, MemberIndex m) {
  Group& grp = (*this)[g];
  Member& mem = grp.member(m);
  if (fsync_) {
    for (const auto& image : mem.on_disk) mem.node->put_image(image);
    mem.aof.emplace(*fsync_, w_.procs.mono_ms(mem.slot), mem.on_disk);
    w_.w.note_fault(w_.procs[mem.slot].name + " reloads " + std::to_string(mem.on_disk.size()) + " keys from its AOF");
    mem.on_disk.clear();
  }
  if (m == grp.primary) {
    // A new replication history: every replica resynchronizes in full (a
    // primary back without its data empties its replicas, as in Redis).
    for (size_t o = 0; o < grp.members.size(); ++o) {
      if (MemberIndex(o) != m && w_.procs.up(grp.members[o].slot)) full_sync(g, MemberIndex(o));
    }
  } else if (w_.procs.up(primary_slot(g))) {
    full_sync(g, m);
  }
}

void NodeGroups::failover(GroupIndex g) {
  Group& grp = (*this)[g];
  const MemberIndex old = grp.primary;
  const std::string group_name = process_name(ProcessId::node(as_int(g)));
  std::optional<MemberIndex> best;
  for (size_t m = 0; m < grp.members.size(); ++m) {
    if (MemberIndex(m) == old || !w_.procs.reachable(grp.members[m].slot)) continue;
    if (!best || grp.members[m].applied > grp.member(*best).applied) best = MemberIndex(m);
  }
  if (!best) {
    w_.w.note_fault("failover of " + group_name + ": no reachable replica, nothing changes");
    return;
  }
  Member& dead = grp.member(old);
  Member& chosen = grp.member(*best);
  const std::map<std::string, model::KeyImage> before = snapshot(g, old);
  const int64_t before_wall = w_.procs.wall_ms(dead.slot);
  // The old primary dies for good: a pending restart of it is void too.
  w_.procs.kill(dead.slot);
  dead.node->clear();
  dead.aof.reset();
  dead.on_disk.clear();
  const uint64_t lost = grp.offset - chosen.applied;
  const uint64_t had = grp.offset;
  new_epoch(g);
  grp.primary = *best;
  grp.offset = chosen.applied;
  w_.w.note_fault("failover of " + group_name + ": " + w_.procs[chosen.slot].name + " promoted at offset " +
                  std::to_string(chosen.applied) + " of " + std::to_string(had) + " (" + std::to_string(lost) +
                  " writes lost); " + w_.procs[dead.slot].name + " is dead");
  record_changes(g, before, before_wall, snapshot(g, *best), w_.procs.wall_ms(chosen.slot),
                 "failover to " + w_.procs[chosen.slot].name);
  for (size_t o = 0; o < grp.members.size(); ++o) {
    const MemberIndex mo(o);
    if (mo != *best && mo != old && w_.procs.up(grp.members[o].slot)) full_sync(g, mo);
  }
}

void NodeGroups::links_healed() {
  if (w_.layout.replicas == 0) return;
  for (size_t gi = 0; gi < groups_.size(); ++gi) {
    const GroupIndex g(gi);
    Group& grp = (*this)[g];
    if (!w_.procs.up(primary_slot(g))) continue;
    for (size_t mi = 0; mi < grp.members.size(); ++mi) {
      const MemberIndex m(mi);
      const Slot s = grp.member(m).slot;
      if (m == grp.primary || !w_.procs.up(s)) continue;
      const uint64_t epoch = grp.epoch;
      w_.procs.deliver(s, w_.procs[s].incarnation, [this, g, m, epoch]() { pump(g, m, epoch, true); });
    }
  }
}

}  // namespace lockcheck::sim
