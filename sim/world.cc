#include "sim/world.h"

#include <algorithm>
#include <coroutine>
#include <utility>

#include "impl/reply.h"
#include "model/aof.h"
#include "model/node.h"
#include "sim/clock.h"
#include "sim/world_impl.h"

namespace lockcheck::sim {

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char ch : s) {
    h ^= ch;
    h *= 0x100000001b3ULL;
  }
  return h;
}

namespace {

// Wall clocks start near late 2026 so absolute unix-ms expiry looks real.
constexpr int64_t kWallEpochMs = 1'795'000'000'000;

}  // namespace

World::Impl::Impl(World& world)
    : w(world), net_rng(Rng(world.config_.seed).split(1)), repl_rng(Rng(world.config_.seed).split(2)) {}

int World::Impl::slot(ProcessId p) const {
  switch (p.kind) {
    case ProcessId::Kind::kClient: return p.index;
    case ProcessId::Kind::kNode: return member_slot(p.index, p.replica);
    case ProcessId::Kind::kResource: return resource_slot();
  }
  return -1;
}

TrueInstant World::Impl::local_deadline(int s, Nanos d) const {
  const Process& p = procs[s];
  return std::max(now(), p.clock.true_at_mono(p.clock.mono_at(now()) + d));
}

// Runs fn as process s (incarnation inc) now, or when its pause ends;
// drops it if the process died or restarted since.
void World::Impl::deliver(int s, uint64_t inc, std::function<void()> fn) {
  Process& p = procs[s];
  if (p.down || p.incarnation != inc) return;
  if (now() < p.paused_until || !p.inbox.empty()) {
    p.inbox.push_back(std::move(fn));
    return;
  }
  fn();
}

void World::Impl::drain(int s) {
  Process& p = procs[s];
  while (!p.inbox.empty() && !p.down && now() >= p.paused_until) {
    auto fn = std::move(p.inbox.front());
    p.inbox.pop_front();
    fn();
  }
}

// Sends a message from `from` to `to`; on arrival runs on_arrival as `to`
// (incarnation to_inc). Loss, partitions, latency and FIFO order apply.
World::Impl::Sent World::Impl::send(int from, int to, uint64_t to_inc, std::function<void()> on_arrival) {
  ++messages;
  const auto& net = w.config_.network;
  const bool cut_link = cut.count({from, to}) > 0;
  const bool lost = cut_link || net_rng.chance_ppm(net.drop_ppm + extra_drop_ppm);
  if (lost) {
    mix(mix64(static_cast<uint64_t>(from) << 32 | static_cast<uint32_t>(to), 0xd709));
    if (cut_link) return Sent::kCut;
    history.messages_lost.push_back(now());
    return Sent::kLost;
  }
  Nanos latency = Millis(net_rng.between(net.latency_min.count(), net.latency_max.count())) + extra_latency;
  if (!slow.empty()) {
    if (auto it = slow.find(from); it != slow.end()) latency += it->second;
    if (auto it = slow.find(to); it != slow.end()) latency += it->second;
  }
  TrueInstant arrival = now() + latency;
  auto& last = link_last_arrival[{from, to}];
  arrival = std::max(arrival, last);
  last = arrival;
  mix(mix64(static_cast<uint64_t>(from) << 32 | static_cast<uint32_t>(to),
            static_cast<uint64_t>(arrival.time_since_epoch().count())));
  w.loop_.at(arrival, [this, to, to_inc, fn = std::move(on_arrival)]() mutable { deliver(to, to_inc, std::move(fn)); });
  return Sent::kOnItsWay;
}

void World::Impl::complete(int c, uint64_t id, Result<std::string> result, int from) {
  auto& cs = *clients[c];
  auto it = cs.pending.find(id);
  if (it == cs.pending.end()) return;  // already timed out, or a late reply
  if (from >= 0 && result.ok()) {
    // A connection stream: bytes already waiting in it are read first, and
    // this reply waits behind them.
    auto stray = cs.stray.find(from);
    if (stray != cs.stray.end() && !stray->second.empty()) {
      stray->second.push_back(std::move(result.value()));
      result = std::move(stray->second.front());
      stray->second.pop_front();
    }
  }
  PendingCall call = it->second;
  cs.pending.erase(it);
  *call.slot = std::move(result);
  call.waiter.resume();
}

