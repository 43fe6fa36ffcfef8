// model::Node: command dispatch (names, arity, OOM guard), per-connection
// transactions (MULTI/EXEC/DISCARD/WATCH/UNWATCH), the scripting commands
// (EVAL, EVALSHA, SCRIPT) and the bridge that lets redis.call reach the same
// data commands clients use.
#include "model/node.h"

#include "model/check.h"
#include "model/commands.h"
#include "model/keyspace.h"
#include "model/lua_engine.h"
#include "model/sha1.h"
#include "model/text.h"

namespace lockcheck::model {
namespace {

constexpr const char* kErrNoScript = "NOSCRIPT No matching script. Please use EVAL.";

constexpr const char* kErrExecAbort = "EXECABORT Transaction discarded because of previous errors.";

// Commands handled here rather than in commands.cc, with Redis's arity.
// Scripts may not call them (Redis flags them noscript).
enum class NodeCommand { kEval, kEvalSha, kScript, kMulti, kExec, kDiscard, kWatch, kUnwatch };
struct NodeCommandSpec {
  const char* name;
  int arity;
  NodeCommand id;
};
constexpr NodeCommandSpec kNodeCommands[] = {
    {"eval", -3, NodeCommand::kEval},       {"evalsha", -3, NodeCommand::kEvalSha},
    {"script", -2, NodeCommand::kScript},   {"multi", 1, NodeCommand::kMulti},
    {"exec", 1, NodeCommand::kExec},        {"discard", 1, NodeCommand::kDiscard},
    {"watch", -2, NodeCommand::kWatch},     {"unwatch", 1, NodeCommand::kUnwatch},
};

const NodeCommandSpec* find_node_command(std::string_view name) {
  if (name.empty()) return nullptr;
  for (const NodeCommandSpec& spec : kNodeCommands) {
    if (lower_ascii(name[0]) == spec.name[0] && equals_ignore_case(name, spec.name)) return &spec;
  }
  return nullptr;
}

// SCRIPT's subcommands: Redis 7.0 looks them up (and checks their arity)
// before running anything, so their errors come even inside MULTI.
struct SubcommandSpec {
  const char* name;
  int arity;
};
constexpr SubcommandSpec kScriptSubcommands[] = {{"load", 3}, {"exists", -3}, {"flush", -2}, {"kill", 2}};

// The subcommand of a SCRIPT argv (argc >= 2), or null if unknown.
const SubcommandSpec* find_script_subcommand(const std::vector<std::string>& argv) {
  for (const SubcommandSpec& spec : kScriptSubcommands) {
    if (equals_ignore_case(argv[1], spec.name)) return &spec;
  }
  return nullptr;
}

// processCommand(): inside MULTI every command is queued except these,
// which act at once.
bool runs_inside_multi(const NodeCommandSpec* spec) {
  return spec && (spec->id == NodeCommand::kExec || spec->id == NodeCommand::kDiscard ||
                  spec->id == NodeCommand::kMulti || spec->id == NodeCommand::kWatch);
}

// One WATCHed key of a connection (Redis's watchedKey).
struct WatchedKey {
  // The key was stored but already expired when WATCH ran: its deletion by
  // expiry is then no change (Redis 7.0 multi.c, wk->expired).
  bool expired_at_watch = false;
};

// What Redis keeps per client for transactions.
struct ConnState {
  bool in_multi = false;
  bool dirty_exec = false;  // a command was refused while queuing: EXECABORT
  bool dirty_cas = false;   // a WATCHed key was written: EXEC answers *-1
  std::vector<std::vector<std::string>> queued;
  bool queued_may_grow = false;  // some queued command is denyoom
  std::map<std::string, WatchedKey> watched;

  bool idle() const { return !in_multi && !dirty_cas && watched.empty(); }
};

// The text of a C string: Redis formats these errors with printf's %s,
// which stops at the first NUL byte.
std::string c_text(const std::string& s) { return s.substr(0, s.find('\0')); }

// Redis 7.0 processCommand()'s text: quoted args while fewer than 128
// characters have been written, each cut to the room left; name cut at 128.
std::string unknown_command_error(const std::vector<std::string>& argv) {
  std::string args;
  for (size_t i = 1; i < argv.size() && args.size() < 128; ++i) {
    const size_t room = 128 - args.size();
    args += '\'';
    args += c_text(argv[i]).substr(0, room);
    args += "' ";
  }
  const std::string name = argv.empty() ? std::string() : c_text(argv[0]).substr(0, 128);
  return sanitize_error("ERR unknown command '" + name + "', with args beginning with: " + args);
}

}  // namespace

struct Node::Impl final : ScriptHost {
  Impl(NodeLimits l, ModelBugs b) : limits(l), bugs(b), lua(l) {
    keys.set_expired_sink(&expired);
  }

