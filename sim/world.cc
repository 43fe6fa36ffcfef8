#include "sim/world.h"

#include <algorithm>
#include <utility>

#include "sim/clock.h"
#include "sim/world_impl.h"

namespace lockcheck::sim {

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const char ch : s) {
    h ^= static_cast<unsigned char>(ch);
    h *= 0x100000001b3ULL;
  }
  return h;
}

namespace {

// Wall clocks start near late 2026 so absolute unix-ms expiry looks real.
constexpr int64_t kWallEpochMs = 1'795'000'000'000;

size_t count(int n) {
  LC_CHECK(n >= 0);
  return static_cast<size_t>(n);
}

// Every process of the world, each with clocks of its own drawn from the
// seed (monotonic clocks start at arbitrary points: nobody may rely on
// their epoch). Names are set by whoever owns the process.
Processes make_processes(EventLoop& loop, const WorldConfig& config, const Layout& layout) {
  Processes procs(loop);
  const Rng root(config.seed);
  for (size_t s = 0; s < layout.processes(); ++s) {
    Rng r = root.split(1000 + s);
    const MonoInstant mono_start = MonoInstant{} + Millis(r.between(1'000, 1'000'000'000));
    const WallInstant wall_start = WallInstant{} + Millis(kWallEpochMs);
    procs.add(Process{"", LocalClock(mono_start, wall_start, 0), 0, false, {}, Nanos(0), {}});
  }
  for (size_t c = 0; c < layout.clients; ++c) {
    procs[layout.client_slot(ClientIndex(c))].name = process_name(ProcessId::client(static_cast<int>(c)));
  }
  procs[layout.resource_slot()].name = process_name(ProcessId::resource());
  return procs;
}

std::vector<std::unique_ptr<ClientState>> make_clients(World::Impl& impl, uint64_t seed) {
  std::vector<std::unique_ptr<ClientState>> clients;
  const Rng root(seed);
  for (size_t c = 0; c < impl.layout.clients; ++c) {
    clients.push_back(std::make_unique<ClientState>(impl, ClientIndex(c), root.split(100 + c)));
  }
  return clients;
}

}  // namespace

World::Impl::Impl(World& world)
    : w(world),
      layout{count(world.config_.clients), count(world.config_.nodes), count(world.config_.replicas)},
      procs(make_processes(world.loop_, world.config_, layout)),
      net(world.config_.network, Rng(world.config_.seed).split(1)),
      clients(make_clients(*this, world.config_.seed)),
      groups(*this) {}

Slot World::Impl::slot(ProcessId p) const {
  switch (p.kind) {
    case ProcessId::Kind::kClient: return layout.client_slot(index_from<ClientIndex>(p.index));
    case ProcessId::Kind::kNode:
      return layout.member_slot(index_from<GroupIndex>(p.index), index_from<MemberIndex>(p.replica));
    case ProcessId::Kind::kResource: return layout.resource_slot();
  }
  LC_CHECK(false && "a process of a kind this world knows");
  return Slot();
}

Network::Sent World::Impl::send(Slot from, Slot to, uint64_t to_inc, Work&& on_arrival) {
  const Network::Route route = net.route(from, to, now());
  const uint64_t link = uint64_t{from.value} << 32 | static_cast<uint32_t>(to.value);
  if (route.sent != Network::Sent::kOnItsWay) {
    mix(mix64(link, 0xd709));
    if (route.sent == Network::Sent::kLost) history.messages_lost.push_back(now());
    return route.sent;
  }
  mix(mix64(link, static_cast<uint64_t>(route.arrival.time_since_epoch().count())));
  procs.at(route.arrival, to, to_inc, std::move(on_arrival));
  return Network::Sent::kOnItsWay;
}

