#include "serve/resp_server.h"

#include <deque>

#include "impl/check.h"
#include "serve/framer.h"

namespace lockcheck::serve {

using asio::ip::tcp;

namespace {

int64_t unix_now_ms() {
  return std::chrono::duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string endpoint_text(const tcp::endpoint& e) {
  return e.address().to_string() + ":" + std::to_string(e.port());
}

// Bytes read per read call; the input buffer as a whole is bounded by
// kRequestBytesMax plus one read (a request over it is a protocol error).
constexpr size_t kReadChunkBytes = 16 * 1024;

}  // namespace

// One client connection. Reads, frames, runs each command in order once
// its link delay has passed, writes replies in order. Alive while a read,
// a write or a timer holds a shared_ptr to it, and while its listener
// lists it.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Listener& owner, tcp::socket socket, int64_t id)
      : owner_(owner), socket_(std::move(socket)), timer_(owner.io_) {
    session_.id = id;
    session_.created_unix_ms = unix_now_ms();
    asio::error_code ec;
    const tcp::endpoint peer = socket_.remote_endpoint(ec);
    if (!ec) session_.addr = endpoint_text(peer);
    const tcp::endpoint local = socket_.local_endpoint(ec);
    if (!ec) session_.laddr = endpoint_text(local);
  }

  void start() {
    owner_.handler_.opened(session_);
    read();
  }

  // Closes the socket; pending handlers end with an error and drop their
  // references. Idempotent.
  void shut() {
    if (closed_) return;
    closed_ = true;
    asio::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    timer_.cancel();
    owner_.handler_.closed(session_);
  }

  bool blackholed() const { return blackholed_; }

 private:
  struct Pending {
    std::vector<std::string> argv;
    std::chrono::steady_clock::time_point ready_at;
  };

  void read() {
    if (closed_) return;
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(chunk_), [this, self](asio::error_code ec, size_t n) {
      if (ec) {
        finish();
        return;
      }
      input_.append(chunk_.data(), n);
      frame();
      if (!closing_ && !deferred_error_) read();
    });
  }

  // Cuts every complete command out of the input.
  void frame() {
    while (!closing_ && !deferred_error_) {
      Frame f = next_frame(input_);
      if (f.kind == Frame::Kind::kNeedMore) {
        if (input_.size() > kRequestBytesMax) protocol_error("ERR Protocol error: request too large for the model");
        break;
      }
      if (f.kind == Frame::Kind::kError) {
        protocol_error(f.error);
        break;
      }
      if (deferred_error_) break;
      input_.erase(0, f.consumed);
      if (f.kind == Frame::Kind::kEmpty) continue;
      const LinkState link = owner_.handler_.link();
      if (link.cut) {  // the request is lost on the way
        blackholed_ = true;
        continue;
      }
      pending_.push_back({std::move(f.argv), std::chrono::steady_clock::now() + link.delay_ms});
    }
    run_ready();
  }

  // Redis answers the commands before the bad bytes, then the protocol
  // error, then closes once the replies are out.
  void protocol_error(const std::string& text) {
    input_.clear();
    deferred_error_ = text;
  }

  void run_ready() {
    const auto now = std::chrono::steady_clock::now();
    while (!pending_.empty() && !closing_ && !blocked_ && pending_.front().ready_at <= now) {
      Pending p = std::move(pending_.front());
      pending_.pop_front();
      if (owner_.handler_.link().cut) {
        blackholed_ = true;
        continue;
      }
      std::weak_ptr<Connection> weak = shared_from_this();
      const std::optional<model::Reply> reply =
          owner_.handler_.handle_blocking(session_, p.argv, [weak](const model::Reply& later) {
            if (auto self = weak.lock()) self->unblock(later);
          });
      if (!reply) {
        blocked_ = true;  // the rest waits for the blocked command's reply
        break;
      }
      emit(*reply);
    }
    if (pending_.empty() && deferred_error_ && !closing_ && !blocked_) {
      output_ += model::encode_reply(model::Reply::error(*deferred_error_));
      closing_ = true;
    }
    write();
    if (!pending_.empty() && !closing_ && !blocked_ && !timer_armed_) {
      timer_armed_ = true;
      timer_.expires_at(pending_.front().ready_at);
      auto self = shared_from_this();
      timer_.async_wait([this, self](asio::error_code ec) {
        timer_armed_ = false;
        if (!ec && !closed_) run_ready();
      });
    }
  }

