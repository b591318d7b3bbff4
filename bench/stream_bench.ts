/**
 * Stream bandwidth between the same two Workers (lab/mod.ts): blocking sends of `--chunk`
 * bytes walking through 64 MiB, against TypedArray.prototype.set of the same bytes, in
 * interleaved rounds (medians). Goal at 64 KiB: >= 0.6.
 *
 * ```sh
 * deno run -A bench/stream_bench.ts --chunk 65536 --rounds 5
 * ```
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { Lab, median } from "../lab/mod.ts";

if (import.meta.main) {
  const args = parseArgs(Deno.args, {
    string: ["chunk", "rounds", "ms"],
    default: { chunk: "65536", rounds: "5", ms: "200" },
  });
  const chunk = Number(args.chunk);
  const lab = await Lab.open({ bytes: 64 << 20 });
  const copy: number[] = [];
  const stream: number[] = [];
  await lab.bandwidth("stream", chunk, Number(args.ms)); // warm up
  for (let r = 0; r < Number(args.rounds); r++) {
    copy.push(await lab.bandwidth("memcpy", chunk, Number(args.ms)));
    stream.push(await lab.bandwidth("stream", chunk, Number(args.ms)));
  }
  await lab.close();
  const [c, s] = [median(copy), median(stream)];
  console.log(`TypedArray.prototype.set, ${chunk >> 10} KiB pieces   ${c.toFixed(2)} GB/s`);
  console.log(
    `SCIF stream, ${chunk >> 10} KiB sends             ${s.toFixed(2)} GB/s   ${
      (s / c).toFixed(2)
    } of set (goal >= 0.6: ${s / c >= 0.6 ? "met" : "NOT met"})`,
  );
}
