// Strategy "single": the correct single-instance Redis lock.
//
//   acquire: SET key <128-bit random token> NX PX ttl, retried with random
//            jitter until the caller's timeout. A reply that never came
//            leaves the outcome unknown, so the attempt is undone with a
//            release, retried until Redis answers (undo_token), before
//            retrying or giving up; and after such an attempt, a nil SET
//            checks whether the key holds our own token (then a grant,
//            valid from the earliest unanswered attempt).
//   release: Lua compare-and-delete (only the token's owner deletes).
//   extend:  Lua compare-and-pexpire.
//   validity = ttl - elapsed - drift, elapsed on the monotonic clock.
//
// Assumptions (what the matrix holds it to): one Redis node that does not
// lose data and whose wall clock does not jump; clients that act only
// while their lease is valid and are not paused between checking validity
// and acting (a pause there breaks `resource`; use fencing for that).
#ifndef LOCKCHECK_IMPL_SINGLE_H_
#define LOCKCHECK_IMPL_SINGLE_H_

#include "impl/acquire.h"
#include "impl/lock.h"

namespace lockcheck {

// The exact script texts sent to Redis (and run by the model).
extern const char* const kReleaseScript;
extern const char* const kExtendScript;

// Their SHA1 (lowercase hex), the name EVALSHA sends. Precomputed so impl/
// needs no SHA1 code; impl_test checks each against the model's SHA1 of
// the text, so editing a script without its constant fails the build's
// tests.
extern const char* const kReleaseScriptSha1;
extern const char* const kExtendScriptSha1;

// Runs a script as Redis clients should: EVALSHA <sha1> first (the script
// text need not cross the network again), and on a NOSCRIPT error (a
// restarted server, SCRIPT FLUSH, a failover to a replica that never saw
// it) EVAL with the full text, which also caches it again. Any other
// outcome of EVALSHA (a reply, another error, a timeout) is final.
// `keys_and_args` is numkeys followed by the keys and the arguments. Both
// calls give up at reply_by (Env::call_by), so the pair costs no more time
// than one call.
Task<Result<Reply>> eval_script(Env& env, size_t node, const char* script, const char* sha1,
                                std::vector<std::string> keys_and_args, MonoInstant reply_by);

// Compare-and-delete of `token` on node 0, giving up at reply_by: OK, or
// Error{kNotHeld} when the key does not hold the token (or the call's error).
Task<Status> release_token(Env& env, std::string key, std::string token, MonoInstant reply_by);

// The undo of an attempt of single's family (AcquireSteps::undo): the
// compare-and-delete of ctx.token, retried while its outcome is unknown.
// A try that got no reply died with its connection, and Redis may still run
// it later, unseen: an EVALSHA then meets NOSCRIPT on a cold script cache
// and its EVAL fallback never happens. So each try is a whole eval_script
// (EVALSHA, then EVAL on NOSCRIPT), repeated every retry_delay_min until
// Redis answers either way: OK (deleted) or kNotHeld (the key does not
// hold the token). Bounded: at most kUndoTriesMax tries, and it returns by
// ctx.cutoff, or by ttl after ctx.ambiguous_since when that is sooner (the
// earliest unanswered SET's key has expired by then, if Redis ran it when
// it came), with the last try's error when no try got an answer.
constexpr int kUndoTriesMax = 16;
Task<Status> undo_token(Env& env, AttemptContext ctx);

// BROKEN on purpose, shared by the strategies that act on whatever holds
// the key, ours or not (del-unchecked and const-value release; extend-
// unchecked and const-value extend). Each sends one command to node 0
// within one request timeout.
// `DEL key`: OK whatever the key held (or the call's error).
Task<Status> del_whoever_holds(Env& env, Lease lease);
// `command key ttl_arg` (PEXPIRE ms, EXPIRE secs): the lease renewed for
// options.ttl from the call's start, Error{kNotHeld} when the key is gone,
// Error{kInvalidArgument} for unusable options (nothing sent).
Task<Result<Lease>> expire_whoever_holds(Env& env, Lease lease, LockOptions options, std::string command,
                                         std::string ttl_arg);

class SingleLock : public Strategy {
 public:
  std::string_view name() const override { return "single"; }
  Task<Result<Lease>> acquire(Env& env, LockOptions options) override;
  Task<Status> release(Env& env, Lease lease) override;
  Task<Result<Lease>> extend(Env& env, Lease lease, LockOptions options) override;
};

// Strategy "del-unchecked" (BROKEN): as single, but releases with a plain
// `DEL key`, as many tutorials teach. A holder whose lease lapsed (a GC
// pause, a slow request) deletes the lock the next holder now owns.
class DelUncheckedLock : public SingleLock {
 public:
  std::string_view name() const override { return "del-unchecked"; }
  Task<Status> release(Env& env, Lease lease) override;
};

// Strategy "extend-unchecked" (BROKEN): as single, but extends with a plain
// `PEXPIRE key ttl`, no owner check (the extend bugs of redsync and
// redlock-rb). A holder whose lease lapsed (a GC pause) renews the lock the
// next holder now owns, and believes it holds again (`owner`, `mutex`).
class ExtendUncheckedLock : public SingleLock {
 public:
  std::string_view name() const override { return "extend-unchecked"; }
  Task<Result<Lease>> extend(Env& env, Lease lease, LockOptions options) override;
};

// Strategy "retry-forever" (BROKEN): as single, but acquire retries until
// it is granted and never looks at acquire_timeout, as the spin loops of
// many tutorials do (`while (!SET NX) sleep`). The caller that asked to
// wait one second waits for as long as others hold the lock (`timeout`).
class RetryForeverLock : public SingleLock {
 public:
  std::string_view name() const override { return "retry-forever"; }
  Task<Result<Lease>> acquire(Env& env, LockOptions options) override;
};

}  // namespace lockcheck

#endif  // LOCKCHECK_IMPL_SINGLE_H_
