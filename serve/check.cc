#include "serve/check.h"

#include <asio.hpp>

#include <algorithm>
#include <map>
#include <memory>

#include "impl/check.h"
#include "model/text.h"
#include "serve/driver_process.h"
#include "serve/resp_server.h"

namespace lockcheck::serve {
namespace {

constexpr int64_t kNodeDownMs = 100;       // a crashed node comes back after this
constexpr int64_t kPollMs = 10;            // driver exits are polled this often
constexpr size_t kControlArgsMax = 8;      // arguments of one LOCKCHECK.* command
constexpr size_t kControlArgBytesMax = 4096;

struct FaultInfo {
  FaultClass f;
  const char* name;
};
constexpr FaultInfo kFaults[] = {
    {FaultClass::kNone, "none"},           {FaultClass::kPause, "pause"},
    {FaultClass::kPauseGrant, "pause-grant"}, {FaultClass::kCrash, "crash"},
    {FaultClass::kClockJump, "clock_jump"}, {FaultClass::kNodeCrash, "node_crash"},
    {FaultClass::kPartition, "partition"},   {FaultClass::kFailover, "failover"},
    {FaultClass::kDrop, "drop"},           {FaultClass::kDelay, "delay"},
};

// What lockcheck knows of one driver.
struct ClientState {
  DriverProcess process;
  bool hello = false;
  bool done = false;
  bool killed_by_fault = false;
  uint64_t session = 0;   // the current lock session (0: none yet)
  bool holding = false;   // granted and not yet releasing
  bool acquiring = false; // between ACQUIRING and its GRANTED / NOTGRANTED
  int acquires = 0;       // ACQUIRINGs sent
  int grants = 0;
  int checks = 0;
};

class Check final : public Handler {
 public:
  explicit Check(const CheckOptions& o)
      : o_(o),
        cluster_(io_, cluster_options(o), &recorder_),
        control_(io_, *this, control_ids_),
        poll_timer_(io_),
        deadline_timer_(io_),
        signals_(io_, SIGINT, SIGTERM) {
    clients_.resize(static_cast<size_t>(o.clients));
    for (auto& c : clients_) c = std::make_unique<ClientState>();
    out_.target = static_cast<int>(o.seed % static_cast<uint64_t>(o.clients));
    cluster_.set_notes([this](const std::string& what) { note_fault(what); });
  }

  CheckOutcome run() {
    const auto t0 = std::chrono::steady_clock::now();
    if (auto err = cluster_.start()) return harness_fault(*err);
    if (auto err = control_.open()) return harness_fault(*err);
    for (int c = 0; c < o_.clients; ++c) {
      if (auto err = spawn(c)) {
        stop_all();
        return harness_fault(*err);
      }
    }
    signals_.async_wait([this](asio::error_code ec, int) {
      if (!ec) fail(3, "interrupted: every driver stopped, no verdict");
    });
    deadline_timer_.expires_after(Millis(o_.deadline_ms));
    deadline_timer_.async_wait([this](asio::error_code ec) {
      if (ec) return;
      std::string hung;
      for (int c = 0; c < o_.clients; ++c) {
        if (!clients_[static_cast<size_t>(c)]->done && !clients_[static_cast<size_t>(c)]->killed_by_fault) {
          hung += (hung.empty() ? "" : ", ") + name_of(c);
        }
      }
      fail(2, "driver " + o_.driver_name + " hung: " + hung + " did not finish within " +
                  std::to_string(o_.deadline_ms) + " ms (see " + o_.log_dir + ")");
    });
    poll();
    io_.run();
    stop_all();
    out_.wall_ms = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - t0).count();
    if (out_.exit_code != 0) return out_;
    if (recorder_.overflow()) return harness_fault("the history passed kEventsMax events");
    if (o_.fault != FaultClass::kNone && !armed_done_) {
      return harness_fault(std::string("the ") + fault_class_name(o_.fault) + " fault never struck: " +
                           name_of(out_.target) + " never reached its trigger while another client waited " +
                           "(give the clients more --acquires)");
    }
    judge();
    return out_;
  }