  NodeLimits limits;
  ModelBugs bugs;
  Keyspace keys;
  LuaEngine lua;
  // Connections with transaction state; an idle one is dropped, so the map
  // holds at most limits.connections_max entries.
  std::map<ConnId, ConnState> conns;
  // The command being executed (scripts reuse it for redis.call).
  int64_t now_ms = 0;
  std::vector<Mutation>* mutations = nullptr;
  // Keys written / dropped by expiry during the current data command;
  // drained into WATCH state right after it (scratch, reused).
  std::vector<std::string> touched;
  std::vector<std::string> expired;
  std::string sha_scratch;  // eval()'s

  // Redis's processCommand(): lookup, arity, MULTI queueing, then the
  // command. Refusals inside MULTI flag the transaction for EXECABORT.
  Reply execute(const std::vector<std::string>& argv, ConnId conn) {
    if (argv.empty()) return Reply::error(unknown_command_error(argv));
    const NodeCommandSpec* node_spec = find_node_command(argv[0]);
    const CommandSpec* data_spec = node_spec ? nullptr : find_data_command(argv[0]);
    ConnState* cs = find_conn(conn);
    if (!node_spec && !data_spec) return refuse(cs, unknown_command_error(argv));
    const int arity = node_spec ? node_spec->arity : data_spec->arity;
    if (!arity_ok(arity, argv.size())) {
      return refuse(cs, wrong_arity_error(node_spec ? node_spec->name : data_spec->name));
    }
    if (node_spec && node_spec->id == NodeCommand::kScript) {
      const SubcommandSpec* sub = find_script_subcommand(argv);
      if (!sub) {
        return refuse(cs, sanitize_error("ERR unknown subcommand '" + c_text(argv[1]).substr(0, 128) +
                                         "'. Try SCRIPT HELP."));
      }
      if (!arity_ok(sub->arity, argv.size())) {
        return refuse(cs, wrong_arity_error(std::string("script|") + sub->name));
      }
    }
    if (cs && cs->in_multi && !runs_inside_multi(node_spec)) return queue(*cs, argv, data_spec);
    if (node_spec) return run_node_command(*node_spec, argv, conn);
    return run_data(*data_spec, argv, /*check_oom=*/true);
  }

  // A command already looked up and arity-checked, run outside MULTI (or
  // from EXEC, with check_oom false: EXEC was admitted as a whole).
  Reply dispatch(const std::vector<std::string>& argv, ConnId conn, bool check_oom) {
    if (const NodeCommandSpec* node_spec = find_node_command(argv[0])) {
      return run_node_command(*node_spec, argv, conn);
    }
    const CommandSpec* data_spec = find_data_command(argv[0]);
    MODEL_CHECK(data_spec != nullptr);
    return run_data(*data_spec, argv, check_oom);
  }

  Reply run_node_command(const NodeCommandSpec& spec, const std::vector<std::string>& argv,
                         ConnId conn) {
    switch (spec.id) {
      case NodeCommand::kEval:
        return eval(argv, false);
      case NodeCommand::kEvalSha:
        return eval(argv, true);
      case NodeCommand::kScript:
        return script(argv);
      case NodeCommand::kMulti:
        return multi(conn);
      case NodeCommand::kExec:
        return exec(conn);
      case NodeCommand::kDiscard:
        return discard(conn);
      case NodeCommand::kWatch:
        return watch(argv, conn);
      case NodeCommand::kUnwatch:
        return unwatch(conn);
    }
    MODEL_CHECK(false);
    return Reply::nil();
  }

