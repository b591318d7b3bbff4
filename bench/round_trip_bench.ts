// 8-byte round trip (blocking send + blocking recv) between two Workers against a raw
// Atomics ping-pong between two Workers, measured in the same run.
import { createNetwork } from "../mod.ts";
import type { Job } from "./_stream_worker.ts";

const ITERS = Number(Deno.args[0] ?? 200000);

function worker(url: string): Worker {
  return new Worker(new URL(url, import.meta.url), { type: "module" });
}

function next<T>(w: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    w.onmessage = (e) => resolve(e.data);
    w.onerror = (e) => reject(e);
  });
}

export async function rawRoundTripUs(iters: number): Promise<number> {
  const sab = new SharedArrayBuffer(256);
  const [a, b] = [worker("./_raw_worker.ts"), worker("./_raw_worker.ts")];
  const done = next<number>(a);
  b.postMessage({ sab, role: "pong", iters });
  a.postMessage({ sab, role: "ping", iters });
  const ms = await done;
  a.terminate();
  b.terminate();
  return (ms * 1000) / iters;
}

export async function scifRoundTripUs(iters: number, size = 8): Promise<number> {
  const net = await createNetwork({ nodes: 2 });
  const [srv, cli] = [worker("./_stream_worker.ts"), worker("./_stream_worker.ts")];
  const ready = next(srv);
  srv.postMessage({
    handle: net.handle(1),
    job: { kind: "echo-server", port: 2000, iters, size } satisfies Job,
  });
  await ready;
  const done = next<{ result: number }>(cli);
  const srvDone = new Promise((r) => (srv.onmessage = r));
  cli.postMessage({
    handle: net.handle(0),
    job: { kind: "ping-client", node: 1, port: 2000, iters, size } satisfies Job,
  });
  const { result } = await done;
  await srvDone;
  srv.terminate();
  cli.terminate();
  return result * 1000;
}

if (import.meta.main) {
  const raw = await rawRoundTripUs(ITERS);
  const scif = await scifRoundTripUs(ITERS);
  console.log(`raw Atomics ping-pong      ${raw.toFixed(3)} us`);
  console.log(`SCIF send/recv 8 B         ${scif.toFixed(3)} us`);
  console.log(`ratio                      ${(scif / raw).toFixed(2)}x (goal <= 2.5)`);
}
