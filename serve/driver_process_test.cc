#include "serve/driver_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "serve/resp_server.h"

namespace lockcheck::serve {
namespace {

class Nothing final : public Handler {
 public:
  model::Reply handle(model::Session&, const std::vector<std::string>&) override { return model::Reply::status("OK"); }
};

// errno of a connect to 127.0.0.1:port (0: it connected).
int connect_errno(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in at{};
  at.sin_family = AF_INET;
  at.sin_port = htons(port);
  at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int r = ::connect(fd, reinterpret_cast<const sockaddr*>(&at), sizeof at);
  const int err = r == 0 ? 0 : errno;
  ::close(fd);
  return err;
}

// Waits (up to 5 s) until `pid` runs /bin/sh: between fork and exec the
// child is a copy of us, with all our descriptors.
bool wait_for_exec(pid_t pid) {
  for (int i = 0; i < 500; ++i) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/cmdline");
    std::string argv0;
    std::getline(f, argv0, '\0');
    if (argv0 == "/bin/sh" || argv0 == "sleep") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// Catches: a driver that inherits lockcheck's sockets. A crashed node's
// listener closed in lockcheck then lives on in every driver: connects
// still complete (into a queue nobody accepts) and hang until the client's
// timeout, and the restarted node's SO_REUSEPORT listener shares the port
// with it, so the kernel hands it some of the new connections too (the
// node_crash checks saw the waiting client granted 450-650 ms late).
TEST(DriverProcess, DoesNotInheritTheServersSockets) {
  asio::io_context io;
  Nothing handler;
  int64_t next_id = 1;
  Listener node(io, handler, next_id);
  ASSERT_FALSE(node.open().has_value());
  const uint16_t port = node.port();
  const std::string log = (std::filesystem::temp_directory_path() /
                           ("driver_process_test." + std::to_string(::getpid()) + ".log")).string();
  DriverProcess driver;
  ASSERT_FALSE(driver.spawn("sleep 30", {}, log).has_value());
  ASSERT_TRUE(wait_for_exec(driver.pid()));
  node.close();  // the node crashes
  EXPECT_EQ(connect_errno(port), ECONNREFUSED) << "a connect to a crashed node's port did not fail at once";
  driver.kill_and_reap();
  std::filesystem::remove(log);
}

}  // namespace
}  // namespace lockcheck::serve