  // redis.call / redis.pcall: Redis's scriptCall() checks and texts.
  Reply call_from_script(const std::vector<std::string>& argv) override {
    const CommandSpec* spec = find_data_command(argv[0]);
    const NodeCommandSpec* node_spec = spec ? nullptr : find_node_command(argv[0]);
    if (!spec && !node_spec) return Reply::error("ERR Unknown Redis command called from script");
    const SubcommandSpec* sub = nullptr;
    if (node_spec && node_spec->id == NodeCommand::kScript && argv.size() >= 2) {
      sub = find_script_subcommand(argv);
      if (!sub) return Reply::error("ERR Unknown Redis command called from script");
    }
    const int arity = sub ? sub->arity : spec ? spec->arity : node_spec->arity;
    if (!arity_ok(arity, argv.size())) {
      return Reply::error("ERR Wrong number of args calling Redis command from script");
    }
    if (node_spec || spec->noscript) {
      return Reply::error("ERR This Redis command is not allowed from script");
    }
    return run_data(*spec, argv, /*check_oom=*/true);
  }

  // keys_max and data_bytes_max stand in for maxmemory with noeviction:
  // true if the node is full of live keys or live data.
  bool out_of_memory() {
    const auto full = [&] {
      return keys.stored_count() >= limits.keys_max || keys.data_bytes() >= limits.data_bytes_max;
    };
    if (!full()) return false;
    keys.purge_expired(now_ms);
    signal_expired();
    return full();
  }

  Reply run_data(const CommandSpec& spec, const std::vector<std::string>& argv, bool check_oom) {
    // Commands that may add data are refused while the node is full.
    if (check_oom && spec.may_grow && out_of_memory()) return Reply::error(kErrOom);
    CommandContext ctx{keys, now_ms, mutations, &touched, bugs};
    Reply reply = spec.run(ctx, argv);
    signal_expired();
    for (const std::string& key : touched) {
      keys.account(key);  // every write touches its key (KeyWatch::commit)
      signal_modified(key);
    }
    touched.clear();
    return reply;
  }

  // ---- transactions (Redis 7.0 multi.c) ------------------------------------

  ConnState* find_conn(ConnId conn) {
    auto it = conns.find(conn);
    return it == conns.end() ? nullptr : &it->second;
  }

  // The connection's state, created on first use; null when the node
  // already tracks connections_max connections.
  ConnState* conn_state(ConnId conn) {
    if (ConnState* cs = find_conn(conn)) return cs;
    if (conns.size() >= limits.connections_max) return nullptr;
    return &conns[conn];
  }

  void drop_if_idle(ConnId conn) {
    auto it = conns.find(conn);
    if (it != conns.end() && it->second.idle()) conns.erase(it);
  }

  // rejectCommand(): the error, and a MULTI in progress will abort.
  Reply refuse(ConnState* cs, std::string error) {
    if (cs && cs->in_multi) cs->dirty_exec = true;
    return Reply::error(std::move(error));
  }

  Reply queue(ConnState& cs, const std::vector<std::string>& argv, const CommandSpec* data_spec) {
    // Redis refuses every command queued while over maxmemory (queuing
    // itself takes memory); the queue length bound is the model's own.
    if (out_of_memory() || cs.queued.size() >= limits.multi_commands_max) {
      return refuse(&cs, kErrOom);
    }
    // Redis flags EXEC denyoom when a queued command is (EVAL is not).
    if (data_spec && data_spec->may_grow) cs.queued_may_grow = true;
    cs.queued.push_back(argv);
    return Reply::status("QUEUED");
  }

  Reply multi(ConnId conn) {
    ConnState* cs = conn_state(conn);
    if (!cs) return Reply::error(kErrOom);
    if (cs->in_multi) return Reply::error("ERR MULTI calls can not be nested");
    cs->in_multi = true;
    return Reply::status("OK");
  }

  // discardTransaction(): forget the queue, the flags and every WATCH.
  void end_transaction(ConnId conn) { conns.erase(conn); }

  Reply discard(ConnId conn) {
    ConnState* cs = find_conn(conn);
    if (!cs || !cs->in_multi) return Reply::error("ERR DISCARD without MULTI");
    end_transaction(conn);
    return Reply::status("OK");
  }

  // isWatchedKeyExpired(): a key live at WATCH whose time has run out
  // since counts as changed, deleted yet or not.
  bool watched_key_expired(const ConnState& cs) const {
    for (const auto& [key, wk] : cs.watched) {
      if (wk.expired_at_watch) continue;
      const Entry* e = keys.peek(key);
      if (e && e->expire_ms && *e->expire_ms <= now_ms) return true;
    }
    return false;
  }

