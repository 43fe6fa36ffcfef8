// The input language of the node_execute fuzz target: what a client (and
// a clock) can do to one model::Node, as plain bytes a mutation fuzzer can
// splice and a dictionary can fill with whole Lua scripts.
//
// Records are separated by '\x1e', a record's fields by '\x1f'. A record
// is a command (its fields are argv) unless its first field starts with
// '\x01', then it is a control record:
//   \x01t<int64> | \x01tmin | \x01tmax   the node's clock reads this from now on
//   \x01c<digit>                         later commands come on this connection
//   \x01clear                            Node::clear() (a restart without data)
//   \x01image\x1f<key>                   put_image(image_of(key)): replication's path
#ifndef LOCKCHECK_FUZZ_NODE_INPUT_H_
#define LOCKCHECK_FUZZ_NODE_INPUT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lockcheck::fuzz {

inline constexpr char kRecordSeparator = '\x1e';
inline constexpr char kFieldSeparator = '\x1f';
inline constexpr char kControl = '\x01';
// A limit on everything: records per input, fields per record.
inline constexpr size_t kRecordsMax = 256;
inline constexpr size_t kFieldsMax = 64;

// Splits `input` into records of fields, at most kRecordsMax records of at
// most kFieldsMax fields (the rest is ignored).
std::vector<std::vector<std::string>> split_records(std::string_view input);

// The bytes of a sequence of commands (the inverse of split_records for
// argv without separator bytes): used to write seed corpora.
std::string join_records(const std::vector<std::vector<std::string>>& records);

}  // namespace lockcheck::fuzz

#endif  // LOCKCHECK_FUZZ_NODE_INPUT_H_
