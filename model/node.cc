// model::Node: command dispatch (names, arity, OOM guard), the scripting
// commands (EVAL, EVALSHA, SCRIPT) and the bridge that lets redis.call reach
// the same data commands clients use.
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

// Commands handled here rather than in commands.cc, with Redis's arity.
// Scripts may not call them (Redis flags them noscript).
struct ScriptingSpec {
  const char* name;
  int arity;
};
constexpr ScriptingSpec kScriptingCommands[] = {{"eval", -3}, {"evalsha", -3}, {"script", -2}};

const ScriptingSpec* find_scripting_command(std::string_view lower_name) {
  for (const ScriptingSpec& spec : kScriptingCommands) {
    if (lower_name == spec.name) return &spec;
  }
  return nullptr;
}

// Redis 7.0 processCommand()'s text: quoted args while fewer than 128
// characters have been written, each cut to the room left; name cut at 128.
std::string unknown_command_error(const std::vector<std::string>& argv) {
  std::string args;
  for (size_t i = 1; i < argv.size() && args.size() < 128; ++i) {
    const size_t room = 128 - args.size();
    args += '\'';
    args += argv[i].substr(0, room);
    args += "' ";
  }
  const std::string name = argv.empty() ? std::string() : argv[0].substr(0, 128);
  return sanitize_error("ERR unknown command '" + name + "', with args beginning with: " + args);
}

}  // namespace

struct Node::Impl final : ScriptHost {
  explicit Impl(NodeLimits l) : limits(l), lua(l.lua_steps_max) {}

  NodeLimits limits;
  Keyspace keys;
  LuaEngine lua;
  // The command being executed (scripts reuse it for redis.call).
  int64_t now_ms = 0;
  std::vector<Mutation>* mutations = nullptr;

  Reply execute(const std::vector<std::string>& argv) {
    if (argv.empty()) return Reply::error(unknown_command_error(argv));
    const std::string name = to_lower(argv[0]);
    if (const ScriptingSpec* spec = find_scripting_command(name)) {
      if (!arity_ok(spec->arity, argv.size())) return Reply::error(wrong_arity_error(spec->name));
      if (name == "script") return script(argv);
      return eval(argv, name == "evalsha");
    }
    const CommandSpec* spec = find_data_command(name);
    if (!spec) return Reply::error(unknown_command_error(argv));
    if (!arity_ok(spec->arity, argv.size())) return Reply::error(wrong_arity_error(spec->name));
    return run_data(*spec, argv);
  }

  // redis.call / redis.pcall: Redis's scriptCall() checks and texts.
  Reply call_from_script(const std::vector<std::string>& argv) override {
    const std::string name = to_lower(argv[0]);
    const CommandSpec* spec = find_data_command(name);
    const ScriptingSpec* scripting = spec ? nullptr : find_scripting_command(name);
    if (!spec && !scripting) return Reply::error("ERR Unknown Redis command called from script");
    const int arity = spec ? spec->arity : scripting->arity;
    if (!arity_ok(arity, argv.size())) {
      return Reply::error("ERR Wrong number of args calling Redis command from script");
    }
    if (scripting) return Reply::error("ERR This Redis command is not allowed from script");
    return run_data(*spec, argv);
  }

  Reply run_data(const CommandSpec& spec, const std::vector<std::string>& argv) {
    // keys_max stands in for maxmemory with noeviction: commands that may
    // add data are refused while the node is full of live keys.
    if (spec.may_grow && keys.stored_count() >= limits.keys_max) {
      keys.purge_expired(now_ms);
      if (keys.stored_count() >= limits.keys_max) return Reply::error(kErrOom);
    }
    CommandContext ctx{keys, now_ms, mutations};
    return spec.run(ctx, argv);
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

    const std::string sha = by_sha ? to_lower(argv[1]) : sha1_hex(argv[1]);
    if (!lua.has_script(sha)) {
      if (by_sha) return Reply::error(kErrNoScript);
      // EVAL caches the script too, so a later EVALSHA finds it.
      if (std::optional<std::string> err = lua.load(sha, argv[1])) return Reply::error(*err);
    }
    const auto keys_end = argv.begin() + 3 + *numkeys;
    const std::vector<std::string> script_keys(argv.begin() + 3, keys_end);
    const std::vector<std::string> script_args(keys_end, argv.end());
    return lua.run(sha, script_keys, script_args, *this);
  }

  // SCRIPT LOAD | EXISTS | FLUSH | KILL
  Reply script(const std::vector<std::string>& argv) {
    const std::string sub = to_lower(argv[1]);
    if (sub == "load") {
      if (argv.size() != 3) return Reply::error(wrong_arity_error("script|load"));
      const std::string sha = sha1_hex(argv[2]);
      if (std::optional<std::string> err = lua.load(sha, argv[2])) return Reply::error(*err);
      return Reply::bulk(sha);
    }
    if (sub == "exists") {
      if (argv.size() < 3) return Reply::error(wrong_arity_error("script|exists"));
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
    if (sub == "kill") {
      if (argv.size() != 2) return Reply::error(wrong_arity_error("script|kill"));
      // Scripts run to completion inside one execute(): never busy.
      return Reply::error("NOTBUSY No scripts in execution right now.");
    }
    return Reply::error(
        sanitize_error("ERR unknown subcommand '" + argv[1].substr(0, 128) + "'. Try SCRIPT HELP."));
  }
};

Node::Node(NodeLimits limits) : impl_(std::make_unique<Impl>(limits)) {}

Node::~Node() = default;

Reply Node::execute(const std::vector<std::string>& argv, NodeWallMs now,
                    std::vector<Mutation>* mutations, ConnId /*conn*/) {
  impl_->now_ms = now.time_since_epoch().count();
  impl_->mutations = mutations;
  Reply reply = impl_->execute(argv);
  impl_->mutations = nullptr;
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

void Node::put_image(const KeyImage& image) {
  if (!image.exists) {
    impl_->keys.erase(image.key);
    return;
  }
  MODEL_CHECK(!image.is_hash || !image.hash.empty());
  Entry e;
  e.is_hash = image.is_hash;
  e.str = image.str;
  e.hash = image.hash;
  e.expire_ms = image.expire_unix_ms;
  impl_->keys.put(image.key, std::move(e));
}

void Node::clear() {
  impl_->keys.clear();
  impl_->lua.restart();
}

size_t Node::key_count(NodeWallMs now) const {
  return impl_->keys.live_count(now.time_since_epoch().count());
}

}  // namespace lockcheck::model
