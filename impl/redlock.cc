#include "impl/redlock.h"

#include <string>

#include "impl/single.h"

namespace lockcheck {
namespace {

size_t majority(size_t nodes) { return nodes / 2 + 1; }

// Runs a compare-and-X script for `token` on every node; counts the nodes
// that answered 1 (the key was ours and the script acted).
Task<size_t> on_every_node(Env& env, const char* script, const char* sha1, const std::string& key,
                           const std::string& token, const std::string& extra_arg) {
  size_t acted = 0;
  for (size_t n = 0; n < env.node_count(); ++n) {
    std::vector<std::string> args{"1", key, token};
    if (!extra_arg.empty()) args.push_back(extra_arg);
    auto r = co_await eval_script(env, n, script, sha1, std::move(args));
    if (r.ok() && r->is_integer(1)) ++acted;
  }
  co_return acted;
}

}  // namespace

Task<Result<Lease>> RedlockLock::acquire(Env& env, LockOptions options) {
  if (auto s = validate(options); !s.ok()) co_return s.error();
  LC_CHECK(env.node_count() >= 1);
  const MonoInstant deadline = env.mono_now() + options.acquire_timeout;
  const std::string token = random_token(env);
  const std::string ttl_ms = std::to_string(options.ttl.count());
  for (;;) {
    const MonoInstant attempt_start = env.mono_now();
    size_t granted = 0;
    for (size_t n = 0; n < env.node_count(); ++n) {
      std::vector<std::string> cmd{"SET", options.key, token, "NX", "PX", ttl_ms};
      auto r = co_await env.call(n, std::move(cmd));
      if (r.ok() && r->is_status("OK")) ++granted;
    }
    Lease lease{options.key, token, attempt_start, validity_end(attempt_start, options.ttl)};
    if (granted >= majority(env.node_count()) && lease_valid(env, lease)) co_return lease;
    // Not enough (or too late): undo everywhere, including where the reply
    // was lost, so no minority of stale keys blocks the next attempt.
    (void)co_await on_every_node(env, kReleaseScript, kReleaseScriptSha1, options.key, token, "");
    if (auto waited = co_await pause_before_retry(env, options, deadline); !waited.ok()) co_return waited.error();
  }
}

Task<Status> RedlockLock::release(Env& env, Lease lease) {
  const size_t released = co_await on_every_node(env, kReleaseScript, kReleaseScriptSha1, lease.key, lease.token, "");
  if (released == 0) co_return Error{ErrorCode::kNotHeld, "lock " + lease.key + " held by this token on no node"};
  co_return Ok{};
}

Task<Result<Lease>> RedlockLock::extend(Env& env, Lease lease, LockOptions options) {
  if (auto s = validate(options); !s.ok()) co_return s.error();
  const MonoInstant attempt_start = env.mono_now();
  const size_t renewed =
      co_await on_every_node(env, kExtendScript, kExtendScriptSha1, lease.key, lease.token, std::to_string(options.ttl.count()));
  Lease renewed_lease = lease;
  renewed_lease.started = attempt_start;
  renewed_lease.valid_until = validity_end(attempt_start, options.ttl);
  if (renewed < majority(env.node_count()) || !lease_valid(env, renewed_lease)) {
    co_return Error{ErrorCode::kNotHeld, "lock " + lease.key + " renewed on fewer than a majority"};
  }
  co_return renewed_lease;
}

}  // namespace lockcheck
