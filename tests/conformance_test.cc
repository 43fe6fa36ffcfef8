// Differential conformance: model::Node against a real redis-server 7.0.
//
// RapidCheck generates command sequences (tests/conformance_gen.h) over two
// connections; each runs on a fresh model::Node and, after RESET + FLUSHALL
// + SCRIPT FLUSH, on one real server started for this test on a free
// loopback port. Every reply is compared as RESP bytes. The real replies are
// decoded by hiredis's reader into model::Reply through our own object
// functions, which keep what hiredis's default objects lose ($-1 vs *-1).
//
// Time: the model is given the real wall clock (unix ms) read just before
// each command goes to the server. The two clocks still differ by a little,
// so the generator keeps every deadline far from every other and from now
// (see conformance_gen.h); only TTL/PTTL replies remain timing-dependent
// and are compared within the sequence's real elapsed time (TTL within 1 s
// for its rounding). Real expiry timing is tested with explicit clocks in
// model/ unit tests, not here.
//
// LOCKCHECK_CONFORMANCE_SEEDS=N runs N sequences instead of the default 2000.
#include <hiredis/hiredis.h>

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "impl/reply.h"
#include "impl/single.h"
#include "model/commands.h"
#include "model/node.h"
#include "model/sha1.h"
#include "model/text.h"
#include "tests/conformance_gen.h"
#include "tests/redis_server.h"

namespace lockcheck::conformance {
namespace {

using model::Reply;

constexpr int kDefaultSequences = 2000;
constexpr int kSequenceStepsMax = 40;  // RapidCheck's maxSize: steps per sequence
constexpr uint64_t kSeed = 0xc0f0a11ce;

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---- hiredis replies decoded straight into model::Reply -------------------

// hiredis builds a reply tree through these callbacks. The root is heap
// allocated; a child lives inside its parent's pre-sized element vector,
// which never reallocates, so the pointers handed back stay valid.
Reply* place(const redisReadTask* task, Reply value) {
  if (task->parent == nullptr) return new Reply(std::move(value));
  auto* parent = static_cast<Reply*>(task->parent->obj);
  Reply& slot = parent->elements.at(static_cast<size_t>(task->idx));
  slot = std::move(value);
  return &slot;
}

void* create_string(const redisReadTask* task, char* str, size_t len) {
  std::string s(str, len);
  switch (task->type) {
    case REDIS_REPLY_STATUS:
      return place(task, Reply::status(std::move(s)));
    case REDIS_REPLY_ERROR:
      return place(task, Reply::error(std::move(s)));
    default:
      return place(task, Reply::bulk(std::move(s)));
  }
}

void* create_array(const redisReadTask* task, int elements) {
  return place(task, Reply::array(std::vector<Reply>(static_cast<size_t>(elements))));
}

void* create_integer(const redisReadTask* task, long long value) {
  return place(task, Reply::integer_reply(value));
}

void* create_nil(const redisReadTask* task) {
  return place(task, task->type == REDIS_REPLY_ARRAY ? Reply::nil_array() : Reply::nil());
}

void free_object(void* obj) { delete static_cast<Reply*>(obj); }

redisReplyObjectFunctions kReplyFunctions = {create_string, create_array, create_integer, create_nil,
                                             free_object};

// One raw connection to the real server whose replies are model::Replies.
class RealConn {
 public:
  explicit RealConn(int port) {
    timeval timeout{5, 0};
    ctx_ = redisConnectWithTimeout("127.0.0.1", port, timeout);
    if (ctx_ == nullptr || ctx_->err) return;
    redisSetTimeout(ctx_, timeout);
    ctx_->reader->fn = &kReplyFunctions;
  }
  ~RealConn() {
    if (ctx_) redisFree(ctx_);
  }
  RealConn(const RealConn&) = delete;
  RealConn& operator=(const RealConn&) = delete;

  bool ok() const { return ctx_ != nullptr && ctx_->err == 0; }

  // Queues a command without waiting (pipelining).
  void append(const std::vector<std::string>& argv) {
    std::vector<const char*> ptrs;
    std::vector<size_t> lens;
    for (const std::string& a : argv) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
    redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), ptrs.data(), lens.data());
  }

