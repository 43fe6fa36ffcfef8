// model::Node: one Redis 7 node's semantics, with no I/O and no clock.
//
// The caller passes the node's own wall-clock reading with every command;
// keys carry absolute expiry in unix milliseconds judged against it, as real
// Redis does (so a forward jump of the node's clock expires keys early).
// Scripts run on an embedded Lua 5.1 with redis.call/redis.pcall bound to
// this node, atomically: the exact script text a strategy sends to a real
// Redis runs here. Replies are shaped as real Redis shapes them (RESP2).
//
// model/ knows nothing of impl/ or sim/.
#ifndef LOCKCHECK_MODEL_NODE_H_
#define LOCKCHECK_MODEL_NODE_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lockcheck::model {

// A node's wall-clock reading, milliseconds since the unix epoch.
using NodeWallMs = std::chrono::sys_time<std::chrono::milliseconds>;

// A reply as Redis sends it (RESP2).
struct Reply {
  // kNil is the null bulk string ($-1); kNilArray the null array (*-1),
  // which only EXEC sends (a transaction a WATCHed key aborted).
  enum class Type { kStatus, kError, kInteger, kBulk, kNil, kArray, kNilArray };
  Type type = Type::kNil;
  std::string str;              // kStatus, kError (without the leading '-'), kBulk
  int64_t integer = 0;          // kInteger
  std::vector<Reply> elements;  // kArray

  static Reply status(std::string s);
  static Reply error(std::string s);   // e.g. "ERR syntax error", "WRONGTYPE ..."
  static Reply integer_reply(int64_t v);
  static Reply bulk(std::string s);
  static Reply nil();
  static Reply nil_array();
  static Reply array(std::vector<Reply> elements);
  bool operator==(const Reply&) const = default;
};

// RESP2 bytes of a reply.
std::string encode_reply(const Reply& reply);
// The same appended to `out` (a caller that keeps one buffer across
// replies allocates only when a reply outgrows it).
void encode_reply(const Reply& reply, std::string& out);

// Parses one RESP2 command (an array of bulk strings) that fills `bytes`
// exactly. nullopt on anything else (truncated, malformed, trailing bytes).
std::optional<std::vector<std::string>> parse_command(std::string_view bytes);
// The same into `argv`, reusing its elements' buffers (a caller that keeps
// one argv across commands allocates only for longer arguments). False on
// anything the other rejects; argv's contents are then unspecified.
bool parse_command(std::string_view bytes, std::vector<std::string>& argv);

// One change a command made to one key, for the history. A key that had
// expired counts as absent in `before`. Recorded only when the value or
// the expiry actually changed.
struct Mutation {
  std::string key;
  std::optional<std::string> before;            // value before; nullopt = absent
  std::optional<std::string> after;             // value after; nullopt = deleted
  std::optional<int64_t> after_expire_unix_ms;  // nullopt = no TTL (or deleted)
  // For a hash the value is rendered canonically as "f1=v1;f2=v2" (fields sorted).
};

// The whole stored state of one key, as replication and an AOF carry it.
// Redis 7 replicates a script's effects, not the script; shipping the key's
// resulting state is the same thing for a model that keeps no other state.
struct KeyImage {
  std::string key;
  bool exists = false;  // false: the key is deleted
  bool is_hash = false;
  std::string str;                          // when exists && !is_hash
  std::map<std::string, std::string> hash;  // when exists && is_hash
  std::optional<int64_t> expire_unix_ms;    // absolute; nullopt = no TTL
  bool operator==(const KeyImage&) const = default;
};

// A client connection to a node (per-connection state: MULTI, WATCH).
using ConnId = uint32_t;

