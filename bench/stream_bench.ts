/**
 * Stream bandwidth: 64 KiB blocking sends from a SCIF node in one Worker to a node in another,
 * against `TypedArray.prototype.set` of the same bytes in 64 KiB pieces, measured alternately
 * in the same run (median of `--runs`). Goal: ratio >= 0.5.
 *
 * ```sh
 * deno run -A bench/stream_bench.ts --mib 64 --passes 4 --runs 5
 * ```
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { alternate, memcpyGBps, streamGBps } from "./_measure.ts";

if (import.meta.main) {
  const args = parseArgs(Deno.args, {
    string: ["mib", "passes", "runs", "chunk"],
    default: { mib: "64", passes: "4", runs: "5", chunk: "65536" },
  });
  const bytes = Number(args.mib) * 1024 * 1024;
  const chunk = Number(args.chunk);
  const passes = Number(args.passes);
  const [copy, stream] = await alternate(
    Number(args.runs),
    () => memcpyGBps(bytes, chunk, passes),
    () => streamGBps(bytes, chunk, passes),
  );
  const ratio = stream / copy;
  console.log(`TypedArray.prototype.set, ${chunk / 1024} KiB pieces   ${copy.toFixed(2)} GB/s`);
  console.log(`SCIF stream, ${chunk / 1024} KiB sends, 2 Workers   ${stream.toFixed(2)} GB/s`);
  console.log(
    `ratio                                  ${ratio.toFixed(2)}  (goal >= 0.5: ${
      ratio >= 0.5 ? "met" : "NOT met"
    })`,
  );
}