  // The next reply; an error *reply* is a Reply, a broken connection a
  // nullopt.
  std::optional<Reply> next() {
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) return std::nullopt;
    std::unique_ptr<Reply> r(static_cast<Reply*>(raw));
    return std::move(*r);
  }

  std::optional<Reply> call(const std::vector<std::string>& argv) {
    append(argv);
    return next();
  }

  std::string error() const { return ctx_ ? ctx_->errstr : "no context"; }

 private:
  redisContext* ctx_ = nullptr;
};

// ---- comparing -------------------------------------------------------------

std::string escaped(const std::string& bytes) {
  std::string out;
  for (char c : bytes) {
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string resp(const Reply& r) { return escaped(model::encode_reply(r)); }

// How much a TTL-like integer reply may differ between the two worlds.
struct Tolerance {
  int64_t pttl_ms = 0;  // the sequence's elapsed real time, + rounding
};

bool same_time_value(const std::string& command, const Reply& m, const Reply& r, const Tolerance& tol) {
  if (m.type != Reply::Type::kInteger || r.type != Reply::Type::kInteger) return false;
  if (m.integer < 0 || r.integer < 0) return m.integer == r.integer;  // -1 / -2 are exact
  const int64_t diff = m.integer > r.integer ? m.integer - r.integer : r.integer - m.integer;
  return command == "pttl" ? diff <= tol.pttl_ms : diff <= 1;
}

// `commands` names what produced the reply: one name, or for EXEC the
// queued commands in order, so TTL/PTTL elements get their tolerance.
bool same_reply(const Reply& m, const Reply& r, const std::string& command,
                const std::vector<std::string>& exec_commands, const Tolerance& tol) {
  if (command == "ttl" || command == "pttl") {
    return model::encode_reply(m) == model::encode_reply(r) || same_time_value(command, m, r, tol);
  }
  if (command == "exec" && m.type == Reply::Type::kArray && r.type == Reply::Type::kArray &&
      m.elements.size() == r.elements.size() && m.elements.size() == exec_commands.size()) {
    for (size_t i = 0; i < m.elements.size(); ++i) {
      if (!same_reply(m.elements[i], r.elements[i], exec_commands[i], {}, tol)) return false;
    }
    return true;
  }
  return model::encode_reply(m) == model::encode_reply(r);
}

// ---- running one sequence on both ------------------------------------------

struct Coverage {
  std::map<std::string, int> commands;  // lowercase name -> steps run
  int exec_arrays = 0;
  int exec_nil = 0;
  int exec_abort = 0;
  int script_errors = 0;
  int binary_chunks = 0;     // EVAL / SCRIPT LOAD of a Lua binary chunk
  int extreme_expiries = 0;  // EXPIRE / PEXPIRE with an argument beyond +-2^62
  int sandbox_probes = 0;    // scripts poking at shared metatables or bytecode
  int steps = 0;
  int sequences = 0;
};

class Harness {
 public:
  Harness() {
    Status s = server_.start();
    if (!s.ok()) {
      start_error_ = s.error().to_string();
      return;
    }
    for (auto& c : conns_) {
      c = std::make_unique<RealConn>(server_.port());
      if (!c->ok()) start_error_ = "cannot connect: " + c->error();
    }
  }

  const std::string& start_error() const { return start_error_; }
  int port() const { return server_.port(); }
  Coverage& coverage() { return coverage_; }

  // Runs `seq` on a fresh model (with `bugs`) and on the real server after
  // a reset. Returns a description of the first difference, or nullopt.
  std::optional<std::string> run(const Sequence& seq, model::ModelBugs bugs = {}) {
    if (!start_error_.empty()) return "no real server: " + start_error_;
    if (auto err = reset_real()) return err;
    model::Node node({}, bugs);
    std::vector<std::string> queued[2];  // what each connection queued since MULTI
    const int64_t base_ms = wall_ms();
    ++coverage_.sequences;
    for (size_t i = 0; i < seq.size(); ++i) {
      const Step& step = seq[i];
      const std::vector<std::string> argv = materialize(step, i, base_ms);
      const std::string name = model::to_lower(argv[0]);
      const int64_t now_ms = wall_ms();
      std::optional<Reply> real = conns_[step.conn]->call(argv);
      if (!real) return "step " + std::to_string(i) + ": connection lost: " + conns_[step.conn]->error();
      const Reply m = node.execute(argv, model::NodeWallMs(std::chrono::milliseconds(now_ms)), nullptr,
                                   static_cast<model::ConnId>(step.conn));
      const int64_t elapsed_ms = wall_ms() - base_ms;
      if (elapsed_ms >= kSlotMs / 2) {
        return "sequence ran " + std::to_string(elapsed_ms) +
               " ms: too slow for timing-free deadlines (machine overloaded?)";
      }
      const Tolerance tol{elapsed_ms + 2};
      if (!same_reply(m, *real, name, queued[step.conn], tol)) {
        std::ostringstream os;
        os << "step " << i << " (c" << step.conn << " " << escaped(argv[0]) << "):\n"
           << "    model: " << resp(m) << "\n    redis: " << resp(*real);
        return os.str();
      }
      note(name, argv, m);
      std::vector<std::string>& q = queued[step.conn];
      if (m == Reply::status("QUEUED")) {
        q.push_back(name);
      } else if (name == "exec" || name == "discard" || (name == "multi" && m == Reply::status("OK"))) {
        q.clear();
      }
    }
    return std::nullopt;
  }

 private:
  // RESET drops each connection's MULTI and WATCH state; FLUSHALL and
  // SCRIPT FLUSH the data and the script cache. Pipelined: one round trip.
  std::optional<std::string> reset_real() {
    conns_[0]->append({"RESET"});
    conns_[0]->append({"FLUSHALL"});
    conns_[0]->append({"SCRIPT", "FLUSH"});
    conns_[1]->append({"RESET"});
    for (int c = 0; c < 2; ++c) {
      for (int n = 0; n < (c == 0 ? 3 : 1); ++n) {
        std::optional<Reply> r = conns_[c]->next();
        if (!r || r->type == Reply::Type::kError) return "reset failed: " + conns_[c]->error();
      }
    }
    return std::nullopt;
  }

  void note(const std::string& name, const std::vector<std::string>& argv, const Reply& m) {
    ++coverage_.steps;
    ++coverage_.commands[name];
    const bool script_body = (name == "eval" && argv.size() > 1) || (name == "script" && argv.size() > 2);
    const std::string& body = script_body ? argv[name == "eval" ? 1 : 2] : argv[0];
    if (script_body && !body.empty() && body[0] == '\x1b') ++coverage_.binary_chunks;
    if (script_body && (body.find("getmetatable") != std::string::npos ||
                        body.find("string.dump") != std::string::npos)) {
      ++coverage_.sandbox_probes;
    }
    if ((name == "expire" || name == "pexpire") && argv.size() > 2) {
      const std::optional<int64_t> v = model::parse_int64(argv[2]);
      if (v && (*v > (int64_t{1} << 62) || *v < -(int64_t{1} << 62))) ++coverage_.extreme_expiries;
    }
    if (name == "exec") {
      if (m.type == Reply::Type::kArray) ++coverage_.exec_arrays;
      if (m.type == Reply::Type::kNilArray) ++coverage_.exec_nil;
      if (m.type == Reply::Type::kError && m.str.rfind("EXECABORT", 0) == 0) ++coverage_.exec_abort;
    }
    if ((name == "eval" || name == "evalsha") && m.type == Reply::Type::kError) ++coverage_.script_errors;
  }

  testing::RedisServer server_;
  std::unique_ptr<RealConn> conns_[2];
  std::string start_error_;
  Coverage coverage_;
};

// One server for the whole binary, stopped (and its directory removed) at
// exit.
Harness& harness() {
  static Harness h;
  return h;
}

int sequences_to_run() {
  const char* env = std::getenv("LOCKCHECK_CONFORMANCE_SEEDS");
  if (env == nullptr || *env == '\0') return kDefaultSequences;
  const std::optional<int64_t> n = model::parse_int64(env);
  if (!n || *n <= 0 || *n > 10'000'000) {
    ADD_FAILURE() << "LOCKCHECK_CONFORMANCE_SEEDS must be a positive integer, got '" << env << "'";
    return kDefaultSequences;
  }
  return static_cast<int>(*n);
}

rc::detail::TestParams params(int sequences) {
  rc::detail::TestParams p;
  p.seed = kSeed;
  p.maxSuccess = sequences;
  p.maxSize = kSequenceStepsMax;
  return p;
}

struct Outcome {
  bool passed = false;
  int runs = 0;
  std::optional<Sequence> smallest_failing;  // RapidCheck's last failing case is its most shrunk
  std::string failure;
  int shrinks = 0;
};

Outcome check(int count, model::ModelBugs bugs) {
  Outcome out;
  const auto result = rc::detail::checkTestable(
      [&] {
        const Sequence seq = *sequences();
        ++out.runs;
        const std::optional<std::string> diff = harness().run(seq, bugs);
        if (diff) {
          out.smallest_failing = seq;
          out.failure = *diff;
        }
        RC_ASSERT(!diff.has_value());
      },
      rc::detail::TestMetadata{}, params(count));
  out.passed = result.template is<rc::detail::SuccessResult>();
  rc::detail::FailureResult failure;
  if (result.match(failure)) out.shrinks = static_cast<int>(failure.reproduce.shrinkPath.size());
  return out;
}

std::string report(const Outcome& o) {
  if (!o.smallest_failing) return "(no failing sequence recorded)";
  return "shrunk in " + std::to_string(o.shrinks) + " steps to " + std::to_string(o.smallest_failing->size()) +
         " commands:\n" + describe(*o.smallest_failing) + "first difference at " + o.failure;
}

// ---- the tests ---------------------------------------------------------------

// Catches: any reply of the model that differs from Redis 7.0's, for every
// modeled command, option, error text, script conversion and transaction
// rule the generator reaches.
TEST(Conformance, ModelRepliesAsRealRedis) {
  ASSERT_EQ(harness().start_error(), "");
  const int n = sequences_to_run();
  const auto t0 = std::chrono::steady_clock::now();
  const Outcome o = check(n, {});
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(o.passed) << report(o);
  EXPECT_GE(o.runs, n);
  const Coverage& c = harness().coverage();
  std::cout << "conformance: " << o.runs << " sequences, " << c.steps << " commands, " << secs << " s\n";
  // The generator really reached what this test claims to check.
  for (const char* cmd : {"set", "get", "del", "exists", "type", "setnx", "getset", "expire", "pexpire", "ttl",
                          "pttl", "persist", "incr", "incrby", "hset", "hget", "hdel", "hexists", "hincrby",
                          "hgetall", "publish", "wait", "ping", "eval", "evalsha", "script", "multi", "exec",
                          "discard", "watch", "unwatch", "echo", "select", "foo"}) {
    EXPECT_GT(c.commands.count(cmd) ? c.commands.at(cmd) : 0, 0) << cmd << " never generated";
  }
  EXPECT_GT(c.exec_arrays, 0);
  EXPECT_GT(c.exec_nil, 0) << "no WATCH ever aborted an EXEC";
  EXPECT_GT(c.exec_abort, 0) << "no EXECABORT";
  EXPECT_GT(c.script_errors, 0);
  EXPECT_GT(c.binary_chunks, 0) << "no bytecode body";
  EXPECT_GT(c.extreme_expiries, 0) << "no EXPIRE at the ends of int64";
  EXPECT_GT(c.sandbox_probes, 0) << "no script probing the sandbox";
  std::cout << "conformance: " << c.binary_chunks << " bytecode bodies, " << c.extreme_expiries
            << " extreme expiries, " << c.sandbox_probes << " sandbox probes\n";
}

// The mutation test: with a deliberately broken rule (SET NX overwrites)
// the same differential check must fail, and shrink to a tiny sequence.
TEST(Conformance, CatchesADeliberatelyBrokenModel) {
  ASSERT_EQ(harness().start_error(), "");
  model::ModelBugs bugs;
  bugs.ignore_nx = true;
  const Outcome o = check(kDefaultSequences, bugs);
  ASSERT_FALSE(o.passed) << "SET NX that overwrites went unnoticed in " << o.runs << " sequences";
  ASSERT_TRUE(o.smallest_failing.has_value());
  std::cout << "broken model caught: " << report(o) << "\n";
  // Minimal: something creates the key, then a SET ... NX overwrites it
  // (three steps when the key's first writer needs a MULTI around it).
  EXPECT_LE(o.smallest_failing->size(), 3u) << report(o);
  bool has_nx = false;
  for (const Step& s : *o.smallest_failing) {
    for (const Arg& a : s.argv) has_nx = has_nx || model::to_lower(a.text) == "nx";
  }
  EXPECT_TRUE(has_nx) << report(o);
}

// A directed sequence through the harness itself, so a harness that
// compared nothing would fail here.
TEST(Conformance, HarnessSeesADifference) {
  ASSERT_EQ(harness().start_error(), "");
  Sequence seq(2);
  seq[0].argv = {Arg{"SET"}, Arg{"k1"}, Arg{"a"}};
  seq[1].argv = {Arg{"SET"}, Arg{"k1"}, Arg{"b"}, Arg{"NX"}};
  EXPECT_EQ(harness().run(seq), std::nullopt);
  model::ModelBugs bugs;
  bugs.ignore_nx = true;
  const std::optional<std::string> diff = harness().run(seq, bugs);
  ASSERT_TRUE(diff.has_value());
  EXPECT_NE(diff->find("step 1"), std::string::npos) << *diff;
  EXPECT_NE(diff->find("model: +OK"), std::string::npos) << *diff;
  EXPECT_NE(diff->find("redis: $-1"), std::string::npos) << *diff;
}

// ---- what client libraries send when they connect ---------------------------

// The model side of one connection, as serve/ runs it: connection commands
// from the session, everything else from the node.
struct ModelConn {
  model::Node node;
  model::Session session;
  Reply call(const std::vector<std::string>& argv) {
    const int64_t now_ms = wall_ms();
    if (std::optional<Reply> r = model::execute_connection_command(session, argv, now_ms)) return *r;
    return node.execute(argv, model::NodeWallMs(std::chrono::milliseconds(now_ms)), nullptr);
  }
};

// "k:v" lines of an INFO text (section headers and blank lines skipped).
std::map<std::string, std::string> info_fields(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const size_t colon = line.find(':');
    if (colon != std::string::npos) out[line.substr(0, colon)] = line.substr(colon + 1);
  }
  return out;
}

// The "# Title" lines of an INFO text, in order.
std::vector<std::string> info_sections(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '#') out.push_back(line);
  }
  return out;
}