void World::Impl::complete(ClientIndex c, uint64_t id, Result<std::string> result, std::optional<Slot> from) {
  ClientState& cs = client(c);
  auto it = std::find_if(cs.pending.begin(), cs.pending.end(), [id](const PendingCall& p) { return p.id == id; });
  if (it == cs.pending.end()) return;  // already timed out, or a late reply
  if (from && result.ok()) {
    // A connection stream: bytes already waiting in it are read first, and
    // this reply waits behind them.
    auto stray = cs.stray.find(*from);
    if (stray != cs.stray.end() && !stray->second.empty()) {
      stray->second.push_back(std::move(result.value()));
      result = std::move(stray->second.front());
      stray->second.pop_front();
    }
  }
  const PendingCall call = *it;
  cs.pending.erase(it);
  // Answered (or timed out): its timer has nothing left to do. Cancelling
  // it keeps every other event's (time, sequence) as it was.
  w.loop_.cancel(call.timeout);
  *call.slot = std::move(result);
  call.waiter.resume();
}

void World::Impl::start_request(ClientIndex c, Slot dest, RequestHandler handler, std::coroutine_handle<> waiter,
                                Result<std::string>* slot, MonoInstant reply_by, Undelivered undelivered) {
  const uint64_t id = ++next_call;
  const Slot cs = layout.client_slot(c);
  const uint64_t c_inc = procs[cs].incarnation;
  LC_CHECK(client(c).pending.size() < kPendingCallsMax);
  client(c).pending.push_back(PendingCall{id, waiter, slot, {}});
  const ReplyTo to{c, c_inc, dest, id};
  const Network::Sent sent =
      send(cs, dest, procs[dest].incarnation, [to, handler = std::move(handler)]() mutable { handler(to); });
  if (sent != Network::Sent::kOnItsWay && undelivered) undelivered(sent);
  TrueInstant deadline = procs.local_deadline(cs, w.config_.network.request_timeout);
  bool cut = false;  // the caller gives up before the request timeout
  if (reply_by != MonoInstant::max()) {
    const TrueInstant caller_gives_up = std::max(now(), procs[cs].clock.true_at_mono(reply_by));
    if (caller_gives_up < deadline) {
      deadline = caller_gives_up;
      cut = true;
    }
  }
  const EventLoop::TimerId timeout = procs.at(deadline, cs, c_inc, [this, c, id, cut]() {
    complete(c, id,
             Error{ErrorCode::kTimeout,
                   cut ? "no reply by the caller's deadline"
                       : "no reply within " + std::to_string(w.config_.network.request_timeout.count()) + " ms"});
  });
  // The call may be over already (undelivered() can end it); if not, its
  // reply cancels the timer.
  auto& pending = client(c).pending;
  auto it = std::find_if(pending.begin(), pending.end(), [id](const PendingCall& p) { return p.id == id; });
  if (it != pending.end()) it->timeout = timeout;
}

void World::Impl::respond(const ReplyTo& to, std::string payload) {
  const bool twice = net.duplicating() && to.from != layout.resource_slot();
  send(to.from, layout.client_slot(to.client), to.client_inc,
       [this, c = to.client, id = to.call, from = to.from, twice, reply = std::move(payload)]() mutable {
         if (twice) client(c).stray[from].push_back(reply);  // the copy, read by the next command
         complete(c, id, Result<std::string>(std::move(reply)), from);
       });
}

void World::Impl::record(Event e) {
  e.at = now();
  if (e.client >= 0 && e.client < w.config_.clients) {
    e.paused = procs.paused_by(layout.client_slot(index_from<ClientIndex>(e.client)), e.at);  // derived: not hashed
  }
  mix(static_cast<uint64_t>(e.at.time_since_epoch().count()));
  mix(static_cast<uint64_t>(e.kind) << 48 ^ static_cast<uint64_t>(e.client + 1) << 32 ^
      static_cast<uint64_t>(e.node + 1) << 16 ^ static_cast<uint64_t>(e.op));
  mix(e.session);
  mix(fnv1a(e.token) ^ fnv1a(e.detail) * 3 ^ fnv1a(e.key) * 5);
  if (e.before) mix(fnv1a(*e.before));
  if (e.after) mix(fnv1a(*e.after) * 7);
  if (e.after_expire_unix_ms) mix(static_cast<uint64_t>(*e.after_expire_unix_ms));
  if (e.fence) mix(e.fence ^ 0xfe7ce);  // only when fencing: older traces stay as they were
  history.events.push_back(std::move(e));
}

