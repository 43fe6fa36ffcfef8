// History: what happened in one run, in true time. The checkers in
// properties/ are pure functions of a History; they never see the simulator.
#ifndef LOCKCHECK_SIM_HISTORY_H_
#define LOCKCHECK_SIM_HISTORY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/time.h"

namespace lockcheck::sim {

enum class EventKind {
  kAcquireInvoke,  // client starts acquire for `session`
  kAcquireOk,      // granted: token, believed_until
  kAcquireFail,    // not granted: detail
  kLeaseLost,      // holder saw its validity run out before finishing
  kReleaseInvoke,  // holder starts release: it no longer believes it holds
  kReleaseOk,
  kReleaseFail,    // detail
  kWrite,          // the resource accepted a write of `session` with `token`
  kMutation,       // a node changed a key (see the mutation fields); client -1:
                   // the change came from a crash or failover (detail says which)
  kFault,          // a fault began or ended: detail
  kCrash,          // a client process died (its beliefs end)
  kRestart,        // a client process started again
  // Nested use of a reentrant lock by its holder (session = the outer one):
  kReenter,        // the holder acquires again while it holds
  kReenterOk,
  kReenterFail,    // detail
  kLeave,          // the holder releases the nested hold (the outer goes on)
  kLeaveOk,
  kLeaveFail,      // detail
  kWriteRejected,  // the resource refused a write: its fencing token was stale
  kWriteLost,      // a write never reached the resource (cut by a partition that
                   // names it, or lost by the network): detail says which
  // The workload renewing a hold longer than its lease (strategies that do
  // not renew by themselves):
  kExtendInvoke,   // the holder starts extend (session = its hold)
  kExtendOk,       // renewed: its belief now runs to the new lease's end
  kExtendFail,     // detail
  kNote,           // the lock code's own remark (Env::note): detail
};

const char* event_kind_name(EventKind k);

// Which lock operation a client was performing when it sent a command.
// kCheck never reaches a node: it names the instant a holder's validity
// check passed, for pauses armed to start there (World::pause_on_next).
enum class Op { kNone, kAcquire, kRelease, kExtend, kCheck };
const char* op_name(Op op);

struct Event {
  TrueInstant at;
  EventKind kind;
  int client = -1;       // the client involved (-1: none)
  uint64_t session = 0;  // lock session: one acquire call and what follows it
  std::string token;
  // kAcquireOk: the true instant at which the holder's own monotonic clock
  // reaches the end of validity (it believes it holds until then, unless it
  // releases or dies first). A later validity check of the grant may judge
  // the end later (a wall-clock strategy whose clock stepped back): this is
  // the latest end it believed. kExtendOk: the same for a belief the extend
  // started again after the lease had lapsed ({}: the extend came while the
  // belief still ran, and lengthened the grant's).
  TrueInstant believed_until{};
  // kAcquireOk: the same, for the validity the grant started with.
  TrueInstant granted_until{};
  // kAcquireOk, kWrite, kWriteRejected, kWriteLost: the grant's fencing
  // token (0: the strategy issues none).
  uint64_t fence = 0;
  // kWrite, kWriteRejected, kWriteLost: on how many nodes the writer's token was live
  // (judged by each node's own clock) at the instant it acted; -1: not
  // measured.
  int token_nodes = -1;
  std::string detail;
  // kAcquireInvoke, kReleaseInvoke, kExtendInvoke, kReenter, kLeave: the true
  // instant at which the call's promised bound runs out on the caller's own
  // monotonic clock (placed on the true time line after the run); {}: no
  // bound recorded. A pause of the caller moves it later by the pause.
  TrueInstant due{};
  // Events of a client: the true time it has spent paused so far in the
  // run (so a call is not blamed for the time its caller was stopped).
  Nanos paused{0};
  // kMutation:
  int node = -1;
  Op op = Op::kNone;
  std::string key;
  std::optional<std::string> before;
  std::optional<std::string> after;
  std::optional<int64_t> after_expire_unix_ms;
  int64_t node_wall_unix_ms = 0;  // the node's clock when it ran the command
};

struct History {
  // The configuration the checkers need to judge the run.
  int clients = 0;
  int nodes = 0;
  int64_t ttl_ms = 0;
  // The lock's key. Other keys a strategy writes (a fencing counter) are
  // not locks: expiry does not judge them. Empty: judge every key.
  std::string lock_key;
  TrueInstant end{};           // when the run stopped
  std::vector<Nanos> paused_at_end;  // per client: its paused time by `end` (empty: none)
  std::vector<Event> events;   // in true-time order (ties in occurrence order)
  // When the network's loss rate dropped a message (not a partition: that
  // is a fault event), in true-time order. Message loss is a fault: a lost
  // reply or release leaves a key nobody believes it holds for up to a TTL,
  // and `progress` excuses that. At most one per message sent, so bounded
  // by the event loop's kEventsMax.
  std::vector<TrueInstant> messages_lost;
};

// One line per event, for counterexamples and debugging.
std::string describe(const Event& e);

}  // namespace lockcheck::sim

#endif  // LOCKCHECK_SIM_HISTORY_H_
