// Data command handlers. Each mirrors the corresponding Redis 7.0 source
// function closely enough that the order of validation (and so which error a
// doubly-wrong command gets) matches the real server.
#include "model/commands.h"

#include <limits>
#include <optional>

#include "model/text.h"

namespace lockcheck::model {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

// Snapshots a key on construction; commit() records the change, if any
// (once: the snapshot moves into the Mutation).
class KeyWatch {
 public:
  KeyWatch(CommandContext& ctx, const std::string& key)
      : ctx_(ctx), key_(key), before_(ctx.keys.state_of(key, ctx.now_ms)) {}
  // Call exactly where Redis calls signalModifiedKey(): after a write.
  void commit() {
    record_change(ctx_.keys, key_, ctx_.now_ms, std::move(before_), ctx_.mutations);
    ctx_.touched->push_back(key_);
  }

 private:
  CommandContext& ctx_;
  const std::string& key_;
  std::optional<KeyState> before_;
};

// Redis setKey(): overwrite any type; drops the TTL unless keep_ttl.
void set_string(CommandContext& ctx, const std::string& key, const std::string& value,
                bool keep_ttl) {
  Entry* e = ctx.keys.find(key, ctx.now_ms);
  if (!e) {
    e = &ctx.keys.insert(key);
  } else if (!keep_ttl) {
    e->expire_ms.reset();
  }
  e->is_hash = false;
  e->hash.clear();
  e->hash_order.clear();
  e->hash_bytes = 0;
  e->str = value;
}

Reply invalid_expire(const char* cmd) {
  return Reply::error(std::string("ERR invalid expire time in '") + cmd + "' command");
}

// ---- strings ---------------------------------------------------------------

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]
Reply cmd_set(CommandContext& ctx, const Argv& argv) {
  enum : unsigned { kNx = 1, kXx = 2, kGet = 4, kKeepTtl = 8, kEx = 16, kPx = 32, kExAt = 64, kPxAt = 128 };
  unsigned flags = 0;
  const std::string* expire_arg = nullptr;
  // parseExtendedStringArgumentsOrReply(): a repeated option is accepted,
  // a conflicting one is a syntax error.
  for (size_t j = 3; j < argv.size(); ++j) {
    const std::string_view opt_arg = argv[j];
    const auto opt_is = [&](std::string_view name) { return equals_ignore_case(opt_arg, name); };
    const bool has_next = j + 1 < argv.size();
    const unsigned expire_flags = kKeepTtl | kEx | kPx | kExAt | kPxAt;
    auto take_expire = [&](unsigned flag) {
      if ((flags & (expire_flags & ~flag)) || !has_next) return false;
      flags |= flag;
      expire_arg = &argv[++j];
      return true;
    };
    if (opt_is("nx") && !(flags & kXx)) {
      flags |= kNx;
    } else if (opt_is("xx") && !(flags & kNx)) {
      flags |= kXx;
    } else if (opt_is("get")) {
      flags |= kGet;
    } else if (opt_is("keepttl") && !(flags & (kEx | kPx | kExAt | kPxAt))) {
      flags |= kKeepTtl;
    } else if (opt_is("ex") && take_expire(kEx)) {
    } else if (opt_is("px") && take_expire(kPx)) {
    } else if (opt_is("exat") && take_expire(kExAt)) {
    } else if (opt_is("pxat") && take_expire(kPxAt)) {
    } else {
      return Reply::error(kErrSyntax);
    }
  }

  // getExpireMillisecondsOrReply()
  std::optional<int64_t> expire_at_ms;
  if (expire_arg) {
    std::optional<int64_t> ms = parse_int64(*expire_arg);
    if (!ms) return Reply::error(kErrNotInteger);
    const bool seconds = flags & (kEx | kExAt);
    if (*ms <= 0 || (seconds && *ms > kInt64Max / 1000)) return invalid_expire("set");
    if (seconds) *ms *= 1000;
    // Redis checks `ms > LLONG_MAX - now`, which cannot overflow for its
    // clock; the node's clock here may read anything, so check the sum.
    if ((flags & (kEx | kPx)) && __builtin_add_overflow(*ms, ctx.now_ms, &*ms)) {
      return invalid_expire("set");
    }
    if (*ms <= 0) return invalid_expire("set");
    expire_at_ms = *ms;
  }

  const std::string& key = argv[1];
  Entry* existing = ctx.keys.find(key, ctx.now_ms);
  Reply get_reply = Reply::nil();
  if (flags & kGet) {
    if (existing && existing->is_hash) return Reply::error(kErrWrongType);
    if (existing) get_reply = Reply::bulk(existing->str);
  }
  // ModelBugs::ignore_nx (mutation test only): NX no longer sees the key.
  const bool found = existing != nullptr && !((flags & kNx) && ctx.bugs.ignore_nx);
  if (((flags & kNx) && found) || ((flags & kXx) && !found)) {
    return (flags & kGet) ? get_reply : Reply::nil();
  }
  KeyWatch watch(ctx, key);
  set_string(ctx, key, argv[2], flags & kKeepTtl);
  if (expire_at_ms) ctx.keys.find(key, ctx.now_ms)->expire_ms = *expire_at_ms;
  watch.commit();
  return (flags & kGet) ? get_reply : Reply::status("OK");
}