void World::Impl::start_client(ClientIndex c) {
  ClientState& cs = client(c);
  // Replacing a live chain would leave its pending calls pointing into
  // destroyed frames: only a fresh or finished client may start.
  LC_CHECK(!cs.workload.valid() || cs.workload.done());
  LC_CHECK(cs.pending.empty());
  cs.op = Op::kNone;
  cs.workload = run_workload(w, as_int(c));
  cs.workload.start();
}

World::World(const WorldConfig& config) : config_(config), strategy_(make_strategy(config.strategy)) {
  const std::string problem = validate_config(config_);
  LC_CHECK(problem.empty());
  impl_ = std::make_unique<Impl>(*this);
  impl_->history.clients = config_.clients;
  impl_->history.nodes = config_.nodes;
  impl_->history.ttl_ms = config_.ttl.count();
  impl_->history.lock_key = LockOptions{}.key;  // the workload's lock
}

World::~World() {
  // Coroutine frames reference the Impl: destroy them first.
  if (impl_) {
    for (auto& cs : impl_->clients) {
      cs->pending.clear();
      cs->helpers.clear();
      cs->workload = Task<void>();
    }
  }
}

RunOutcome World::run() {
  for (size_t c = 0; c < impl_->layout.clients; ++c) {
    // A client crashed by a fault at time 0 (ordered before this) stays
    // down; one paused then starts when its pause ends: its first command
    // is an action like any other.
    const ClientIndex ci(c);
    const Slot s = impl_->layout.client_slot(ci);
    loop_.at(TrueInstant{}, [this, ci, s]() {
      impl_->procs.deliver(s, impl_->procs[s].incarnation, [this, ci]() { impl_->start_client(ci); });
    });
  }
  const TrueInstant stop = TrueInstant{} + config_.duration;
  RunOutcome out;
  out.event_limit_hit = !loop_.run_until(stop);
  // The world lasts the whole run even when nothing is left to happen (its
  // last client died): a key it left without a TTL is still there at the
  // end, and expiry must see it live that long.
  History& h = impl_->history;
  h.end = stop;
  auto clock_of = [&](const Event& e) -> const LocalClock& {
    return impl_->procs[impl_->layout.client_slot(index_from<ClientIndex>(e.client))].clock;
  };
  for (const auto& note : impl_->validity_notes) {
    Event& e = h.events[note.index];
    e.believed_until = clock_of(e).true_at_mono(note.believed);
    e.granted_until = clock_of(e).true_at_mono(note.at_grant);
  }
  for (const auto& [index, mono] : impl_->due_notes) {
    Event& e = h.events[index];
    e.due = clock_of(e).true_at_mono(mono);
  }
  for (size_t c = 0; c < impl_->layout.clients; ++c) {
    h.paused_at_end.push_back(impl_->procs.paused_by(impl_->layout.client_slot(ClientIndex(c)), h.end));
  }
  out.trace_hash = impl_->trace;
  out.events_run = loop_.events_run();
  out.messages_sent = impl_->net.messages();
  out.history = std::move(h);
  return out;
}

void World::pause_on_next(int client, Op op, Nanos d) {
  LC_CHECK(client >= 0 && client < config_.clients && op != Op::kNone);  // kCheck: after a passed validity check
  impl_->client(index_from<ClientIndex>(client)).armed_pause = std::make_pair(op, d);
}

void World::pause_if_armed(int client, Op op) {
  auto& armed = impl_->client(index_from<ClientIndex>(client)).armed_pause;
  if (!armed || armed->first != op) return;
  const Nanos d = armed->second;
  armed.reset();
  note_fault(process_name(ProcessId::client(client)) + " pauses for " + std::to_string(to_ms(d)) +
             " ms right after sending a " + op_name(op) + " command");
  pause(ProcessId::client(client), d);
}

void World::pause(ProcessId p, Nanos d) { impl_->procs.pause(impl_->slot(p), d); }

