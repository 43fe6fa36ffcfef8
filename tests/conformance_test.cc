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
                          "discard", "watch", "unwatch", "foo"}) {
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

}  // namespace
}  // namespace lockcheck::conformance