  // ---- the control connection (Handler) ----

  model::Reply handle(model::Session& session, const std::vector<std::string>& argv) override {
    if (finished_) return model::Reply::error("ERR the check is over");
    const std::string cmd = model::to_lower(argv[0]);
    int client = -1;
    if (auto it = session_client_.find(session.id); it != session_client_.end()) client = it->second;
    if (argv.size() > kControlArgsMax) return garbage(client, "too many arguments to " + argv[0]);
    for (const std::string& a : argv) {
      if (a.size() > kControlArgBytesMax) return garbage(client, "an argument over 4096 bytes");
    }
    if (cmd.rfind("lockcheck.", 0) != 0) {
      // What client libraries send on connect (ioredis's INFO ready check,
      // CLIENT SETNAME, SELECT 0, PING): answered as a node would.
      static const char* const kConnectCommands[] = {"info", "ping", "client", "select", "echo", "quit"};
      for (const char* ok : kConnectCommands) {
        if (cmd != ok) continue;
        if (auto r = model::execute_connection_command(session, argv, 0)) return *r;
        return control_node_.execute(argv, model::NodeWallMs{}, nullptr, 0);
      }
    }
    if (cmd == "lockcheck.hello") {
      if (argv.size() != 2) return garbage(client, "LOCKCHECK.HELLO takes the client name");
      const int c = parse_client(argv[1]);
      if (c < 0) return garbage(client, "LOCKCHECK.HELLO with unknown client '" + argv[1] + "'");
      if (clients_[static_cast<size_t>(c)]->hello) return garbage(c, "a second LOCKCHECK.HELLO");
      clients_[static_cast<size_t>(c)]->hello = true;
      session_client_[session.id] = c;
      return model::Reply::status("OK");
    }
    if (client < 0) return garbage(client, "'" + argv[0] + "' before LOCKCHECK.HELLO");
    if (cmd == "lockcheck.start" && argv.size() == 1) {
      // The start barrier: no workload begins before every driver is up
      // (a node driver takes a second to start, a C++ one a millisecond).
      for (const auto& c : clients_) {
        if (!c->hello) return model::Reply::status("WAIT");
      }
      return model::Reply::status("GO");
    }
    ClientState& cs = *clients_[static_cast<size_t>(client)];
    if (cs.done) return garbage(client, "'" + argv[0] + "' after LOCKCHECK.DONE");
    sim::Event e;
    e.client = client;
    if (cmd == "lockcheck.acquiring" && argv.size() == 1) {
      if (cs.holding) return garbage(client, "LOCKCHECK.ACQUIRING while it holds the lock");
      cs.session = ++sessions_;
      cs.acquiring = true;
      cs.acquires++;
      e.kind = sim::EventKind::kAcquireInvoke;
      cluster_.set_op(client, sim::Op::kAcquire);
    } else if (cmd == "lockcheck.granted" && (argv.size() == 3 || argv.size() == 4)) {
      if (cs.session == 0 || cs.holding) return garbage(client, "LOCKCHECK.GRANTED without LOCKCHECK.ACQUIRING");
      e.kind = sim::EventKind::kAcquireOk;
      e.token = argv[1];
      const sim::TrueInstant now = recorder_.now();
      if (argv[2] == "-") {
        // The library has no notion of validity: its holder believes it
        // holds until it releases (or dies).
        e.believed_until = now + std::chrono::hours(24);
      } else {
        const std::optional<int64_t> validity_ms = model::parse_int64(argv[2]);
        if (!validity_ms || *validity_ms < 0) return garbage(client, "LOCKCHECK.GRANTED validity '" + argv[2] + "'");
        e.believed_until = now + Millis(*validity_ms);
      }
      e.granted_until = e.believed_until;
      if (argv.size() == 4) {
        const std::optional<int64_t> fence = model::parse_int64(argv[3]);
        if (!fence || *fence < 0) return garbage(client, "LOCKCHECK.GRANTED fence '" + argv[3] + "'");
        e.fence = static_cast<uint64_t>(*fence);
      }
      cs.holding = true;
      cs.acquiring = false;
      cs.grants++;
      out_.grants++;
      token_[client] = e.token;
      fence_[client] = e.fence;
      cluster_.set_op(client, sim::Op::kNone);
    } else if (cmd == "lockcheck.notgranted" && argv.size() <= 2) {
      if (cs.session == 0 || cs.holding) return garbage(client, "LOCKCHECK.NOTGRANTED without LOCKCHECK.ACQUIRING");
      e.kind = sim::EventKind::kAcquireFail;
      cs.acquiring = false;
      e.detail = argv.size() == 2 ? argv[1] : "not granted";
      cluster_.set_op(client, sim::Op::kNone);
    } else if (cmd == "lockcheck.checked" && argv.size() == 1) {
      if (!cs.holding) return garbage(client, "LOCKCHECK.CHECKED while not holding");
      cs.checks++;
      // Before the reply: the driver waits for it, so a pause lands
      // between its check and its write, whatever the scheduler does.
      on_checked(client);
      return model::Reply::status("OK");
    } else if (cmd == "lockcheck.lost" && argv.size() == 1) {
      if (!cs.holding) return garbage(client, "LOCKCHECK.LOST while not holding");
      e.kind = sim::EventKind::kLeaseLost;
    } else if (cmd == "lockcheck.write" && argv.size() == 2) {
      if (!cs.holding) return garbage(client, "LOCKCHECK.WRITE while not holding");
      if (argv[1] != token_[client]) return garbage(client, "LOCKCHECK.WRITE with a token it was not granted");
      e.kind = sim::EventKind::kWrite;
      e.token = argv[1];
      e.fence = fence_[client];
      e.token_nodes = cluster_.live_on(lock_key(), argv[1]);
      if (e.fence > 0 && e.fence < highest_fence_) {
        e.kind = sim::EventKind::kWriteRejected;
        record(e, cs);
        return model::Reply::error("STALE fencing token " + std::to_string(e.fence));
      }
      highest_fence_ = std::max(highest_fence_, e.fence);
    } else if (cmd == "lockcheck.releasing" && argv.size() == 1) {
      if (cs.session == 0) return garbage(client, "LOCKCHECK.RELEASING before any grant");
      e.kind = sim::EventKind::kReleaseInvoke;
      cs.holding = false;
      cluster_.set_op(client, sim::Op::kRelease);
    } else if (cmd == "lockcheck.released" && (argv.size() == 2 || argv.size() == 3)) {
      if (argv[1] != "ok" && argv[1] != "fail") return garbage(client, "LOCKCHECK.RELEASED takes ok or fail");
      e.kind = argv[1] == "ok" ? sim::EventKind::kReleaseOk : sim::EventKind::kReleaseFail;
      if (argv.size() == 3) e.detail = argv[2];
      cluster_.set_op(client, sim::Op::kNone);
    } else if (cmd == "lockcheck.done" && argv.size() == 1) {
      cs.done = true;
      return model::Reply::status("OK");
    } else {
      return garbage(client, "unknown or malformed control command '" + argv[0] + "' with " +
                                 std::to_string(argv.size() - 1) + " arguments");
    }
    const bool granted = e.kind == sim::EventKind::kAcquireOk;
    record(std::move(e), cs);
    // Before the reply, for the same reason: the fault comes before the
    // driver's next step.
    if (granted) on_granted(client);
    return model::Reply::status("OK");
  }

