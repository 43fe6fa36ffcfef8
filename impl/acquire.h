// The acquire loop every strategy shares, and the one way to build a lease.
//
// Every acquire is the same skeleton around a strategy's own attempt:
// check the options, fix the deadline and the token, then attempt until
// granted. A grant whose validity (ttl - elapsed - drift) has run out is
// given back with the strategy's undo and retried; an attempt whose outcome
// is unknown (no reply: its write may have landed) is undone the same way;
// between attempts comes a random pause, or Error{kAcquireTimeout} when
// the deadline would pass. A strategy writes only its attempt and its undo,
// so each reads as its algorithm (impl/single.cc, redlock.cc, ...).
#ifndef LOCKCHECK_IMPL_ACQUIRE_H_
#define LOCKCHECK_IMPL_ACQUIRE_H_

#include <functional>
#include <optional>
#include <string>

#include "impl/lock.h"

namespace lockcheck {

// The lease of a grant of `token` to options.key won by the attempt begun
// at `started`: valid until started + ttl - drift (validity_end), with the
// ttl asked for. Strategies set the rest (fence, wall_valid_until) on it.
Lease grant_lease(const LockOptions& options, std::string token, MonoInstant started);

// What one attempt is given.
struct AttemptContext {
  LockOptions options;  // the caller's, validated
  std::string token;    // this acquire's value in Redis, the same in every attempt
  MonoInstant started;  // when this attempt began
  MonoInstant cutoff;   // every call gives up by then (acquire_cutoff)
  // When the earliest attempt whose outcome is unknown began (none: every
  // attempt so far was answered). Set, the key may already hold `token`
  // from that attempt, with a TTL that began no earlier than this.
  std::optional<MonoInstant> ambiguous_since;
};

// What one attempt found.
struct Attempt {
  enum class Kind {
    kGranted,       // `lease` is ours (if still valid)
    kNotGranted,    // held by someone else, or failed leaving nothing to undo: retry
    kMaybeGranted,  // no answer: the attempt may have taken effect: undo, then retry
    kFailed,        // an error retrying cannot help (e.g. WRONGTYPE): acquire returns it
  };
  Kind kind = Kind::kNotGranted;
  Lease lease;                   // kGranted
  std::string grant = "grant";   // kGranted: how a too-late note names it
  std::optional<Error> error;    // kFailed

  static Attempt granted(Lease lease, std::string grant = "grant");
  static Attempt not_granted() { return Attempt{}; }
  static Attempt maybe_granted();
  static Attempt failed(Error error);
};

// A strategy's acquire, as the loop runs it.
struct AcquireSteps {
  // One attempt. Every call it sends gives up at ctx.cutoff.
  std::function<Task<Attempt>(Env&, AttemptContext)> attempt;
  // Gives ctx.token back after a grant too late to use or an attempt of
  // unknown outcome, giving up by ctx.cutoff. Unset: nothing to give back
  // (the attempt never answers kMaybeGranted, and check_validity is off).
  std::function<Task<Status>(Env&, AttemptContext)> undo;
  // The value every attempt writes; unset: a fresh random_token().
  std::optional<std::string> token;
  // False (BROKEN retry-forever): no deadline; attempts go on until granted
  // and each call is bounded by the request timeout alone.
  bool deadline = true;
  // False (BROKEN getset): a grant is used however long its attempt took.
  bool check_validity = true;
};

// Tries until granted or options.acquire_timeout passes, and returns within
// acquire_timeout + one request timeout + one retry delay (Strategy::acquire's
// promise): attempts start only before the deadline, and every call of an
// attempt and of its undo gives up at acquire_cutoff(). Error{kInvalidArgument}
// for unusable options (before any call), Error{kAcquireTimeout} at the
// deadline, or the error of an attempt that failed for good.
Task<Result<Lease>> acquire_loop(Env& env, LockOptions options, AcquireSteps steps);

}  // namespace lockcheck

#endif  // LOCKCHECK_IMPL_ACQUIRE_H_
