// node-redlock (npm redlock 5.0.0-beta.2 on ioredis 5.4.1, pinned in
// package.json) as a lockcheck driver (docs/drivers.md).
//
// Used as its README shows: one ioredis client per node, new Redlock(clients),
// redlock.acquire([key], ttl), the work, lock.release(). Its notion of
// validity is lock.expiration (a wall-clock instant, Date.now() based):
// the driver reports it with the grant and checks it before each write.
import Redis from "ioredis";
import Redlock from "redlock";

const env = process.env;
const need = (name) => {
  if (!env[name]) {
    console.error(`redlock_driver: ${name} is not set`);
    process.exit(2);
  }
  return env[name];
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const [controlHost, controlPort] = need("LOCKCHECK_CONTROL").split(":");
const control = new Redis({ host: controlHost, port: Number(controlPort), maxRetriesPerRequest: 1 });
async function report(...args) {
  const reply = await control.call(...args);
  if (reply !== "OK") throw new Error(`control refused ${args[0]}: ${reply}`);
}

const ttlMs = Number(need("LOCKCHECK_TTL_MS"));
const clients = need("LOCKCHECK_NODES")
  .split(",")
  .map((hp) => {
    const [host, port] = hp.split(":");
    return new Redis({
      host,
      port: Number(port),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: Math.max(50, ttlMs / 10),
      retryStrategy: () => 50,
    });
  });
// Keep a crashed node's reconnect errors from killing the process.
for (const c of clients) c.on("error", () => {});
const retryDelay = 20;
const redlock = new Redlock(clients, {
  retryCount: Math.max(1, Math.floor(Number(need("LOCKCHECK_ACQUIRE_TIMEOUT_MS")) / retryDelay)),
  retryDelay,
  retryJitter: 10,
});
redlock.on("error", () => {});

async function main() {
  await report("LOCKCHECK.HELLO", need("LOCKCHECK_CLIENT"));
  while ((await control.call("LOCKCHECK.START")) !== "GO") await sleep(5);
  const key = need("LOCKCHECK_KEY");
  const writes = Number(need("LOCKCHECK_WRITES"));
  const holdMs = Number(need("LOCKCHECK_HOLD_MS"));
  const thinkMs = Number(need("LOCKCHECK_THINK_MS"));
  for (let i = 0; i < Number(need("LOCKCHECK_ACQUIRES")); i++) {
    await report("LOCKCHECK.ACQUIRING");
    let lock;
    try {
      lock = await redlock.acquire([key], ttlMs);
    } catch (e) {
      await report("LOCKCHECK.NOTGRANTED", String(e.message || e).slice(0, 200));
      await sleep(thinkMs);
      continue;
    }
    await report("LOCKCHECK.GRANTED", lock.value, String(Math.max(0, lock.expiration - Date.now())));
    for (let w = 0; w < writes; w++) {
      if (Date.now() >= lock.expiration) {
        await report("LOCKCHECK.LOST");
        break;
      }
      await report("LOCKCHECK.CHECKED");
      await report("LOCKCHECK.WRITE", lock.value);
      await sleep(holdMs / Math.max(writes, 1));
    }
    await report("LOCKCHECK.RELEASING");
    try {
      await lock.release();
      await report("LOCKCHECK.RELEASED", "ok");
    } catch (e) {
      await report("LOCKCHECK.RELEASED", "fail", String(e.message || e).slice(0, 200));
    }
    await sleep(thinkMs);
  }
  await report("LOCKCHECK.DONE");
}

main()
  .then(() => process.exit(0))
  .catch((e) => {
    console.error("redlock_driver:", e);
    process.exit(3);
  });