  Reply exec(ConnId conn) {
    ConnState* cs = find_conn(conn);
    if (!cs || !cs->in_multi) return Reply::error("ERR EXEC without MULTI");
    // processCommand() admits EXEC for memory before execCommand() runs.
    if (cs->queued_may_grow && out_of_memory()) {
      end_transaction(conn);
      return Reply::error(std::string("EXECABORT Transaction discarded because of: ") + kErrOom);
    }
    if (cs->dirty_exec) {
      end_transaction(conn);
      return Reply::error(kErrExecAbort);
    }
    if (cs->dirty_cas || watched_key_expired(*cs)) {
      end_transaction(conn);
      return Reply::nil_array();
    }
    // Unwatch first (a command of our own must not dirty us), then run the
    // queue; no other connection runs in between: EXEC is atomic.
    std::vector<std::vector<std::string>> queued = std::move(cs->queued);
    end_transaction(conn);
    // Every command runs, as on Redis; once the replies together pass the
    // reply bounds they are dropped as they come (memory stays bounded)
    // and EXEC answers kErrReplyTooLarge.
    std::vector<Reply> replies;
    replies.reserve(queued.size());
    ReplySize total{0, 1};  // the EXEC array itself
    bool too_large = false;
    for (const std::vector<std::string>& argv : queued) {
      Reply reply = dispatch(argv, conn, /*check_oom=*/false);
      const ReplySize size = reply_size(reply);
      total.bytes += size.bytes;
      total.elements += size.elements;
      too_large = too_large || !within_reply_bounds(total);
      if (too_large) {
        replies.clear();
      } else {
        replies.push_back(std::move(reply));
      }
    }
    if (too_large) return Reply::error(kErrReplyTooLarge);
    return Reply::array(std::move(replies));
  }

  bool within_reply_bounds(const ReplySize& size) const {
    return size.bytes <= limits.reply_bytes_max && size.elements <= limits.reply_elements_max;
  }

  Reply watch(const std::vector<std::string>& argv, ConnId conn) {
    ConnState* cs = conn_state(conn);
    if (!cs) return Reply::error(kErrOom);
    if (cs->in_multi) return Reply::error("ERR WATCH inside MULTI is not allowed");
    size_t added = 0;
    for (size_t i = 1; i < argv.size(); ++i) added += cs->watched.count(argv[i]) ? 0 : 1;
    if (cs->watched.size() + added > limits.watched_keys_max) {
      drop_if_idle(conn);
      return Reply::error(kErrOom);
    }
    for (size_t i = 1; i < argv.size(); ++i) {
      if (cs->watched.count(argv[i])) continue;
      const Entry* e = keys.peek(argv[i]);
      cs->watched[argv[i]].expired_at_watch = e && e->expire_ms && *e->expire_ms <= now_ms;
    }
    return Reply::status("OK");
  }

  Reply unwatch(ConnId conn) {
    if (ConnState* cs = find_conn(conn)) {
      cs->watched.clear();
      cs->dirty_cas = false;
      drop_if_idle(conn);
    }
    return Reply::status("OK");
  }

  // touchWatchedKey(): a write to `key` dirties every connection WATCHing
  // it; so does Redis's deletion of it on expiry, except for a watcher
  // that saw it already expired (that deletion is no logical change).
  void signal_modified(const std::string& key) {
    for (auto& [conn, cs] : conns) {
      auto it = cs.watched.find(key);
      if (it == cs.watched.end()) continue;
      if (it->second.expired_at_watch && keys.peek(key) == nullptr) {
        it->second.expired_at_watch = false;
        continue;
      }
      cs.dirty_cas = true;
    }
  }

  void signal_expired() {
    // signal_modified never expires keys, so the loop cannot grow `expired`.
    for (const std::string& key : expired) signal_modified(key);
    expired.clear();
  }

