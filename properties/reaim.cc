#include "properties/reaim.h"

#include <string>

#include "sim/world.h"

namespace lockcheck::properties {

using chaos::Fault;
using chaos::Scenario;

namespace {

// Whose activity a fault is aimed at: one process (a client, or a node
// group's first primary), or everyone (a delay spike, a partition, lost or
// duplicated replies). nullopt: not re-aimed (a replica, or a pause that
// waits for an operation itself: `during`).
struct Aim {
  bool anyone = false;
  sim::ProcessId process{sim::ProcessId::Kind::kClient};
};
std::optional<Aim> aim_of(const Fault& f) {
  if (f.during != chaos::During::kAtOnce) return std::nullopt;
  if (!f.target) return Aim{true};
  if (f.target->kind == sim::ProcessId::Kind::kResource || f.target->is_replica()) return std::nullopt;
  return Aim{false, *f.target};
}

// Events that belong to the aim: a client's own events and its mutations,
// a node's mutations, or anyone's events.
bool belongs(const sim::Event& e, const Aim& aim) {
  if (e.kind == sim::EventKind::kFault) return false;
  if (aim.anyone) return true;
  if (aim.process.kind == sim::ProcessId::Kind::kClient) return e.client == aim.process.index;
  return e.kind == sim::EventKind::kMutation && e.node == aim.process.index;
}

// Events of the same kind: for a mutation, also the same shape (a key
// created without a TTL is not the EXPIRE that follows it).
bool same_kind(const sim::Event& a, const sim::Event& b) {
  return a.kind == b.kind && a.op == b.op && a.node == b.node && a.before.has_value() == b.before.has_value() &&
         a.after.has_value() == b.after.has_value() &&
         a.after_expire_unix_ms.has_value() == b.after_expire_unix_ms.has_value();
}

}  // namespace

size_t fault_event(const sim::History& h, const Fault& f) {
  const std::string detail = chaos::describe(f);
  for (size_t i = 0; i < h.events.size(); ++i) {
    const sim::Event& e = h.events[i];
    if (e.kind == sim::EventKind::kFault && e.at == sim::at_ms(f.at_ms) && e.detail == detail) return i;
  }
  return h.events.size();
}

std::optional<Anchor> anchor_of(const sim::History& h, const Fault& f) {
  const auto target = aim_of(f);
  if (!target) return std::nullopt;
  const size_t fired = fault_event(h, f);
  std::optional<size_t> last;
  for (size_t i = 0; i < fired && i < h.events.size(); ++i) {
    if (belongs(h.events[i], *target)) last = i;
  }
  if (!last) return std::nullopt;
  Anchor a;
  a.event = h.events[*last];
  for (size_t i = 0; i <= *last; ++i) {
    a.ordinal += belongs(h.events[i], *target) && same_kind(h.events[i], a.event);
  }
  a.offset = sim::at_ms(f.at_ms) - a.event.at;
  return a;
}

std::optional<int64_t> reaimed_at_ms(const Scenario& c, const sim::History& h, size_t i, const Anchor& a, int ordinal,
                                     size_t before) {
  const auto target = aim_of(c.faults[i]);
  if (!target) return std::nullopt;
  int seen = 0;
  std::optional<sim::TrueInstant> found;
  for (size_t k = 0; k < before && k < h.events.size() && seen < ordinal; ++k) {
    const sim::Event& e = h.events[k];
    if (!belongs(e, *target) || !same_kind(e, a.event)) continue;
    ++seen;
    found = e.at;
  }
  if (!found || (seen < ordinal && before < h.events.size())) return std::nullopt;
  const Nanos t = (*found + a.offset).time_since_epoch();
  const int64_t ms = to_ms(t) + (t % Millis(1) != Nanos(0) ? 1 : 0);
  if (ms < 0 || ms >= c.world.duration.count()) return std::nullopt;
  return ms;
}

}  // namespace lockcheck::properties
