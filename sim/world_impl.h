// World's insides, shared by world.cc (processes, network, clients, the
// Env) and groups.cc (Redis node groups: a primary, its replicas, their
// AOFs, the replication stream, WAIT, failover). Internal to sim/.
#ifndef LOCKCHECK_SIM_WORLD_IMPL_H_
#define LOCKCHECK_SIM_WORLD_IMPL_H_

#include <algorithm>
#include <coroutine>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "redis/hiredis_reply.h"
#include "model/aof.h"
#include "model/node.h"
#include "sim/clock.h"
#include "sim/world.h"

namespace lockcheck::sim {

uint64_t fnv1a(std::string_view s);

struct Process {
  std::string name;
  LocalClock clock;
  uint64_t incarnation = 0;
  bool down = false;
  TrueInstant paused_until{};
  Nanos paused_total{0};  // pause time scheduled so far, overlaps once (Event::paused)
  std::deque<std::function<void()>> inbox;  // work that arrived while paused
};

struct PendingCall {
  std::coroutine_handle<> waiter;
  Result<std::string>* slot;  // lives in the waiter's frame
};

class SimEnv;

struct ClientState {
  // Defined in world.cc, where SimEnv is complete.
  explicit ClientState(Rng r);
  ~ClientState();
  std::unique_ptr<SimEnv> env;
  std::unique_ptr<SimEnv> helper_env;  // for helpers: its calls count as extends
  Task<void> workload;  // the root coroutine of the current incarnation
  std::vector<Task<void>> helpers;  // background coroutines (lease renewal) of this incarnation
  std::optional<std::pair<Op, Nanos>> armed_pause;  // World::pause_on_next
  // Per node process: reply bytes already in the connection that the next
  // command to that node will read first (World::duplicate_replies).
  std::map<int, std::deque<std::string>> stray;
  Op op = Op::kNone;
  std::map<uint64_t, PendingCall> pending;  // call id -> waiter
  ReplyReader reader;
  Rng rng;
};

// Where a request's reply goes (now, or later for a blocked WAIT): plain
// data, so answering costs no allocation.
struct ReplyTo {
  int client = 0;
  uint64_t client_inc = 0;  // the client incarnation that asked
  int from = 0;             // the process that answers
  uint64_t call = 0;        // the client's call id
};

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
  int slot = 0;  // its process
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
  int primary = 0;
  uint64_t offset = 0;  // the primary's replication offset (records produced)
  uint64_t epoch = 0;   // the stream's generation: bumped when the primary dies or changes
  std::map<int, uint64_t> last_write;  // client -> offset after its last write (Redis's c->woff)
  std::map<uint64_t, WaitCall> waits;  // blocked WAITs, in arrival order
  uint64_t next_wait = 0;
  // Every key the group ever wrote: full syncs, crashes and clock jumps
  // walk it (the model keeps no key list of its own).
  std::set<std::string> keys;
};

struct World::Impl {
  explicit Impl(World& world);

  World& w;
  std::vector<Process> procs;  // clients, nodes, the resource, then replicas
  std::vector<std::unique_ptr<ClientState>> clients;
  std::vector<Group> groups;
  std::optional<model::FsyncPolicy> fsync;  // nullopt: persistence "none"
  // Groups ship key images (to AOFs and replicas). False in worlds with no
  // replicas and persistence "none": they run, cost and hash as before
  // replication and persistence existed, except that what a crash or a
  // clock jump takes is recorded there too (Group::keys is kept always).
  bool tracks_data = false;
  Rng net_rng;
  Rng repl_rng;  // replication lag: a stream of its own
  std::map<std::pair<int, int>, TrueInstant> link_last_arrival;  // FIFO per link, as TCP
  std::map<std::pair<int, int>, int> cut;  // directed links cut by partitions (count)
  Nanos extra_latency{0};
  int duplicating = 0;  // open duplicate-reply windows
  std::map<int, Nanos> slow;  // per process: extra latency of its messages (a slow node)
  int64_t extra_drop_ppm = 0;
  uint64_t trace = 0x6c6f636b636865ULL;
  uint64_t next_call = 0;
  uint64_t messages = 0;
  History history;
  // Per kAcquireOk (its index): the holder's monotonic validity end at the
  // grant, and the latest a later check believed.
  struct ValidityNote {
    size_t index = 0;
    MonoInstant at_grant{};
    MonoInstant believed{};
  };
  std::vector<ValidityNote> validity_notes;
  std::vector<std::pair<size_t, MonoInstant>> due_notes;  // invoke index -> mono due

