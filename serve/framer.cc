#include "serve/framer.h"

#include <optional>

#include "model/node.h"
#include "model/text.h"

namespace lockcheck::serve {
namespace {

// Redis's limits (networking.c): 1M elements, 512 MB bulk; the model's
// kRequestBytesMax bounds the whole request before those matter.
constexpr int64_t kMultibulkMax = 1024 * 1024;
constexpr int64_t kBulkMax = 512LL * 1024 * 1024;

Frame error(const char* what) {
  Frame f;
  f.kind = Frame::Kind::kError;
  f.error = std::string("ERR Protocol error: ") + what;
  return f;
}

// The line at `pos` up to its CRLF; nullopt if the CRLF has not come yet.
std::optional<std::string_view> line_at(std::string_view buf, size_t pos) {
  const size_t crlf = buf.find("\r\n", pos);
  if (crlf == std::string_view::npos) return std::nullopt;
  return buf.substr(pos, crlf - pos);
}

// Inline: space-separated words on one line (no quoting: a lock client
// never sends inline; redis-cli and telnet do, for PING and friends).
Frame inline_frame(std::string_view buf) {
  const size_t lf = buf.find('\n');
  if (lf == std::string_view::npos) {
    if (buf.size() > kInlineBytesMax) return error("too big inline request");
    return {};
  }
  std::string_view line = buf.substr(0, lf);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  Frame f;
  f.consumed = lf + 1;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (j > i) f.argv.emplace_back(line.substr(i, j - i));
    i = j;
  }
  f.kind = f.argv.empty() ? Frame::Kind::kEmpty : Frame::Kind::kCommand;
  return f;
}

}  // namespace

Frame next_frame(std::string_view buf) {
  if (buf.empty()) return {};
  if (buf[0] != '*') return inline_frame(buf);
  const std::optional<std::string_view> header = line_at(buf, 0);
  if (!header) {
    if (buf.size() > kInlineBytesMax) return error("too big mbulk count string");
    return {};
  }
  const std::optional<int64_t> count = model::parse_int64(header->substr(1));
  if (!count || *count > kMultibulkMax) return error("invalid multibulk length");
  size_t pos = header->size() + 2;
  if (*count <= 0) {  // Redis skips "*0" and "*-1" silently
    Frame f;
    f.kind = Frame::Kind::kEmpty;
    f.consumed = pos;
    return f;
  }
  for (int64_t i = 0; i < *count; ++i) {
    if (pos >= buf.size()) return {};
    if (buf[pos] != '$') {
      Frame f = error("expected '$', got '");
      f.error += buf[pos];
      f.error += "'";
      return f;
    }
    const std::optional<std::string_view> len_line = line_at(buf, pos);
    if (!len_line) {
      if (buf.size() - pos > kInlineBytesMax) return error("too big bulk count string");
      return {};
    }
    const std::optional<int64_t> len = model::parse_int64(len_line->substr(1));
    if (!len || *len < 0 || *len > kBulkMax) return error("invalid bulk length");
    pos += len_line->size() + 2;
    if (pos + static_cast<size_t>(*len) > kRequestBytesMax) return error("request too large for the model");
    if (buf.size() < pos + static_cast<size_t>(*len) + 2) return {};
    pos += static_cast<size_t>(*len) + 2;
  }
  // The whole command is here: decode it with the model's RESP parser
  // (which also checks each bulk's trailing CRLF).
  std::optional<std::vector<std::string>> argv = model::parse_command(buf.substr(0, pos));
  if (!argv) return error("invalid bulk length");
  Frame f;
  f.kind = Frame::Kind::kCommand;
  f.argv = std::move(*argv);
  f.consumed = pos;
  return f;
}

}  // namespace lockcheck::serve