 private:
  static ClusterOptions cluster_options(const CheckOptions& o) {
    ClusterOptions c;
    c.nodes = o.nodes;
    c.clients = o.clients;
    c.persistence = o.persistence;
    c.replicas = std::max(o.replicas, o.fault == FaultClass::kFailover ? 1 : 0);
    c.replication_lag_ms = Millis(o.replication_lag_ms >= 0 ? o.replication_lag_ms : o.ttl_ms / 2);
    return c;
  }
  static const std::string& lock_key() {
    static const std::string key = "lockcheck:lock";
    return key;
  }
  std::string name_of(int c) const { return o_.driver_name + " client-" + std::to_string(c); }
  int parse_client(const std::string& name) const {
    if (name.rfind("client-", 0) != 0) return -1;
    const std::optional<int64_t> n = model::parse_int64(name.substr(7));
    return n && *n >= 0 && *n < o_.clients ? static_cast<int>(*n) : -1;
  }

  void record(sim::Event e, const ClientState& cs) {
    e.session = cs.session;
    recorder_.record(std::move(e));
  }

  model::Reply garbage(int client, const std::string& what) {
    const std::string who = client >= 0 ? name_of(client) : "driver " + o_.driver_name + " (a client before HELLO)";
    fail(2, who + " broke the driver protocol: " + what + " (see docs/drivers.md and " + o_.log_dir + ")");
    return model::Reply::error("ERR lockcheck: " + what);
  }