void World::Impl::start_request(int c, int dest, std::function<void(const ReplyTo&)> handler,
                                std::coroutine_handle<> waiter, Result<std::string>* slot, MonoInstant reply_by,
                                const std::function<void(Sent)>& undelivered) {
  const uint64_t id = ++next_call;
  const uint64_t c_inc = procs[c].incarnation;
  clients[c]->pending.emplace(id, PendingCall{waiter, slot});
  const ReplyTo to{c, c_inc, dest, id};
  const Sent sent = send(c, dest, procs[dest].incarnation, [to, handler = std::move(handler)]() { handler(to); });
  if (sent != Sent::kOnItsWay && undelivered) undelivered(sent);
  TrueInstant deadline = local_deadline(c, w.config_.network.request_timeout);
  bool cut = false;  // the caller gives up before the request timeout
  if (reply_by != MonoInstant::max()) {
    const TrueInstant caller_gives_up = std::max(now(), procs[c].clock.true_at_mono(reply_by));
    if (caller_gives_up < deadline) {
      deadline = caller_gives_up;
      cut = true;
    }
  }
  w.loop_.at(deadline, [this, c, c_inc, id, cut]() {
    deliver(c, c_inc, [this, c, id, cut]() {
      complete(c, id, Error{ErrorCode::kTimeout, cut ? "no reply by the caller's deadline"
                                                     : "no reply within " +
                                                           std::to_string(w.config_.network.request_timeout.count()) +
                                                           " ms"});
    });
  });
}

void World::Impl::respond(const ReplyTo& to, std::string payload) {
  const bool twice = duplicating > 0 && to.from != resource_slot();
  send(to.from, to.client, to.client_inc,
       [this, c = to.client, id = to.call, from = to.from, twice, reply = std::move(payload)]() mutable {
         if (twice) clients[c]->stray[from].push_back(reply);  // the copy, read by the next command
         complete(c, id, Result<std::string>(std::move(reply)), from);
       });
}

