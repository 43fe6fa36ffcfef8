// One driver process (docs/drivers.md): spawned through /bin/sh with its
// environment, in its own process group, its output to a log file; paused,
// resumed and killed by its pid; reaped without blocking.
#ifndef LOCKCHECK_SERVE_DRIVER_PROCESS_H_
#define LOCKCHECK_SERVE_DRIVER_PROCESS_H_

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>

namespace lockcheck::serve {

class DriverProcess {
 public:
  DriverProcess() = default;
  ~DriverProcess() { kill_and_reap(); }
  DriverProcess(const DriverProcess&) = delete;
  DriverProcess& operator=(const DriverProcess&) = delete;

  // Runs `/bin/sh -c "exec COMMAND"` (so the pid is the driver's own, and a
  // SIGSTOP stops the driver, not a shell) with `env` added to ours, stdout
  // and stderr appended to `log_path`. An error message on failure.
  std::optional<std::string> spawn(const std::string& command, const std::map<std::string, std::string>& env,
                                   const std::string& log_path);

  void pause();   // SIGSTOP
  void resume();  // SIGCONT
  // SIGKILL (after SIGCONT, so a stopped one dies too) and wait for it.
  // Idempotent; a no-op once reaped.
  void kill_and_reap();

  // Reaps the process if it exited; true once it has.
  bool poll_exited();
  bool exited() const { return exited_; }
  // How it ended, e.g. "exited with status 1", "killed by signal 9".
  std::string exit_text() const;
  bool exited_ok() const { return exited_ && exit_status_ == 0 && term_signal_ == 0; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_status_ = 0;
  int term_signal_ = 0;
};

}  // namespace lockcheck::serve

#endif  // LOCKCHECK_SERVE_DRIVER_PROCESS_H_
