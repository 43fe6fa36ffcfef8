#include "impl/watch_multi.h"

#include <optional>
#include <string>

#include "impl/acquire.h"

namespace lockcheck {
namespace {

// The release: GET (giving up at reply_by), and DEL when the key held
// `token`. The DEL goes out however long the GET took, as the recipe does
// (`if GET == token: DEL`): its release may take two request timeouts.
Task<Status> get_then_del(Env& env, std::string key, std::string token, MonoInstant reply_by) {
  std::vector<std::string> get{"GET", key};
  auto current = co_await env.call_by(0, std::move(get), reply_by);
  if (!current.ok()) co_return current.error();
  if (current->type != Reply::Type::kString || current->str != token) {
    co_return Error{ErrorCode::kNotHeld, "lock " + key + " is not held by this token"};
  }
  // BROKEN: the lock may change hands between the GET above and this DEL.
  std::vector<std::string> del{"DEL", key};
  auto r = co_await env.call(0, std::move(del));
  if (!r.ok()) co_return r.error();
  co_return Ok{};
}

// One attempt: WATCH, GET, and if free MULTI / SET / EXEC. Every path
// that does not end in EXEC's answer closes what it opened itself; the
// others leave it to give_back() (and a valid grant needs nothing: EXEC
// unwatched the key).
Task<Attempt> watch_and_set(Env& env, AttemptContext ctx) {
  std::vector<std::string> watch{"WATCH", ctx.options.key};
  auto w = co_await env.call_by(0, std::move(watch), ctx.cutoff);
  if (!w.ok() && !w.error().outcome_unknown()) co_return Attempt::failed(w.error());
  std::vector<std::string> get{"GET", ctx.options.key};
  auto current = co_await env.call_by(0, std::move(get), ctx.cutoff);
  bool transaction_open = false;
  if (w.ok() && current.ok() && current->is_nil()) {
    // Each step must succeed before the next is sent: a SET sent after a
    // MULTI that did not arrive would run outside the transaction.
    std::vector<std::string> multi{"MULTI"};
    auto m = co_await env.call_by(0, std::move(multi), ctx.cutoff);
    transaction_open = !m.ok() || m->is_status("OK");  // an unanswered MULTI may be open
    std::optional<Result<Reply>> queued;
    if (m.ok() && m->is_status("OK")) {
      std::vector<std::string> set{"SET", ctx.options.key, ctx.token, "PX", std::to_string(ctx.options.ttl.count())};
      queued = co_await env.call_by(0, std::move(set), ctx.cutoff);
    }
    if (queued && queued->ok() && (*queued)->is_status("QUEUED")) {
      std::vector<std::string> exec{"EXEC"};
      auto done = co_await env.call_by(0, std::move(exec), ctx.cutoff);
      transaction_open = false;
      if (done.ok() && done->type == Reply::Type::kArray && done->elements.size() == 1 &&
          done->elements[0].is_status("OK")) {
        co_return Attempt::granted(grant_lease(ctx.options, ctx.token, ctx.started));
      }
      if (!done.ok() && done.error().outcome_unknown()) co_return Attempt::maybe_granted();  // EXEC may have run
    }
  }
  if (transaction_open) {
    // Sent whatever the time: a MULTI left open would refuse every later
    // WATCH on this connection.
    std::vector<std::string> discard{"DISCARD"};
    (void)co_await env.call(0, std::move(discard));
  }
  std::vector<std::string> unwatch{"UNWATCH"};
  (void)co_await env.call_by(0, std::move(unwatch), ctx.cutoff);
  co_return Attempt::not_granted();
}

// After a grant too late to use or an EXEC without an answer: the
// recipe's release, then the UNWATCH every attempt ends with.
Task<Status> give_back(Env& env, AttemptContext ctx) {
  Status s = co_await get_then_del(env, ctx.options.key, ctx.token, ctx.cutoff);
  std::vector<std::string> unwatch{"UNWATCH"};
  (void)co_await env.call_by(0, std::move(unwatch), ctx.cutoff);
  co_return s;
}

}  // namespace

Task<Result<Lease>> WatchMultiLock::acquire(Env& env, LockOptions options) {
  AcquireSteps steps;
  steps.attempt = watch_and_set;
  steps.undo = give_back;
  co_return co_await acquire_loop(env, std::move(options), std::move(steps));
}

Task<Status> WatchMultiLock::release(Env& env, Lease lease) {
  co_return co_await get_then_del(env, lease.key, lease.token, one_request_from_now(env));
}

}  // namespace lockcheck