Reply cmd_get(CommandContext& ctx, const Argv& argv) {
  const Entry* e = ctx.keys.find(argv[1], ctx.now_ms);
  if (!e) return Reply::nil();
  if (e->is_hash) return Reply::error(kErrWrongType);
  return Reply::bulk(e->str);
}

Reply cmd_setnx(CommandContext& ctx, const Argv& argv) {
  if (ctx.keys.find(argv[1], ctx.now_ms)) return Reply::integer_reply(0);
  KeyWatch watch(ctx, argv[1]);
  set_string(ctx, argv[1], argv[2], false);
  watch.commit();
  return Reply::integer_reply(1);
}

Reply cmd_getset(CommandContext& ctx, const Argv& argv) {
  Reply old = cmd_get(ctx, argv);
  if (old.type == Reply::Type::kError) return old;
  KeyWatch watch(ctx, argv[1]);
  set_string(ctx, argv[1], argv[2], false);
  watch.commit();
  return old;
}

// incrDecrCommand(): WRONGTYPE, then value parse, then overflow. The TTL
// survives (Redis overwrites the value in place).
Reply incr_by(CommandContext& ctx, const std::string& key, int64_t incr) {
  Entry* e = ctx.keys.find(key, ctx.now_ms);
  int64_t value = 0;
  if (e) {
    if (e->is_hash) return Reply::error(kErrWrongType);
    std::optional<int64_t> v = parse_int64(e->str);
    if (!v) return Reply::error(kErrNotInteger);
    value = *v;
  }
  if ((incr < 0 && value < 0 && incr < kInt64Min - value) ||
      (incr > 0 && value > 0 && incr > kInt64Max - value)) {
    return Reply::error("ERR increment or decrement would overflow");
  }
  value += incr;
  KeyWatch watch(ctx, key);
  if (!e) e = &ctx.keys.insert(key);
  e->str = std::to_string(value);
  watch.commit();
  return Reply::integer_reply(value);
}

Reply cmd_incr(CommandContext& ctx, const Argv& argv) { return incr_by(ctx, argv[1], 1); }

Reply cmd_incrby(CommandContext& ctx, const Argv& argv) {
  std::optional<int64_t> incr = parse_int64(argv[2]);
  if (!incr) return Reply::error(kErrNotInteger);
  return incr_by(ctx, argv[1], *incr);
}

// ---- keys ------------------------------------------------------------------

Reply cmd_del(CommandContext& ctx, const Argv& argv) {
  int64_t deleted = 0;
  for (size_t i = 1; i < argv.size(); ++i) {
    if (!ctx.keys.find(argv[i], ctx.now_ms)) continue;
    KeyWatch watch(ctx, argv[i]);
    ctx.keys.erase(argv[i]);
    watch.commit();
    ++deleted;
  }
  return Reply::integer_reply(deleted);
}

Reply cmd_exists(CommandContext& ctx, const Argv& argv) {
  int64_t n = 0;
  for (size_t i = 1; i < argv.size(); ++i) {
    if (ctx.keys.find(argv[i], ctx.now_ms)) ++n;
  }
  return Reply::integer_reply(n);
}

Reply cmd_type(CommandContext& ctx, const Argv& argv) {
  const Entry* e = ctx.keys.find(argv[1], ctx.now_ms);
  if (!e) return Reply::status("none");
  return Reply::status(e->is_hash ? "hash" : "string");
}

