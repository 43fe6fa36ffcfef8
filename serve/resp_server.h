// A RESP2 TCP server on standalone Asio: one listener on a loopback port,
// its connections, pipelining, partial reads, a per-link delay and cut, and
// Redis's protocol error (then close) for bytes that are not RESP. What a
// command means is the Handler's business: a modeled node (serve/cluster.h)
// or lockcheck's control endpoint (serve/control.h).
//
// Single-threaded: everything runs on the io_context's one thread, so no
// state here is shared across threads.
#ifndef LOCKCHECK_SERVE_RESP_SERVER_H_
#define LOCKCHECK_SERVE_RESP_SERVER_H_

#include <asio.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "impl/time.h"
#include "model/commands.h"
#include "model/node.h"

namespace lockcheck::serve {

// What the network between one client and one listener does right now.
struct LinkState {
  // Cut (a partition): requests vanish unanswered; when the cut heals the
  // server closes the connections it blackholed (their reply streams are
  // out of step), so clients reconnect.
  bool cut = false;
  // Each request waits this long before it runs (its reply follows at once).
  Millis delay_ms{0};
  // Replies dropped (a per-connection drop): unlike a cut, each request
  // reaches the node and runs (a SET takes effect), but its reply never
  // reaches the client, which sees a timeout. When the drop ends the server
  // closes the connections whose replies it dropped, as for a cut.
  bool drop_replies = false;
};

// The reply to a command the handler answers later (a blocked WAIT).
// Calling it after the connection closed does nothing; calling it twice is
// a programmer error.
using ReplyLater = std::function<void(const model::Reply&)>;

class Handler {
 public:
  virtual ~Handler() = default;
  // The reply to one command from `session`. May set
  // session.close_after_reply.
  virtual model::Reply handle(model::Session& session, const std::vector<std::string>& argv) = 0;
  // As handle, for a handler that may block a command (WAIT): nullopt
  // means it will answer through `later`, and the connection runs none of
  // its next commands until then (Redis blocks the client).
  virtual std::optional<model::Reply> handle_blocking(model::Session& session, const std::vector<std::string>& argv,
                                                      const ReplyLater& /*later*/) {
    return handle(session, argv);
  }
  virtual LinkState link() const { return {}; }
  // A connection opened / closed (for the control endpoint's bookkeeping).
  virtual void opened(model::Session&) {}
  virtual void closed(model::Session&) {}
};

class Connection;

// Connections one listener holds at once; one more is accepted and closed.
inline constexpr size_t kConnectionsMax = 256;

class Listener {
 public:
  // Does not bind yet; `handler` and `next_id` must outlive the listener.
  // Connection ids (CLIENT ID, and the node's per-connection MULTI/WATCH
  // state) come from `next_id`, which listeners of one node share.
  Listener(asio::io_context& io, Handler& handler, int64_t& next_id);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Binds 127.0.0.1:`port` (0: a free port the kernel picks) and accepts.
  // An error message on failure.
  std::optional<std::string> open(uint16_t port = 0);
  // Stops accepting and closes every connection (a node crash). The port
  // stays known, so open(port()) reopens the same one.
  void close();
  // Closes every connection but keeps accepting (a failover: a new
  // process behind the same port). Closing and reopening the listening
  // socket instead would race clients' handshakes: one completing as the
  // old socket closes is dropped unanswered, and the client waits out a
  // request timeout.
  void close_connections();
  uint16_t port() const { return port_; }
  bool is_open() const { return acceptor_.is_open(); }
  // Closes the connections that lost requests to a cut or replies to a
  // drop (see LinkState).
  void close_blackholed();
  size_t connections() const { return conns_.size(); }

 private:
  friend class Connection;
  void accept();
  void forget(const std::shared_ptr<Connection>& c);

  asio::io_context& io_;
  Handler& handler_;
  asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::set<std::shared_ptr<Connection>> conns_;
  int64_t& next_id_;
};

}  // namespace lockcheck::serve

#endif  // LOCKCHECK_SERVE_RESP_SERVER_H_
