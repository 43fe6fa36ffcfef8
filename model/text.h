// Small string helpers that reproduce Redis's own parsing/formatting rules,
// so replies and errors match a real server byte for byte.
#ifndef LOCKCHECK_MODEL_TEXT_H_
#define LOCKCHECK_MODEL_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lockcheck::model {

// Redis's string2ll(): strict decimal, no spaces, no '+', no leading zeros,
// no "-0", within int64. Every integer argument and INCR'd value uses it.
std::optional<int64_t> parse_int64(std::string_view s);

// ASCII lowercase (command names and options are case-insensitive).
std::string to_lower(std::string_view s);
inline char lower_ascii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool equals_ignore_case(std::string_view a, std::string_view b);

// A Lua number passed to redis.call, formatted as Redis 7.0 does ("%.17g").
std::string format_lua_number(double v);

// Redis replaces CR/LF in error replies with spaces so the protocol stays
// valid; the model does the same wherever an error text may carry user data.
std::string sanitize_error(std::string s);

}  // namespace lockcheck::model

#endif  // LOCKCHECK_MODEL_TEXT_H_