  TrueInstant now() const { return w.loop_.now(); }
  int node_slot(int n) const { return w.config_.clients + n; }
  int resource_slot() const { return w.config_.clients + w.config_.nodes; }
  int member_slot(int g, int m) const {
    return m == 0 ? node_slot(g) : resource_slot() + 1 + g * w.config_.replicas + (m - 1);
  }
  int primary_slot(int g) const { return member_slot(g, groups[g].primary); }
  int slot(ProcessId p) const;
  void mix(uint64_t v) { trace = mix64(trace, v); }
  uint64_t highest_fence = 0;  // the resource's fencing check
  // On how many nodes (group primaries that are up) the lock key holds
  // `token` right now, live by the node's clock: the value itself, or a
  // field of a hash (reentrant locks).
  int token_nodes(const std::string& token) const;

  // The true instant at which process `s`'s monotonic clock will have
  // advanced by d from now (at its current rate).
  TrueInstant local_deadline(int s, Nanos d) const;
  int64_t wall_ms(int s) const { return unix_ms(procs[s].clock.wall_at(now())); }
  int64_t mono_ms(int s) const { return to_ms(procs[s].clock.mono_at(now()).time_since_epoch()); }
  bool up(int s) const { return !procs[s].down; }
  bool reachable(int s) const { return !procs[s].down && now() >= procs[s].paused_until; }
  // Time process s has spent paused by true instant t (>= the last pause
  // scheduled; a pause still running counts up to t).
  Nanos paused_by(int s, TrueInstant t) const {
    return procs[s].paused_total - std::max(Nanos(0), procs[s].paused_until - t);
  }

  // ---- processes and network (world.cc) ----
  void deliver(int s, uint64_t inc, std::function<void()> fn);
  void drain(int s);
  // What became of a message as it left.
  enum class Sent { kOnItsWay, kCut, kLost };  // kCut: a partition; kLost: the loss rate
  Sent send(int from, int to, uint64_t to_inc, std::function<void()> on_arrival);
  // `from`: the process that answered (-1: a local timeout).
  void complete(int c, uint64_t id, Result<std::string> result, int from = -1);
  // A request from client c to process `dest`: `handler` runs at dest on
  // arrival and answers with respond(), whose payload travels back. The
  // client gives up after the request timeout on its own clock, or when its
  // clock reaches reply_by if that is sooner (Env::call_by). When the
  // request itself does not get out (cut or lost), `undelivered` (if set)
  // is told why, at once.
  void start_request(int c, int dest, std::function<void(const ReplyTo&)> handler, std::coroutine_handle<> waiter,
                     Result<std::string>* slot, MonoInstant reply_by = MonoInstant::max(),
                     const std::function<void(Sent)>& undelivered = nullptr);
  void respond(const ReplyTo& to, std::string payload);
  void record(Event e);
  void start_client(int c);
  // Marks process s dead: its inbox, timers and in-flight messages are void.
  void kill(int s);

  // ---- node groups (groups.cc) ----
  void init_groups();
  // A client's command arriving at member m of group g (its primary).
  void handle_request(int g, int m, int c, Op op, const std::string& bytes, const ReplyTo& to);
  void after_write(int g, int c, const std::vector<std::string>& keys);
  void ship(int g, int m, ReplRecord record);
  void pump(int g, int m, uint64_t epoch, bool force_ack);
  void apply_record(int g, int m, const ReplRecord& record);
  void send_ack(int g, int m);
  void full_sync(int g, int m);
  void handle_wait(int g, int c, const std::vector<std::string>& argv, const ReplyTo& to);
  int64_t acks(int g, uint64_t target) const;
  void check_waits(int g, bool deadlines_only);
  void arm_wait_timer(int g, uint64_t id);
  // Drops the group's replication state tied to the current primary.
  void new_epoch(int g);
  void crash_member(int g, int m);
  void restart_member(int g, int m);
  void failover(int g);
  void links_healed();
  // Node process s's wall clock was stepped by delta from wall_before_ms.
  void wall_jumped(int s, int64_t wall_before_ms, Nanos delta);
  // Records, as mutations of node g by nobody (client -1, detail `why`),
  // every key whose live state differs between `before` and `after` (data
  // lost or brought back by a crash or failover); liveness is judged at the
  // given wall-clock readings.
  void record_changes(int g, const std::map<std::string, model::KeyImage>& before, int64_t before_wall_ms,
                      const std::map<std::string, model::KeyImage>& after, int64_t after_wall_ms,
                      const std::string& why);
  std::map<std::string, model::KeyImage> snapshot(int g, int m) const;
  std::pair<int, int> member_of(int s) const;  // (group, member) of a node process slot
};

}  // namespace lockcheck::sim

#endif  // LOCKCHECK_SIM_WORLD_IMPL_H_