  // EVAL script numkeys [key ...] [arg ...] / EVALSHA sha1 numkeys ...
  Reply eval(const std::vector<std::string>& argv, bool by_sha) {
    if (by_sha && argv[1].size() != 40) return Reply::error(kErrNoScript);
    const std::optional<int64_t> numkeys = parse_int64(argv[2]);
    if (!numkeys) return Reply::error(kErrNotInteger);
    const auto args_after = static_cast<int64_t>(argv.size()) - 3;
    if (*numkeys > args_after) {
      return Reply::error("ERR Number of keys can't be greater than number of args");
    }
    if (*numkeys < 0) return Reply::error("ERR Number of keys can't be negative");

    // (Into a buffer kept across commands: a sha is longer than a string
    // holds without allocating.)
    std::string& sha = sha_scratch;
    if (by_sha) {
      sha.assign(argv[1]);
      for (char& c : sha) c = lower_ascii(c);
    } else {
      sha = sha1_hex(argv[1]);
    }
    if (!lua.has_script(sha)) {
      if (by_sha) return Reply::error(kErrNoScript);
      // EVAL caches the script too, so a later EVALSHA finds it.
      if (std::optional<std::string> err = lua.load(sha, argv[1])) return Reply::error(*err);
    }
    const std::span<const std::string> after_numkeys(argv.data() + 3, argv.size() - 3);
    const auto n_keys = static_cast<size_t>(*numkeys);
    return lua.run(sha, after_numkeys.first(n_keys), after_numkeys.subspan(n_keys), *this);
  }

  // SCRIPT LOAD | EXISTS | FLUSH | KILL; execute() checked the subcommand
  // and its arity.
  Reply script(const std::vector<std::string>& argv) {
    const std::string sub = to_lower(argv[1]);
    if (sub == "load") {
      const std::string sha = sha1_hex(argv[2]);
      if (std::optional<std::string> err = lua.load(sha, argv[2])) return Reply::error(*err);
      return Reply::bulk(sha);
    }
    if (sub == "exists") {
      std::vector<Reply> out;
      for (size_t i = 2; i < argv.size(); ++i) {
        out.push_back(Reply::integer_reply(lua.has_script(to_lower(argv[i])) ? 1 : 0));
      }
      return Reply::array(std::move(out));
    }
    if (sub == "flush") {
      const bool ok = argv.size() == 2 || (argv.size() == 3 && (equals_ignore_case(argv[2], "sync") ||
                                                                equals_ignore_case(argv[2], "async")));
      if (!ok) return Reply::error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
      lua.flush();
      return Reply::status("OK");
    }
    MODEL_CHECK(sub == "kill");
    // Scripts run to completion inside one execute(): never busy.
    return Reply::error("NOTBUSY No scripts in execution right now.");
  }
};

Node::Node(NodeLimits limits, ModelBugs bugs) : impl_(std::make_unique<Impl>(limits, bugs)) {}

Node::~Node() = default;

Reply Node::execute(const std::vector<std::string>& argv, NodeWallMs now,
                    std::vector<Mutation>* mutations, ConnId conn) {
  impl_->now_ms = now.time_since_epoch().count();
  impl_->mutations = mutations;
  Reply reply = impl_->execute(argv, conn);
  impl_->signal_expired();  // (every path drains it already; cheap to be sure)
  impl_->mutations = nullptr;
  // A single value or a hash can be bigger than one reply may be.
  if (!impl_->within_reply_bounds(reply_size(reply))) return Reply::error(kErrReplyTooLarge);
  return reply;
}

KeyImage Node::image_of(const std::string& key) const {
  KeyImage image;
  image.key = key;
  const Entry* e = impl_->keys.peek(key);
  if (!e) return image;
  image.exists = true;
  image.is_hash = e->is_hash;
  image.str = e->str;
  image.hash = e->hash;
  image.expire_unix_ms = e->expire_ms;
  return image;
}

// A replicated or reloaded write is a write: WATCHers of the key see it.
// The image carries no field order, so a hash arrives with its fields in
// sorted order (see README, "Redis model").
void Node::put_image(const KeyImage& image) {
  if (!image.exists) {
    impl_->keys.erase(image.key);
    impl_->signal_modified(image.key);
    return;
  }
  MODEL_CHECK(!image.is_hash || !image.hash.empty());
  Entry e;
  e.is_hash = image.is_hash;
  e.str = image.str;
  for (const auto& [field, value] : image.hash) hash_set(e, field, value);
  e.expire_ms = image.expire_unix_ms;
  impl_->keys.put(image.key, std::move(e));
  impl_->signal_modified(image.key);
}

void Node::clear() {
  impl_->keys.clear();
  impl_->lua.restart();
  impl_->conns.clear();
}

bool Node::in_multi(ConnId conn) const {
  auto it = impl_->conns.find(conn);
  return it != impl_->conns.end() && it->second.in_multi;
}

size_t Node::key_count(NodeWallMs now) const {
  return impl_->keys.live_count(now.time_since_epoch().count());
}

}  // namespace lockcheck::model
