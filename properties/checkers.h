// The oracle: checkers are pure functions of a History (sim/history.h).
// Each returns the first violation it finds, explained in one line, or
// nothing. They never see the simulator, so they can be unit-tested on
// hand-made histories.
#ifndef LOCKCHECK_PROPERTIES_CHECKERS_H_
#define LOCKCHECK_PROPERTIES_CHECKERS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/history.h"

namespace lockcheck::properties {

// The properties this build checks, in report order. Names ("mutex", ...)
// exist only at the edges: scenario files, the CLI, reports.
enum class Property { kMutex, kResource, kFencing, kOwner, kExpiry, kProgress, kReentry, kValidity, kTimeout };

struct Violation {
  Property property;
  sim::TrueInstant at;      // when it became visible
  std::string explanation;  // one line
};

struct PropertyInfo {
  Property property;
  std::string_view id;  // its name
  std::string_view meaning;
};
// Every Property, in enum (and report) order.
const std::vector<PropertyInfo>& property_catalog();
bool is_property(std::string_view id);
std::optional<Property> parse_property(std::string_view id);
std::string property_name(Property property);
// Its place in property_catalog().
size_t property_index(Property property);

// mutex: no two sessions believe they hold the lock at the same true
// instant. A belief runs from the grant to the earliest of: the holder's
// own clock reaching validity end, its release, its crash, the run's end.
// A successful extend lengthens it; one that came after the lease had
// lapsed starts a belief again from the extend (Event::believed_until).
std::optional<Violation> check_mutex(const sim::History& h);

// resource: the resource accepts writes in grant order: no session writes
// after a session granted later than it has written (a stale holder's
// write, e.g. after a GC pause; interleaving A, B, A is a case of it), and
// only granted sessions write.
std::optional<Violation> check_resource(const sim::History& h);

// fencing: the fencing tokens of grants (those that carry one) strictly
// increase in grant order, so the resource can tell a stale holder.
std::optional<Violation> check_fencing(const sim::History& h);

// owner: a release or extend never deletes or changes a key whose current
// value another client wrote, and an extend never writes a lock key back
// after it had gone (the holder's lease there had ended: renewing it took
// a lock nobody held without acquiring it).
std::optional<Violation> check_owner(const sim::History& h);

// expiry (on h.lock_key only, when set): every lock key carries a TTL no longer than ttl + kExpiryBoundMs
// (judged on the node's clock); a key left without a TTL for longer than
// ttl (or forever) means a crashed holder's lock would never free.
constexpr int64_t kExpiryBoundMs = 1000;  // TTLs in whole seconds round up by < 1 s
std::optional<Violation> check_expiry(const sim::History& h);

// progress: in a run without faults (no fault or crash events), the lock
// never stays free for longer than the TTL while some client waits for it
// (deadlock freedom). Starvation of one client by others that keep winning
// is not a violation: SET NX locks promise no fairness, and lockcheck would
// otherwise flag every strategy for it. Message loss is a fault: a free
// stretch is excused when the network lost a message (h.messages_lost)
// from one TTL before it began to its end.
std::optional<Violation> check_progress(const sim::History& h);

// reentry: while a client holds the lock (granted, before its release,
// crash or validity end), no release of its own deletes the lock key: a
// nested acquire/release pair must leave the outer hold in place (the count
// returns to zero only at the outer release). Re-acquiring without waiting
// is checked by the strategy's model-based test, not here.
std::optional<Violation> check_reentry(const sim::History& h);

// validity: whenever a client acts on its belief that it holds (each
// resource write it sends, after its validity check), its token is live on
// a quorum (nodes/2 + 1) of nodes, by each node's own clock at that instant.
// The simulator measures it as the client acts (Event::token_nodes).
std::optional<Violation> check_validity(const sim::History& h);

// timeout: every lock call returns within the bound it promises on its
// caller's own monotonic clock (Event::due, which the workload records with
// each invoke): an acquire, granted or not, within acquire_timeout + one
// request timeout + one retry delay; a release or an extend within one
// request timeout per node. Judged in true time: the time the caller spent
// paused during the call (Event::paused) is not held against it. A call
// still open when the run ends is judged then (a call that never returns
// is the worst case); one cut short by its caller's crash is not judged.
std::optional<Violation> check_timeout(const sim::History& h);

// Every checker, in catalog order; one entry per violated property.
std::vector<Violation> check_all(const sim::History& h);

}  // namespace lockcheck::properties

#endif  // LOCKCHECK_PROPERTIES_CHECKERS_H_
