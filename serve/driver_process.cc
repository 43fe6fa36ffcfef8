#include "serve/driver_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace lockcheck::serve {

std::optional<std::string> DriverProcess::spawn(const std::string& command,
                                                const std::map<std::string, std::string>& env,
                                                const std::string& log_path) {
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return "cannot open " + log_path + ": " + std::strerror(errno);
  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls.
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    if (env.count(name) == 0) env_strings.push_back(entry);
  }
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string script = "exec " + command;
  char sh[] = "/bin/sh";
  char dash_c[] = "-c";
  char* argv[] = {sh, dash_c, script.data(), nullptr};

  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return std::string("fork failed: ") + std::strerror(errno);
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    // Nothing else of ours: asio's sockets are not close-on-exec, and a
    // node's listener a driver inherited outlives the node's crash (connects
    // complete into a queue nobody accepts, and the restarted node's
    // SO_REUSEPORT listener shares new connections with it).
    if (::close_range(3, ~0U, 0) != 0) {
      for (int fd = 3; fd < 65536; ++fd) ::close(fd);  // kernels before 5.9
    }
    // Ctrl-C in our terminal must reach us, not the driver: we stop it.
    ::signal(SIGINT, SIG_IGN);
    ::execve(sh, argv, envp.data());
    ::_exit(127);
  }
  // Also here, not only in the child: a signal sent before the child ran
  // its setpgid must still reach the whole group.
  ::setpgid(pid, pid);
  ::close(log_fd);
  pid_ = pid;
  return std::nullopt;
}

// Signals go to the driver's process group (-pid_), not just to pid_: a
// driver started through a wrapper (a shell script, `npm run`, a launcher
// that spawns the client) must stop, resume and die as a whole, or a pause
// would freeze only the wrapper while the client runs on.
void DriverProcess::pause() {
  if (pid_ > 0 && !exited_) ::kill(-pid_, SIGSTOP);
}

void DriverProcess::resume() {
  if (pid_ > 0 && !exited_) ::kill(-pid_, SIGCONT);
}

void DriverProcess::kill_and_reap() {
  if (pid_ <= 0 || exited_) return;
  ::kill(-pid_, SIGCONT);
  ::kill(-pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  exited_ = true;
  if (WIFEXITED(status)) exit_status_ = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) term_signal_ = WTERMSIG(status);
}

bool DriverProcess::poll_exited() {
  if (pid_ <= 0 || exited_) return exited_;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_ && (WIFEXITED(status) || WIFSIGNALED(status))) {
    exited_ = true;
    // Whatever the driver left running in its group goes with it.
    ::kill(-pid_, SIGKILL);
    if (WIFEXITED(status)) exit_status_ = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) term_signal_ = WTERMSIG(status);
  }
  return exited_;
}

std::string DriverProcess::exit_text() const {
  if (!exited_) return "still running";
  if (term_signal_ != 0) return "killed by signal " + std::to_string(term_signal_);
  return "exited with status " + std::to_string(exit_status_);
}

}  // namespace lockcheck::serve
