// Strong index types for the simulator's tables, and where each process
// sits in the process table. A slot, a node group, a member of a group and
// a client are all small numbers; as distinct types a group number passed
// where a slot belongs does not compile. Internal to sim/.
#ifndef LOCKCHECK_SIM_IDS_H_
#define LOCKCHECK_SIM_IDS_H_

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "impl/check.h"

namespace lockcheck::sim {

template <typename Tag>
struct Index {
  size_t value = 0;
  constexpr Index() = default;
  constexpr explicit Index(size_t v) : value(v) {}
  auto operator<=>(const Index&) const = default;
};

using Slot = Index<struct SlotTag>;          // a process: its place in the process table
using GroupIndex = Index<struct GroupTag>;   // node group N ("node-N" to clients)
using MemberIndex = Index<struct MemberTag>; // in a group: 0 is node-N, r is node-N-replica-r
using ClientIndex = Index<struct ClientTag>; // client-N

// An index from a public int (World's API, ProcessId, Event): never negative.
template <typename I>
I index_from(int i) {
  LC_CHECK(i >= 0);
  return I(static_cast<size_t>(i));
}
// The other way, for the history's int fields.
template <typename I>
int as_int(I i) {
  return static_cast<int>(i.value);
}

// The process table: clients, group primaries (node-N), the resource, then
// replicas. Replicas come last so that the slots (and clock streams) of
// worlds without replicas stay what they were before replication existed.
struct Layout {
  size_t clients = 0;
  size_t nodes = 0;
  size_t replicas = 0;  // per group

  size_t processes() const { return clients + nodes + 1 + nodes * replicas; }
  Slot client_slot(ClientIndex c) const { return Slot(c.value); }
  Slot resource_slot() const { return Slot(clients + nodes); }
  Slot member_slot(GroupIndex g, MemberIndex m) const {
    return m.value == 0 ? Slot(clients + g.value) : Slot(resource_slot().value + 1 + g.value * replicas + (m.value - 1));
  }
  // The (group, member) a node process occupies; nullopt for a client or
  // the resource.
  std::optional<std::pair<GroupIndex, MemberIndex>> member_of(Slot s) const {
    if (s.value >= clients && s.value < resource_slot().value) {
      return std::make_pair(GroupIndex(s.value - clients), MemberIndex(0));
    }
    if (s.value > resource_slot().value && replicas > 0) {
      const size_t r = s.value - resource_slot().value - 1;
      return std::make_pair(GroupIndex(r / replicas), MemberIndex(r % replicas + 1));
    }
    return std::nullopt;
  }
};

}  // namespace lockcheck::sim

#endif  // LOCKCHECK_SIM_IDS_H_
