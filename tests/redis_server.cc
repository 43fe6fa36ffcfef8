#include "tests/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace lockcheck::testing {

namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kReadyWait = std::chrono::seconds(10);
constexpr auto kStopWait = std::chrono::seconds(5);
constexpr int kPortAttempts = 5;

Error lost(std::string why) { return Error{ErrorCode::kConnectionLost, std::move(why)}; }

// The absolute path of `name` on PATH, or "" when it is not there.
std::string find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return "";
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// A loopback port nobody was listening on a moment ago (the kernel's pick).
Result<int> pick_free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return lost(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const std::string why = std::strerror(errno);
    close(fd);
    return lost("cannot pick a free port: " + why);
  }
  close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

// Returns true when `pid` has exited (and reaps it).
bool reaped(pid_t pid) {
  int status = 0;
  const pid_t r = waitpid(pid, &status, WNOHANG);
  return r == pid || (r < 0 && errno == ECHILD);
}

}  // namespace

RedisServer::~RedisServer() {
  stop();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

Status RedisServer::start() {
  LC_CHECK(!running());
  if (dir_.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "lockcheck-redis-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) return lost(std::string("mkdtemp: ") + std::strerror(errno));
    dir_ = tmpl;
  }
  if (port_ != 0) {
    if (auto s = spawn(); !s.ok()) return s;
    return wait_ready();
  }
  // First start: another process may grab the picked port before the server
  // binds it, so try a few.
  Status last = Ok{};
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    auto port = pick_free_port();
    if (!port.ok()) return port.error();
    port_ = *port;
    if (auto s = spawn(); !s.ok()) {
      port_ = 0;
      return s;
    }
    last = wait_ready();
    if (last.ok()) return last;
    port_ = 0;
  }
  return last;
}

Status RedisServer::spawn() {
  const std::string binary = find_on_path("redis-server");
  if (binary.empty()) {
    return Error{ErrorCode::kInvalidArgument,
                 "redis-server not found on PATH; the integration tests need a real Redis "
                 "(install it: apt-get install redis-server)"};
  }
  const std::string log_path = dir_ + "/redis.log";
  // Everything the child needs is prepared before fork(): after it, only
  // async-signal-safe calls.
  std::vector<std::string> args = {binary,       "--port",       std::to_string(port_),
                                    "--bind",     "127.0.0.1",    "--save",
                                    "",           "--appendonly", "no",
                                    "--daemonize", "no",          "--dir",
                                    dir_};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return lost("cannot open " + log_path + ": " + std::strerror(errno));
  int err_pipe[2];
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(log_fd);
    return lost(std::string("pipe2: ") + std::strerror(errno));
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    const std::string why = std::strerror(errno);
    close(log_fd);
    close(err_pipe[0]);
    close(err_pipe[1]);
    return lost("fork: " + why);
  }
  if (pid == 0) {
    // Child. Die with the test process, so no server outlives a crashed run.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    // Do not hand the test's own sockets (client connections) to the server.
    const int keep = err_pipe[1];
    if (keep > 3) close_range(3, static_cast<unsigned>(keep - 1), 0);
    close_range(static_cast<unsigned>(keep + 1), ~0U, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(argv[0], argv.data());
    const int e = errno;
    (void)!write(keep, &e, sizeof e);
    _exit(127);
  }
  close(log_fd);
  close(err_pipe[1]);
  int exec_errno = 0;
  ssize_t n;
  do {
    n = read(err_pipe[0], &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  close(err_pipe[0]);
  if (n > 0) {
    waitpid(pid, nullptr, 0);
    return lost("cannot exec " + binary + ": " + std::strerror(exec_errno));
  }
  pid_ = pid;
  paused_ = false;
  return Ok{};
}

Status RedisServer::wait_ready() {
  const auto deadline = Clock::now() + kReadyWait;
  std::string last_error = "no attempt";
  while (Clock::now() < deadline) {
    if (reaped(pid_)) {
      pid_ = -1;
      return lost("redis-server on port " + std::to_string(port_) + " exited at startup; log:\n" +
                  log_tail());
    }
    auto pong = command({"PING"});
    if (pong.ok() && pong->is_status("PONG")) return Ok{};
    last_error = pong.ok() ? pong->to_string() : pong.error().message;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const int port = port_;
  stop();
  return lost("redis-server on port " + std::to_string(port) + " did not answer PING within " +
              std::to_string(std::chrono::duration_cast<std::chrono::seconds>(kReadyWait).count()) +
              " s (last: " + last_error + "); log:\n" + log_tail());
}

void RedisServer::stop() {
  if (!running()) return;
  if (paused_) ::kill(pid_, SIGCONT);
  ::kill(pid_, SIGTERM);
  reap_or_kill();
}

void RedisServer::kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  paused_ = false;
}

void RedisServer::reap_or_kill() {
  const auto deadline = Clock::now() + kStopWait;
  while (Clock::now() < deadline) {
    if (reaped(pid_)) {
      pid_ = -1;
      paused_ = false;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill();
}

Status RedisServer::restart() {
  stop();
  return start();
}

void RedisServer::pause() {
  LC_CHECK(running());
  ::kill(pid_, SIGSTOP);
  paused_ = true;
}

void RedisServer::resume() {
  LC_CHECK(running());
  ::kill(pid_, SIGCONT);
  paused_ = false;
}

Result<Reply> RedisServer::command(const std::vector<std::string>& argv) const {
  LC_CHECK(!argv.empty());
  const timeval connect_timeout{1, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, connect_timeout);
  if (c == nullptr || c->err != 0) {
    Error e = lost("cannot connect to " + address() + ": " + (c ? c->errstr : "out of memory"));
    if (c != nullptr) redisFree(c);
    return e;
  }
  const timeval request_timeout{2, 0};
  redisSetTimeout(c, request_timeout);
  std::vector<const char*> args;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  void* raw = redisCommandArgv(c, static_cast<int>(args.size()), args.data(), lens.data());
  if (raw == nullptr) {
    Error e = lost(argv.front() + " to " + address() + ": " + c->errstr);
    redisFree(c);
    return e;
  }
  Reply reply = reply_from_hiredis(static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  redisFree(c);
  return reply;
}

std::string RedisServer::log_tail() const {
  std::ifstream in(dir_ + "/redis.log");
  if (!in) return "(no log)";
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  std::string out;
  const size_t from = lines.size() > 20 ? lines.size() - 20 : 0;
  for (size_t i = from; i < lines.size(); ++i) out += "  " + lines[i] + "\n";
  return out.empty() ? "(empty log)" : out;
}

}  // namespace lockcheck::testing
