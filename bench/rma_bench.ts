/**
 * RMA: SYNC writeTo and readFrom of 1 MiB and more between SCIF nodes in two Workers, against
 * `TypedArray.prototype.set` of the same bytes and against TCP loopback moving them between the
 * same kind of threads; and an 8-byte round trip through mapped windows against a raw Atomics
 * ping-pong. Goals: >= 0.85 of set, >= 2x TCP, mapped round trip <= 1.2x raw.
 *
 * ```sh
 * deno run -A bench/rma_bench.ts
 * ```
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { format } from "@std/fmt/bytes";
import { alternate, mappedRoundTripUs, rawRoundTripUs, rmaFigures, tcpFigures } from "./_measure.ts";

if (import.meta.main) {
  const args = parseArgs(Deno.args, {
    string: ["ms", "iters", "runs"],
    default: { ms: "250", iters: "400000", runs: "5" },
  });
  const sizes = [1, 4, 16, 64].map((m) => m << 20);
  const minMs = Number(args.ms);
  const rma = await rmaFigures(sizes, minMs);
  const tcp = await tcpFigures(sizes, minMs);
  const f = (x: number) => x.toFixed(2).padStart(6);
  console.log("size      writeTo GB/s  set GB/s  ratio   readFrom GB/s  set GB/s  ratio   TCP GB/s  RMA/TCP");
  sizes.forEach((s, i) => {
    const [w, sw, r, sr] = [rma.writeTo[i], rma.setTo[i], rma.readFrom[i], rma.setFrom[i]];
    console.log(
      `${format(s, { binary: true }).padEnd(8)}  ${f(w)}       ${f(sw)}    ${(w / sw).toFixed(2)}    ${
        f(r)
      }        ${f(sr)}    ${(r / sr).toFixed(2)}    ${f(tcp[i])}    ${
        (Math.min(w, r) / tcp[i]).toFixed(1)
      }x`,
    );
  });
  const worst = Math.min(
    ...sizes.map((_, i) => Math.min(rma.writeTo[i] / rma.setTo[i], rma.readFrom[i] / rma.setFrom[i])),
  );
  const vsTcp = Math.min(...sizes.map((_, i) => Math.min(rma.writeTo[i], rma.readFrom[i]) / tcp[i]));
  console.log(
    `worst RMA/set ${worst.toFixed(2)} (goal >= 0.85: ${worst >= 0.85 ? "met" : "NOT met"}), worst RMA/TCP ${
      vsTcp.toFixed(1)
    }x (goal >= 2: ${vsTcp >= 2 ? "met" : "NOT met"})`,
  );
  const iters = Number(args.iters);
  const runs = Number(args.runs);
  const [raw, one] = await alternate(runs, () => rawRoundTripUs(iters), () => mappedRoundTripUs(iters, 1));
  const [raw2, two] = await alternate(runs, () => rawRoundTripUs(iters), () => mappedRoundTripUs(iters, 2));
  const goal = one / raw <= 1.2 ? "met" : "NOT met";
  console.log(
    `8-byte round trip through a mapped window (one cell for both, as the raw ping-pong's one line):`,
  );
  console.log(
    `  ${one.toFixed(3)} us vs raw ${raw.toFixed(3)} us: ${(one / raw).toFixed(2)}x (goal <= 1.2: ${goal})`,
  );
  console.log(`8-byte round trip through two mapped windows (each side spins on its own, two cache lines):`);
  console.log(`  ${two.toFixed(3)} us vs raw ${raw2.toFixed(3)} us: ${(two / raw2).toFixed(2)}x`);
}