// Every bound of one node. Each ends the command that hits it with an error
// reply (never a crash or a hang); where Redis has no such bound the model
// answers as an out-of-memory Redis would, or says which limit it hit.
struct NodeLimits {
  // A script's step budget (model/lua_budget.h): one step per Lua VM
  // instruction, plus one per 4 KB of Lua heap in use per instruction, plus
  // the library work the heap does not bound (pattern matching, string.rep,
  // table.sort/insert/remove/concat/foreach, collectgarbage, redis.call's
  // replies). A script over budget stops with "ERR Script exceeded the step
  // limit". The default stops the worst script within about a second.
  int64_t lua_steps_max = 1'000'000;
  // maxmemory with noeviction, in keys and in bytes (keys, values, fields,
  // and a fixed overhead per key and field): a command that may grow the
  // data is refused with the OOM error while the node is over either.
  // (A script can store far more than it sends: the bytes bound that.)
  size_t keys_max = 100'000;
  size_t data_bytes_max = 1024 * 1024 * 1024;
  // Per connection: commands queued after MULTI, and keys under WATCH. Real
  // Redis bounds both only by maxmemory; past these the model answers as an
  // out-of-memory Redis does (OOM error, and a MULTI is flagged to abort).
  size_t multi_commands_max = 10'000;
  size_t watched_keys_max = 1'000;
  // Connections with MULTI or WATCH state at once (idle ones cost nothing).
  size_t connections_max = 10'000;
  // The Lua interpreter's heap: compiled scripts, every script's data, its
  // compilation and its KEYS/ARGV. Every allocation counts; one past it
  // fails ("not enough memory"). Redis bounds Lua only by the machine.
  size_t lua_memory_max = 64 * 1024 * 1024;
  // One reply: the bytes of its strings and its elements (nested ones
  // included). A bigger reply is not built: the command answers
  // kErrReplyTooLarge instead (its effects stay, as on Redis, whose output
  // buffer limit would drop such a client after running the command). The
  // bytes allow a full-size value (proto-max-bulk-len, 512 MB).
  int64_t reply_bytes_max = 512LL * 1024 * 1024 + 64 * 1024;
  int64_t reply_elements_max = 1024 * 1024;
};

// What a reply over NodeLimits' reply bounds is answered with instead.
inline constexpr const char* kErrReplyTooLarge =
    "ERR reply too large for the model (NodeLimits::reply_bytes_max or reply_elements_max)";

// The size of a reply as NodeLimits bounds it.
struct ReplySize {
  int64_t bytes = 0;     // of every status, error and bulk string in it
  int64_t elements = 0;  // every reply in it, itself and nested ones included
};
ReplySize reply_size(const Reply& reply);

// Deliberate model bugs. They exist ONLY so tests/conformance_test.cc can
// prove that the differential test catches a wrong rule (a mutation test);
// nothing else may turn one on. All off by default.
struct ModelBugs {
  bool ignore_nx = false;  // SET ... NX overwrites an existing key
};

class Node {
 public:
  explicit Node(NodeLimits limits = {}, ModelBugs bugs = {});
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Executes one command at the node's wall-clock time `now`. Appends every
  // key change the command made, in order, to *mutations (may be null).
  // argv[0] is the command name, case-insensitive. Never throws; unknown
  // commands and bad arguments get Redis's own error replies.
  // `conn` names the client connection the command came on: MULTI/EXEC and
  // WATCH state is per connection, as in Redis.
  Reply execute(const std::vector<std::string>& argv, NodeWallMs now,
                std::vector<Mutation>* mutations, ConnId conn = 0);

  // The stored state of `key`, regardless of expiry (a replica or an AOF
  // keeps a key with a TTL; whoever reads it judges expiry by its own clock).
  KeyImage image_of(const std::string& key) const;

  // Overwrites `image.key` with the image (deletes it if !image.exists).
  void put_image(const KeyImage& image);

  // Drops every key, the script cache and every connection's MULTI/WATCH
  // state (a restart without persistence: clients reconnect to a fresh
  // server).
  void clear();

  // True while `conn` is inside MULTI: its commands are queued, not run.
  // A caller that answers some command itself (the simulator answers WAIT
  // for replicated nodes) must pass it to execute() instead while this
  // holds, so that it is queued and answered by EXEC as Redis does.
  bool in_multi(ConnId conn) const;

  // Number of keys not yet expired at `now` (for tests and reports).
  size_t key_count(NodeWallMs now) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lockcheck::model

#endif  // LOCKCHECK_MODEL_NODE_H_
