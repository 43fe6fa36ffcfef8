// One real-time check of a foreign lock client (docs/drivers.md): serve
// the modeled nodes, spawn one driver per client, apply the fault schedule
// in real time when the target client reaches the moment it names, record
// one history in true time, and judge it with the simulator's checkers.
//
// Real time is not deterministic: a check reproduces its fault schedule,
// not the exact interleaving. Each fault is triggered by the target's own
// report (its grant, or the check before a write) while another client
// waits for the lock, is applied before that report is answered, and lasts
// a multiple of the TTL, so the verdict does not hang on scheduling noise.
#ifndef LOCKCHECK_SERVE_CHECK_H_
#define LOCKCHECK_SERVE_CHECK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "properties/checkers.h"
#include "serve/cluster.h"
#include "sim/history.h"

namespace lockcheck::serve {

enum class FaultClass {
  kNone,
  kPause,      // SIGSTOP the target right after its first CHECKED, for 2 x TTL
  kPauseGrant, // SIGSTOP the target right after its first GRANTED, for 2 x TTL
  kCrash,      // SIGKILL the target right after its first GRANTED
  kClockJump,  // a majority of nodes jump 2 x TTL forward right after the grant
  kNodeCrash,  // a majority of nodes crash right after the grant, back 100 ms later
  kPartition,  // the target is cut from every node right after the grant, for 2 x TTL
  // A majority of nodes fail over right after the grant: each one's most
  // up-to-date replica is promoted (the grant's write, still on its way
  // down a replication stream, is lost) and every connection to it closes.
  kFailover,
  // The target's replies from a majority of nodes are dropped right after
  // the grant, for 2 x TTL: unlike a partition its requests still reach the
  // nodes and run (a SET takes, a DEL deletes); only the replies vanish.
  kDrop,
  // The target's requests to a majority of nodes each wait 1 x TTL before
  // they run, from right after the grant, for 2 x TTL (a slow link or a
  // congested proxy): a release or an extend lands after the lease it
  // meant has run out, when another client may hold the lock.
  kDelay,
};
const char* fault_class_name(FaultClass f);
// Every class, for --faults all and the docs.
const std::vector<FaultClass>& fault_classes();
bool parse_fault_class(const std::string& name, FaultClass* out);

struct CheckOptions {
  std::string driver_command;  // run through /bin/sh -c "exec ..."
  std::string driver_name;     // for messages and file names
  std::string strategy;        // LOCKCHECK_STRATEGY, for drivers that take one
  int clients = 2;
  int nodes = 1;
  int64_t ttl_ms = 1000;
  int acquires = 2;  // per client
  int64_t hold_ms = 600;
  int64_t think_ms = 50;
  int writes = 3;  // per hold, spread over hold_ms
  int64_t acquire_timeout_ms = 5000;
  FaultClass fault = FaultClass::kNone;
  Persistence persistence = Persistence::kNone;
  // Replicas per node (a failover check gets at least 1) and each
  // replication record's (and ack's) trip; -1: half the TTL, the
  // simulator's largest lag, which dominates the milliseconds between a
  // grant and the failover it triggers.
  int replicas = 0;
  int64_t replication_lag_ms = -1;
  uint64_t seed = 1;  // picks the target client
  int64_t deadline_ms = 60'000;  // the whole check; past it the drivers hang
  std::string log_dir;           // driver logs go here
};

struct AppliedFault {
  sim::TrueInstant at;
  std::string what;
};

struct CheckOutcome {
  // 0 judged (see violations), 2 a driver misbehaved, 3 harness fault or
  // interrupted. `error` names the driver and what it did.
  int exit_code = 0;
  std::string error;
  int target = 0;
  sim::History history;
  std::vector<properties::Violation> violations;
  std::vector<AppliedFault> faults;
  int64_t wall_ms = 0;
  int grants = 0;
};

CheckOutcome run_check(const CheckOptions& options);

}  // namespace lockcheck::serve

#endif  // LOCKCHECK_SERVE_CHECK_H_
