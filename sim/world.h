// World: one simulated run. It owns the event loop, the processes (clients,
// Redis nodes, the protected resource), their clocks, the network and the
// history. Clients run the real lock strategy from impl/ through an Env
// whose calls travel the simulated network as RESP bytes.
//
// Fault primitives (pause, crash, clock jump, ...) are public so chaos/ can
// schedule them as data; World itself knows no fault schedule.
#ifndef LOCKCHECK_SIM_WORLD_H_
#define LOCKCHECK_SIM_WORLD_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "impl/lock.h"
#include "model/node.h"
#include "sim/config.h"
#include "sim/event_loop.h"
#include "sim/history.h"
#include "sim/process_id.h"
#include "sim/rng.h"

namespace lockcheck::sim {

// The version of the trace hash (RunOutcome::trace_hash): what a run mixes
// in and in what order. Bump it when a change alters the event order or
// what is hashed on purpose; scenario files say which version their traces
// were recorded with (docs/scenarios.md says how to re-record them).
constexpr int kTraceFormat = 1;

struct RunOutcome {
  History history;
  uint64_t trace_hash = 0;
  uint64_t events_run = 0;
  uint64_t messages_sent = 0;
  bool event_limit_hit = false;  // a harness fault: the run did not finish
};

class World {
 public:
  // config must pass validate_config and name a known strategy.
  explicit World(const WorldConfig& config);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  const WorldConfig& config() const { return config_; }
  EventLoop& loop() { return loop_; }

  // Runs the workload to config.duration (or until nothing is left to do).
  // Call once.
  RunOutcome run();

  // ---- fault primitives (chaos/ schedules these) ----
  // Stops p for d: nothing of it runs, its timers and messages wait. A
  // client paused from time 0 starts its workload when the pause ends.
  void pause(ProcessId p, Nanos d);
  // Arms a pause of `client` for d that starts right after it next sends
  // a command for `op` (acquire, release or extend): the reply arrives
  // while it is stopped (a GC pause with a reply in flight, or between a
  // check and the act that depends on it). Re-arming replaces.
  void pause_on_next(int client, Op op, Nanos d);
  // Called by the client Env after each send.
  void pause_if_armed(int client, Op op);
  // Kills a client (its beliefs end; writes it already sent still land) or
  // a node or replica (it keeps only what its AOF made durable, nothing
  // without persistence; what a primary loses is recorded as mutations by
  // no client, whatever the persistence); restarts it
  // after `restart_after` if given. A restarted node reloads its AOF; its
  // replicas (or, for a replica, the replica itself) then resynchronize in
  // full from the group's primary, as Redis replicas do.
  void crash(ProcessId p, std::optional<Nanos> restart_after);
  // Sentinel-style failover of group `node`: promotes its most up-to-date
  // reachable (up, not paused) replica, which keeps only the writes it had
  // received; the old primary dies for good (in-flight requests to it time
  // out); the other replicas resynchronize from the new primary; clients'
  // next calls go to it. With no reachable replica nothing changes.
  void failover(int node);
  // Steps p's wall clock by delta. On a group's primary, a step forward
  // records the keys whose expiry it passes as mutations by no client.
  void jump_wall(ProcessId p, Nanos delta);
  void set_drift(ProcessId p, int64_t drift_ppm);
  // Adds latency to every message for d (a delay spike).
  // With `only`, just the messages to and from that process (a slow node).
  void add_latency(Nanos extra, Nanos d, std::optional<ProcessId> only = std::nullopt);
  // For d, every reply a node sends a client goes out twice. RESP carries
  // no request ids, so the copy waits in the connection and answers the
  // client's next command to that node (the stream is out of step from
  // then on, as with a buggy proxy).
  void duplicate_replies(Nanos d);
  // Adds loss to every message for d.
  void add_drop(int64_t ppm, Nanos d);
  // Cuts all links between different groups for d; processes in no group
  // are cut from everyone, except the protected resource: unless a group
  // names it, every process keeps its link to it (a holder cut off from
  // Redis still reaches what the lock protects). Links are directed:
  // `one_way` cuts only messages from groups[0] to the other listed groups
  // (processes in no group keep all their links then). A resource write a
  // cut link stops is recorded (kWriteLost), never dropped silently.
  void partition(std::vector<std::vector<ProcessId>> groups, bool one_way, Nanos d);
  // Records a fault in the history.
  void note_fault(std::string detail);

  // ---- inspection (tests, reports): never part of a run's behaviour ----
  // The stored state of `key` on node process p (expired or not).
  model::KeyImage image_of(ProcessId p, const std::string& key) const;
  // The process currently primary of group `node`.
  ProcessId primary_of(int node) const;

  // ---- for the workload (sim/workload.cc) ----
  Env& env(int client);
  // The same process's Env for background coroutines; its calls are
  // recorded as extends.
  Env& helper_env(int client);
  // Starts `task` as a background coroutine of `client`'s current
  // incarnation; it dies with the client (crash) or the world.
  void spawn(int client, Task<void> task);
  Strategy& strategy() { return *strategy_; }
  uint64_t new_session() { return ++sessions_; }
  void set_op(int client, Op op);
  void record(Event e);
  // Remembers the holder's monotonic validity end of the kAcquireOk event
  // just recorded, to be placed on the true time line after the run.
  void note_validity(int client, MonoInstant valid_until);
  // The kExtendOk event just recorded for `client` renewed its lease to
  // valid_until (monotonic). A belief that had not ended yet just runs
  // longer; one that had (the lease lapsed before the extend came back, a
  // pause say) starts again at the extend, as a belief of its own recorded
  // on the kExtendOk event (its believed_until), so the lapse stays a gap.
  void note_extended(int client, MonoInstant valid_until);
  // The call whose invoke event was just recorded for `client` promises to
  // return by `due` on the client's monotonic clock; placed on the true
  // time line (Event::due) after the run, as validity is.
  void note_due(int client, MonoInstant due);
  // A later validity check of the same grant judged the lease to end at
  // valid_until: the belief lasts at least that long (a wall-clock strategy
  // whose clock stepped back believes longer than it did at the grant).
  void extend_belief(int client, MonoInstant valid_until);
  // Sends a write for `session` to the resource; resolves on its ack.
  // fence: the grant's fencing token, 0 for none; the resource refuses
  // tokens lower than the highest it accepted (Error{kRedisError}). The
  // history gets kWrite or kWriteRejected on arrival, or kWriteLost at once
  // when the write cannot get there (a partition naming the resource, or
  // message loss).
  Task<Status> write_resource(int client, uint64_t session, std::string token, uint64_t fence = 0);

  // ---- internals shared with the Env implementation ----
  struct Impl;

 private:
  WorldConfig config_;
  EventLoop loop_;
  std::unique_ptr<Strategy> strategy_;
  std::unique_ptr<Impl> impl_;
  uint64_t sessions_ = 0;
};

// The per-client loop: acquire -> critical section (validity check, work,
// resource write, repeated) -> release -> think. Defined in workload.cc.
Task<void> run_workload(World& world, int client);

}  // namespace lockcheck::sim

#endif  // LOCKCHECK_SIM_WORLD_H_