// expireGenericCommand(): options, then the number, then overflow, then the
// key; a deadline already passed deletes the key (as a master does).
Reply expire_generic(CommandContext& ctx, const Argv& argv, bool seconds, const char* name) {
  bool nx = false, xx = false, gt = false, lt = false;
  for (size_t j = 3; j < argv.size(); ++j) {
    const std::string opt = to_lower(argv[j]);
    if (opt == "nx") {
      nx = true;
    } else if (opt == "xx") {
      xx = true;
    } else if (opt == "gt") {
      gt = true;
    } else if (opt == "lt") {
      lt = true;
    } else {
      return Reply::error(sanitize_error("ERR Unsupported option " + argv[j]));
    }
  }
  if (nx && (xx || gt || lt)) {
    return Reply::error("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if (gt && lt) return Reply::error("ERR GT and LT options at the same time are not compatible");

  std::optional<int64_t> when = parse_int64(argv[2]);
  if (!when) return Reply::error(kErrNotInteger);
  if (seconds) {
    if (*when > kInt64Max / 1000 || *when < kInt64Min / 1000) return invalid_expire(name);
    *when *= 1000;
  }
  // Redis: `when > LLONG_MAX - basetime` with a basetime that is never
  // negative. The node's clock may read anything (a fuzzer or a clock
  // fault), so an overflow of the sum either way is the same error.
  if (__builtin_add_overflow(*when, ctx.now_ms, &*when)) return invalid_expire(name);

  const std::string& key = argv[1];
  Entry* e = ctx.keys.find(key, ctx.now_ms);
  if (!e) return Reply::integer_reply(0);
  const std::optional<int64_t> current = e->expire_ms;
  if (nx && current) return Reply::integer_reply(0);
  if (xx && !current) return Reply::integer_reply(0);
  if (gt && (!current || *when <= *current)) return Reply::integer_reply(0);
  if (lt && current && *when >= *current) return Reply::integer_reply(0);

  KeyWatch watch(ctx, key);
  if (*when <= ctx.now_ms) {
    ctx.keys.erase(key);
  } else {
    e->expire_ms = *when;
  }
  watch.commit();
  return Reply::integer_reply(1);
}

Reply cmd_expire(CommandContext& ctx, const Argv& argv) {
  return expire_generic(ctx, argv, true, "expire");
}

Reply cmd_pexpire(CommandContext& ctx, const Argv& argv) {
  return expire_generic(ctx, argv, false, "pexpire");
}

Reply ttl_generic(CommandContext& ctx, const Argv& argv, bool ms) {
  const Entry* e = ctx.keys.find(argv[1], ctx.now_ms);
  if (!e) return Reply::integer_reply(-2);
  if (!e->expire_ms) return Reply::integer_reply(-1);
  // A deadline and a clock at opposite ends of int64 differ by more than
  // int64 holds: such a TTL saturates (Redis's clock never gets there).
  int64_t ttl = 0;
  if (__builtin_sub_overflow(*e->expire_ms, ctx.now_ms, &ttl)) ttl = kInt64Max;
  if (ttl < 0) ttl = 0;
  // (ttl + 500) / 1000 as Redis rounds, without overflowing near INT64_MAX.
  return Reply::integer_reply(ms ? ttl : ttl / 1000 + (ttl % 1000 >= 500 ? 1 : 0));
}

Reply cmd_ttl(CommandContext& ctx, const Argv& argv) { return ttl_generic(ctx, argv, false); }
Reply cmd_pttl(CommandContext& ctx, const Argv& argv) { return ttl_generic(ctx, argv, true); }

Reply cmd_persist(CommandContext& ctx, const Argv& argv) {
  Entry* e = ctx.keys.find(argv[1], ctx.now_ms);
  if (!e || !e->expire_ms) return Reply::integer_reply(0);
  KeyWatch watch(ctx, argv[1]);
  e->expire_ms.reset();
  watch.commit();
  return Reply::integer_reply(1);
}

// ---- hashes ----------------------------------------------------------------

// The hash at key for reading: null if absent; *wrong_type if a string.
Entry* find_hash(CommandContext& ctx, const std::string& key, bool* wrong_type) {
  Entry* e = ctx.keys.find(key, ctx.now_ms);
  *wrong_type = e && !e->is_hash;
  return *wrong_type ? nullptr : e;
}

Reply cmd_hset(CommandContext& ctx, const Argv& argv) {
  if (argv.size() % 2 == 1) return Reply::error(wrong_arity_error("hset"));
  bool wrong_type = false;
  Entry* e = find_hash(ctx, argv[1], &wrong_type);
  if (wrong_type) return Reply::error(kErrWrongType);
  KeyWatch watch(ctx, argv[1]);
  if (!e) {
    e = &ctx.keys.insert(argv[1]);
    e->is_hash = true;
  }
  int64_t created = 0;
  for (size_t i = 2; i + 1 < argv.size(); i += 2) {
    if (hash_set(*e, argv[i], argv[i + 1])) ++created;
  }
  watch.commit();
  return Reply::integer_reply(created);
}

Reply cmd_hget(CommandContext& ctx, const Argv& argv) {
  bool wrong_type = false;
  const Entry* e = find_hash(ctx, argv[1], &wrong_type);
  if (wrong_type) return Reply::error(kErrWrongType);
  if (!e) return Reply::nil();
  auto it = e->hash.find(argv[2]);
  return it == e->hash.end() ? Reply::nil() : Reply::bulk(it->second);
}

Reply cmd_hdel(CommandContext& ctx, const Argv& argv) {
  bool wrong_type = false;
  Entry* e = find_hash(ctx, argv[1], &wrong_type);
  if (wrong_type) return Reply::error(kErrWrongType);
  if (!e) return Reply::integer_reply(0);
  KeyWatch watch(ctx, argv[1]);
  int64_t deleted = 0;
  for (size_t i = 2; i < argv.size(); ++i) deleted += hash_erase(*e, argv[i]) ? 1 : 0;
  // Redis never keeps an empty aggregate: the key goes with its last field.
  if (e->hash.empty()) ctx.keys.erase(argv[1]);
  if (deleted > 0) watch.commit();  // hdelCommand signals only a real delete
  return Reply::integer_reply(deleted);
}

Reply cmd_hexists(CommandContext& ctx, const Argv& argv) {
  bool wrong_type = false;
  const Entry* e = find_hash(ctx, argv[1], &wrong_type);
  if (wrong_type) return Reply::error(kErrWrongType);
  return Reply::integer_reply(e && e->hash.count(argv[2]) ? 1 : 0);
}

// hincrbyCommand(): increment parse, WRONGTYPE, stored value parse, overflow.
Reply cmd_hincrby(CommandContext& ctx, const Argv& argv) {
  std::optional<int64_t> incr = parse_int64(argv[3]);
  if (!incr) return Reply::error(kErrNotInteger);
  bool wrong_type = false;
  Entry* e = find_hash(ctx, argv[1], &wrong_type);
  if (wrong_type) return Reply::error(kErrWrongType);
  int64_t value = 0;
  if (e) {
    auto it = e->hash.find(argv[2]);
    if (it != e->hash.end()) {
      std::optional<int64_t> v = parse_int64(it->second);
      if (!v) return Reply::error("ERR hash value is not an integer");
      value = *v;
    }
  }
  if ((*incr < 0 && value < 0 && *incr < kInt64Min - value) ||
      (*incr > 0 && value > 0 && *incr > kInt64Max - value)) {
    return Reply::error("ERR increment or decrement would overflow");
  }
  value += *incr;
  KeyWatch watch(ctx, argv[1]);
  if (!e) {
    e = &ctx.keys.insert(argv[1]);
    e->is_hash = true;
  }
  hash_set(*e, argv[2], std::to_string(value));
  watch.commit();
  return Reply::integer_reply(value);
}

// Fields come back in insertion order, as real Redis returns a small hash
// (a listpack: at most 128 fields of at most 64 bytes). A bigger hash is a
// hash table on a real server, in an order seeded per process: no model can
// match that, so the model keeps insertion order for every size.
Reply cmd_hgetall(CommandContext& ctx, const Argv& argv) {
  bool wrong_type = false;
  const Entry* e = find_hash(ctx, argv[1], &wrong_type);
  if (wrong_type) return Reply::error(kErrWrongType);
  std::vector<Reply> out;
  if (e) {
    for (const std::string& field : e->hash_order) {
      out.push_back(Reply::bulk(field));
      out.push_back(Reply::bulk(e->hash.at(field)));
    }
  }
  return Reply::array(std::move(out));
}

// ---- connection ------------------------------------------------------------

Reply cmd_ping(CommandContext&, const Argv& argv) {
  if (argv.size() > 2) return Reply::error(wrong_arity_error("ping"));
  if (argv.size() == 2) return Reply::bulk(argv[1]);
  return Reply::status("PONG");
}

// PUBLISH channel message: the model has no subscribers, so no client ever
// receives it and the reply is always 0.
Reply cmd_publish(CommandContext&, const Argv&) { return Reply::integer_reply(0); }

// WAIT numreplicas timeout, validated as waitCommand() does. A standalone
// node has no replicas: 0 at once. (A real server with numreplicas > 0
// blocks for the timeout first; the answer is the same 0. The simulator
// answers WAIT itself for nodes that have replicas.)
// (7.0 has no "timeout is out of range" check; later versions do.)
Reply cmd_wait(CommandContext&, const Argv& argv) {
  if (!parse_int64(argv[1])) return Reply::error(kErrNotInteger);
  const std::optional<int64_t> timeout_ms = parse_int64(argv[2]);
  if (!timeout_ms) return Reply::error("ERR timeout is not an integer or out of range");
  if (*timeout_ms < 0) return Reply::error("ERR timeout is negative");
  return Reply::integer_reply(0);
}

// ECHO message.
Reply cmd_echo(CommandContext&, const Argv& argv) { return Reply::bulk(argv[1]); }

// SELECT index: the model has database 0 only. Redis 7.0's order: not an
// integer, not an int, then out of range (its 16 databases are 0..15; the model answers
// every index but 0 as out of range: a client that selects another database
// is not one the model can serve honestly).
Reply cmd_select(CommandContext&, const Argv& argv) {
  const std::optional<int64_t> index = parse_int64(argv[1]);
  if (!index) return Reply::error(kErrNotInteger);
  if (*index < std::numeric_limits<int>::min() || *index > std::numeric_limits<int>::max()) {
    return Reply::error("ERR value is out of range, value must between -2147483648 and 2147483647");
  }
  if (*index != 0) return Reply::error("ERR DB index is out of range");
  return Reply::status("OK");
}

// INFO [section ...]: the fields client libraries read in their ready checks
// (redis_version, loading, role, ...), in Redis 7.0's layout. An unknown
// section gives an empty bulk, as on Redis.
Reply cmd_info(CommandContext& ctx, const Argv& argv) {
  struct Section {
    const char* name;
    const char* title;
  };
  constexpr Section kSections[] = {{"server", "Server"},
                                   {"clients", "Clients"},
                                   {"persistence", "Persistence"},
                                   {"replication", "Replication"},
                                   {"keyspace", "Keyspace"}};
  const auto body = [&](std::string_view name) -> std::string {
    if (name == "server") {
      return "redis_version:" + std::string(kModelRedisVersion) +
             "\r\nredis_mode:standalone\r\narch_bits:64\r\nmultiplexing_api:model\r\n";
    }
    if (name == "clients") return "connected_clients:1\r\nblocked_clients:0\r\n";
    if (name == "persistence") return "loading:0\r\nasync_loading:0\r\naof_enabled:0\r\n";
    if (name == "replication") return "role:master\r\nconnected_slaves:0\r\n";
    const size_t keys = ctx.keys.live_count(ctx.now_ms);
    if (keys == 0) return "";
    return "db0:keys=" + std::to_string(keys) + ",expires=0,avg_ttl=0\r\n";
  };
  bool all = argv.size() == 1;
  std::vector<std::string_view> wanted;
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string lower = to_lower(argv[i]);
    if (lower == "default" || lower == "all" || lower == "everything") all = true;
    for (const Section& s : kSections) {
      if (lower == s.name) wanted.push_back(s.name);
    }
  }
  std::string out;
  for (const Section& s : kSections) {
    bool on = all;
    for (std::string_view w : wanted) on = on || w == s.name;
    if (!on) continue;
    if (!out.empty()) out += "\r\n";
    out += std::string("# ") + s.title + "\r\n" + body(s.name);
  }
  return Reply::bulk(std::move(out));
}

// Alphabetical, for the reader; lookup is a linear scan of 26 names.
constexpr CommandSpec kCommands[] = {
    {"del", -2, false, false, cmd_del},
    {"echo", 2, false, false, cmd_echo},
    {"exists", -2, false, false, cmd_exists},
    {"expire", -3, false, false, cmd_expire},
    {"get", 2, false, false, cmd_get},
    {"getset", 3, true, false, cmd_getset},
    {"hdel", -3, false, false, cmd_hdel},
    {"hexists", 3, false, false, cmd_hexists},
    {"hget", 3, false, false, cmd_hget},
    {"hgetall", 2, false, false, cmd_hgetall},
    {"hincrby", 4, true, false, cmd_hincrby},
    {"hset", -4, true, false, cmd_hset},
    {"incr", 2, true, false, cmd_incr},
    {"incrby", 3, true, false, cmd_incrby},
    {"info", -1, false, false, cmd_info},
    {"persist", 2, false, false, cmd_persist},
    {"pexpire", -3, false, false, cmd_pexpire},
    {"ping", -1, false, false, cmd_ping},
    {"publish", 3, false, false, cmd_publish},
    {"pttl", 2, false, false, cmd_pttl},
    {"select", 2, false, false, cmd_select},
    {"set", -3, true, false, cmd_set},
    {"setnx", 3, true, false, cmd_setnx},
    {"ttl", 2, false, false, cmd_ttl},
    {"type", 2, false, false, cmd_type},
    {"wait", 3, false, true, cmd_wait},
};

}  // namespace