// The field names of a CLIENT INFO line, in order.
std::vector<std::string> client_info_names(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  std::string field;
  while (in >> field) out.push_back(field.substr(0, field.find('=')));
  return out;
}

// Catches: a connection command whose reply a client library would read
// differently on the model than on Redis 7.0 (byte-exact where the reply
// does not depend on the server's own state).
TEST(Conformance, ConnectionCommandsAsRealRedis) {
  ASSERT_EQ(harness().start_error(), "");
  RealConn real(harness().port());
  ASSERT_TRUE(real.ok()) << real.error();
  ModelConn model;
  model.session.id = 1;
  const std::vector<std::vector<std::string>> exact = {
      {"CLIENT", "GETNAME"},          {"CLIENT", "SETNAME", "lockcheck-1"}, {"client", "getname"},
      {"CLIENT", "SETNAME", "a b"},   {"CLIENT", "SETNAME", "x\ny"},        {"CLIENT", "SETNAME"},
      {"CLIENT", "GETNAME", "x"},     {"CLIENT", "SETINFO", "LIB-NAME", "x"}, {"CLIENT", "nope"},
      {"CLIENT"},                     {"CLIENT", "SETNAME", ""},             {"CLIENT", "GETNAME"},
      {"SELECT", "0"},                {"select", "16"},                     {"SELECT", "x"},
      {"SELECT"},                     {"ECHO", "hi"},                       {"ECHO"},
      {"PING"},                       {"PING", "x"},                        {"INFO", "nosuchsection"},
      {"EVALSHA", std::string(40, 'a'), "0"},
      {"EVAL", "return 1", "0"},      {"EVALSHA", model::sha1_hex("return 1"), "0"},
  };
  for (const auto& argv : exact) {
    const std::optional<Reply> r = real.call(argv);
    ASSERT_TRUE(r.has_value()) << real.error();
    EXPECT_EQ(resp(model.call(argv)), resp(*r)) << argv[0] << " " << (argv.size() > 1 ? argv[1] : "");
  }

  // CLIENT ID: an integer on both (its value is the server's own count).
  const std::optional<Reply> real_id = real.call({"CLIENT", "ID"});
  ASSERT_TRUE(real_id.has_value());
  EXPECT_EQ(real_id->type, Reply::Type::kInteger);
  EXPECT_EQ(model.call({"CLIENT", "ID"}), Reply::integer_reply(1));

  // CLIENT INFO: the same fields in the same order, the same name.
  ASSERT_EQ(real.call({"CLIENT", "SETNAME", "c1"}), Reply::status("OK"));
  ASSERT_EQ(model.call({"CLIENT", "SETNAME", "c1"}), Reply::status("OK"));
  const std::optional<Reply> real_info = real.call({"CLIENT", "INFO"});
  const Reply model_info = model.call({"CLIENT", "INFO"});
  ASSERT_TRUE(real_info.has_value());
  ASSERT_EQ(real_info->type, Reply::Type::kBulk);
  ASSERT_EQ(model_info.type, Reply::Type::kBulk);
  EXPECT_EQ(client_info_names(model_info.str), client_info_names(real_info->str));
  EXPECT_NE(model_info.str.find(" name=c1 "), std::string::npos) << model_info.str;
  EXPECT_EQ(model_info.str.back(), '\n');

  // INFO: every field the model gives that a ready check reads has Redis's
  // value; the model's section titles appear on Redis in the same order.
  for (const std::vector<std::string>& argv : std::vector<std::vector<std::string>>{
           {"INFO"}, {"INFO", "server"}, {"INFO", "replication"}, {"INFO", "persistence"}, {"info", "Server", "clients"}}) {
    const std::optional<Reply> r = real.call(argv);
    const Reply m = model.call(argv);
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(m.type, Reply::Type::kBulk);
    const auto real_fields = info_fields(r->str);
    const auto model_fields = info_fields(m.str);
    for (const char* field : {"redis_version", "redis_mode", "loading", "role", "connected_slaves", "arch_bits"}) {
      if (model_fields.count(field) || real_fields.count(field)) {
        EXPECT_EQ(model_fields.count(field) ? model_fields.at(field) : "(none)",
                  real_fields.count(field) ? real_fields.at(field) : "(none)")
            << field << " in INFO " << (argv.size() > 1 ? argv[1] : "");
      }
    }
    std::vector<std::string> real_titles = info_sections(r->str);
    size_t at = 0;
    for (const std::string& title : info_sections(m.str)) {
      while (at < real_titles.size() && real_titles[at] != title) ++at;
      EXPECT_LT(at, real_titles.size()) << title << " not on Redis, or out of order";
    }
    EXPECT_EQ(m.str.substr(m.str.size() - 2), "\r\n");
  }

  // HELLO: Redis 7.0 answers it (with the server map); the model refuses it
  // as unknown, as Redis 5 did, which is what makes RESP3-capable clients
  // fall back to RESP2. Only the model side can be checked.
  const std::optional<Reply> real_hello = real.call({"HELLO", "2"});
  ASSERT_TRUE(real_hello.has_value());
  EXPECT_EQ(real_hello->type, Reply::Type::kArray);
  const Reply model_hello = model.call({"HELLO", "3"});
  ASSERT_EQ(model_hello.type, Reply::Type::kError);
  EXPECT_EQ(model_hello.str.rfind("ERR unknown command 'HELLO'", 0), 0u) << model_hello.str;

  // QUIT: +OK, then the server closes the connection.
  const std::optional<Reply> real_quit = real.call({"QUIT"});
  ASSERT_TRUE(real_quit.has_value());
  EXPECT_EQ(resp(model.call({"QUIT"})), resp(*real_quit));
  EXPECT_TRUE(model.session.close_after_reply);
  EXPECT_FALSE(real.call({"PING"}).has_value()) << "Redis kept the connection after QUIT";
}

}  // namespace
}  // namespace lockcheck::conformance
