// node-redlock (the versions drivers/node/package.json pins) in a loop of
// uncontended lock cycles (acquire + release), for scripts/peers_bench.sh.
// It lives beside the driver so that the benchmark measures the same
// library the real-time checks judge, from one install.
//   node drivers/node/redlock_loop.mjs HOST:PORT CYCLES
// Prints "cycles_per_s=<n> cpu_s=<t>" as bench/peer_loops does.
import Redis from "ioredis";
import Redlock from "redlock";

const [address, cyclesText] = process.argv.slice(2);
const cycles = Number(cyclesText);
const [host, port] = (address || "").split(":");
if (!host || !Number.isInteger(Number(port)) || !Number.isInteger(cycles) || cycles <= 0) {
  console.error("usage: node redlock_loop.mjs HOST:PORT CYCLES");
  process.exit(2);
}

try {
  const client = new Redis({ host, port: Number(port), lazyConnect: true });
  await client.connect();
  // One try per acquire: the lock is never contended here, and a retry
  // would hide a failure the loop should report.
  const redlock = new Redlock([client], { retryCount: 0 });
  const ttlMs = 30000; // the key pattern and TTL of the other peers
  const wallStart = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < cycles; ++i) {
    const lock = await redlock.acquire(["peers:lock"], ttlMs);
    await lock.release();
  }
  const wallS = Number(process.hrtime.bigint() - wallStart) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  console.log(`cycles_per_s=${Math.round(cycles / wallS)} cpu_s=${((cpu.user + cpu.system) / 1e6).toFixed(3)}`);
  client.disconnect();
} catch (e) {
  console.error(`redlock_loop: ${e.message}`);
  process.exit(1);
}