  std::optional<std::string> spawn(int c) {
    std::string nodes;
    for (int n = 0; n < o_.nodes; ++n) {
      nodes += (n ? "," : "") + std::string("127.0.0.1:") + std::to_string(cluster_.port(c, n));
    }
    const std::map<std::string, std::string> env = {
        {"LOCKCHECK_CONTROL", "127.0.0.1:" + std::to_string(control_.port())},
        {"LOCKCHECK_NODES", nodes},
        {"LOCKCHECK_CLIENT", "client-" + std::to_string(c)},
        {"LOCKCHECK_KEY", lock_key()},
        {"LOCKCHECK_TTL_MS", std::to_string(o_.ttl_ms)},
        {"LOCKCHECK_ACQUIRES", std::to_string(o_.acquires)},
        {"LOCKCHECK_HOLD_MS", std::to_string(o_.hold_ms)},
        {"LOCKCHECK_THINK_MS", std::to_string(o_.think_ms)},
        {"LOCKCHECK_WRITES", std::to_string(o_.writes)},
        {"LOCKCHECK_ACQUIRE_TIMEOUT_MS", std::to_string(o_.acquire_timeout_ms)},
        {"LOCKCHECK_STRATEGY", o_.strategy},
    };
    const std::string log = o_.log_dir + "/driver-client-" + std::to_string(c) + ".log";
    if (auto err = clients_[static_cast<size_t>(c)]->process.spawn(o_.driver_command, env, log)) {
      return "cannot start " + name_of(c) + ": " + *err;
    }
    return std::nullopt;
  }

  void poll() {
    bool all_over = true;
    for (int c = 0; c < o_.clients && !finished_; ++c) {
      ClientState& cs = *clients_[static_cast<size_t>(c)];
      const bool was = cs.process.exited();
      if (cs.process.poll_exited() && !was && !cs.killed_by_fault) {
        if (!cs.done) {
          fail(2, name_of(c) + " " + cs.process.exit_text() + " before LOCKCHECK.DONE (see " + o_.log_dir +
                      "/driver-client-" + std::to_string(c) + ".log)");
        } else if (!cs.process.exited_ok()) {
          fail(2, name_of(c) + " " + cs.process.exit_text() + " after LOCKCHECK.DONE");
        }
      }
      all_over = all_over && cs.process.exited();
    }
    if (finished_) return;
    if (all_over) {
      finish();
      return;
    }
    poll_timer_.expires_after(Millis(kPollMs));
    poll_timer_.async_wait([this](asio::error_code ec) {
      if (!ec) poll();
    });
  }

  void fail(int code, const std::string& what) {
    if (finished_) return;
    out_.exit_code = code;
    out_.error = what;
    finish();
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    out_.history.end = recorder_.now();
    asio::post(io_, [this] {
      poll_timer_.cancel();
      deadline_timer_.cancel();
      for (auto& t : fault_timers_) t->cancel();
      signals_.cancel();
      control_.close();
      cluster_.stop();
      io_.stop();
    });
  }

  void stop_all() {
    for (auto& c : clients_) c->process.kill_and_reap();
  }

