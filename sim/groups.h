// Node groups: what a client calls "node N" is a Redis primary and its
// replicas, each a process of its own, each with an AOF under the world's
// persistence policy; asynchronous replication between them, WAIT, crashes
// and restarts of members, failover. groups.cc says how. Internal to sim/.
#ifndef LOCKCHECK_SIM_GROUPS_H_
#define LOCKCHECK_SIM_GROUPS_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/aof.h"
#include "model/node.h"
#include "sim/history.h"
#include "sim/ids.h"
#include "sim/network.h"
#include "sim/rng.h"
#include "sim/world.h"

namespace lockcheck::sim {

// One unit of the replication stream: the images of the keys one command
// wrote (Redis 7 replicates effects), or a full sync (the primary's whole
// dataset, replacing the replica's).
struct ReplRecord {
  uint64_t offset = 0;  // the primary's replication offset after this record
  bool full_sync = false;
  std::vector<model::KeyImage> images;
  TrueInstant arrival{};  // on the replica, FIFO per link
};

// One Redis process of a group: node-N (member 0) or node-N-replica-r.
struct Member {
  Slot slot;  // its process
  std::unique_ptr<model::Node> node;
  std::optional<model::Aof> aof;         // persistence != none, while up
  std::vector<model::KeyImage> on_disk;  // while down: what a restart reloads
  // As a replica of the current primary:
  std::deque<ReplRecord> stream;  // sent by the primary, not yet applied
  TrueInstant last_arrival{};     // FIFO on the link, as TCP
  uint64_t applied = 0;           // offset of the last record applied
  bool online = false;            // synced with the current primary (counts for WAIT)
  uint64_t acked = 0;             // the primary's view of `applied`
};

// A blocked WAIT on the primary.
struct WaitCall {
  uint64_t target_offset = 0;  // the connection's last write
  int64_t numreplicas = 0;
  std::optional<int64_t> deadline_wall_ms;  // by the primary's wall clock, as Redis
  ReplyTo reply_to;
};

// What clients see as node N: a primary and its replicas.
struct Group {
  std::vector<Member> members;  // [0] is node-N, [r] is node-N-replica-r
  MemberIndex primary;
  uint64_t offset = 0;  // the primary's replication offset (records produced)
  uint64_t epoch = 0;   // the stream's generation: bumped when the primary dies or changes
  std::map<ClientIndex, uint64_t> last_write;  // client -> offset after its last write (Redis's c->woff)
  std::map<uint64_t, WaitCall> waits;          // blocked WAITs, in arrival order
  uint64_t next_wait = 0;
  // Every key the group ever wrote: full syncs, crashes and clock jumps
  // walk it (the model keeps no key list of its own).
  std::set<std::string> keys;

  Member& member(MemberIndex m) { return members[m.value]; }
  const Member& member(MemberIndex m) const { return members[m.value]; }
};

class NodeGroups {
 public:
  // The groups of `world` (its processes, network, trace and history):
  // one per node, each with config.replicas replicas.
  explicit NodeGroups(World::Impl& world);

  Group& operator[](GroupIndex g) { return groups_[g.value]; }
  const Group& operator[](GroupIndex g) const { return groups_[g.value]; }
  size_t size() const { return groups_.size(); }
  Slot primary_slot(GroupIndex g) const;

  // A client's command arriving at member m of group g (its primary).
  // The command comes as the client's argv, which the node runs as is
  // (what parsing its RESP bytes would give); the reply goes back as RESP.
  void handle_request(GroupIndex g, MemberIndex m, ClientIndex c, Op op, const std::vector<std::string>& sent,
                      const ReplyTo& to);
  // On how many groups (their primaries that are up) `key` holds `token`
  // right now, live by the node's clock: the value itself, or a field of a
  // hash (reentrant locks).
  int token_nodes(const std::string& key, const std::string& token) const;
  // A client crashed: its connections (and their last writes) are gone.
  void forget_client(ClientIndex c);

  void crash_member(GroupIndex g, MemberIndex m);
  void restart_member(GroupIndex g, MemberIndex m);
  void failover(GroupIndex g);
  // Partitions healed: held replication streams flow again.
  void links_healed();
  // Node process s's wall clock was stepped by delta from wall_before_ms.
  void wall_jumped(Slot s, int64_t wall_before_ms, Nanos delta);

 private:
  void after_write(GroupIndex g, ClientIndex c, const std::vector<std::string>& keys);
  void ship(GroupIndex g, MemberIndex m, ReplRecord record);
  void pump(GroupIndex g, MemberIndex m, uint64_t epoch, bool force_ack);
  void apply_record(GroupIndex g, MemberIndex m, const ReplRecord& record);
  void send_ack(GroupIndex g, MemberIndex m);
  void full_sync(GroupIndex g, MemberIndex m);
  Nanos replication_lag();
  void handle_wait(GroupIndex g, ClientIndex c, const std::vector<std::string>& argv, const ReplyTo& to);
  int64_t acks(GroupIndex g, uint64_t target) const;
  void check_waits(GroupIndex g, bool deadlines_only);
  void arm_wait_timer(GroupIndex g, uint64_t id);
  // Drops the group's replication state tied to the current primary.
  void new_epoch(GroupIndex g);
  // Records, as mutations of node g by nobody (client -1, detail `why`),
  // every key whose live state differs between `before` and `after` (data
  // lost or brought back by a crash or failover); liveness is judged at the
  // given wall-clock readings.
  void record_changes(GroupIndex g, const std::map<std::string, model::KeyImage>& before, int64_t before_wall_ms,
                      const std::map<std::string, model::KeyImage>& after, int64_t after_wall_ms,
                      const std::string& why);
  std::map<std::string, model::KeyImage> snapshot(GroupIndex g, MemberIndex m) const;
  void mix(uint64_t v);

  World::Impl& w_;
  std::vector<Group> groups_;
  std::optional<model::FsyncPolicy> fsync_;  // nullopt: persistence none
  // Groups ship key images (to AOFs and replicas). False in worlds with no
  // replicas and persistence none: they run, cost and hash as before
  // replication and persistence existed, except that what a crash or a
  // clock jump takes is recorded there too (Group::keys is kept always).
  bool tracks_data_ = false;
  Rng repl_rng_;  // replication lag: a stream of its own
  // handle_request's buffers, reused across commands: what a command
  // changed and the keys it wrote.
  std::vector<model::Mutation> mutations_;
  std::vector<std::string> written_;
};

}  // namespace lockcheck::sim

#endif  // LOCKCHECK_SIM_GROUPS_H_