const CommandSpec* find_data_command(std::string_view name) {
  if (name.empty()) return nullptr;
  for (const CommandSpec& spec : kCommands) {
    // The first letter first: most names differ there, and it spares the
    // full comparison its strlen.
    if (lower_ascii(name[0]) == spec.name[0] && equals_ignore_case(name, spec.name)) return &spec;
  }
  return nullptr;
}

namespace {

// Redis's clientSetName(): every byte printable ASCII, no space.
bool valid_client_name(const std::string& name) {
  for (char c : name) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

// CLIENT INFO's line, with Redis 7.0's fields in its order; the fields that
// describe Redis's own buffers carry fixed plausible values.
std::string client_info_line(const Session& s, int64_t now_unix_ms) {
  const int64_t age_s = (now_unix_ms - s.created_unix_ms) / 1000;
  return "id=" + std::to_string(s.id) + " addr=" + s.addr + " laddr=" + s.laddr + " fd=8 name=" + s.name +
         " age=" + std::to_string(age_s < 0 ? 0 : age_s) +
         " idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10"
         " multi-mem=0 rbs=16384 rbp=16384 obl=0 oll=0 omem=0 tot-mem=37658 events=r cmd=client|info"
         " user=default redir=-1 resp=2\n";
}

}  // namespace

std::optional<Reply> execute_connection_command(Session& session, const Argv& argv, int64_t now_unix_ms) {
  if (argv.empty()) return std::nullopt;
  const std::string name = to_lower(argv[0]);
  if (name == "quit") {
    // Redis 7.0 answers QUIT with any arguments (arity -1).
    session.close_after_reply = true;
    return Reply::status("OK");
  }
  if (name != "client") return std::nullopt;
  if (argv.size() < 2) return Reply::error(wrong_arity_error("client"));
  struct Sub {
    const char* name;
    int arity;
  };
  constexpr Sub kSubs[] = {{"id", 2}, {"getname", 2}, {"setname", 3}, {"info", 2}};
  const std::string sub = to_lower(argv[1]);
  const Sub* spec = nullptr;
  for (const Sub& s : kSubs) {
    if (sub == s.name) spec = &s;
  }
  if (!spec) {
    // Redis 7.0 lowercases nothing here: it echoes the subcommand as sent.
    return Reply::error(sanitize_error("ERR unknown subcommand '" + argv[1].substr(0, 128) +
                                       "'. Try CLIENT HELP."));
  }
  if (!arity_ok(spec->arity, argv.size())) return Reply::error(wrong_arity_error("client|" + sub));
  if (sub == "id") return Reply::integer_reply(session.id);
  if (sub == "getname") return session.name.empty() ? Reply::nil() : Reply::bulk(session.name);
  if (sub == "info") return Reply::bulk(client_info_line(session, now_unix_ms));
  if (!valid_client_name(argv[2])) {
    return Reply::error("ERR Client names cannot contain spaces, newlines or special characters.");
  }
  session.name = argv[2];
  return Reply::status("OK");
}

bool arity_ok(int arity, size_t argc) {
  const auto n = static_cast<int64_t>(argc);
  return arity >= 0 ? n == arity : n >= -static_cast<int64_t>(arity);
}

std::string wrong_arity_error(std::string_view fullname) {
  return "ERR wrong number of arguments for '" + std::string(fullname) + "' command";
}

}  // namespace lockcheck::model
