// node-redlock (npm "redlock", over ioredis): one uncontended lock cycle
// (lock + unlock) in a loop, for scripts/peers_bench.sh.
//   node redlock_loop.js HOST:PORT CYCLES
// Prints "cycles_per_s=<n> cpu_s=<t>" as bench/peer_loops does.
'use strict';
const Redis = require('ioredis');
const Redlock = require('redlock');

async function main() {
  const [address, cyclesText] = process.argv.slice(2);
  const cycles = Number(cyclesText);
  const [host, port] = (address || '').split(':');
  if (!host || !Number.isInteger(Number(port)) || !Number.isInteger(cycles) || cycles <= 0) {
    console.error('usage: node redlock_loop.js HOST:PORT CYCLES');
    process.exit(2);
  }
  const client = new Redis({ host, port: Number(port), lazyConnect: true });
  await client.connect();
  const redlock = new Redlock([client], { retryCount: 0 });
  const ttlMs = 30000;  // the key pattern and TTL of the other peers
  const wallStart = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < cycles; ++i) {
    const lock = await redlock.lock('peers:lock', ttlMs);
    await lock.unlock();
  }
  const wallS = Number(process.hrtime.bigint() - wallStart) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  console.log(`cycles_per_s=${Math.round(cycles / wallS)} cpu_s=${((cpu.user + cpu.system) / 1e6).toFixed(3)}`);
  client.disconnect();
}

main().catch((e) => {
  console.error(`redlock_loop: ${e.message}`);
  process.exit(1);
});
