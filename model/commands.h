// The data commands of the node model (strings, keys, hashes, PING), with
// Redis 7.0's argument validation and reply texts. Scripting commands live
// in node.cc because they need the Lua engine.
#ifndef LOCKCHECK_MODEL_COMMANDS_H_
#define LOCKCHECK_MODEL_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/keyspace.h"
#include "model/node.h"

namespace lockcheck::model {

using Argv = std::vector<std::string>;

// Everything one command execution may touch.
struct CommandContext {
  Keyspace& keys;
  int64_t now_ms;
  std::vector<Mutation>* mutations;  // may be null
  // Keys the command wrote, in order, each time Redis's signalModifiedKey()
  // would be called (even when the value did not change): WATCH reacts to
  // these. Never null.
  std::vector<std::string>* touched;
  ModelBugs bugs;  // all off outside the mutation test
};

struct CommandSpec {
  const char* name;  // Redis's fullname, as used in error texts
  int arity;         // Redis convention: n = exactly n, -n = at least n
  bool may_grow;     // refused when the node is at keys_max (Redis: denyoom)
  bool noscript;     // refused inside scripts (Redis: the noscript flag)
  Reply (*run)(CommandContext& ctx, const Argv& argv);
};

// The data command named `name` (in any case), or null.
const CommandSpec* find_data_command(std::string_view name);

// True if argv's length satisfies the arity.
bool arity_ok(int arity, size_t argc);

// Shared reply texts (Redis 7.0 verbatim).
inline constexpr const char* kErrNotInteger = "ERR value is not an integer or out of range";
inline constexpr const char* kErrSyntax = "ERR syntax error";
inline constexpr const char* kErrWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr const char* kErrOom = "OOM command not allowed when used memory > 'maxmemory'.";

std::string wrong_arity_error(std::string_view fullname);

// The Redis version the model answers as (INFO's redis_version): the
// version its replies are checked against in tests/conformance_test.cc.
inline constexpr const char* kModelRedisVersion = "7.0.15";

// ---- connection commands ---------------------------------------------------
//
// What a client library sends about its own connection when it connects
// (CLIENT SETNAME/GETNAME/ID/INFO, QUIT, HELLO). They act on the
// connection, not on the data, so a server (serve/) answers them from the
// connection's Session before handing anything else to Node::execute.

// One client connection as the server knows it.
struct Session {
  int64_t id = 0;     // CLIENT ID: unique per server, from 1
  std::string name;   // CLIENT SETNAME
  std::string addr;   // the peer, "127.0.0.1:port"
  std::string laddr;  // our end, "127.0.0.1:port"
  int64_t created_unix_ms = 0;
  // Set by QUIT: the server sends the reply, then closes the connection.
  bool close_after_reply = false;
};

// The reply to argv if it is a connection command, else nullopt (the
// caller passes it to Node::execute). HELLO is deliberately not one: the
// model answers it as unknown, as Redis 5 did, so RESP3-capable clients
// fall back to RESP2 (the model speaks only RESP2). Inside MULTI the caller
// must pass every command to Node::execute instead (the model does not
// queue connection commands: they are refused and abort the transaction).
std::optional<Reply> execute_connection_command(Session& session, const Argv& argv, int64_t now_unix_ms);

}  // namespace lockcheck::model

#endif  // LOCKCHECK_MODEL_COMMANDS_H_
