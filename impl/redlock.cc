#include "impl/redlock.h"

#include <algorithm>
#include <string>

#include "impl/acquire.h"
#include "impl/single.h"

namespace lockcheck {
namespace {

size_t majority(size_t nodes) { return nodes / 2 + 1; }

// How the nodes answered a compare-and-X script for one token.
struct Tally {
  size_t acted = 0;    // answered 1: the key held the token and the script acted
  size_t refused = 0;  // answered 0: the key did not hold the token there
  size_t unknown = 0;  // no answer, or an error: the token may still be there

  // No majority can have held the token: refusals leave too few nodes
  // (with an odd node count, a majority refused). Only then is a lock
  // certainly not held; nodes that did not answer may still hold it.
  bool never_held(size_t nodes) const { return acted + unknown < majority(nodes); }
  std::string to_string(const char* verb) const {
    return std::string(verb) + " on " + std::to_string(acted) + ", refused by " + std::to_string(refused) +
           ", no answer from " + std::to_string(unknown) + " of " + std::to_string(acted + refused + unknown) +
           " nodes";
  }
};

// Runs a compare-and-X script for `token` on every node in turn. Each
// node's calls give up one request timeout after they start (so one slow
// node does not starve the others), or at `cutoff` when that is sooner.
Task<Tally> on_every_node(Env& env, const char* script, const char* sha1, std::string key, std::string token,
                          std::string extra_arg, MonoInstant cutoff) {
  Tally tally;
  for (size_t n = 0; n < env.node_count(); ++n) {
    auto args = extra_arg.empty() ? command({"1", key, token}) : command({"1", key, token, extra_arg});
    auto r = co_await eval_script(env, n, script, sha1, std::move(args), std::min(cutoff, one_request_from_now(env)));
    if (r.ok() && r->is_integer(1)) {
      ++tally.acted;
    } else if (r.ok() && r->is_integer(0)) {
      ++tally.refused;
    } else {
      ++tally.unknown;
    }
  }
  co_return tally;
}

// One attempt: SET NX PX on every node in turn; granted on a majority.
Task<Attempt> set_on_every_node(Env& env, AttemptContext ctx) {
  const std::string ttl_ms = std::to_string(ctx.options.ttl.count());
  size_t granted = 0;
  for (size_t n = 0; n < env.node_count(); ++n) {
    auto cmd = command({"SET", ctx.options.key, ctx.token, "NX", "PX", ttl_ms});
    auto r = co_await env.call_by(n, std::move(cmd), ctx.cutoff);
    if (r.ok() && r->is_status("OK")) ++granted;
  }
  if (granted >= majority(env.node_count())) {
    co_return Attempt::granted(grant_lease(ctx.options, ctx.token, ctx.started),
                               "grant on " + std::to_string(granted) + " of " + std::to_string(env.node_count()) +
                                   " nodes");
  }
  // Not enough: some nodes may hold the key, including where the reply was lost.
  co_return Attempt::maybe_granted();
}

// Undo everywhere, so no minority of stale keys blocks the next attempt.
Task<Status> release_on_every_node(Env& env, AttemptContext ctx) {
  (void)co_await on_every_node(env, kReleaseScript, kReleaseScriptSha1, ctx.options.key, ctx.token, "", ctx.cutoff);
  co_return Ok{};
}

}  // namespace

Task<Result<Lease>> RedlockLock::acquire(Env& env, LockOptions options) {
  LC_CHECK(env.node_count() >= 1);
  AcquireSteps steps;
  steps.attempt = set_on_every_node;
  steps.undo = release_on_every_node;
  co_return co_await acquire_loop(env, std::move(options), std::move(steps));
}

Task<Status> RedlockLock::release(Env& env, Lease lease) {
  const Tally t =
      co_await on_every_node(env, kReleaseScript, kReleaseScriptSha1, lease.key, lease.token, "", MonoInstant::max());
  const size_t nodes = env.node_count();
  if (t.never_held(nodes)) co_return Error{ErrorCode::kNotHeld, "lock " + lease.key + " not held: " + t.to_string("released")};
  // Where no majority may still hold the token, the lock is given up.
  if (t.unknown < majority(nodes)) co_return Ok{};
  co_return Error{ErrorCode::kOutcomeUnknown,
                  "lock " + lease.key + " may still be held: " + t.to_string("released")};
}

Task<Result<Lease>> RedlockLock::extend(Env& env, Lease lease, LockOptions options) {
  if (auto s = validate(options); !s.ok()) co_return s.error();
  const MonoInstant attempt_start = env.mono_now();
  const Tally t = co_await on_every_node(env, kExtendScript, kExtendScriptSha1, lease.key, lease.token,
                                         std::to_string(options.ttl.count()), MonoInstant::max());
  const size_t nodes = env.node_count();
  Lease renewed = lease;
  renewed.started = attempt_start;
  renewed.valid_until = validity_end(attempt_start, options.ttl);
  if (t.acted >= majority(nodes)) {
    if (lease_valid(env, renewed)) co_return renewed;
    note_too_late(env, "renewal", attempt_start, options.ttl);
    co_return Error{ErrorCode::kOutcomeUnknown,
                    "lock " + lease.key + " renewed too late to use: " + t.to_string("renewed")};
  }
  if (t.never_held(nodes)) co_return Error{ErrorCode::kNotHeld, "lock " + lease.key + " not held: " + t.to_string("renewed")};
  // Too few answered either way: the old lease stands and lapses at its end.
  co_return Error{ErrorCode::kOutcomeUnknown, "lock " + lease.key + " may still be held: " + t.to_string("renewed")};
}

}  // namespace lockcheck