  CheckOutcome harness_fault(const std::string& what) {
    out_.exit_code = 3;
    out_.error = what;
    return out_;
  }

  // ---- the fault schedule ----

  void note_fault(const std::string& what) {
    sim::Event e;
    e.kind = sim::EventKind::kFault;
    e.detail = what;
    recorder_.record(e);
    out_.faults.push_back({recorder_.now(), what});
  }

  void after(int64_t ms, std::function<void()> f) {
    auto t = std::make_unique<asio::steady_timer>(io_);
    t->expires_after(Millis(ms));
    t->async_wait([f = std::move(f)](asio::error_code ec) {
      if (!ec) f();
    });
    fault_timers_.push_back(std::move(t));
  }

  std::vector<int> majority() const {
    std::vector<int> nodes;
    for (int n = 0; n < o_.nodes / 2 + 1; ++n) nodes.push_back(n);
    return nodes;
  }

  // Faults strike only while another client waits for the lock or has
  // acquires left (its think time is shorter than a hold), so the lock is
  // contended during the fault in every run.
  bool contended(int client) const {
    for (int c = 0; c < o_.clients; ++c) {
      const ClientState& other = *clients_[static_cast<size_t>(c)];
      if (c == client || other.done || other.killed_by_fault) continue;
      if (other.acquiring || other.acquires < o_.acquires) return true;
    }
    return false;
  }

  void on_checked(int client) {
    if (client != out_.target || armed_done_ || o_.fault != FaultClass::kPause || !contended(client)) return;
    armed_done_ = true;
    pause(client);
  }

  void pause(int client) {
    ClientState& cs = *clients_[static_cast<size_t>(client)];
    cs.process.pause();
    note_fault("pause " + name_of(client) + " (SIGSTOP) for " + std::to_string(2 * o_.ttl_ms) + " ms");
    after(2 * o_.ttl_ms, [this, client] {
      clients_[static_cast<size_t>(client)]->process.resume();
      note_fault("resume " + name_of(client) + " (SIGCONT)");
    });
  }

  void on_granted(int client) {
    if (client != out_.target || armed_done_ || finished_ || !contended(client)) return;
    ClientState& cs = *clients_[static_cast<size_t>(client)];
    switch (o_.fault) {
      case FaultClass::kNone:
      case FaultClass::kPause:
        return;
      case FaultClass::kPauseGrant:
        armed_done_ = true;
        pause(client);
        return;
      case FaultClass::kCrash: {
        armed_done_ = true;
        cs.killed_by_fault = true;
        cs.process.kill_and_reap();
        note_fault("crash " + name_of(client) + " (SIGKILL)");
        sim::Event e;
        e.kind = sim::EventKind::kCrash;
        e.client = client;
        record(e, cs);
        return;
      }
      case FaultClass::kClockJump:
        armed_done_ = true;
        for (int n : majority()) {
          cluster_.jump_clock(n, Millis(2 * o_.ttl_ms));
          note_fault("node-" + std::to_string(n) + "'s clock jumps " + std::to_string(2 * o_.ttl_ms) + " ms forward");
        }
        return;
      case FaultClass::kNodeCrash:
        armed_done_ = true;
        for (int n : majority()) {
          // The crash first, then what the cluster says it lost.
          note_fault("node-" + std::to_string(n) + " crashes (persistence " + persistence_name(o_.persistence) + ")");
          cluster_.crash_node(n);
        }
        after(kNodeDownMs, [this] {
          for (int n : majority()) {
            if (std::optional<std::string> err = cluster_.restart_node(n)) {
              fail(3, *err);
              return;
            }
            note_fault("node-" + std::to_string(n) + " restarts");
          }
        });
        return;
      case FaultClass::kPartition:
        armed_done_ = true;
        for (int n = 0; n < o_.nodes; ++n) cluster_.set_link(client, n, LinkState{true, Millis(0)});
        note_fault(name_of(client) + " is cut from every node for " + std::to_string(2 * o_.ttl_ms) + " ms");
        after(2 * o_.ttl_ms, [this, client] {
          for (int n = 0; n < o_.nodes; ++n) cluster_.set_link(client, n, LinkState{});
          note_fault(name_of(client) + "'s partition heals");
        });
        return;
      case FaultClass::kFailover:
        armed_done_ = true;
        for (int n : majority()) {
          // The cluster notes which replica it promoted and what was lost.
          if (!cluster_.failover(n)) {
            fail(3, "node-" + std::to_string(n) + " has no replica to promote");
            return;
          }
        }
        return;
      case FaultClass::kDrop:
        armed_done_ = true;
        for (int n : majority()) {
          LinkState drop;
          drop.drop_replies = true;
          cluster_.set_link(client, n, drop);
          note_fault("node-" + std::to_string(n) + " drops its replies to " + name_of(client) + " for " +
                     std::to_string(2 * o_.ttl_ms) + " ms");
        }
        after(2 * o_.ttl_ms, [this, client] {
          for (int n : majority()) cluster_.set_link(client, n, LinkState{});
          note_fault(name_of(client) + "'s replies flow again");
        });
        return;
      case FaultClass::kDelay:
        armed_done_ = true;
        for (int n : majority()) {
          LinkState slow;
          slow.delay_ms = Millis(o_.ttl_ms);
          cluster_.set_link(client, n, slow);
          note_fault("node-" + std::to_string(n) + " delays each request of " + name_of(client) + " by " +
                     std::to_string(o_.ttl_ms) + " ms, for " + std::to_string(2 * o_.ttl_ms) + " ms");
        }
        after(2 * o_.ttl_ms, [this, client] {
          for (int n : majority()) cluster_.set_link(client, n, LinkState{});
          note_fault(name_of(client) + "'s requests run at once again");
        });
        return;
    }
  }

