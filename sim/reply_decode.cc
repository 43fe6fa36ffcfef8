#include "sim/reply_decode.h"

#include <charconv>
#include <cstdint>
#include <string>

namespace lockcheck::sim {

namespace {

class Decoder {
 public:
  explicit Decoder(std::string_view bytes) : b_(bytes) {}

  // Decodes one reply at the current position into `out`; false (with
  // why()) when the bytes are not one.
  bool reply(Reply& out, int depth) {
    if (depth > kReplyNestingMax) return fail("replies nested too deep");
    std::string_view line;
    if (pos_ >= b_.size()) return fail("truncated reply");
    const char type = b_[pos_++];
    if (!read_line(line)) return false;
    switch (type) {
      case '+':
        out.type = Reply::Type::kStatus;
        out.str.assign(line);
        return true;
      case '-':
        out.type = Reply::Type::kError;
        out.str.assign(line);
        return true;
      case ':':
        out.type = Reply::Type::kInteger;
        return integer(line, out.integer);
      case '$': {
        int64_t n = 0;
        if (!integer(line, n)) return false;
        if (n < 0) {
          out.type = Reply::Type::kNil;
          return true;
        }
        const auto len = static_cast<size_t>(n);
        if (b_.size() - pos_ < len || b_.size() - pos_ - len < 2) return fail("truncated reply");
        if (b_.substr(pos_ + len, 2) != "\r\n") return fail("bad bulk string end");
        out.type = Reply::Type::kString;
        out.str.assign(b_.substr(pos_, len));
        pos_ += len + 2;
        return true;
      }
      case '*': {
        int64_t n = 0;
        if (!integer(line, n)) return false;
        if (n < 0) {
          out.type = Reply::Type::kNil;
          return true;
        }
        // Each element takes at least 3 bytes ("+\r\n"): a count the bytes
        // left cannot hold is malformed, and bounds what reserve() takes.
        if (static_cast<uint64_t>(n) > (b_.size() - pos_) / 3) return fail("truncated reply");
        out.type = Reply::Type::kArray;
        out.elements.resize(static_cast<size_t>(n));
        for (Reply& e : out.elements) {
          if (!reply(e, depth + 1)) return false;
        }
        return true;
      }
      default:
        return fail("unknown reply type byte");
    }
  }

  bool at_end() const { return pos_ == b_.size(); }
  const char* why() const { return why_; }

 private:
  bool read_line(std::string_view& line) {
    const size_t eol = b_.find("\r\n", pos_);
    if (eol == std::string_view::npos) return fail("truncated reply");
    line = b_.substr(pos_, eol - pos_);
    pos_ = eol + 2;
    return true;
  }
  bool integer(std::string_view s, int64_t& v) {
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return fail("bad integer in reply");
    return true;
  }
  bool fail(const char* why) {
    why_ = why;
    return false;
  }

  std::string_view b_;
  size_t pos_ = 0;
  const char* why_ = "";
};

}  // namespace

Result<Reply> decode_reply(std::string_view bytes) {
  Decoder d(bytes);
  Reply out;
  if (!d.reply(out, 0)) return Error{ErrorCode::kProtocol, d.why()};
  if (!d.at_end()) return Error{ErrorCode::kProtocol, "trailing bytes after reply"};
  return out;
}

}  // namespace lockcheck::sim