void World::Impl::record(Event e) {
  e.at = now();
  if (e.client >= 0 && e.client < w.config_.clients) e.paused = paused_by(e.client, e.at);  // derived: not hashed
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

void World::Impl::kill(int s) {
  Process& proc = procs[s];
  proc.paused_total = paused_by(s, now());  // the rest of a running pause never happens
  proc.down = true;
  ++proc.incarnation;
  proc.inbox.clear();
  proc.paused_until = {};
}

// The simulated world's Env: what the real lock code sees.
class SimEnv : public Env {
 public:
  // fixed_op: the operation every call of this Env counts as (a renewal
  // helper's calls are extends whatever the workload is doing).
  SimEnv(World::Impl& impl, int client, std::optional<Op> fixed_op = std::nullopt)
      : impl_(impl), c_(client), fixed_op_(fixed_op) {}

  MonoInstant mono_now() override { return impl_.procs[c_].clock.mono_at(impl_.now()); }
  WallInstant wall_now() override { return impl_.procs[c_].clock.wall_at(impl_.now()); }
  uint64_t random_u64() override { return impl_.clients[c_]->rng.next(); }
  size_t node_count() const override { return static_cast<size_t>(impl_.w.config().nodes); }

  Task<void> sleep(Nanos d) override {
    LC_CHECK(d >= Nanos(0));
    co_await SleepAwaiter{this, d};
  }

  Nanos request_timeout() const override { return impl_.w.config().network.request_timeout; }

  void note(std::string text) override {
    Event e;
    e.kind = EventKind::kNote;
    e.client = c_;
    e.detail = std::move(text);
    impl_.record(std::move(e));
  }

  // Both return request()'s task itself: no coroutine frame of their own.
  Task<Result<Reply>> call(size_t node, std::vector<std::string> argv) override {
    return request(node, std::move(argv), MonoInstant::max());
  }
  Task<Result<Reply>> call_by(size_t node, std::vector<std::string> argv, MonoInstant reply_by) override {
    return request(node, std::move(argv), reply_by);
  }

  Task<Result<Reply>> request(size_t node, std::vector<std::string> argv, MonoInstant reply_by) {
    LC_CHECK(node < node_count());
    LC_CHECK(!argv.empty());
    if (mono_now() >= reply_by) {
      co_return Error{ErrorCode::kTimeout, argv.front() + " not sent: the caller's deadline had passed"};
    }
    const int n = static_cast<int>(node);
    const Op op = fixed_op_.value_or(impl_.clients[c_]->op);
    std::string bytes = encode_command(argv);
    World::Impl* impl = &impl_;
    const int c = c_;
    // Routed to the group's primary of the moment: after a failover the
    // client's next call reaches the new one (as a Sentinel-aware client's).
    const int m = impl_.groups[n].primary;
    // A named awaiter, not a temporary: g++ 12 destroys non-trivial awaiter
    // temporaries of `auto x = co_await T{...}` twice (seen as a double free).
    RequestAwaiter request{this, impl_.member_slot(n, m),
                           [impl, n, m, c, op, bytes = std::move(bytes)](const ReplyTo& to) {
                             impl->handle_request(n, m, c, op, bytes, to);
                           },
                           op, reply_by, nullptr};
    auto raw = co_await request;
    if (!raw.ok()) co_return raw.error();
    auto reply = impl_.clients[c_]->reader.decode_one(raw.value());
    if (!reply.ok()) co_return reply.error();
    co_return reply_to_result(std::move(reply.value()));
  }

  // The protected resource: with a fencing token it refuses any token lower
  // than the highest it has accepted (the storage-side check fencing needs).
  // A write that never gets there is in the history too (kWriteLost): the
  // holder acted all the same.
  Task<Status> write_resource(uint64_t session, std::string token, uint64_t fence) {
    World::Impl* impl = &impl_;
    const int c = c_;
    Event e;
    e.client = c;
    e.session = session;
    e.token = std::move(token);
    e.fence = fence;
    e.token_nodes = impl_.token_nodes(e.token);  // as the client acts
    RequestAwaiter request{this, impl_.resource_slot(),
                           [impl, e](const ReplyTo& to) mutable {
                             const bool stale = e.fence != 0 && e.fence < impl->highest_fence;
                             e.kind = stale ? EventKind::kWriteRejected : EventKind::kWrite;
                             if (!stale) impl->highest_fence = std::max(impl->highest_fence, e.fence);
                             impl->record(std::move(e));
                             impl->respond(to, stale ? "-STALE fencing token\r\n" : "+OK\r\n");
                           },
                           Op::kNone,
                           MonoInstant::max(),
                           [impl, e](World::Impl::Sent why) mutable {
                             e.kind = EventKind::kWriteLost;
                             e.detail = why == World::Impl::Sent::kCut ? "cut from the resource by a partition"
                                                                       : "lost by the network";
                             impl->record(std::move(e));
                           }};
    auto raw = co_await request;
    if (!raw.ok()) co_return raw.error();
    if (raw.value().rfind("-", 0) == 0) co_return Error{ErrorCode::kRedisError, "resource refused a stale fencing token"};
    co_return Ok{};
  }

 private:
  struct SleepAwaiter {
    SimEnv* env;
    Nanos d;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      World::Impl& impl = env->impl_;
      const int c = env->c_;
      const uint64_t inc = impl.procs[c].incarnation;
      impl.w.loop().at(impl.local_deadline(c, d), [&impl, c, inc, h]() { impl.deliver(c, inc, [h]() { h.resume(); }); });
    }
    void await_resume() const noexcept {}
  };

  struct RequestAwaiter {
    SimEnv* env;
    int dest;
    std::function<void(const ReplyTo&)> handler;
    Op op = Op::kNone;  // what the command is for (an armed pause may wait for it)
    MonoInstant reply_by = MonoInstant::max();  // the caller gives up then (Env::call_by)
    std::function<void(World::Impl::Sent)> undelivered;  // told when the request does not get out
    Result<std::string> result = Error{ErrorCode::kConnectionLost, "request never completed"};
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      env->impl_.start_request(env->c_, dest, std::move(handler), h, &result, reply_by, undelivered);
      env->impl_.w.pause_if_armed(env->c_, op);  // the request is out; its reply will wait
    }
    Result<std::string> await_resume() { return std::move(result); }
  };

  World::Impl& impl_;
  int c_;
  std::optional<Op> fixed_op_;
};