  void judge() {
    sim::History& h = out_.history;
    h.clients = o_.clients;
    h.nodes = o_.nodes;
    h.ttl_ms = o_.ttl_ms;
    h.lock_key = lock_key();
    h.events = std::move(recorder_.events());
    std::stable_sort(h.events.begin(), h.events.end(),
                     [](const sim::Event& a, const sim::Event& b) { return a.at < b.at; });
    out_.violations = properties::check_all(h);
    if (out_.grants == 0) {
      out_.exit_code = 2;
      out_.error = "driver " + o_.driver_name + " reported no grant at all: nothing to judge (see " + o_.log_dir + ")";
    }
  }

  CheckOptions o_;
  asio::io_context io_;
  Recorder recorder_;
  Cluster cluster_;
  int64_t control_ids_ = 1;
  Listener control_;
  model::Node control_node_;  // answers connect-time commands on the control port
  asio::steady_timer poll_timer_;
  asio::steady_timer deadline_timer_;
  asio::signal_set signals_;
  std::vector<std::unique_ptr<asio::steady_timer>> fault_timers_;
  std::vector<std::unique_ptr<ClientState>> clients_;
  std::map<int64_t, int> session_client_;  // control connection id -> client
  std::map<int, std::string> token_;
  std::map<int, uint64_t> fence_;
  uint64_t highest_fence_ = 0;
  uint64_t sessions_ = 0;
  bool armed_done_ = false;
  bool finished_ = false;
  CheckOutcome out_;
};

}  // namespace

const char* fault_class_name(FaultClass f) {
  for (const FaultInfo& i : kFaults) {
    if (i.f == f) return i.name;
  }
  LC_CHECK(false);
  return "";
}

const std::vector<FaultClass>& fault_classes() {
  static const std::vector<FaultClass> all = [] {
    std::vector<FaultClass> v;
    for (const FaultInfo& i : kFaults) v.push_back(i.f);
    return v;
  }();
  return all;
}

bool parse_fault_class(const std::string& name, FaultClass* out) {
  for (const FaultInfo& i : kFaults) {
    if (name == i.name) {
      *out = i.f;
      return true;
    }
  }
  return false;
}

CheckOutcome run_check(const CheckOptions& options) {
  auto check = std::make_unique<Check>(options);
  return check->run();
}

}  // namespace lockcheck::serve