void World::crash(ProcessId p, std::optional<Nanos> restart_after) {
  LC_CHECK(p.kind != ProcessId::Kind::kResource);
  const Slot s = impl_->slot(p);
  if (impl_->procs[s].down) return;
  impl_->procs.kill(s);
  if (p.is_client()) {
    const auto c = index_from<ClientIndex>(p.index);
    ClientState& cs = impl_->client(c);
    for (const PendingCall& call : cs.pending) loop_.cancel(call.timeout);  // void with it
    cs.pending.clear();
    cs.helpers.clear();          // its background renewals die with it
    cs.stray.clear();            // and its connections
    cs.workload = Task<void>();  // tears down the whole suspended call chain
    cs.op = Op::kNone;
    impl_->groups.forget_client(c);
    Event e;
    e.kind = EventKind::kCrash;
    e.client = p.index;
    impl_->record(std::move(e));
  } else {
    impl_->groups.crash_member(index_from<GroupIndex>(p.index), index_from<MemberIndex>(p.replica));
  }
  if (restart_after) {
    const uint64_t inc = impl_->procs[s].incarnation;
    loop_.after(*restart_after, [this, p, s, inc]() {
      Process& pr = impl_->procs[s];
      if (!pr.down || pr.incarnation != inc) return;
      pr.down = false;
      note_fault(process_name(p) + " restarts");
      if (p.is_client()) {
        Event e;
        e.kind = EventKind::kRestart;
        e.client = p.index;
        impl_->record(std::move(e));
        // Through deliver: a pause that came while it was down holds it.
        impl_->procs.deliver(s, pr.incarnation,
                             [this, c = index_from<ClientIndex>(p.index)]() { impl_->start_client(c); });
      } else {
        impl_->groups.restart_member(index_from<GroupIndex>(p.index), index_from<MemberIndex>(p.replica));
      }
    });
  }
}

void World::failover(int node) {
  LC_CHECK(node >= 0 && node < config_.nodes);
  impl_->groups.failover(index_from<GroupIndex>(node));
}

void World::jump_wall(ProcessId p, Nanos delta) {
  const Slot s = impl_->slot(p);
  const int64_t before_ms = impl_->procs.wall_ms(s);
  impl_->procs[s].clock.jump_wall(delta);
  if (p.is_node()) impl_->groups.wall_jumped(s, before_ms, delta);
}

void World::set_drift(ProcessId p, int64_t drift_ppm) {
  impl_->procs[impl_->slot(p)].clock.set_drift(loop_.now(), drift_ppm);
}

void World::duplicate_replies(Nanos d) {
  impl_->net.add_duplicating(1);
  loop_.after(d, [this]() {
    impl_->net.add_duplicating(-1);
    note_fault("replies are no longer duplicated");
  });
}

void World::add_latency(Nanos extra, Nanos d, std::optional<ProcessId> only) {
  if (only) {
    const Slot s = impl_->slot(*only);
    impl_->net.add_slow(s, extra);
    loop_.after(d, [this, s, extra, p = *only]() {
      impl_->net.remove_slow(s, extra);
      note_fault(process_name(p) + " is no longer slow");
    });
    return;
  }
  impl_->net.add_latency(extra);
  loop_.after(d, [this, extra]() {
    impl_->net.add_latency(-extra);
    note_fault("delay spike ends");
  });
}

void World::add_drop(int64_t ppm, Nanos d) {
  impl_->net.add_drop_ppm(ppm);
  loop_.after(d, [this, ppm]() {
    impl_->net.add_drop_ppm(-ppm);
    note_fault("message loss ends");
  });
}

void World::partition(std::vector<std::vector<ProcessId>> groups, bool one_way, Nanos d) {
  const size_t total = impl_->procs.size();
  constexpr size_t kNoGroup = SIZE_MAX;
  std::vector<size_t> group_of(total, kNoGroup);
  for (size_t g = 0; g < groups.size(); ++g) {
    for (ProcessId p : groups[g]) group_of[impl_->slot(p).value] = g;
  }
  // The resource is not a Redis process: unless the fault names it, every
  // side reaches it (a holder cut off from Redis still writes).
  const Slot resource = impl_->layout.resource_slot();
  const bool resource_everywhere = group_of[resource.value] == kNoGroup;
  std::vector<Link> links;
  for (size_t a = 0; a < total; ++a) {
    for (size_t b = 0; b < total; ++b) {
      if (a == b) continue;
      if (resource_everywhere && (a == resource.value || b == resource.value)) continue;
      if (one_way) {
        // Only messages from groups[0] to the other listed groups: a
        // process in no group keeps all its links.
        if (group_of[a] == 0 && group_of[b] != kNoGroup && group_of[b] >= 1) links.emplace_back(Slot(a), Slot(b));
        continue;
      }
      const bool apart = group_of[a] == kNoGroup || group_of[b] == kNoGroup || group_of[a] != group_of[b];
      if (apart) links.emplace_back(Slot(a), Slot(b));
    }
  }
  impl_->net.cut(links);
  loop_.after(d, [this, links]() {
    impl_->net.heal(links);
    note_fault("partition heals");
    impl_->groups.links_healed();
  });
}

