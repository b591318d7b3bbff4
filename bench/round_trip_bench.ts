/**
 * 8-byte round trip (blocking send + blocking recv) between SCIF nodes in two Workers, against
 * a raw Atomics ping-pong on one cache line between two Workers, measured alternately in the
 * same run (median of `--runs`). Goal: ratio <= 2.5.
 *
 * ```sh
 * deno task bench            # this and the stream benchmark
 * deno run -A bench/round_trip_bench.ts --iters 200000 --runs 5
 * ```
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { alternate, rawRoundTripUs, scifRoundTripUs } from "./_measure.ts";

if (import.meta.main) {
  const args = parseArgs(Deno.args, { string: ["iters", "runs"], default: { iters: "600000", runs: "7" } });
  const iters = Number(args.iters);
  const [raw, scif] = await alternate(
    Number(args.runs),
    () => rawRoundTripUs(iters),
    () => scifRoundTripUs(iters),
  );
  const ratio = scif / raw;
  console.log(`raw Atomics ping-pong, 2 Workers   ${raw.toFixed(3)} us`);
  console.log(`SCIF send/recv 8 B, 2 Workers      ${scif.toFixed(3)} us`);
  console.log(
    `ratio                              ${ratio.toFixed(2)}x  (goal <= 2.5: ${
      ratio <= 2.5 ? "met" : "NOT met"
    })`,
  );
}