ClientState::ClientState(Rng r) : rng(r) {}
ClientState::~ClientState() = default;

void World::Impl::start_client(int c) {
  auto& cs = *clients[c];
  // Replacing a live chain would leave its pending calls pointing into
  // destroyed frames: only a fresh or finished client may start.
  LC_CHECK(!cs.workload.valid() || cs.workload.done());
  LC_CHECK(cs.pending.empty());
  cs.op = Op::kNone;
  cs.workload = run_workload(w, c);
  cs.workload.start();
}

World::World(const WorldConfig& config) : config_(config), strategy_(make_strategy(config.strategy)) {
  const std::string problem = validate_config(config_);
  LC_CHECK(problem.empty());
  impl_ = std::make_unique<Impl>(*this);
  const Rng root(config_.seed);
  // Replicas come after the resource, so the slots (and clock streams) of
  // worlds without replicas stay what they were.
  const int total = config_.clients + config_.nodes + 1 + config_.nodes * config_.replicas;
  for (int s = 0; s < total; ++s) {
    Rng r = root.split(1000 + static_cast<uint64_t>(s));
    // Monotonic clocks start at arbitrary points: nobody may rely on their epoch.
    const MonoInstant mono_start = MonoInstant{} + Millis(r.between(1'000, 1'000'000'000));
    const WallInstant wall_start = WallInstant{} + Millis(kWallEpochMs);
    impl_->procs.push_back(Process{"", LocalClock(mono_start, wall_start, 0), 0, false, {}, Nanos(0), {}});
  }
  for (int c = 0; c < config_.clients; ++c) {
    impl_->procs[c].name = process_name({ProcessId::Kind::kClient, c});
    impl_->clients.push_back(std::make_unique<ClientState>(root.split(100 + static_cast<uint64_t>(c))));
    impl_->clients.back()->env = std::make_unique<SimEnv>(*impl_, c);
    impl_->clients.back()->helper_env = std::make_unique<SimEnv>(*impl_, c, Op::kExtend);
  }
  impl_->procs[impl_->resource_slot()].name = "resource";
  impl_->init_groups();
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
  for (int c = 0; c < config_.clients; ++c) {
    // A client crashed by a fault at time 0 (ordered before this) stays
    // down; one paused then starts when its pause ends: its first command
    // is an action like any other.
    loop_.at(TrueInstant{}, [this, c]() {
      impl_->deliver(c, impl_->procs[c].incarnation, [this, c]() { impl_->start_client(c); });
    });
  }
  const TrueInstant stop = TrueInstant{} + config_.duration;
  RunOutcome out;
  out.event_limit_hit = !loop_.run_until(stop);
  // The world lasts the whole run even when nothing is left to happen (its
  // last client died): a key it left without a TTL is still there at the
  // end, and expiry must see it live that long.
  impl_->history.end = stop;
  for (const auto& note : impl_->validity_notes) {
    Event& e = impl_->history.events[note.index];
    const LocalClock& clock = impl_->procs[e.client].clock;
    e.believed_until = clock.true_at_mono(note.believed);
    e.granted_until = clock.true_at_mono(note.at_grant);
  }
  for (const auto& [index, mono] : impl_->due_notes) {
    Event& e = impl_->history.events[index];
    e.due = impl_->procs[e.client].clock.true_at_mono(mono);
  }
  for (int c = 0; c < config_.clients; ++c) impl_->history.paused_at_end.push_back(impl_->paused_by(c, impl_->history.end));
  out.trace_hash = impl_->trace;
  out.events_run = loop_.events_run();
  out.messages_sent = impl_->messages;
  out.history = std::move(impl_->history);
  return out;
}

