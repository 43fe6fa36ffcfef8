#include "serve/serve_main.h"

#include <asio.hpp>

#include <cstdio>
#include <iostream>
#include <optional>

#include "model/text.h"
#include "serve/cluster.h"

namespace lockcheck::serve {
namespace {

int usage_error(const std::string& what) {
  std::cerr << "lockcheck serve: " << what << "\n";
  return 2;
}

}  // namespace

int serve_main(const std::vector<std::string>& args) {
  ClusterOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if ((a == "--nodes" || a == "--clients") && has_value) {
      const std::optional<int64_t> n = model::parse_int64(args[++i]);
      const int64_t max = a == "--nodes" ? kNodesMax : kClientsMax;
      if (!n || *n < 1 || *n > max) {
        return usage_error(a + " must be 1.." + std::to_string(max) + ", got '" + args[i] + "'");
      }
      (a == "--nodes" ? options.nodes : options.clients) = static_cast<int>(*n);
    } else if (a == "--persistence" && has_value) {
      const std::string& p = args[++i];
      if (!parse_persistence(p, &options.persistence)) {
        return usage_error("--persistence must be none, everysec or always, got '" + p + "'");
      }
    } else if ((a == "--replicas" || a == "--replication-lag-ms") && has_value) {
      const std::optional<int64_t> n = model::parse_int64(args[++i]);
      const int64_t max = a == "--replicas" ? kReplicasMax : kReplicationLagMsMax;
      if (!n || *n < 0 || *n > max) {
        return usage_error(a + " must be 0.." + std::to_string(max) + ", got '" + args[i] + "'");
      }
      if (a == "--replicas") {
        options.replicas = static_cast<int>(*n);
      } else {
        options.replication_lag_ms = Millis(*n);
      }
    } else if (a == "--help" || a == "-h") {
      std::cout << "usage: lockcheck serve [--nodes N] [--clients C] [--persistence none|everysec|always]\n"
                   "         [--replicas R] [--replication-lag-ms L]\n"
                   "Serves N modeled Redis 7 nodes on 127.0.0.1, one port per (client, node),\n"
                   "until SIGINT or SIGTERM. Each node is a primary with R asynchronous replicas\n"
                   "(each record and each ack takes L ms), answering WAIT from their acks.\n";
      return 0;
    } else {
      return usage_error("unknown or incomplete option '" + a + "' (see --help)");
    }
  }
  asio::io_context io;
  Cluster cluster(io, options, nullptr);
  if (std::optional<std::string> err = cluster.start()) {
    std::cerr << "lockcheck serve: " << *err << "\n";
    return 3;
  }
  for (int n = 0; n < options.nodes; ++n) {
    for (int c = 0; c < options.clients; ++c) {
      std::cout << "node-" << n << " client-" << c << " 127.0.0.1:" << cluster.port(c, n) << "\n";
    }
  }
  std::cout << "ready" << std::endl;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](asio::error_code, int) {
    cluster.stop();
    io.stop();
  });
  io.run();
  return 0;
}

}  // namespace lockcheck::serve
