// The client workload: what an application using the lock does.
//
//   repeat acquires_per_client times:
//     acquire (until acquire_timeout)
//     writes_per_hold times:
//       extend, when the work still to do would outlast the lease (holds
//       longer than the lease, or one a pause made lapse; strategies that
//       renew by themselves keep their lease alive beside the work instead)
//       check validity on the client's own monotonic clock, with margin for
//       the work and the write still to come; stop if too little is left
//       work (sleep hold / writes_per_hold)   <- a GC pause here is the
//       write to the protected resource          classic stale-holder case
//     release
//     think
//
// The client records what it believes (granted, extended, lease lost,
// releasing) so the checkers can compare beliefs with what nodes and the
// resource saw, and each call with the time it promises to return in:
//   acquire           acquire_timeout + one request timeout + one retry delay
//   release, extend   one request timeout per node (one node after another)
// on the client's own monotonic clock (the `timeout` property).
#include "sim/world.h"

namespace lockcheck::sim {

namespace {
Event client_event(EventKind kind, int client, uint64_t session, std::string token = "", std::string detail = "") {
  Event e;
  e.kind = kind;
  e.client = client;
  e.session = session;
  e.token = std::move(token);
  e.detail = std::move(detail);
  return e;
}
// How long each call may take on the caller's clock (see the top).
struct Bounds {
  Nanos acquire;
  Nanos release;  // and extend
};

// Records the invoke event of a call and the instant it promises to return by.
void invoke(World& world, Env& env, Event e, Nanos bound) {
  const int client = e.client;
  world.record(std::move(e));
  world.note_due(client, env.mono_now() + bound);
}

// The holder takes the lock again `depth` times (nested, as a recursive
// call path would) and gives each nested hold back, innermost first.
Task<void> reenter(World& world, Env& env, int client, uint64_t session, LockOptions options, int depth,
                   Bounds bounds) {
  std::vector<Lease> nested;
  for (int d = 0; d < depth; ++d) {
    invoke(world, env, client_event(EventKind::kReenter, client, session), bounds.acquire);
    world.set_op(client, Op::kAcquire);
    auto inner = co_await world.strategy().acquire(env, options);
    world.set_op(client, Op::kNone);
    if (!inner.ok()) {
      world.record(client_event(EventKind::kReenterFail, client, session, "", inner.error().to_string()));
      break;
    }
    world.record(client_event(EventKind::kReenterOk, client, session, inner->token));
    nested.push_back(std::move(inner).value());
  }
  while (!nested.empty()) {
    invoke(world, env, client_event(EventKind::kLeave, client, session, nested.back().token), bounds.release);
    world.set_op(client, Op::kRelease);
    auto left = co_await world.strategy().release(env, nested.back());
    world.set_op(client, Op::kNone);
    if (left.ok()) {
      world.record(client_event(EventKind::kLeaveOk, client, session));
    } else {
      world.record(client_event(EventKind::kLeaveFail, client, session, "", left.error().to_string()));
    }
    nested.pop_back();
  }
}

}  // namespace

Task<void> run_workload(World& world, int client) {
  const WorldConfig& config = world.config();
  const WorkloadConfig& wl = config.workload;
  Env& env = world.env(client);
  LockOptions options;
  options.ttl = config.ttl;
  options.acquire_timeout = wl.acquire_timeout > Millis(0) ? wl.acquire_timeout : 3 * config.ttl;
  options.retry_delay_min = Millis(1);
  options.retry_delay_max = std::max(Millis(2), config.ttl / 20);
  const Nanos work = wl.hold / wl.writes_per_hold;
  // Never start work that cannot finish inside the lease: the work itself
  // plus a write's round trip must fit in what validity remains.
  const Nanos request_timeout = config.network.request_timeout;
  const Nanos margin = work + request_timeout;
  const Bounds bounds{options.acquire_timeout + request_timeout + options.retry_delay_max,
                      request_timeout * config.nodes};

  for (int i = 0; i < wl.acquires_per_client; ++i) {
    const uint64_t session = world.new_session();
    // One owner per outer hold: a reentrant strategy lets it in again.
    options.owner = "client-" + std::to_string(client) + ":" + std::to_string(session);
    invoke(world, env, client_event(EventKind::kAcquireInvoke, client, session), bounds.acquire);
    world.set_op(client, Op::kAcquire);
    auto lease = co_await world.strategy().acquire(env, options);
    world.set_op(client, Op::kNone);
    if (!lease.ok()) {
      world.record(client_event(EventKind::kAcquireFail, client, session, "", lease.error().to_string()));
      co_await env.sleep(wl.think);
      continue;
    }
    Event granted = client_event(EventKind::kAcquireOk, client, session, lease->token);
    granted.fence = lease->fence;
    world.record(std::move(granted));
    world.note_validity(client, world.strategy().valid_until(env, *lease));

    // A renewing strategy keeps the lease alive beside the work.
    std::shared_ptr<LeaseCell> cell;
    if (world.strategy().renews()) {
      cell = std::make_shared<LeaseCell>(LeaseCell{*lease});
      world.spawn(client, world.strategy().keep_alive(world.helper_env(client), cell, options));
    }
    auto current = [&]() -> const Lease& { return cell ? cell->lease : *lease; };

    for (int w = 0; w < wl.writes_per_hold; ++w) {
      // The work still to do (and its last write) would outlast the lease:
      // renew it first. After a pause made it lapse too: only the extend's
      // answer says whether the lock is still this client's.
      const Nanos still_to_do = (wl.writes_per_hold - w) * work + request_timeout;
      if (!cell && env.mono_now() + still_to_do >= world.strategy().valid_until(env, *lease)) {
        invoke(world, env, client_event(EventKind::kExtendInvoke, client, session, lease->token), bounds.release);
        world.set_op(client, Op::kExtend);
        auto renewed = co_await world.strategy().extend(env, *lease, options);
        world.set_op(client, Op::kNone);
        if (renewed.ok()) {
          lease = std::move(renewed);
          world.record(client_event(EventKind::kExtendOk, client, session, lease->token));
          world.note_extended(client, world.strategy().valid_until(env, *lease));  // the new lease's validity
        } else if (renewed.error().code == ErrorCode::kNotHeld) {
          world.record(client_event(EventKind::kExtendFail, client, session, "", renewed.error().to_string()));
          world.record(client_event(EventKind::kLeaseLost, client, session));
          break;
        } else {
          // Unknown: the old lease stands, and lapses at its own end.
          world.record(client_event(EventKind::kExtendFail, client, session, "", renewed.error().to_string()));
        }
      }
      // Judged as the strategy judges it (a wall-clock strategy re-reads
      // its clock here).
      const MonoInstant judged_end = world.strategy().valid_until(env, current());
      if (env.mono_now() + margin >= judged_end) {
        world.record(client_event(EventKind::kLeaseLost, client, session));
        break;
      }
      world.extend_belief(client, judged_end);
      world.pause_if_armed(client, Op::kCheck);  // the classic spot: checked, about to act
      co_await env.sleep(work);
      // Written as applications write it: the check above was the last one.
      (void)co_await world.write_resource(client, session, lease->token, lease->fence);
      if (w == 0) co_await reenter(world, env, client, session, options, wl.reentry_depth, bounds);
    }

    invoke(world, env, client_event(EventKind::kReleaseInvoke, client, session, lease->token), bounds.release);
    world.set_op(client, Op::kRelease);
    if (cell) cell->stop = true;
    auto released = co_await world.strategy().release(env, current());
    world.set_op(client, Op::kNone);
    if (released.ok()) {
      world.record(client_event(EventKind::kReleaseOk, client, session));
    } else {
      world.record(client_event(EventKind::kReleaseFail, client, session, "", released.error().to_string()));
    }
    co_await env.sleep(wl.think);
  }
}

}  // namespace lockcheck::sim
