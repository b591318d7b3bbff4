/**
 * RMA between the same two Workers (lab/mod.ts): SCIF_RMA_SYNC writeTo and readFrom of 1 MiB
 * to 64 MiB transfers walking through 64 MiB windows, against TypedArray.prototype.set of the
 * same bytes and TCP loopback moving them. Goals: >= 0.85 of set, >= 2x TCP.
 *
 * ```sh
 * deno run -A bench/rma_bench.ts --ms 200
 * ```
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { Lab } from "../lab/mod.ts";

if (import.meta.main) {
  const args = parseArgs(Deno.args, { string: ["ms"], default: { ms: "200" } });
  const ms = Number(args.ms);
  const sizes = [1, 4, 16, 64].map((m) => m << 20);
  const lab = await Lab.open({ bytes: 64 << 20 });
  await new Promise((r) => setTimeout(r, 1500)); // the DMA engine (a Worker's Worker) comes up
  for (const m of ["writeTo", "readFrom", "memcpy", "tcp"] as const) await lab.bandwidth(m, 1 << 20, ms / 2); // warm up
  console.log("size     writeTo   readFrom  set       TCP       RMA/set  RMA/TCP   (GB/s)");
  let worstSet = Infinity;
  let worstTcp = Infinity;
  for (const size of sizes) {
    const [w, r, c, t] = [
      await lab.bandwidth("writeTo", size, ms),
      await lab.bandwidth("readFrom", size, ms),
      await lab.bandwidth("memcpy", size, ms),
      await lab.bandwidth("tcp", size, ms),
    ];
    const rma = Math.min(w, r);
    worstSet = Math.min(worstSet, rma / c);
    worstTcp = Math.min(worstTcp, rma / t);
    const f = (x: number) => x.toFixed(2).padEnd(8);
    console.log(
      `${String(size >> 20).padStart(3)} MiB  ${f(w)}  ${f(r)}  ${f(c)}  ${f(t)}  ${
        (rma / c).toFixed(2).padEnd(7)
      }  ${(rma / t).toFixed(1)}x`,
    );
  }
  await lab.close();
  console.log(
    `worst RMA/set ${worstSet.toFixed(2)} (goal >= 0.85: ${
      worstSet >= 0.85 ? "met" : "NOT met"
    }), worst RMA/TCP ${worstTcp.toFixed(1)}x (goal >= 2: ${worstTcp >= 2 ? "met" : "NOT met"})`,
  );
}
