// World's insides: the parts it is made of — processes (sim/processes.h),
// the network (sim/network.h), node groups (sim/groups.h), the clients'
// Env (sim/sim_env.h) — and what ties them together: requests and
// replies between processes, the history and the trace hash. Internal to
// sim/.
#ifndef LOCKCHECK_SIM_WORLD_IMPL_H_
#define LOCKCHECK_SIM_WORLD_IMPL_H_

#include <coroutine>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sim/groups.h"
#include "sim/ids.h"
#include "sim/network.h"
#include "sim/processes.h"
#include "sim/sim_env.h"
#include "sim/world.h"

namespace lockcheck::sim {

uint64_t fnv1a(std::string_view s);

struct World::Impl {
  explicit Impl(World& world);

  World& w;
  const Layout layout;
  Processes procs;
  Network net;
  std::vector<std::unique_ptr<ClientState>> clients;
  NodeGroups groups;  // after procs and net: it uses both from its start
  uint64_t trace = 0x6c6f636b636865ULL;
  uint64_t next_call = 0;
  uint64_t highest_fence = 0;  // the resource's fencing check
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
  void mix(uint64_t v) { trace = mix64(trace, v); }
  Slot slot(ProcessId p) const;
  ClientState& client(ClientIndex c) { return *clients[c.value]; }

  // Sends a message from `from` to `to`; on arrival runs on_arrival as `to`
  // (incarnation to_inc). Loss, partitions, latency and FIFO order apply.
  Network::Sent send(Slot from, Slot to, uint64_t to_inc, Work&& on_arrival);
  // A request from client c to process `dest`: `handler` runs at dest on
  // arrival and answers with respond(), whose payload travels back. The
  // client gives up after the request timeout on its own clock, or when its
  // clock reaches reply_by if that is sooner (Env::call_by); the reply
  // cancels that timer. When the request itself does not get out (cut or
  // lost), `undelivered` (if set) is told why, at once.
  void start_request(ClientIndex c, Slot dest, RequestHandler handler, std::coroutine_handle<> waiter,
                     Result<std::string>* slot, MonoInstant reply_by = MonoInstant::max(),
                     Undelivered undelivered = nullptr);
  void respond(const ReplyTo& to, std::string payload);
  // `from`: the process that answered (nullopt: a local timeout).
  void complete(ClientIndex c, uint64_t id, Result<std::string> result, std::optional<Slot> from = std::nullopt);
  void record(Event e);
  void start_client(ClientIndex c);
};

}  // namespace lockcheck::sim

#endif  // LOCKCHECK_SIM_WORLD_IMPL_H_
