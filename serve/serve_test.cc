// serve/ against real clients on real sockets: hiredis (C) here, redis-py
// in tests/serve_redis_py_test.sh.
#include <hiredis/hiredis.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdarg>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "serve/cluster.h"

namespace lockcheck::serve {
namespace {

// A cluster served on its own thread for one test.
class Served {
 public:
  explicit Served(ClusterOptions options) : cluster_(io_, options, &recorder_) {
    const std::optional<std::string> err = cluster_.start();
    EXPECT_FALSE(err.has_value()) << *err;
    guard_ = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(io_.get_executor());
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Served() {
    asio::post(io_, [this] { cluster_.stop(); });
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  // Runs `f` on the server's thread and waits for it.
  template <typename F>
  void on_server(F f) {
    std::promise<void> done;
    asio::post(io_, [&] {
      f(cluster_);
      done.set_value();
    });
    done.get_future().wait();
  }
  uint16_t port(int client, int node) const { return cluster_.port(client, node); }
  Recorder& recorder() { return recorder_; }

 private:
  asio::io_context io_;
  Recorder recorder_;
  Cluster cluster_;
  std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  std::thread thread_;
};

struct Ctx {
  explicit Ctx(uint16_t port) {
    timeval tv{2, 0};
    c = redisConnectWithTimeout("127.0.0.1", port, tv);
    if (c && !c->err) redisSetTimeout(c, tv);
  }
  ~Ctx() {
    if (c) redisFree(c);
  }
  redisReply* cmd(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    void* r = redisvCommand(c, fmt, ap);
    va_end(ap);
    return static_cast<redisReply*>(r);
  }
  redisContext* c = nullptr;
};

std::string str_of(redisReply* r) {
  if (!r) return "(no reply)";
  std::string s = r->str ? std::string(r->str, r->len) : (r->type == REDIS_REPLY_INTEGER ? std::to_string(r->integer) : "(nil)");
  freeReplyObject(r);
  return s;
}

// A raw socket, to send bytes hiredis never would.
class Raw {
 public:
  explicit Raw(uint16_t port) : sock_(io_) {
    sock_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  void send(std::string_view bytes) { asio::write(sock_, asio::buffer(bytes.data(), bytes.size())); }
  // Reads until `n` bytes came or the peer closed.
  std::string read(size_t n) {
    std::string out(n, '\0');
    asio::error_code ec;
    const size_t got = asio::read(sock_, asio::buffer(out), ec);
    out.resize(got);
    return out;
  }
  // True if the peer closed the connection (EOF).
  bool closed_by_peer() {
    char c;
    asio::error_code ec;
    sock_.read_some(asio::buffer(&c, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }
  void close() { sock_.close(); }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket sock_;
};

TEST(Serve, HiredisRunsTheLockCommands) {
  Served s({});
  Ctx ctx(s.port(0, 0));
  ASSERT_TRUE(ctx.c && !ctx.c->err);
  EXPECT_EQ(str_of(ctx.cmd("PING")), "PONG");
  EXPECT_EQ(str_of(ctx.cmd("SET lockcheck:lock tok NX PX 5000")), "OK");
  EXPECT_EQ(str_of(ctx.cmd("SET lockcheck:lock other NX PX 5000")), "(nil)");
  EXPECT_EQ(str_of(ctx.cmd("EVAL %s 1 lockcheck:lock tok",
                           "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
                           "else return 0 end")),
            "1");
  EXPECT_EQ(str_of(ctx.cmd("CLIENT SETNAME me")), "OK");
  EXPECT_EQ(str_of(ctx.cmd("CLIENT GETNAME")), "me");
  // The history names the client of the port it came on.
  s.on_server([](Cluster&) {});
  ASSERT_EQ(s.recorder().events().size(), 2u);
  EXPECT_EQ(s.recorder().events()[0].client, 0);
  EXPECT_EQ(*s.recorder().events()[0].after, "tok");
}

// Catches: replies out of order or lost when commands arrive together.
TEST(Serve, PipelinedRequestsAnsweredInOrder) {
  Served s({});
  Raw raw(s.port(0, 0));
  std::string batch;
  std::string expect;
  for (int i = 0; i < 100; ++i) {
    const std::string v = std::to_string(i);
    batch += "*2\r\n$4\r\nECHO\r\n$" + std::to_string(v.size()) + "\r\n" + v + "\r\n";
    expect += "$" + std::to_string(v.size()) + "\r\n" + v + "\r\n";
  }
  raw.send(batch);
  EXPECT_EQ(raw.read(expect.size()), expect);
}

// Catches: a command run before all of its bytes arrived, or lost across reads.
TEST(Serve, PartialReads) {
  Served s({});
  Raw raw(s.port(0, 0));
  const std::string cmd = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nvv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n";
  for (char c : cmd) {
    raw.send(std::string_view(&c, 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(raw.read(13), "+OK\r\n$2\r\nvv\r\n");
}

// Catches: a malformed request crashing the server or leaving the
// connection open; the server must still serve others.
TEST(Serve, MalformedRequestGetsProtocolErrorAndClose) {
  Served s({});
  Raw raw(s.port(0, 0));
  // The command before the bad bytes is answered first, as Redis does.
  raw.send("*1\r\n$4\r\nPING\r\n*1\r\n+PING\r\n");
  const std::string err = "+PONG\r\n-ERR Protocol error: expected '$', got '+'\r\n";
  EXPECT_EQ(raw.read(err.size()), err);
  EXPECT_TRUE(raw.closed_by_peer());
  Ctx ctx(s.port(0, 0));
  EXPECT_EQ(str_of(ctx.cmd("PING")), "PONG");
}

// Catches: a server that dies or wedges when a client leaves mid-reply.
TEST(Serve, ClientClosingMidReply) {
  Served s({});
  {
    Raw raw(s.port(0, 0));
    const std::string big(4 * 1024 * 1024, 'x');
    raw.send("*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$" + std::to_string(big.size()) + "\r\n" + big + "\r\n");
    std::string gets;
    for (int i = 0; i < 20; ++i) gets += "*2\r\n$3\r\nGET\r\n$1\r\nb\r\n";
    raw.send(gets);
    raw.read(10);  // the start of the replies, then go
    raw.close();
  }
  Ctx ctx(s.port(0, 0));
  EXPECT_EQ(str_of(ctx.cmd("ECHO %s", "alive")), "alive");
}

TEST(Serve, QuitClosesAfterOk) {
  Served s({});
  Raw raw(s.port(0, 0));
  raw.send("*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n");
  EXPECT_EQ(raw.read(5), "+OK\r\n");
  EXPECT_TRUE(raw.closed_by_peer());
}

// Catches: a node clock that ignores its jump (Redis expires by its own
// wall clock) and a restart without persistence that keeps data.
TEST(Serve, ClockJumpAndCrashRestart) {
  ClusterOptions o;
  o.nodes = 2;
  Served s(o);
  {
    Ctx a(s.port(0, 0));
    Ctx b(s.port(0, 1));
    EXPECT_EQ(str_of(a.cmd("SET lockcheck:lock t PX 10000")), "OK");
    EXPECT_EQ(str_of(b.cmd("SET lockcheck:lock t PX 10000")), "OK");
    s.on_server([](Cluster& c) { c.jump_clock(0, Millis(20000)); });
    EXPECT_EQ(str_of(a.cmd("GET lockcheck:lock")), "(nil)");
    EXPECT_EQ(str_of(b.cmd("GET lockcheck:lock")), "t");
    s.on_server([](Cluster& c) { c.crash_node(1); });
    EXPECT_EQ(b.cmd("PING"), nullptr);  // connection closed
  }
  s.on_server([](Cluster& c) { c.restart_node(1); });
  Ctx b(s.port(0, 1));
  EXPECT_EQ(str_of(b.cmd("GET lockcheck:lock")), "(nil)");
}

// Catches: a cut link that still answers, or a delay not applied.
TEST(Serve, LinkCutAndDelay) {
  ClusterOptions o;
  o.clients = 2;
  Served s(o);
  s.on_server([](Cluster& c) { c.set_link(0, 0, LinkState{true, Millis(0)}); });
  {
    Ctx cut(s.port(0, 0));
    timeval tv{0, 200'000};
    redisSetTimeout(cut.c, tv);
    EXPECT_EQ(cut.cmd("PING"), nullptr);
  }
  Ctx other(s.port(1, 0));
  EXPECT_EQ(str_of(other.cmd("PING")), "PONG");
  s.on_server([](Cluster& c) { c.set_link(1, 0, LinkState{false, Millis(300)}); });
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(str_of(other.cmd("PING")), "PONG");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(300));
}

}  // namespace
}  // namespace lockcheck::serve
namespace lockcheck::serve {
namespace {

// Catches: a restarted node that cannot reopen its port, or accepts late,
// while a client from before the crash still holds its closed connection.
TEST(Serve, RestartWhileOldClientsLinger) {
  Served s({});
  Ctx old(s.port(0, 0));
  EXPECT_EQ(str_of(old.cmd("PING")), "PONG");
  // A reply the old client has not read yet: the crashed node's socket
  // lingers with unsent data.
  Raw unread(s.port(0, 0));
  const std::string big(1024 * 1024, 'x');
  unread.send("*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$" + std::to_string(big.size()) + "\r\n" + big + "\r\n");
  for (int i = 0; i < 8; ++i) unread.send("*2\r\n$3\r\nGET\r\n$1\r\nb\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  s.on_server([](Cluster& c) { c.crash_node(0); });
  EXPECT_EQ(old.cmd("PING"), nullptr);
  {
    Ctx down(s.port(0, 0));
    EXPECT_TRUE(down.c->err != 0) << "a crashed node accepted a connection";
  }
  s.on_server([](Cluster& c) { EXPECT_FALSE(c.restart_node(0).has_value()); });
  for (int i = 0; i < 3; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    Ctx b(s.port(0, 0));
    EXPECT_EQ(str_of(b.cmd("PING")), "PONG");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(100));
  }
}

}  // namespace
}  // namespace lockcheck::serve
namespace lockcheck::serve {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Catches: a WAIT answered before the replica's ack came back (it takes a
// record's trip down and an ack's trip back), or commands pipelined behind
// a blocked WAIT answered before it.
TEST(Serve, WaitBlocksUntilTheReplicaAcks) {
  ClusterOptions o;
  o.replicas = 1;
  o.replication_lag_ms = Millis(150);
  Served s(o);
  Raw raw(s.port(0, 0));
  const auto t0 = steady_clock::now();
  raw.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*3\r\n$4\r\nWAIT\r\n$1\r\n1\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n");
  const std::string want = "+OK\r\n:1\r\n+PONG\r\n";
  EXPECT_EQ(raw.read(want.size()), want);
  EXPECT_GE(steady_clock::now() - t0, milliseconds(300));
}

// Catches: a WAIT that never times out, or counts a replica that has not
// acked yet.
TEST(Serve, WaitTimesOutWithTheAcksItHas) {
  ClusterOptions o;
  o.replicas = 2;
  o.replication_lag_ms = Millis(1000);
  Served s(o);
  Ctx ctx(s.port(0, 0));
  EXPECT_EQ(str_of(ctx.cmd("SET k v")), "OK");
  const auto t0 = steady_clock::now();
  EXPECT_EQ(str_of(ctx.cmd("WAIT 1 100")), "0");
  EXPECT_GE(steady_clock::now() - t0, milliseconds(100));
  EXPECT_LT(steady_clock::now() - t0, milliseconds(900));
}

// Catches: a failover that keeps writes the promoted replica never
// received, keeps old connections open, or records the loss as a client's.
TEST(Serve, FailoverLosesWhatTheReplicaHadNotApplied) {
  ClusterOptions o;
  o.replicas = 1;
  o.replication_lag_ms = Millis(100);
  std::vector<std::string> notes;  // outlives the cluster that notes into it
  Served s(o);
  s.on_server([&](Cluster& c) { c.set_notes([&](const std::string& n) { notes.push_back(n); }); });
  Ctx old(s.port(0, 0));
  EXPECT_EQ(str_of(old.cmd("SET early 1")), "OK");
  std::this_thread::sleep_for(milliseconds(300));  // applied by the replica
  EXPECT_EQ(str_of(old.cmd("SET lockcheck:lock tok PX 10000")), "OK");
  bool promoted = false;
  s.on_server([&](Cluster& c) { promoted = c.failover(0); });
  EXPECT_TRUE(promoted);
  EXPECT_EQ(old.cmd("PING"), nullptr);  // the old process is gone
  Ctx now(s.port(0, 0));
  EXPECT_EQ(str_of(now.cmd("GET early")), "1");
  EXPECT_EQ(str_of(now.cmd("GET lockcheck:lock")), "(nil)");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0], "failover of node-0: node-0-replica-1 promoted at offset 1 of 2 (1 writes lost); node-0 is dead");
  s.on_server([](Cluster&) {});
  const sim::Event& lost = s.recorder().events().back();
  EXPECT_EQ(lost.client, -1);
  EXPECT_EQ(lost.key, "lockcheck:lock");
  EXPECT_EQ(lost.before, std::optional<std::string>("tok"));
  EXPECT_EQ(lost.after, std::nullopt);
  EXPECT_EQ(lost.detail, "failover to node-0-replica-1");
  // No replica left: a second failover changes nothing.
  s.on_server([&](Cluster& c) { promoted = c.failover(0); });
  EXPECT_FALSE(promoted);
}

// Catches: everysec treated as always (the last second's writes survive a
// crash) or as none (the fsynced ones do not).
TEST(Serve, EverysecCrashLosesTheLastSecond) {
  ClusterOptions o;
  o.persistence = Persistence::kEverysec;
  Served s(o);
  {
    Ctx a(s.port(0, 0));
    EXPECT_EQ(str_of(a.cmd("SET synced 1")), "OK");
    // Past the fsync at 1 s after the file opened (at the cluster's start).
    std::this_thread::sleep_for(milliseconds(1100));
    EXPECT_EQ(str_of(a.cmd("SET unsynced 1")), "OK");
    s.on_server([](Cluster& c) { c.crash_node(0); });
  }
  s.on_server([](Cluster& c) { EXPECT_FALSE(c.restart_node(0).has_value()); });
  Ctx b(s.port(0, 0));
  EXPECT_EQ(str_of(b.cmd("GET synced")), "1");
  EXPECT_EQ(str_of(b.cmd("GET unsynced")), "(nil)");
}

// Catches: a drop that stops the request (that is a cut) or lets the
// reply through; a connection left open out of step after the drop ends.
TEST(Serve, DropRunsTheRequestButLosesTheReply) {
  Served s({});
  LinkState drop;
  drop.drop_replies = true;
  s.on_server([&](Cluster& c) { c.set_link(0, 0, drop); });
  Ctx dropped(s.port(0, 0));
  timeval tv{0, 200'000};
  redisSetTimeout(dropped.c, tv);
  EXPECT_EQ(dropped.cmd("SET lockcheck:lock tok"), nullptr);
  s.on_server([](Cluster& c) { c.set_link(0, 0, LinkState{}); });
  Ctx after(s.port(0, 0));
  EXPECT_EQ(str_of(after.cmd("GET lockcheck:lock")), "tok");
}

}  // namespace
}  // namespace lockcheck::serve
