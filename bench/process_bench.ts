/**
 * Between two processes on one machine's emulated network (lab/mod.ts, Lab.openProcesses):
 * the 8-byte round trip, the stream and SYNC RMA, against the limits measured between the same
 * two processes in interleaved rounds (medians): a cache line ping-ponged through a page both
 * map (raw), TypedArray.prototype.set of the same bytes (memcpy), and a Unix socket. Goals:
 * send/recv <= 2x raw, mmap <= 1.2x raw; stream at 64 KiB >= 0.8x memcpy and >= 2x the Unix
 * socket; SYNC RMA from 1 MiB up >= 0.85x memcpy. Also the wake-up of a peer that sleeps.
 *
 * ```sh
 * deno run -A bench/process_bench.ts --rounds 5
 * ```
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { type BandwidthMethod, Lab, type LatencyMethod, median } from "../lab/mod.ts";

if (import.meta.main) {
  const args = parseArgs(Deno.args, {
    string: ["rounds", "iters", "ms"],
    default: { rounds: "5", iters: "200000", ms: "150" },
  });
  const rounds = Number(args.rounds);
  const iters = Number(args.iters);
  const ms = Number(args.ms);
  const lab = await Lab.openProcesses({ bytes: 64 << 20 });
  const slow = (m: LatencyMethod) => m === "unix";
  const rtMethods: LatencyMethod[] = ["raw", "mmap", "sendrecv", "unix"];
  const bw: { method: BandwidthMethod; size: number }[] = [
    { method: "memcpy", size: 65536 },
    { method: "stream", size: 65536 },
    { method: "unix", size: 65536 },
    ...[1 << 20, 4 << 20, 16 << 20].flatMap((size) =>
      (["memcpy", "writeTo", "readFrom"] as BandwidthMethod[]).map((method) => ({ method, size }))
    ),
  ];
  for (const m of rtMethods) await lab.warmUp(m, slow(m) ? 2000 : iters / 4);
  for (const b of bw) await lab.bandwidth(b.method, b.size, ms / 2);
  const rt: Record<string, number[]> = {};
  const gb: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const m of rtMethods) (rt[m] ??= []).push(await lab.latency(m, slow(m) ? 5000 : iters));
    for (const b of bw) (gb[`${b.method}@${b.size}`] ??= []).push(await lab.bandwidth(b.method, b.size, ms));
  }
  const wake = await lab.latency("wakeup", 40);
  await lab.close();
  const us = Object.fromEntries(Object.entries(rt).map(([k, v]) => [k, median(v)]));
  const g = Object.fromEntries(Object.entries(gb).map(([k, v]) => [k, median(v)]));
  const goal = (v: number, ok: boolean, target: string) =>
    `${v.toFixed(2)}x (goal ${target}: ${ok ? "met" : "NOT met"})`;
  console.log(`two processes, ${rounds} interleaved rounds (medians):`);
  console.log(`  raw ping-pong through a shared page  ${us.raw.toFixed(3)} us`);
  console.log(
    `  SCIF mmap'd window, 8 bytes          ${us.mmap.toFixed(3)} us  ${
      goal(us.mmap / us.raw, us.mmap / us.raw <= 1.2, "<= 1.2")
    }`,
  );
  console.log(
    `  SCIF send/recv, 8 bytes              ${us.sendrecv.toFixed(3)} us  ${
      goal(us.sendrecv / us.raw, us.sendrecv / us.raw <= 2, "<= 2")
    }`,
  );
  console.log(
    `  Unix socket, 8 bytes                 ${us.unix.toFixed(1)} us  (${
      (us.unix / us.sendrecv).toFixed(0)
    }x send/recv)`,
  );
  console.log(`  a sleeping peer's round trip         ${wake.toFixed(0)} us (its wake-up)`);
  const s = g["stream@65536"];
  console.log(`  stream, 64 KiB sends                 ${s.toFixed(2)} GB/s`);
  console.log(
    `    vs memcpy ${g["memcpy@65536"].toFixed(2)} GB/s: ${
      goal(s / g["memcpy@65536"], s / g["memcpy@65536"] >= 0.8, ">= 0.8")
    }`,
  );
  console.log(
    `    vs Unix socket ${g["unix@65536"].toFixed(2)} GB/s: ${
      goal(s / g["unix@65536"], s / g["unix@65536"] >= 2, ">= 2")
    }`,
  );
  for (const size of [1 << 20, 4 << 20, 16 << 20]) {
    const c = g[`memcpy@${size}`];
    const rma = Math.min(g[`writeTo@${size}`], g[`readFrom@${size}`]);
    console.log(
      `  SYNC RMA ${size >> 20} MiB, worst of writeTo ${g[`writeTo@${size}`].toFixed(2)} / readFrom ${
        g[`readFrom@${size}`].toFixed(2)
      } GB/s vs memcpy ${c.toFixed(2)}: ${goal(rma / c, rma / c >= 0.85, ">= 0.85")}`,
    );
  }
}