int World::Impl::token_nodes(const std::string& token) const {
  int holding = 0;
  for (const Group& g : groups) {
    const Member& m = g.members[static_cast<size_t>(g.primary)];
    if (!up(m.slot)) continue;  // a dead node holds nothing
    const model::KeyImage image = m.node->image_of(history.lock_key);
    if (!image.exists) continue;
    if (image.expire_unix_ms && *image.expire_unix_ms <= wall_ms(m.slot)) continue;
    holding += image.is_hash ? static_cast<int>(image.hash.count(token)) : image.str == token ? 1 : 0;
  }
  return holding;
}

void World::pause_on_next(int client, Op op, Nanos d) {
  LC_CHECK(client >= 0 && client < config_.clients && op != Op::kNone);  // kCheck: after a passed validity check
  impl_->clients[client]->armed_pause = std::make_pair(op, d);
}

void World::pause_if_armed(int client, Op op) {
  auto& armed = impl_->clients[client]->armed_pause;
  if (!armed || armed->first != op) return;
  const Nanos d = armed->second;
  armed.reset();
  note_fault("client-" + std::to_string(client) + " pauses for " + std::to_string(to_ms(d)) + " ms right after sending a " +
             op_name(op) + " command");
  pause(ProcessId{ProcessId::Kind::kClient, client}, d);
}

void World::pause(ProcessId p, Nanos d) {
  const int s = impl_->slot(p);
  Process& proc = impl_->procs[s];
  const TrueInstant until = std::max(proc.paused_until, loop_.now() + d);
  proc.paused_total += until - std::max(proc.paused_until, loop_.now());  // overlaps count once
  proc.paused_until = until;
  loop_.at(proc.paused_until, [this, s]() { impl_->drain(s); });
}

void World::crash(ProcessId p, std::optional<Nanos> restart_after) {
  LC_CHECK(p.kind != ProcessId::Kind::kResource);
  const int s = impl_->slot(p);
  Process& proc = impl_->procs[s];
  if (proc.down) return;
  impl_->kill(s);
  if (p.kind == ProcessId::Kind::kClient) {
    auto& cs = *impl_->clients[p.index];
    cs.pending.clear();
    cs.helpers.clear();          // its background renewals die with it
    cs.stray.clear();            // and its connections
    cs.workload = Task<void>();  // tears down the whole suspended call chain
    cs.op = Op::kNone;
    for (auto& g : impl_->groups) g.last_write.erase(p.index);  // its connections are gone
    Event e;
    e.kind = EventKind::kCrash;
    e.client = p.index;
    impl_->record(std::move(e));
  } else {
    impl_->crash_member(p.index, p.replica);
  }
  if (restart_after) {
    const uint64_t inc = proc.incarnation;
    loop_.after(*restart_after, [this, p, s, inc]() {
      Process& pr = impl_->procs[s];
      if (!pr.down || pr.incarnation != inc) return;
      pr.down = false;
      note_fault(process_name(p) + " restarts");
      if (p.kind == ProcessId::Kind::kClient) {
        Event e;
        e.kind = EventKind::kRestart;
        e.client = p.index;
        impl_->record(std::move(e));
        // Through deliver: a pause that came while it was down holds it.
        impl_->deliver(s, pr.incarnation, [this, c = p.index]() { impl_->start_client(c); });
      } else {
        impl_->restart_member(p.index, p.replica);
      }
    });
  }
}

void World::failover(int node) {
  LC_CHECK(node >= 0 && node < config_.nodes);
  impl_->failover(node);
}

void World::jump_wall(ProcessId p, Nanos delta) {
  const int s = impl_->slot(p);
  const int64_t before_ms = impl_->wall_ms(s);
  impl_->procs[s].clock.jump_wall(delta);
  if (p.kind == ProcessId::Kind::kNode) impl_->wall_jumped(s, before_ms, delta);
}

void World::set_drift(ProcessId p, int64_t drift_ppm) {
  impl_->procs[impl_->slot(p)].clock.set_drift(loop_.now(), drift_ppm);
}

void World::duplicate_replies(Nanos d) {
  ++impl_->duplicating;
  loop_.after(d, [this]() {
    --impl_->duplicating;
    note_fault("replies are no longer duplicated");
  });
}

