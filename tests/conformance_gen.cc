#include "tests/conformance_gen.h"

#include <cstdlib>
#include <sstream>

#include "impl/single.h"
#include "model/sha1.h"

namespace lockcheck::conformance {
namespace {

// ---- small vocabulary: collisions between steps are the point ------------

const std::vector<std::string> kKeys = {"k1", "k2", "h"};
const std::vector<std::string> kFields = {"f1", "f2", "f3"};
// At most 64 bytes each: a longer value would turn a hash into a hash
// table on a real server, whose HGETALL order the model does not follow
// (see README, "Redis model").
const std::vector<std::string> kValues = {"v1", "v2", "10", "-3", "0", "abc", "", " 1",
                                          "9223372036854775807", "3.5", "007", "a\r\nb", "\xc3\xa9",
                                          std::string(64, 'x'), std::string("nul\0in", 6)};
// Arguments of unknown commands, whose error quotes at most 128 bytes.
const std::vector<std::string> kLongArgs = {std::string(150, 'x') + "y", std::string(100, 'a'), "z"};
const std::vector<std::string> kIncrements = {"1", "-1", "5", "abc", "9223372036854775807",
                                              "-9223372036854775808", "1.5", ""};
// Expiry arguments whose effect does not depend on timing: non-positive,
// unparsable, overflowing, or so far ahead (2^62 ms) that no clock reaches
// them. (A small positive one would race the clock.) The extremes probe
// the overflow checks on both sides of int64 and of the seconds-to-ms
// conversion.
const std::vector<std::string> kBadRelative = {
    "0", "-1", "abc", "9223372036854775807", "-9223372036854775808", "9223372036854775", "1.5",
    "-9223372036854775807", "9223372036854775806", "4611686018427387904", "-4611686018427387904",
    "-9223372036854775", "-9223372036854776", "9223372036854776"};
// Absolute deadlines in the past (or invalid).
const std::vector<std::string> kPastAbsolute = {"1", "0", "-1", "abc", "1000000000"};

// Lua 5.1 binary chunks (a header, then a body claiming 2^32-1 of
// everything), which the model once loaded as bytecode.
const std::vector<std::string> kBinaryChunks = {
    std::string("\x1bLuaQ\x00\x01\x04\x08\x04\x08\x00", 12) + std::string(300, '\xff'),
    "\x1b", "\x1bLua", std::string("\x1bLuaQ\x00", 5)};

Arg lit(std::string s) { return Arg{std::move(s), TimeArg::kNone}; }
Arg timed(TimeArg t) { return Arg{std::string(), t}; }

// RapidCheck scales inRange/elementOf by the test's size (size 0 gives only
// the first choice). The size here means sequence length, so every choice
// inside a step is drawn at full size.
constexpr int kFullSize = 100;

int choice(int n) { return *rc::gen::resize(kFullSize, rc::gen::inRange(0, n)); }

template <typename T>
T pick(const std::vector<T>& v) {
  return v[static_cast<size_t>(choice(static_cast<int>(v.size())))];
}

// True with probability 1/n.
bool one_in(int n) { return choice(n) == 0; }

std::string key() { return pick(kKeys); }
std::string value() { return pick(kValues); }

// A relative expiry argument: usually a far slot, sometimes a timing-free
// bad one.
Arg relative(TimeArg unit) { return one_in(4) ? lit(pick(kBadRelative)) : timed(unit); }
Arg absolute(TimeArg unit) { return one_in(4) ? lit(pick(kPastAbsolute)) : timed(unit); }

// ---- Lua: the grammar of generated scripts --------------------------------

std::string lua_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string lua_key() {
  switch (choice(3)) {
    case 0:
      return "KEYS[1]";
    case 1:
      return "KEYS[2]";
    default:
      return lua_quote(key());
  }
}

std::string lua_value() {
  switch (choice(5)) {
    case 0:
      return "ARGV[1]";
    case 1:
      return pick(std::vector<std::string>{"7", "3.5", "0.1", "-2", "1e3"});  // Lua numbers
    default:
      return lua_quote(value());
  }
}

// Script-side deadlines: ARGV[2] (the step fills it from a slot), a past
// one, or 123 s, which lies 1 s from any slot deadline (slots put theirs at
// +0 and +1..2 s of every 4 s from 100 s on).
std::string lua_ttl_ms() { return pick(std::vector<std::string>{"ARGV[2]", "'123000'", "'-1'"}); }

// The arguments of one redis.call / redis.pcall, as Lua source.
std::string lua_call_args() {
  std::vector<std::string> a;
  switch (choice(20)) {
    case 0:
      a = {"'set'", lua_key(), lua_value()};
      if (one_in(2)) a.push_back(pick(std::vector<std::string>{"'NX'", "'XX'", "'GET'", "'KEEPTTL'"}));
      if (one_in(2)) {
        a.push_back("'PX'");
        a.push_back(lua_ttl_ms());
      }
      break;
    case 1:
      a = {"'get'", lua_key()};
      break;
    case 2:
      a = {"'del'", lua_key()};
      break;
    case 3:
      a = {"'exists'", lua_key(), lua_key()};
      break;
    case 4:
      a = {"'type'", lua_key()};
      break;
    case 5:
      a = {"'pexpire'", lua_key(), lua_ttl_ms()};
      if (one_in(3)) a.push_back(pick(std::vector<std::string>{"'NX'", "'XX'", "'GT'", "'LT'"}));
      break;
    case 6:
      a = {"'incrby'", lua_key(), lua_value()};
      break;
    case 7:
      a = {"'hset'", lua_key(), lua_quote(pick(kFields)), lua_value()};
      break;
    case 8:
      a = {"'hget'", lua_key(), lua_quote(pick(kFields))};
      break;
    case 9:
      a = {"'hgetall'", lua_key()};
      break;
    case 10:
      a = {"'hincrby'", lua_key(), lua_quote(pick(kFields)), lua_value()};
      break;
    case 11:
      a = {"'persist'", lua_key()};
      break;
    case 12:
      a = {"'publish'", "'ch'", lua_value()};
      break;
    case 13:
      a = {"'ping'"};
      break;
    case 14:  // refused from scripts
      a = pick(std::vector<std::vector<std::string>>{
          {"'multi'"}, {"'wait'", "'0'", "'0'"}, {"'eval'", "'return 1'", "'0'"}, {"'watch'", "'k1'"}});
      break;
    case 15:  // unknown, wrong arity, bad argument types
      a = pick(std::vector<std::vector<std::string>>{
          {"'nosuch'"}, {"'get'"}, {"'set'", "'k1'"}, {"'get'", "{}"}, {"'get'", "nil"}, {"'get'", "true"}});
      break;
    case 16:
      a = {"'hdel'", lua_key(), lua_quote(pick(kFields))};
      break;
    case 17:
      a = {"'getset'", lua_key(), lua_value()};
      break;
    case 18:
      a = {"'setnx'", lua_key(), lua_value()};
      break;
    default:
      a = {"'incr'", lua_key()};
      break;
  }
  std::string out;
  for (size_t i = 0; i < a.size(); ++i) out += (i ? ", " : "") + a[i];
  return out;
}

std::string lua_call() {
  return std::string(one_in(2) ? "redis.call(" : "redis.pcall(") + lua_call_args() + ")";
}

std::string lua_expr(int depth) {
  const int choices = depth > 0 ? 16 : 8;
  switch (choice(choices)) {
    case 0:
      return lua_value();
    case 1:
      return pick(std::vector<std::string>{"true", "false", "nil", "3.99", "-3.99", "1e20", "0"});
    case 2:
      return lua_key();
    case 3:
    case 4:
      return lua_call();
    case 5:
      return pick(std::vector<std::string>{"{err='MY failure'}", "{ok='fine'}", "redis.error_reply('E1 bad')",
                                           "redis.error_reply('nospace')", "redis.status_reply('DONE')",
                                           "{err=''}", "redis.sha1hex('abc')", "{ok=5}", "{err=5}",
                                           "{err='X y', 1, 2}", "{1, {ok='in'}, {err='ERR in'}}",
                                           "redis.error_reply('-NEG x')", "{ok='a\\nb'}"});
    case 6:
      return "(redis.call('pttl', " + lua_key() + ") > 50000)";
    case 7:
      return "ARGV[3]";  // usually nil
    case 8:
    case 9: {
      std::string t = "{";
      const int n = choice(4);
      for (int i = 0; i < n; ++i) t += (i ? ", " : "") + lua_expr(depth - 1);
      return t + "}";
    }
    case 10:
      return "tonumber(" + lua_expr(depth - 1) + ")";
    case 11:
      return "(" + lua_expr(depth - 1) + " == " + lua_expr(depth - 1) + ")";
    case 12:
      return "(" + lua_expr(depth - 1) + " .. " + lua_expr(depth - 1) + ")";
    case 13:
      return "type(" + lua_expr(depth - 1) + ")";
    case 14:
      return "(" + lua_call() + ")['err']";
    default:
      return "(" + lua_expr(depth - 1) + " or " + lua_expr(depth - 1) + ")";
  }
}

// A whole script: a few statements, then a return. Fixed texts cover the
// sandbox and compile errors.
std::string lua_script() {
  if (one_in(10)) {
    return pick(std::vector<std::string>{
        "x = 1",                    // global write
        "return os",                // no os library
        "return io",                // no io library
        "return (",                 // compile error
        "return 1 +",               // compile error
        "error('boom')",            // runtime error with position
        "error({err='CODE raised'})",
        "local t = {} t.x = 1 return t.x",
        "return string.rep('ab', 3)",
        "return #KEYS + #ARGV",
        "return redis.call()",
        "return pcall(redis.call, 'nosuch')",
        "local ok, e = pcall(redis.call, 'get') return e",
        "return {1, 2, nil, 4}",
        "return math.floor(7.9)",
        "return tostring(3)",
        "return table.concat({'a', 'b'}, '-')",
        "#!lua\nreturn 1",
        "#!lua flags=no-writes\nreturn 2",
        "#!lua flags=bogus\nreturn 3",
        "#!python\nreturn 4",
        "return redis.setresp(2)",   // (setresp(3) is not modeled)
        "return redis.setresp(4)",
        "return redis.setresp()",
        "return redis.setresp('x')",
        "return setmetatable({}, {})",
        "rawset(_G, 'y', 1)",
        // The sandbox: shared tables are read-only, binary chunks never load.
        "getmetatable('').__index.upper = function() return 'x' end return ('a'):upper()",
        "local mt = getmetatable('') mt.__index = {} return 1",
        "setmetatable(getmetatable(''), {})",
        "return {type(getmetatable(string)), type(getmetatable(_G)), type(getmetatable(''))}",
        "local m = getmetatable(_G) m.x = 1 return 1",
        "return rawget(getmetatable(''), '__index') == string",
        "return loadstring(string.dump(function() return 1 end))",
        "local f, e = loadstring(string.dump(function() return 1 end)) return e",
        "local f, e = loadstring(string.dump(function() return 1 end), '=n') return e",
        "return loadstring('return 5')()",
        "return table.concat({1, {}})",
        "return {string.find('a(b)c', '%b()')}",
        "return {string.gsub('hello world', 'o', '0', 1)}",
        "return string.rep('ab', 2)",
    });
  }
  std::string s;
  const int statements = choice(3);
  for (int i = 0; i < statements; ++i) s += lua_call() + "\n";
  return s + "return " + lua_expr(2);
}

// ---- commands ------------------------------------------------------------

std::vector<Arg> set_command() {
  std::vector<Arg> a = {lit(one_in(2) ? "SET" : "set"), lit(key()), lit(value())};
  const int options = choice(4);
  for (int i = 0; i < options; ++i) {
    switch (choice(11)) {
      case 0:
      case 1:
        a.push_back(lit(one_in(3) ? "nx" : "NX"));
        break;
      case 2:
        a.push_back(lit("XX"));
        break;
      case 3:
        a.push_back(lit("GET"));
        break;
      case 4:
        a.push_back(lit("KEEPTTL"));
        break;
      case 5:
        a.push_back(lit("EX"));
        a.push_back(relative(TimeArg::kRelS));
        break;
      case 6:
      case 7:
        a.push_back(lit(one_in(3) ? "px" : "PX"));
        a.push_back(relative(TimeArg::kRelMs));
        break;
      case 8:
        a.push_back(lit("EXAT"));
        a.push_back(absolute(TimeArg::kAbsS));
        break;
      case 9:
        a.push_back(lit("PXAT"));
        a.push_back(absolute(TimeArg::kAbsMs));
        break;
      default:
        a.push_back(lit(pick(std::vector<std::string>{"EX", "PX", "FOO", "NXX"})));  // dangling / bad
        break;
    }
  }
  return a;
}

std::vector<Arg> expire_command() {
  const bool ms = one_in(2);
  std::vector<Arg> a = {lit(ms ? "PEXPIRE" : "EXPIRE"), lit(key()),
                        relative(ms ? TimeArg::kRelMs : TimeArg::kRelS)};
  const int options = choice(3);
  for (int i = 0; i < options; ++i) {
    a.push_back(lit(pick(std::vector<std::string>{"NX", "XX", "GT", "LT", "gt", "FOO"})));
  }
  return a;
}

// numkeys, keys and args of an EVAL / EVALSHA.
void append_script_args(std::vector<Arg>& a) {
  const int keys = choice(3);
  const int args = choice(3);
  if (one_in(12)) {
    a.push_back(lit(pick(std::vector<std::string>{"-1", "x", "9"})));  // bad numkeys
  } else {
    a.push_back(lit(std::to_string(keys)));
  }
  for (int i = 0; i < keys; ++i) a.push_back(lit(key()));
  for (int i = 0; i < args; ++i) a.push_back(i == 1 ? relative(TimeArg::kRelMs) : lit(value()));
}

// EVAL of a script impl/ sends, with arguments as the strategy passes them.
std::vector<Arg> lock_script_command(bool by_sha) {
  const bool release = one_in(2);
  std::vector<Arg> a = {lit(by_sha ? "EVALSHA" : "EVAL")};
  if (by_sha) {
    a.push_back(lit(release ? kReleaseScriptSha1 : kExtendScriptSha1));
  } else {
    a.push_back(lit(release ? kReleaseScript : kExtendScript));
  }
  a.push_back(lit("1"));
  a.push_back(lit(key()));
  a.push_back(lit(value()));
  if (!release) a.push_back(relative(TimeArg::kRelMs));
  return a;
}

std::vector<Arg> script_command() {
  switch (choice(10)) {
    case 0:
    case 1:
      return lock_script_command(false);
    case 2:
      return lock_script_command(true);
    case 3: {
      std::vector<Arg> a = {lit("EVALSHA")};
      a.push_back(lit(one_in(2) ? model::sha1_hex(lua_script())
                                : pick(std::vector<std::string>{"0000000000000000000000000000000000000000",
                                                                "abc", kReleaseScriptSha1})));
      append_script_args(a);
      return a;
    }
    case 4: {
      switch (choice(5)) {
        case 4: {  // a binary chunk: Redis compiles every body as text
          const std::string chunk = pick(kBinaryChunks);
          if (one_in(2)) return {lit("SCRIPT"), lit("LOAD"), lit(chunk)};
          return {lit("EVAL"), lit(chunk), lit("0")};
        }
        case 0:
          return {lit("SCRIPT"), lit("LOAD"), lit(one_in(2) ? kReleaseScript : lua_script())};
        case 1:
          return {lit("SCRIPT"), lit("EXISTS"), lit(kReleaseScriptSha1), lit(kExtendScriptSha1),
                  lit(std::string(40, 'f'))};
        case 2:
          return {lit("SCRIPT"), lit("FLUSH")};
        default:
          return {lit("SCRIPT"), lit(pick(std::vector<std::string>{"flush", "kill", "nope", "exists"})),
                  lit(pick(std::vector<std::string>{"ASYNC", "SYNC", "bad"}))};
      }
    }
    default: {
      std::vector<Arg> a = {lit("EVAL"), lit(lua_script())};
      append_script_args(a);
      return a;
    }
  }
}

std::vector<Arg> transaction_command() {
  switch (choice(7)) {
    case 0:
    case 1:
      return {lit("MULTI")};
    case 2:
    case 3:
      return {lit("EXEC")};
    case 4:
      return {lit("DISCARD")};
    case 5: {
      std::vector<Arg> a = {lit("WATCH"), lit(key())};
      if (one_in(2)) a.push_back(lit(key()));
      return a;
    }
    default:
      return {lit("UNWATCH")};
  }
}

std::vector<Arg> data_command() {
  switch (choice(25)) {
    case 0:
    case 1:
    case 2:
      return set_command();
    case 3:
    case 4:
      return {lit("GET"), lit(key())};
    case 5: {
      std::vector<Arg> a = {lit("DEL"), lit(key())};
      if (one_in(2)) a.push_back(lit(key()));
      return a;
    }
    case 6:
      return {lit("EXISTS"), lit(key()), lit(key())};
    case 7:
      return {lit("TYPE"), lit(key())};
    case 8:
      return {lit("SETNX"), lit(key()), lit(value())};
    case 9:
      return {lit("GETSET"), lit(key()), lit(value())};
    case 10:
    case 11:
      return expire_command();
    case 12:
      return {lit(one_in(2) ? "TTL" : "PTTL"), lit(key())};
    case 13:
      return {lit("PERSIST"), lit(key())};
    case 14:
      return one_in(2) ? std::vector<Arg>{lit("INCR"), lit(key())}
                       : std::vector<Arg>{lit("INCRBY"), lit(key()), lit(pick(kIncrements))};
    case 15:
    case 16: {
      std::vector<Arg> a = {lit("HSET"), lit(key()), lit(pick(kFields)), lit(value())};
      if (one_in(3)) {
        a.push_back(lit(pick(kFields)));
        a.push_back(lit(value()));
      }
      return a;
    }
    case 17:
      return {lit("HGET"), lit(key()), lit(pick(kFields))};
    case 18:
      return {lit("HDEL"), lit(key()), lit(pick(kFields)), lit(pick(kFields))};
    case 19:
      return {lit("HEXISTS"), lit(key()), lit(pick(kFields))};
    case 20:
      return {lit("HINCRBY"), lit(key()), lit(pick(kFields)), lit(pick(kIncrements))};
    case 21:
      return {lit("HGETALL"), lit(key())};
    case 22: {
      // WAIT never with numreplicas > 0 and timeout 0: a real standalone
      // server would block forever.
      const auto w = pick(std::vector<std::pair<std::string, std::string>>{
          {"0", "0"}, {"0", "5"}, {"1", "2"}, {"-1", "0"}, {"a", "0"}, {"0", "-1"}, {"0", "a"}});
      return {lit("WAIT"), lit(w.first), lit(w.second)};
    }
    case 23:
      // What client libraries send on connect (model/commands.h); INFO's
      // text differs by server, so it has its own directed test.
      if (one_in(2)) return {lit("ECHO"), lit(value())};
      return {lit("SELECT"), lit(pick(std::vector<std::string>{"0", "0", "16", "-1", "x", "99999999999"}))};
    default:
      return one_in(2) ? std::vector<Arg>{lit("PUBLISH"), lit("ch"), lit(value())}
                       : (one_in(2) ? std::vector<Arg>{lit("PING")} : std::vector<Arg>{lit("PING"), lit(value())});
  }
}

std::vector<Arg> any_command() {
  switch (choice(20)) {
    case 0:
    case 1:
    case 2:
    case 3:
      return script_command();
    case 4:
    case 5:
    case 6:
      return transaction_command();
    case 7: {  // wrong arity: one argument too few or too many
      std::vector<Arg> a = data_command();
      if (one_in(2) && a.size() > 1) {
        a.pop_back();
      } else {
        a.push_back(lit("extra"));
      }
      return a;
    }
    case 8: {
      std::vector<Arg> a = {lit(pick(std::vector<std::string>{"FOO", "nosuch", std::string(140, 'Z'), "x\r\ny"}))};
      const int args = choice(4);
      for (int i = 0; i < args; ++i) a.push_back(lit(one_in(2) ? value() : pick(kLongArgs)));
      return a;
    }
    default:
      return data_command();
  }
}

const char* time_name(TimeArg t) {
  switch (t) {
    case TimeArg::kRelMs:
      return "ms from now";
    case TimeArg::kRelS:
      return "s from now";
    case TimeArg::kAbsMs:
      return "unix ms";
    case TimeArg::kAbsS:
      return "unix s";
    case TimeArg::kNone:
      break;
  }
  return "?";
}

// The slot's deadline, in ms after the sequence's start.
int64_t slot_offset_ms(size_t index, size_t position) {
  return 100'000 + static_cast<int64_t>(index * kArgsMax + position) * kSlotMs;
}

std::string printable(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> materialize(const Step& step, size_t index, int64_t base_ms) {
  std::vector<std::string> argv;
  argv.reserve(step.argv.size());
  for (size_t i = 0; i < step.argv.size(); ++i) {
    const Arg& a = step.argv[i];
    const int64_t offset_ms = slot_offset_ms(index, i);
    // Absolute deadlines sit 1..2 s after the slot's start, relative ones
    // at it: either way within [slot, slot + 2 s], kSlotMs apart.
    switch (a.time) {
      case TimeArg::kNone:
        argv.push_back(a.text);
        break;
      case TimeArg::kRelMs:
        argv.push_back(std::to_string(offset_ms));
        break;
      case TimeArg::kRelS:
        argv.push_back(std::to_string(offset_ms / 1000));
        break;
      case TimeArg::kAbsMs:
        argv.push_back(std::to_string(base_ms + offset_ms + 2000));
        break;
      case TimeArg::kAbsS:
        argv.push_back(std::to_string((base_ms + offset_ms) / 1000 + 2));
        break;
    }
  }
  return argv;
}

std::string describe(const Sequence& seq) {
  std::ostringstream os;
  for (size_t i = 0; i < seq.size(); ++i) {
    os << "  " << i << ": c" << seq[i].conn;
    for (size_t j = 0; j < seq[i].argv.size(); ++j) {
      const Arg& a = seq[i].argv[j];
      if (a.time != TimeArg::kNone) {
        const int64_t off = slot_offset_ms(i, j);
        os << " <" << (a.time == TimeArg::kRelS || a.time == TimeArg::kAbsS ? off / 1000 : off) << " "
           << time_name(a.time) << (a.time == TimeArg::kAbsMs || a.time == TimeArg::kAbsS ? " +start" : "")
           << ">";
      } else if (a.text.empty() || a.text.find_first_of(" \n'") != std::string::npos) {
        os << " '" << printable(a.text) << "'";
      } else {
        os << " " << a.text;
      }
    }
    os << "\n";
  }
  return os.str();
}

void showValue(const Sequence& seq, std::ostream& os) { os << "\n" << describe(seq); }

rc::Gen<Sequence> sequences() {
  const rc::Gen<Step> step = rc::gen::exec([] {
    Step s;
    s.conn = one_in(3) ? 1 : 0;
    s.argv = any_command();
    if (s.argv.size() > kArgsMax) std::abort();  // materialize() numbers slots by position
    return s;
  });
  return rc::gen::container<Sequence>(step);
}

}  // namespace lockcheck::conformance
