#include "sim/sim_env.h"

#include <algorithm>
#include <memory>

#include "sim/reply_decode.h"
#include "sim/world_impl.h"

namespace lockcheck::sim {

Slot SimEnv::slot() const { return impl_.layout.client_slot(c_); }

MonoInstant SimEnv::mono_now() { return impl_.procs[slot()].clock.mono_at(impl_.now()); }
WallInstant SimEnv::wall_now() { return impl_.procs[slot()].clock.wall_at(impl_.now()); }
uint64_t SimEnv::random_u64() { return impl_.client(c_).rng.next(); }
size_t SimEnv::node_count() const { return impl_.layout.nodes; }
Nanos SimEnv::request_timeout() const { return impl_.w.config().network.request_timeout; }

Task<void> SimEnv::sleep(Nanos d) {
  LC_CHECK(d >= Nanos(0));
  co_await SleepAwaiter{this, d};
}

void SimEnv::note(std::string text) {
  Event e;
  e.kind = EventKind::kNote;
  e.client = as_int(c_);
  e.detail = std::move(text);
  impl_.record(std::move(e));
}

Task<Result<Reply>> SimEnv::request(size_t node, std::vector<std::string> argv, MonoInstant reply_by) {
  LC_CHECK(node < node_count());
  LC_CHECK(!argv.empty());
  if (mono_now() >= reply_by) {
    co_return Error{ErrorCode::kTimeout, argv.front() + " not sent: the caller's deadline had passed"};
  }
  const GroupIndex g(node);
  const Op op = fixed_op_.value_or(impl_.client(c_).op);
  World::Impl* impl = &impl_;
  const ClientIndex c = c_;
  // Routed to the group's primary of the moment: after a failover the
  // client's next call reaches the new one (as a Sentinel-aware client's).
  const MemberIndex m = impl_.groups[g].primary;
  // The command travels as its argv (moved, no copy) and the node runs it
  // as it arrives (NodeGroups::handle_request), as parsing the RESP bytes
  // the client would have sent would give it.
  // A named awaiter, not a temporary: g++ 12 destroys non-trivial awaiter
  // temporaries of `auto x = co_await T{...}` twice (seen as a double free).
  RequestAwaiter request{this, impl_.layout.member_slot(g, m),
                         [impl, g, m, c, op, argv = std::move(argv)](const ReplyTo& to) {
                           impl->groups.handle_request(g, m, c, op, argv, to);
                         },
                         op, reply_by, nullptr};
  auto raw = co_await request;
  if (!raw.ok()) co_return raw.error();
  auto reply = decode_reply(raw.value());
  if (!reply.ok()) co_return reply.error();
  co_return reply_to_result(std::move(reply.value()));
}

Task<Status> SimEnv::write_resource(uint64_t session, std::string token, uint64_t fence) {
  World::Impl* impl = &impl_;
  Event e;
  e.client = as_int(c_);
  e.session = session;
  e.token = std::move(token);
  e.fence = fence;
  e.token_nodes = impl_.groups.token_nodes(impl_.history.lock_key, e.token);  // as the client acts
  // The write's event travels with the message (shared with the
  // undelivered case, which runs at once instead).
  auto write = std::make_shared<Event>(std::move(e));
  RequestAwaiter request{this, impl_.layout.resource_slot(),
                         [impl, write](const ReplyTo& to) {
                           Event& e = *write;
                           const bool stale = e.fence != 0 && e.fence < impl->highest_fence;
                           e.kind = stale ? EventKind::kWriteRejected : EventKind::kWrite;
                           if (!stale) impl->highest_fence = std::max(impl->highest_fence, e.fence);
                           impl->record(std::move(e));
                           impl->respond(to, stale ? "-STALE fencing token\r\n" : "+OK\r\n");
                         },
                         Op::kNone,
                         MonoInstant::max(),
                         [impl, write](Network::Sent why) {
                           Event& e = *write;
                           e.kind = EventKind::kWriteLost;
                           e.detail = why == Network::Sent::kCut ? "cut from the resource by a partition"
                                                                 : "lost by the network";
                           impl->record(std::move(e));
                         }};
  auto raw = co_await request;
  if (!raw.ok()) co_return raw.error();
  if (raw.value().rfind("-", 0) == 0) co_return Error{ErrorCode::kRedisError, "resource refused a stale fencing token"};
  co_return Ok{};
}

void SimEnv::SleepAwaiter::await_suspend(std::coroutine_handle<> h) {
  World::Impl& impl = env->impl_;
  const Slot s = env->slot();
  const uint64_t inc = impl.procs[s].incarnation;
  impl.procs.at(impl.procs.local_deadline(s, d), s, inc, [h]() { h.resume(); });
}

void SimEnv::RequestAwaiter::await_suspend(std::coroutine_handle<> h) {
  env->impl_.start_request(env->c_, dest, std::move(handler), h, &result, reply_by, std::move(undelivered));
  env->impl_.w.pause_if_armed(as_int(env->c_), op);  // the request is out; its reply will wait
}

}  // namespace lockcheck::sim
