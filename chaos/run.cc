#include "chaos/run.h"

#include <algorithm>

#include "base/text.h"
#include "impl/check.h"
#include "sim/rng.h"

namespace lockcheck::chaos {

namespace {

sim::ProcessId target_of(const Fault& f, const sim::WorldConfig& c) {
  LC_CHECK(f.target.has_value() && sim::exists_in(*f.target, c));  // parse_scenario and generate validate targets
  return *f.target;
}

sim::Op op_of(During during) {
  switch (during) {
    case During::kAtOnce: break;
    case During::kAcquire: return sim::Op::kAcquire;
    case During::kRelease: return sim::Op::kRelease;
    case During::kExtend: return sim::Op::kExtend;
    case During::kCheck: return sim::Op::kCheck;
  }
  LC_CHECK(false && "a pause at once waits for no operation");
  return sim::Op::kNone;
}

void apply(sim::World& world, const Fault& f) {
  const sim::WorldConfig& c = world.config();
  world.note_fault(describe(f));
  switch (f.kind) {
    case FaultKind::kPause:
      if (f.during == During::kAtOnce) {
        world.pause(target_of(f, c), Millis(f.duration_ms));
      } else {
        world.pause_on_next(target_of(f, c).index, op_of(f.during), Millis(f.duration_ms));
      }
      break;
    case FaultKind::kCrash:
    case FaultKind::kNodeCrash: {
      std::optional<Nanos> restart;
      if (f.restart_after_ms) restart = Millis(*f.restart_after_ms);
      world.crash(target_of(f, c), restart);
      break;
    }
    case FaultKind::kFailover:
      world.failover(target_of(f, c).index);
      break;
    case FaultKind::kClockJump:
      world.jump_wall(target_of(f, c), Millis(f.delta_ms));
      break;
    case FaultKind::kDrift:
      world.set_drift(target_of(f, c), f.ppm);
      break;
    case FaultKind::kDelay:
      if (!f.target) {
        world.add_latency(Millis(f.extra_latency_ms), Millis(f.duration_ms));
      } else {
        world.add_latency(Millis(f.extra_latency_ms), Millis(f.duration_ms), target_of(f, c));
      }
      break;
    case FaultKind::kDuplicate:
      world.duplicate_replies(Millis(f.duration_ms));
      break;
    case FaultKind::kDrop:
      world.add_drop(f.drop_ppm, Millis(f.duration_ms));
      break;
    case FaultKind::kPartition:
      for (const auto& g : f.groups) {
        for (const sim::ProcessId p : g) LC_CHECK(sim::exists_in(p, c));
      }
      world.partition(f.groups, f.one_way, Millis(f.duration_ms));
      break;
  }
}

}  // namespace

sim::RunOutcome run_scenario(const Scenario& scenario) {
  sim::World world(scenario.world);
  for (const Fault& f : scenario.faults) {
    world.loop().at(sim::at_ms(f.at_ms), [&world, f]() { apply(world, f); });
  }
  return world.run();
}

sim::WorldConfig default_world(const std::string& strategy) {
  sim::WorldConfig c;
  c.strategy = strategy;
  c.nodes = 1;
  c.clients = 3;
  c.ttl = Millis(1000);
  c.duration = Millis(20000);
  c.workload.acquires_per_client = 5;
  c.workload.hold = Millis(300);
  c.workload.think = Millis(50);
  c.workload.writes_per_hold = 3;
  for (const auto& info : strategy_catalog()) {
    if (info.name != strategy) continue;
    c.nodes = info.nodes;                               // redlock: 5 masters
    c.workload.reentry_depth = info.reentrant ? 1 : 0;  // exercise the nesting
    if (info.renews) {
      // Work longer than the TTL: only renewals keep the lock. Writes come
      // often enough that a renewed lease always covers the next one.
      c.workload.hold = 2 * c.ttl;
      c.workload.writes_per_hold = 6;
    }
  }
  return c;
}

Scenario generate(const std::string& strategy, const std::vector<FaultKind>& classes, uint64_t seed) {
  Scenario s;
  s.world = default_world(strategy);
  s.world.seed = seed;
  // A third of the seeds hold the lock for longer than half its TTL, up to
  // two TTLs, so the workload renews it with extend (strategies that renew
  // by themselves already hold for 2 x TTL); fewer holds each, so such a
  // run (its waiters retrying all along) costs about what the others do. A
  // stream of its own: every other draw stays what it was.
  if (auto lock = make_strategy(strategy); lock && !lock->renews()) {
    sim::Rng wl = sim::Rng(seed).split(23);
    if (wl.between(0, 2) == 0) {
      s.world.workload.hold = Millis(wl.between(s.world.ttl.count() / 2 + 1, 2 * s.world.ttl.count()));
      s.world.workload.acquires_per_client = 2;
    }
  }
  if (classes.empty()) return s;
  // The fault generator has a stream of its own: faults never shift the
  // draws of the network or the clients.
  sim::Rng r = sim::Rng(seed).split(7);
  if (std::find(classes.begin(), classes.end(), FaultKind::kFailover) != classes.end()) {
    // Failover needs replicas. Their shape has a stream of its own too, so
    // the fault draws stay those of the same classes without it. Lags reach
    // up to half a TTL: replication that falls behind under load.
    sim::Rng wr = sim::Rng(seed).split(8);
    s.world.replicas = static_cast<int>(wr.between(1, 2));
    const int64_t lag_max = wr.between(1, s.world.ttl.count() / 2);
    s.world.replication_lag_min = Millis(wr.between(0, lag_max / 2));
    s.world.replication_lag_max = Millis(lag_max);
  }
  const sim::WorldConfig& c = s.world;
  const int64_t ttl = c.ttl.count();
  // Faults land while the workload is busy: every client cycles for about
  // acquires x (hold + think), contending with the others.
  const int64_t busy_ms =
      std::max<int64_t>(ttl, c.clients * c.workload.acquires_per_client * (c.workload.hold + c.workload.think).count());
  auto any_client = [&] { return sim::ProcessId::client(static_cast<int>(r.between(0, c.clients - 1))); };
  auto any_node = [&] { return sim::ProcessId::node(static_cast<int>(r.between(0, c.nodes - 1))); };
  auto any_process = [&] { return r.between(0, 1) ? any_client() : any_node(); };
  const int count = static_cast<int>(r.between(1, 3));
  for (int i = 0; i < count; ++i) {
    Fault f;
    f.kind = classes[static_cast<size_t>(r.between(0, static_cast<int64_t>(classes.size()) - 1))];
    f.at_ms = r.between(0, busy_ms);
    switch (f.kind) {
      case FaultKind::kPause:
        f.target = any_client();
        f.duration_ms = r.between(ttl / 2, 3 * ttl);
        // Half the pauses wait for a moment that matters: right after the
        // client's next acquire or release command (its reply arrives while
        // it is stopped) or its next passed validity check (about to act).
        if (const int64_t d = r.between(0, 5); d < 3) {
          f.during = d == 0 ? During::kAcquire : d == 1 ? During::kRelease : During::kCheck;
        }
        break;
      case FaultKind::kCrash:
        f.target = any_client();
        if (r.between(0, 3) != 0) f.restart_after_ms = r.between(0, 2 * ttl);
        break;
      case FaultKind::kNodeCrash: {
        f.target = any_node();
        f.restart_after_ms = r.between(0, ttl);
        // Every persistence mode gets its share of crashes.
        static constexpr sim::Persistence kModes[] = {sim::Persistence::kNone, sim::Persistence::kNo,
                                                      sim::Persistence::kEverysec, sim::Persistence::kAlways};
        s.world.persistence = kModes[r.between(0, 3)];
        break;
      }
      case FaultKind::kFailover:
        f.target = any_node();
        break;
      case FaultKind::kClockJump:
        f.target = any_process();
        f.delta_ms = r.between(ttl / 2, 3 * ttl) * (r.between(0, 1) ? 1 : -1);
        break;
      case FaultKind::kDrift:
        f.at_ms = 0;
        f.target = any_process();
        f.ppm = r.between(-50'000, 50'000);
        break;
      case FaultKind::kDelay:
        f.extra_latency_ms = r.between(ttl / 10, 2 * ttl);
        f.duration_ms = r.between(ttl / 2, 3 * ttl);
        if (r.between(0, 1) == 1) f.target = any_node();  // a slow node, not the network
        break;
      case FaultKind::kDuplicate:
        f.duration_ms = r.between(ttl / 10, ttl);
        break;
      case FaultKind::kDrop:
        f.drop_ppm = r.between(100'000, 900'000);
        f.duration_ms = r.between(ttl / 2, 3 * ttl);
        break;
      case FaultKind::kPartition: {
        // Two sides drawn process by process. The resource is named only
        // now and then: unnamed, every side reaches it, so a client cut off
        // from (some of) the Redis nodes goes on writing to what the lock
        // protects — the case `resource` and `validity` are about.
        std::vector<sim::ProcessId> a, b;
        for (int k = 0; k < c.clients; ++k) (r.between(0, 1) ? a : b).push_back(sim::ProcessId::client(k));
        std::vector<bool> node_in_a;
        for (int k = 0; k < c.nodes; ++k) {
          node_in_a.push_back(r.between(0, 1) == 1);
          (node_in_a.back() ? a : b).push_back(sim::ProcessId::node(k));
        }
        for (int k = 0; k < c.nodes; ++k) {
          for (int rep = 1; rep <= c.replicas; ++rep) (r.between(0, 1) ? a : b).push_back(sim::ProcessId::node(k, rep));
        }
        // All clients and nodes on one side would cut no client from
        // Redis: move one client across.
        const bool nodes_all_in_a = std::all_of(node_in_a.begin(), node_in_a.end(), [](bool x) { return x; });
        const bool nodes_all_in_b = std::none_of(node_in_a.begin(), node_in_a.end(), [](bool x) { return x; });
        auto clients_in = [](const std::vector<sim::ProcessId>& side) {
          return std::count_if(side.begin(), side.end(), [](sim::ProcessId p) { return p.is_client(); });
        };
        if ((nodes_all_in_a && clients_in(b) == 0) || (nodes_all_in_b && clients_in(a) == 0)) {
          std::vector<sim::ProcessId>& from = nodes_all_in_a ? a : b;
          std::vector<sim::ProcessId>& to = nodes_all_in_a ? b : a;
          const sim::ProcessId moved = any_client();
          std::erase(from, moved);
          to.insert(to.begin(), moved);
        }
        if (r.between(0, 7) == 0) (r.between(0, 1) ? a : b).push_back(sim::ProcessId::resource());
        f.groups = {a, b};
        f.one_way = r.between(0, 3) == 0;
        f.duration_ms = r.between(ttl / 2, 3 * ttl);
        break;
      }
    }
    s.faults.push_back(std::move(f));
  }
  std::stable_sort(s.faults.begin(), s.faults.end(), [](const Fault& a, const Fault& b) { return a.at_ms < b.at_ms; });
  return s;
}

Result<std::vector<FaultKind>> parse_fault_classes(std::string_view text) {
  std::vector<FaultKind> out;
  if (text == "none") return out;
  if (text == "all") {
    for (const auto& f : fault_catalog()) out.push_back(f.kind);
    return out;
  }
  for (const std::string_view name : split_list(text)) {
    auto kind = parse_fault_kind(name);
    if (!kind) {
      std::vector<std::string_view> known = {"none", "all"};
      for (const auto& f : fault_catalog()) known.push_back(f.name);
      return Error{ErrorCode::kInvalidArgument, "unknown fault class '" + std::string(name) + "' " + known_list(known)};
    }
    if (std::find(out.begin(), out.end(), *kind) == out.end()) out.push_back(*kind);
  }
  return out;
}

}  // namespace lockcheck::chaos