void World::add_latency(Nanos extra, Nanos d, std::optional<ProcessId> only) {
  if (only) {
    const int s = impl_->slot(*only);
    impl_->slow[s] += extra;
    loop_.after(d, [this, s, extra, p = *only]() {
      if ((impl_->slow[s] -= extra) == Nanos(0)) impl_->slow.erase(s);
      note_fault(process_name(p) + " is no longer slow");
    });
    return;
  }
  impl_->extra_latency += extra;
  loop_.after(d, [this, extra]() {
    impl_->extra_latency -= extra;
    note_fault("delay spike ends");
  });
}

void World::add_drop(int64_t ppm, Nanos d) {
  impl_->extra_drop_ppm += ppm;
  loop_.after(d, [this, ppm]() {
    impl_->extra_drop_ppm -= ppm;
    note_fault("message loss ends");
  });
}

void World::partition(std::vector<std::vector<ProcessId>> groups, bool one_way, Nanos d) {
  const int total = static_cast<int>(impl_->procs.size());
  std::vector<int> group_of(total, -1);
  for (size_t g = 0; g < groups.size(); ++g) {
    for (ProcessId p : groups[g]) group_of[impl_->slot(p)] = static_cast<int>(g);
  }
  // The resource is not a Redis process: unless the fault names it, every
  // side reaches it (a holder cut off from Redis still writes).
  const int resource = impl_->resource_slot();
  const bool resource_everywhere = group_of[resource] == -1;
  std::vector<std::pair<int, int>> links;
  for (int a = 0; a < total; ++a) {
    for (int b = 0; b < total; ++b) {
      if (a == b) continue;
      if (resource_everywhere && (a == resource || b == resource)) continue;
      if (one_way) {
        // Only messages from groups[0] to the other listed groups: a
        // process in no group keeps all its links.
        if (group_of[a] == 0 && group_of[b] >= 1) links.emplace_back(a, b);
        continue;
      }
      const bool apart = group_of[a] == -1 || group_of[b] == -1 || group_of[a] != group_of[b];
      if (apart) links.emplace_back(a, b);
    }
  }
  for (const auto& l : links) ++impl_->cut[l];
  loop_.after(d, [this, links]() {
    for (const auto& l : links) {
      if (--impl_->cut[l] == 0) impl_->cut.erase(l);
    }
    note_fault("partition heals");
    impl_->links_healed();
  });
}

void World::note_fault(std::string detail) {
  Event e;
  e.kind = EventKind::kFault;
  e.detail = std::move(detail);
  impl_->record(std::move(e));
}

model::KeyImage World::image_of(ProcessId p, const std::string& key) const {
  LC_CHECK(p.kind == ProcessId::Kind::kNode && p.index < config_.nodes && p.replica <= config_.replicas);
  return impl_->groups[p.index].members[p.replica].node->image_of(key);
}

ProcessId World::primary_of(int node) const {
  LC_CHECK(node >= 0 && node < config_.nodes);
  return ProcessId{ProcessId::Kind::kNode, node, impl_->groups[node].primary};
}

Env& World::env(int client) { return *impl_->clients[client]->env; }

Env& World::helper_env(int client) { return *impl_->clients[client]->helper_env; }

void World::spawn(int client, Task<void> task) {
  auto& cs = *impl_->clients[client];
  LC_CHECK(!impl_->procs[client].down);
  // Finished helpers go first, so a long run keeps at most the live ones.
  std::erase_if(cs.helpers, [](const Task<void>& t) { return t.done(); });
  LC_CHECK(cs.helpers.size() < 64);  // one renewal per hold; a leak otherwise
  cs.helpers.push_back(std::move(task));
  cs.helpers.back().start();
}
void World::set_op(int client, Op op) { impl_->clients[client]->op = op; }
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
  for (auto it = impl_->validity_notes.rbegin(); it != impl_->validity_notes.rend(); ++it) {
    if (events[it->index].client != client) continue;
    if (impl_->procs[client].clock.mono_at(loop_.now()) < it->believed) {
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
  return static_cast<SimEnv&>(env(client)).write_resource(session, std::move(token), fence);
}

}  // namespace lockcheck::sim
