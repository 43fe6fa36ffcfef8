// Cuts one client's byte stream into commands, as Redis's processInputBuffer
// does: a multibulk request ("*N\r\n$len\r\n...") or an inline one
// ("PING\r\n"). The multibulk bytes of one command are decoded by the
// model's own RESP parser (model::parse_command); this file only finds
// where a command ends, or that the bytes can never be one.
#ifndef LOCKCHECK_SERVE_FRAMER_H_
#define LOCKCHECK_SERVE_FRAMER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lockcheck::serve {

struct Frame {
  enum class Kind {
    kNeedMore,  // the bytes so far are a prefix of a command
    kCommand,   // argv holds one command; `consumed` bytes were it
    kEmpty,     // an empty inline line: skipped, `consumed` bytes
    kError,     // the stream is not RESP: answer `error`, then close
  };
  Kind kind = Kind::kNeedMore;
  std::vector<std::string> argv;
  size_t consumed = 0;
  std::string error;  // Redis's text, e.g. "ERR Protocol error: invalid bulk length"
};

// Redis's limits: an inline line or a multibulk header line longer than
// this without its CRLF is a protocol error (PROTO_INLINE_MAX_SIZE).
inline constexpr size_t kInlineBytesMax = 64 * 1024;
// A single request's bytes (Redis: client-query-buffer-limit, 1 GB; the
// model is smaller: a lock client never sends more than a script).
inline constexpr size_t kRequestBytesMax = 64 * 1024 * 1024;

// The first command at the start of `buf`.
Frame next_frame(std::string_view buf);

}  // namespace lockcheck::serve

#endif  // LOCKCHECK_SERVE_FRAMER_H_