void World::note_fault(std::string detail) {
  Event e;
  e.kind = EventKind::kFault;
  e.detail = std::move(detail);
  impl_->record(std::move(e));
}

model::KeyImage World::image_of(ProcessId p, const std::string& key) const {
  LC_CHECK(p.is_node() && exists_in(p, config_));
  return impl_->groups[index_from<GroupIndex>(p.index)].member(index_from<MemberIndex>(p.replica)).node->image_of(key);
}

ProcessId World::primary_of(int node) const {
  LC_CHECK(node >= 0 && node < config_.nodes);
  return ProcessId::node(node, as_int(impl_->groups[index_from<GroupIndex>(node)].primary));
}

Env& World::env(int client) { return impl_->client(index_from<ClientIndex>(client)).env; }

Env& World::helper_env(int client) { return impl_->client(index_from<ClientIndex>(client)).helper_env; }

void World::spawn(int client, Task<void> task) {
  const auto c = index_from<ClientIndex>(client);
  ClientState& cs = impl_->client(c);
  LC_CHECK(!impl_->procs[impl_->layout.client_slot(c)].down);
  // Finished helpers go first, so a long run keeps at most the live ones.
  std::erase_if(cs.helpers, [](const Task<void>& t) { return t.done(); });
  LC_CHECK(cs.helpers.size() < 64);  // one renewal per hold; a leak otherwise
  cs.helpers.push_back(std::move(task));
  cs.helpers.back().start();
}
void World::set_op(int client, Op op) { impl_->client(index_from<ClientIndex>(client)).op = op; }
void World::record(Event e) { impl_->record(std::move(e)); }

void World::note_validity(int client, MonoInstant valid_until) {
  LC_CHECK(!impl_->history.events.empty());
  LC_CHECK(impl_->history.events.back().kind == EventKind::kAcquireOk);
  LC_CHECK(impl_->history.events.back().client == client);
  impl_->validity_notes.push_back({impl_->history.events.size() - 1, valid_until, valid_until});
}

void World::note_extended(int client, MonoInstant valid_until) {
  const auto& events = impl_->history.events;
  LC_CHECK(!events.empty() && events.back().kind == EventKind::kExtendOk && events.back().client == client);
  const Slot s = impl_->layout.client_slot(index_from<ClientIndex>(client));
  for (auto it = impl_->validity_notes.rbegin(); it != impl_->validity_notes.rend(); ++it) {
    if (events[it->index].client != client) continue;
    if (impl_->procs[s].clock.mono_at(loop_.now()) < it->believed) {
      it->believed = std::max(it->believed, valid_until);  // still believed: it runs on
      return;
    }
    break;
  }
  // Lapsed: a new belief from here.
  impl_->validity_notes.push_back({events.size() - 1, valid_until, valid_until});
}

void World::note_due(int client, MonoInstant due) {
  LC_CHECK(!impl_->history.events.empty());
  LC_CHECK(impl_->history.events.back().client == client);
  impl_->due_notes.emplace_back(impl_->history.events.size() - 1, due);
}

void World::extend_belief(int client, MonoInstant valid_until) {
  for (auto it = impl_->validity_notes.rbegin(); it != impl_->validity_notes.rend(); ++it) {
    if (impl_->history.events[it->index].client != client) continue;
    it->believed = std::max(it->believed, valid_until);
    return;
  }
  LC_CHECK(false && "extend_belief without a grant");
}

Task<Status> World::write_resource(int client, uint64_t session, std::string token, uint64_t fence) {
  return impl_->client(index_from<ClientIndex>(client)).env.write_resource(session, std::move(token), fence);
}

}  // namespace lockcheck::sim
