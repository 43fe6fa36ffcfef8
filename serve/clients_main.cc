// `lockcheck clients --driver CMD ...`: real-time checks of a foreign lock
// client (serve/check.h), one line per run; the report directory is
// written by serve/clients_report.h, in the formats `lockcheck report` reads.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>

#include "model/text.h"
#include "properties/checkers.h"
#include "serve/check.h"
#include "serve/clients_report.h"
#include "serve/serve_main.h"

namespace lockcheck::serve {
namespace {

constexpr int kRunsMax = 100;

int usage_error(const std::string& what) {
  std::cerr << "lockcheck clients: " << what << "\n";
  return 2;
}

constexpr const char* kUsage =
    "usage: lockcheck clients --driver CMD [--name NAME] [--strategy S] [--faults LIST|all]\n"
    "         [--nodes N] [--clients C] [--ttl-ms T] [--acquires A] [--hold-ms H] [--think-ms K]\n"
    "         [--writes W] [--acquire-timeout-ms M] [--persistence none|everysec|always]\n"
    "         [--replicas R] [--replication-lag-ms L] [--runs R] [--seed S] [--timeout-s S] [--report DIR]\n"
    "Runs the driver CMD (docs/drivers.md) once per client against modeled Redis nodes\n"
    "on 127.0.0.1, applies each fault class in real time and judges the history.\n"
    "Fault classes (each strikes the target client's first grant while another client wants the lock):\n"
    "  none; pause (SIGSTOP the target after a validity check, 2 x TTL); pause-grant (after its\n"
    "  grant); crash (SIGKILL); clock_jump (a majority of nodes +2 x TTL); node_crash (a majority of\n"
    "  primaries crash and restart 100 ms later with what --persistence kept); partition (the\n"
    "  target's requests to every node vanish unrun for 2 x TTL); drop (a majority of nodes run the\n"
    "  target's requests but drop their replies for 2 x TTL: its writes take, it sees timeouts);\n"
    "  failover (a majority of nodes promote their most up-to-date replica, losing what it had not\n"
    "  received; needs replicas, at least 1 is given; lag defaults to TTL / 2); delay (each of the\n"
    "  target's requests to a majority of nodes waits 1 x TTL before it runs, for 2 x TTL).\n"
    "Exit codes: 0 every property held, 1 one was violated (counterexample written),\n"
    "2 bad usage or a misbehaving driver, 3 harness fault or interrupted.\n";

std::string safe_name(const std::string& s) {
  std::string out;
  for (char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  return out.empty() ? "driver" : out;
}

}  // namespace

int clients_main(const std::vector<std::string>& args) {
  // Drivers are reaped by waitpid: an inherited "ignore SIGCHLD" would reap
  // them behind our back, and a driver's exit would never be seen.
  ::signal(SIGCHLD, SIG_DFL);
  CheckOptions o;
  std::vector<FaultClass> faults = {FaultClass::kNone};
  std::string faults_label = "none";
  std::string report_dir = "lockcheck-out";
  int runs = 1;
  int64_t nodes = o.nodes, clients = o.clients, acquires = o.acquires, writes = o.writes, runs64 = runs,
          timeout_s = o.deadline_ms / 1000, replicas = o.replicas;
  std::map<std::string, std::pair<int64_t*, std::pair<int64_t, int64_t>>> bounded = {
      {"--nodes", {&nodes, {1, kNodesMax}}},        {"--clients", {&clients, {1, kClientsMax}}},
      {"--acquires", {&acquires, {1, 1000}}},       {"--writes", {&writes, {0, 100}}},
      {"--runs", {&runs64, {1, kRunsMax}}},         {"--timeout-s", {&timeout_s, {1, 3600}}},
      {"--ttl-ms", {&o.ttl_ms, {10, 600'000}}},     {"--hold-ms", {&o.hold_ms, {0, 600'000}}},
      {"--think-ms", {&o.think_ms, {0, 600'000}}},  {"--acquire-timeout-ms", {&o.acquire_timeout_ms, {0, 600'000}}},
      {"--replicas", {&replicas, {0, kReplicasMax}}}, {"--replication-lag-ms", {&o.replication_lag_ms, {0, kReplicationLagMsMax}}},
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= args.size()) return usage_error("option '" + a + "' needs a value, or is unknown (see --help)");
    const std::string& v = args[++i];
    if (auto it = bounded.find(a); it != bounded.end()) {
      const std::optional<int64_t> n = model::parse_int64(v);
      const auto [lo, hi] = it->second.second;
      if (!n || *n < lo || *n > hi) {
        return usage_error(a + " must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi) +
                           ", got '" + v + "'");
      }
      *it->second.first = *n;
    } else if (a == "--driver") {
      o.driver_command = v;
    } else if (a == "--name") {
      o.driver_name = v;
    } else if (a == "--strategy") {
      o.strategy = v;
    } else if (a == "--report") {
      report_dir = v;
    } else if (a == "--seed") {
      const bool hex = v.rfind("0x", 0) == 0;
      try {
        size_t used = 0;
        o.seed = std::stoull(hex ? v.substr(2) : v, &used, hex ? 16 : 10);
        if (used != (hex ? v.size() - 2 : v.size())) throw std::invalid_argument(v);
      } catch (const std::exception&) {
        return usage_error("--seed must be an unsigned integer (decimal or 0x hex), got '" + v + "'");
      }
    } else if (a == "--persistence") {
      if (!parse_persistence(v, &o.persistence)) {
        return usage_error("--persistence must be none, everysec or always, got '" + v + "'");
      }
    } else if (a == "--faults") {
      faults.clear();
      faults_label = v;
      if (v == "all") {
        faults = fault_classes();
      } else {
        size_t start = 0;
        while (start <= v.size()) {
          const size_t comma = v.find(',', start);
          const std::string name = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
          FaultClass f;
          if (!parse_fault_class(name, &f)) {
            return usage_error("unknown fault class '" + name +
                               "' (none pause pause-grant crash clock_jump node_crash partition failover drop, or all)");
          }
          faults.push_back(f);
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
      }
    } else {
      return usage_error("unknown option '" + a + "' (see --help)");
    }
  }
  if (o.driver_command.empty()) return usage_error("--driver CMD is required (see --help)");
  if (o.driver_name.empty()) o.driver_name = o.driver_command.substr(0, o.driver_command.find(' '));
  o.nodes = static_cast<int>(nodes);
  o.clients = static_cast<int>(clients);
  o.acquires = static_cast<int>(acquires);
  o.writes = static_cast<int>(writes);
  o.replicas = static_cast<int>(replicas);
  o.deadline_ms = timeout_s * 1000;
  runs = static_cast<int>(runs64);
  std::error_code ec;
  std::filesystem::create_directories(report_dir, ec);
  if (ec || !std::filesystem::is_directory(report_dir)) {
    return usage_error("cannot use --report directory '" + report_dir + "'");
  }
  const std::string base = safe_name(o.driver_name);
  std::vector<reports::CellReport> cells;
  bool any_violated = false;
  for (FaultClass f : faults) {
    o.fault = f;
    const std::string cell = std::string(fault_class_name(f));
    reports::CellReport report = real_time_cell(o, cell);
    for (int r = 0; r < runs; ++r) {
      o.log_dir = report_dir + "/" + base + "-" + cell + "-run" + std::to_string(r);
      std::filesystem::create_directories(o.log_dir, ec);
      const CheckOutcome out = run_check(o);
      if (out.exit_code != 0) {
        std::cerr << "lockcheck clients: " << cell << " run " << r << ": " << out.error << "\n";
        return out.exit_code;
      }
      auto first = add_run(&report, o, out, report_dir);
      if (!first.ok()) {
        std::cerr << "lockcheck clients: " << first.error().message << "\n";
        return 3;
      }
      for (const FirstViolation& v : first.value()) {
        std::cout << "  " << v.property << ": " << v.explanation << "\n    counterexample: " << v.file << "\n";
      }
      std::set<properties::Property> props;
      for (const properties::Violation& v : out.violations) props.insert(v.property);
      std::cout << base << " / " << cell << " run " << r << ": " << (props.empty() ? "ok" : "VIOLATED") << " ("
                << out.grants << " grants, " << out.wall_ms << " ms)\n";
    }
    std::string line = base + " / " + cell + ":";
    for (const properties::PropertyResult& p : report.result.properties) {
      if (p.violated()) {
        line += " " + properties::property_name(p.property) + " " + std::to_string(p.seeds_violated) + "/" +
                std::to_string(runs);
      }
    }
    std::cout << (report.result.violated ? line : line + " ok") << "\n";
    any_violated = any_violated || report.result.violated;
    cells.push_back(std::move(report));
  }
  if (auto s = write_outputs(cells, report_dir); !s.ok()) {
    std::cerr << "lockcheck clients: " << s.error().message << "\n";
    return 3;
  }
  std::cout << "results: " << report_dir << "/results.json\n";
  return any_violated ? 1 : 0;
}

}  // namespace lockcheck::serve