  // One reply in order, or none when the link drops replies.
  void emit(const model::Reply& reply) {
    if (owner_.handler_.link().drop_replies) {
      blackholed_ = true;
    } else {
      output_ += model::encode_reply(reply);
    }
    if (session_.close_after_reply) closing_ = true;
  }

  // A blocked command's reply: out in order, then the commands behind it.
  void unblock(const model::Reply& reply) {
    LC_CHECK(blocked_);
    if (closed_) return;
    blocked_ = false;
    emit(reply);
    run_ready();
  }

  void write() {
    if (writing_ || closed_) return;
    if (output_.empty()) {
      if (closing_) finish();
      return;
    }
    writing_ = true;
    in_flight_ = std::move(output_);
    output_.clear();
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(in_flight_), [this, self](asio::error_code ec, size_t) {
      writing_ = false;
      in_flight_.clear();
      if (ec) {  // the client went away mid-reply
        finish();
        return;
      }
      write();
    });
  }

  void finish() {
    shut();
    owner_.forget(shared_from_this());
  }

  Listener& owner_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  model::Session session_;
  std::array<char, kReadChunkBytes> chunk_{};
  std::string input_;
  std::deque<Pending> pending_;
  std::string output_;
  std::string in_flight_;
  bool writing_ = false;
  bool timer_armed_ = false;
  bool closing_ = false;  // no more commands: close once the output is out
  bool closed_ = false;
  bool blackholed_ = false;
  bool blocked_ = false;  // a blocked command (WAIT) has not been answered yet
  // A protocol error seen after the commands still pending: sent once they
  // are answered, then the connection closes.
  std::optional<std::string> deferred_error_;
};

Listener::Listener(asio::io_context& io, Handler& handler, int64_t& next_id)
    : io_(io), handler_(handler), acceptor_(io), next_id_(next_id) {}

Listener::~Listener() { close(); }

std::optional<std::string> Listener::open(uint16_t port) {
  asio::error_code ec;
  const tcp::endpoint at(asio::ip::make_address("127.0.0.1"), port);
  acceptor_.open(at.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  // A restarted node reopens its port while the connections it closed at
  // the crash still linger (FIN_WAIT2 until each client notices): Linux
  // refuses that bind without SO_REUSEPORT.
  if (!ec) acceptor_.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true), ec);
  if (!ec) acceptor_.bind(at, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    asio::error_code ignored;
    acceptor_.close(ignored);
    return "cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + ec.message();
  }
  port_ = acceptor_.local_endpoint().port();
  accept();
  return std::nullopt;
}

void Listener::accept() {
  acceptor_.async_accept([this](asio::error_code ec, tcp::socket socket) {
    if (ec) return;  // closed (a crash or the end): stop accepting
    asio::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (conns_.size() >= kConnectionsMax) {
      socket.close(ignored);
    } else {
      auto c = std::make_shared<Connection>(*this, std::move(socket), next_id_++);
      conns_.insert(c);
      c->start();
    }
    accept();
  });
}

void Listener::forget(const std::shared_ptr<Connection>& c) { conns_.erase(c); }

void Listener::close() {
  asio::error_code ignored;
  acceptor_.close(ignored);
  // shut() runs handlers that may call forget(): iterate over a copy.
  const std::set<std::shared_ptr<Connection>> all = conns_;
  conns_.clear();
  for (const auto& c : all) c->shut();
}

void Listener::close_connections() {
  // shut() runs handlers that may call forget(): iterate over a copy.
  const std::set<std::shared_ptr<Connection>> all = conns_;
  conns_.clear();
  for (const auto& c : all) c->shut();
}

void Listener::close_blackholed() {
  const std::set<std::shared_ptr<Connection>> all = conns_;
  for (const auto& c : all) {
    if (c->blackholed()) {
      c->shut();
      conns_.erase(c);
    }
  }
}

}  // namespace lockcheck::serve
