// Reply construction and the RESP2 wire format (encode replies, parse
// commands). Kept apart from command semantics so the conformance tests can
// compare model bytes with a real server's bytes.
#include <charconv>
#include <cstring>
#include <string>

#include "model/check.h"
#include "model/node.h"
#include "model/text.h"

namespace lockcheck::model {

Reply Reply::status(std::string s) {
  Reply r;
  r.type = Type::kStatus;
  r.str = std::move(s);
  return r;
}

Reply Reply::error(std::string s) {
  Reply r;
  r.type = Type::kError;
  r.str = std::move(s);
  return r;
}

Reply Reply::integer_reply(int64_t v) {
  Reply r;
  r.type = Type::kInteger;
  r.integer = v;
  return r;
}

Reply Reply::bulk(std::string s) {
  Reply r;
  r.type = Type::kBulk;
  r.str = std::move(s);
  return r;
}

Reply Reply::nil() { return Reply{}; }

Reply Reply::nil_array() {
  Reply r;
  r.type = Type::kNilArray;
  return r;
}

Reply Reply::array(std::vector<Reply> elements) {
  Reply r;
  r.type = Type::kArray;
  r.elements = std::move(elements);
  return r;
}

namespace {

// Status and error lines cannot carry CR/LF; every producer sanitizes, so a
// violation here is a bug in the model.
bool is_single_line(const std::string& s) {
  return s.find_first_of("\r\n") == std::string::npos;
}

// ":<n>\r\n"-style integers without a temporary string.
void append_int(std::string& out, int64_t v) {
  char digits[24];
  const std::to_chars_result r = std::to_chars(digits, digits + sizeof digits, v);
  out.append(digits, r.ptr);
}

void encode_into(const Reply& reply, std::string& out) {
  switch (reply.type) {
    case Reply::Type::kStatus:
      MODEL_CHECK(is_single_line(reply.str));
      out += '+';
      out += reply.str;
      out += "\r\n";
      return;
    case Reply::Type::kError:
      MODEL_CHECK(is_single_line(reply.str));
      out += '-';
      out += reply.str;
      out += "\r\n";
      return;
    case Reply::Type::kInteger:
      out += ':';
      append_int(out, reply.integer);
      out += "\r\n";
      return;
    case Reply::Type::kBulk:
      out += '$';
      append_int(out, static_cast<int64_t>(reply.str.size()));
      out += "\r\n";
      out += reply.str;
      out += "\r\n";
      return;
    case Reply::Type::kNil:
      out += "$-1\r\n";
      return;
    case Reply::Type::kNilArray:
      out += "*-1\r\n";
      return;
    case Reply::Type::kArray:
      out += '*';
      append_int(out, static_cast<int64_t>(reply.elements.size()));
      out += "\r\n";
      for (const Reply& e : reply.elements) encode_into(e, out);
      return;
  }
  MODEL_CHECK(false);
}

// Redis's own protocol limits (client-query-buffer defaults): more elements
// or a longer bulk than this is a protocol error on a real server too.
constexpr int64_t kMultibulkMax = 1024 * 1024;
constexpr int64_t kBulkMax = 512LL * 1024 * 1024;

// Reads "<prefix><int>\r\n" at `pos`; advances `pos` past it. (A '\r'
// not followed by '\n' cannot be part of a valid integer: rejecting it at
// once is the same as taking the text up to the first "\r\n".)
std::optional<int64_t> read_header(std::string_view bytes, size_t& pos, char prefix) {
  if (pos >= bytes.size() || bytes[pos] != prefix) return std::nullopt;
  const char* digits = bytes.data() + pos + 1;
  const auto* cr = static_cast<const char*>(std::memchr(digits, '\r', bytes.size() - pos - 1));
  if (cr == nullptr || cr + 1 == bytes.data() + bytes.size() || cr[1] != '\n') return std::nullopt;
  const size_t crlf = static_cast<size_t>(cr - bytes.data());
  std::optional<int64_t> n = parse_int64(std::string_view(digits, static_cast<size_t>(cr - digits)));
  if (!n) return std::nullopt;
  pos = crlf + 2;
  return n;
}

}  // namespace

namespace {

void add_size(const Reply& reply, ReplySize& size) {
  size.elements += 1;
  size.bytes += static_cast<int64_t>(reply.str.size());
  for (const Reply& e : reply.elements) add_size(e, size);
}

}  // namespace

ReplySize reply_size(const Reply& reply) {
  ReplySize size;
  add_size(reply, size);
  return size;
}

std::string encode_reply(const Reply& reply) {
  std::string out;
  encode_into(reply, out);
  return out;
}

void encode_reply(const Reply& reply, std::string& out) { encode_into(reply, out); }

bool parse_command(std::string_view bytes, std::vector<std::string>& argv) {
  size_t pos = 0;
  const std::optional<int64_t> count = read_header(bytes, pos, '*');
  // An empty or null array carries no command name: not a command.
  if (!count || *count <= 0 || *count > kMultibulkMax) return false;
  // Each element takes at least "$0\r\n\r\n". A count the bytes left cannot
  // hold is malformed; rejecting it here bounds what resize() allocates.
  constexpr size_t kElementBytesMin = 6;
  const size_t n_args = static_cast<size_t>(*count);
  if (n_args > (bytes.size() - pos) / kElementBytesMin) return false;
  argv.resize(n_args);  // the elements argv already has keep their buffers
  for (std::string& arg : argv) {
    const std::optional<int64_t> len = read_header(bytes, pos, '$');
    if (!len || *len < 0 || *len > kBulkMax) return false;
    const size_t n = static_cast<size_t>(*len);
    // Check the remaining size before allocating, so a lying length
    // cannot make us reserve memory the input does not contain.
    if (bytes.size() - pos < n + 2) return false;
    if (bytes[pos + n] != '\r' || bytes[pos + n + 1] != '\n') return false;
    arg.assign(bytes.data() + pos, n);
    pos += n + 2;
  }
  return pos == bytes.size();
}

std::optional<std::vector<std::string>> parse_command(std::string_view bytes) {
  std::vector<std::string> argv;
  if (!parse_command(bytes, argv)) return std::nullopt;
  return argv;
}

}  // namespace lockcheck::model
