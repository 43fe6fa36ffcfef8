#include "impl/watch_multi.h"

#include <optional>
#include <string>

namespace lockcheck {
namespace {

// The release: GET (giving up at reply_by), and DEL when the key held
// `token`. The DEL goes out however long the GET took, as the recipe does
// (`if GET == token: DEL`): its release may take two request timeouts.
Task<Status> get_then_del(Env& env, const std::string& key, const std::string& token, MonoInstant reply_by) {
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

}  // namespace

Task<Result<Lease>> WatchMultiLock::acquire(Env& env, LockOptions options) {
  if (auto s = validate(options); !s.ok()) co_return s.error();
  const MonoInstant deadline = env.mono_now() + options.acquire_timeout;
  const MonoInstant cutoff = acquire_cutoff(env, deadline);
  const std::string token = random_token(env);
  const std::string ttl_ms = std::to_string(options.ttl.count());
  for (;;) {
    const MonoInstant attempt_start = env.mono_now();
    std::vector<std::string> watch{"WATCH", options.key};
    auto w = co_await env.call_by(0, std::move(watch), cutoff);
    if (!w.ok() && !w.error().outcome_unknown()) co_return w.error();
    std::vector<std::string> get{"GET", options.key};
    auto current = co_await env.call_by(0, std::move(get), cutoff);
    bool transaction_open = false;
    if (w.ok() && current.ok() && current->is_nil()) {
      // Each step must succeed before the next is sent: a SET sent after a
      // MULTI that did not arrive would run outside the transaction.
      std::vector<std::string> multi{"MULTI"};
      auto m = co_await env.call_by(0, std::move(multi), cutoff);
      transaction_open = !m.ok() || m->is_status("OK");  // an unanswered MULTI may be open
      std::optional<Result<Reply>> queued;
      if (m.ok() && m->is_status("OK")) {
        std::vector<std::string> set{"SET", options.key, token, "PX", ttl_ms};
        queued = co_await env.call_by(0, std::move(set), cutoff);
      }
      if (queued && queued->ok() && (*queued)->is_status("QUEUED")) {
        std::vector<std::string> exec{"EXEC"};
        auto done = co_await env.call_by(0, std::move(exec), cutoff);
        transaction_open = false;
        if (done.ok() && done->type == Reply::Type::kArray && done->elements.size() == 1 &&
            done->elements[0].is_status("OK")) {
          Lease lease{options.key, token, attempt_start, validity_end(attempt_start, options.ttl)};
          lease.ttl = options.ttl;
          if (lease_valid(env, lease)) co_return lease;
          note_too_late(env, "grant", attempt_start, options.ttl);
          (void)co_await get_then_del(env, options.key, token, cutoff);
        } else if (!done.ok() && done.error().outcome_unknown()) {
          (void)co_await get_then_del(env, options.key, token, cutoff);  // EXEC may have run
        }
      }
    }
    if (transaction_open) {
      // Sent whatever the time: a MULTI left open would refuse every later
      // WATCH on this connection.
      std::vector<std::string> discard{"DISCARD"};
      (void)co_await env.call(0, std::move(discard));
    }
    std::vector<std::string> unwatch{"UNWATCH"};
    (void)co_await env.call_by(0, std::move(unwatch), cutoff);
    if (auto waited = co_await pause_before_retry(env, options, deadline); !waited.ok()) co_return waited.error();
  }
}

Task<Status> WatchMultiLock::release(Env& env, Lease lease) {
  co_return co_await get_then_del(env, lease.key, lease.token, one_request_from_now(env));
}

}  // namespace lockcheck
