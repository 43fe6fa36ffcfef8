#include "redis/hiredis_reply.h"

#include <hiredis/hiredis.h>

#include <string>

#include "impl/check.h"

namespace lockcheck {

Reply reply_from_hiredis(const redisReply* r) {
  LC_CHECK(r != nullptr);
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_NIL:
      out.type = Reply::Type::kNil;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(reply_from_hiredis(r->element[i]));
      break;
    default:
      // RESP3 types never appear: both worlds speak RESP2.
      out.type = Reply::Type::kError;
      out.str = "ERR unsupported reply type " + std::to_string(r->type);
  }
  return out;
}

namespace {

// Whether every aggregate header in `bytes` promises no more elements than
// the bytes left could hold (each element takes at least 3: a type byte and
// CRLF). hiredis 0.14 (Debian bookworm) has no maxelements and callocs the
// promised count up front, so "*2147483647\r\n" alone would ask for 16 GB;
// decode_one takes one complete reply, so such a header is malformed.
bool headers_fit(std::string_view bytes) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    const char type = bytes[pos];
    const size_t eol = bytes.find("\r\n", pos);
    if (eol == std::string_view::npos) return true;  // truncated: hiredis says so
    if (type == '*' || type == '$') {
      const std::string_view digits = bytes.substr(pos + 1, eol - pos - 1);
      long long n = 0;
      bool negative = !digits.empty() && digits[0] == '-';
      for (size_t i = negative ? 1 : 0; i < digits.size(); ++i) {
        if (digits[i] < '0' || digits[i] > '9') return true;  // malformed: hiredis says so
        if (n > static_cast<long long>(bytes.size())) return false;
        n = n * 10 + (digits[i] - '0');
      }
      const size_t left = bytes.size() - (eol + 2);
      if (!negative && type == '*' && static_cast<unsigned long long>(n) > left / 3) return false;
      if (!negative && type == '$') {
        if (static_cast<unsigned long long>(n) > left) return false;
        pos = eol + 2 + static_cast<size_t>(n) + 2;
        continue;
      }
    }
    pos = eol + 2;
  }
  return true;
}

}  // namespace

ReplyReader::ReplyReader() : reader_(redisReaderCreate()) { LC_CHECK(reader_ != nullptr); }
ReplyReader::~ReplyReader() { redisReaderFree(reader_); }

Result<Reply> ReplyReader::decode_one(std::string_view bytes) {
  if (!headers_fit(bytes)) return Error{ErrorCode::kProtocol, "reply promises more elements or bytes than it has"};
  if (redisReaderFeed(reader_, bytes.data(), bytes.size()) != REDIS_OK) {
    return Error{ErrorCode::kProtocol, "reader refused input"};
  }
  void* raw = nullptr;
  if (redisReaderGetReply(reader_, &raw) != REDIS_OK) {
    std::string why = reader_->errstr;
    // A reader in error state is unusable: start afresh for the next reply.
    redisReaderFree(reader_);
    reader_ = redisReaderCreate();
    return Error{ErrorCode::kProtocol, why};
  }
  if (raw == nullptr) {
    redisReaderFree(reader_);
    reader_ = redisReaderCreate();
    return Error{ErrorCode::kProtocol, "truncated reply"};
  }
  Reply out = reply_from_hiredis(static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  if (reader_->pos != reader_->len) {
    redisReaderFree(reader_);
    reader_ = redisReaderCreate();
    return Error{ErrorCode::kProtocol, "trailing bytes after reply"};
  }
  return out;
}

}  // namespace lockcheck
