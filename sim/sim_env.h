// SimEnv: the simulated world's Env, what the real lock code sees — its
// process's clocks, timers on the event loop, the client's stream of the
// seed, and calls that travel the simulated network to the current
// primary of a node group (the reply as RESP bytes). ClientState: a
// client's side of the run (its Envs, coroutines, pending calls and
// connections). Internal to sim/.
#ifndef LOCKCHECK_SIM_SIM_ENV_H_
#define LOCKCHECK_SIM_SIM_ENV_H_

#include <coroutine>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "impl/env.h"
#include "impl/reply.h"
#include "sim/history.h"
#include "sim/event_loop.h"
#include "sim/ids.h"
#include "sim/network.h"
#include "sim/rng.h"
#include "sim/world.h"

namespace lockcheck::sim {

class SimEnv : public Env {
 public:
  // fixed_op: the operation every call of this Env counts as (a renewal
  // helper's calls are extends whatever the workload is doing).
  SimEnv(World::Impl& impl, ClientIndex client, std::optional<Op> fixed_op = std::nullopt)
      : impl_(impl), c_(client), fixed_op_(fixed_op) {}

  MonoInstant mono_now() override;
  WallInstant wall_now() override;
  uint64_t random_u64() override;
  size_t node_count() const override;
  Task<void> sleep(Nanos d) override;
  Nanos request_timeout() const override;
  void note(std::string text) override;
  // Both return request()'s task itself: no coroutine frame of their own.
  Task<Result<Reply>> call(size_t node, std::vector<std::string> argv) override {
    return request(node, std::move(argv), MonoInstant::max());
  }
  Task<Result<Reply>> call_by(size_t node, std::vector<std::string> argv, MonoInstant reply_by) override {
    return request(node, std::move(argv), reply_by);
  }

  // The protected resource: with a fencing token it refuses any token lower
  // than the highest it has accepted (the storage-side check fencing needs).
  // A write that never gets there is in the history too (kWriteLost): the
  // holder acted all the same.
  Task<Status> write_resource(uint64_t session, std::string token, uint64_t fence);

 private:
  Task<Result<Reply>> request(size_t node, std::vector<std::string> argv, MonoInstant reply_by);

  struct SleepAwaiter {
    SimEnv* env;
    Nanos d;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h);
    void await_resume() const noexcept {}
  };

  struct RequestAwaiter {
    SimEnv* env;
    Slot dest;
    RequestHandler handler;
    Op op = Op::kNone;  // what the command is for (an armed pause may wait for it)
    MonoInstant reply_by = MonoInstant::max();  // the caller gives up then (Env::call_by)
    Undelivered undelivered;  // told when the request does not get out
    // Set by World::Impl::complete() before the waiter resumes (a waiter
    // whose call never completes is destroyed, never resumed): the initial
    // value is never read, and an empty string costs no allocation.
    Result<std::string> result = std::string();
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h);
    Result<std::string> await_resume() { return std::move(result); }
  };

  Slot slot() const;

  World::Impl& impl_;
  ClientIndex c_;
  std::optional<Op> fixed_op_;
};

// A bound on a client's calls in flight (TIGER_STYLE).
constexpr size_t kPendingCallsMax = 64;

struct PendingCall {
  uint64_t id = 0;  // the call's
  std::coroutine_handle<> waiter;
  Result<std::string>* slot;  // lives in the waiter's frame
  EventLoop::TimerId timeout;  // cancelled by the reply
};

struct ClientState {
  ClientState(World::Impl& impl, ClientIndex c, Rng r)
      : env(impl, c), helper_env(impl, c, Op::kExtend), rng(r) {}
  SimEnv env;
  SimEnv helper_env;  // for helpers: its calls count as extends
  Task<void> workload;  // the root coroutine of the current incarnation
  std::vector<Task<void>> helpers;  // background coroutines (lease renewal) of this incarnation
  std::optional<std::pair<Op, Nanos>> armed_pause;  // World::pause_on_next
  // Per node process: reply bytes already in the connection that the next
  // command to that node will read first (World::duplicate_replies).
  std::map<Slot, std::deque<std::string>> stray;
  Op op = Op::kNone;
  // Calls awaiting a reply, oldest first: a handful at most (one per node
  // in a Redlock round, plus a renewal), so a vector beats a map.
  std::vector<PendingCall> pending;
  Rng rng;
};

}  // namespace lockcheck::sim

#endif  // LOCKCHECK_SIM_SIM_ENV_H_
