/**
 * 8-byte round trips between the same two Workers (lab/mod.ts): blocking send + recv, a
 * store through a mapped window, against a raw Atomics ping-pong on one cache line, in
 * interleaved rounds (medians). Goals: send/recv <= 2x raw (2.5x for the first version),
 * mmap <= 1.2x raw.
 *
 * ```sh
 * deno run -A bench/round_trip_bench.ts --iters 400000 --rounds 7
 * ```
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { Lab, type LatencyMethod, median } from "../lab/mod.ts";

if (import.meta.main) {
  const args = parseArgs(Deno.args, {
    string: ["iters", "rounds"],
    default: { iters: "400000", rounds: "7" },
  });
  const iters = Number(args.iters);
  const lab = await Lab.open({ bytes: 1 << 20 });
  const methods: LatencyMethod[] = ["raw", "sendrecv", "mmap"];
  for (const m of methods) await lab.warmUp(m, iters);
  const runs: Record<string, number[]> = { raw: [], sendrecv: [], mmap: [] };
  for (let r = 0; r < Number(args.rounds); r++) {
    for (const m of methods) runs[m].push(await lab.latency(m, iters));
  }
  await lab.close();
  const [raw, sr, mm] = methods.map((m) => median(runs[m]));
  console.log(`raw Atomics ping-pong (one line)   ${raw.toFixed(3)} us`);
  console.log(
    `SCIF send/recv, 8 bytes            ${sr.toFixed(3)} us   ${(sr / raw).toFixed(2)}x raw (goal <= 2: ${
      sr / raw <= 2 ? "met" : "NOT met"
    })`,
  );
  console.log(
    `SCIF mmap'd window, 8 bytes        ${mm.toFixed(3)} us   ${(mm / raw).toFixed(2)}x raw (goal <= 1.2: ${
      mm / raw <= 1.2 ? "met" : "NOT met"
    })`,
  );
}
