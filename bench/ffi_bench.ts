/**
 * The hardware backend's own cost: non-blocking 8-byte send + recv through Deno FFI on the
 * simulated /dev/scif (tests/fixtures), against the same loop written in C inside the simulator,
 * in one run. The difference is what our FFI layer adds per call. Goal: under 1 µs per call.
 *
 * ```sh
 * deno run -A bench/ffi_bench.ts
 * ```
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { openNode } from "../mod.ts";
import { endpointBackendOf } from "../endpoint.ts";
import type { FfiEndpoint } from "../ffi/_endpoint.ts";
import { SimDevice } from "../tests/_sim.ts";

if (import.meta.main) {
  const args = parseArgs(Deno.args, { string: ["iters", "runs"], default: { iters: "200000", runs: "5" } });
  const iters = Number(args.iters);
  const sim = await SimDevice.open();
  try {
    sim.add(0);
    const node = await openNode({ backend: "hw", device: sim.device(0), libc: sim.library });
    const l = node.open();
    l.bind(2000);
    l.listen(1);
    const a = node.open();
    const [{ endpoint: b }] = await Promise.all([l.accept(), a.connect({ node: 0, port: 2000 })]);
    const out = new Uint8Array(8);
    const into = new Uint8Array(8);
    const js = async () => {
      const t0 = performance.now();
      for (let i = 0; i < iters; i++) {
        await a.send(out, { block: false });
        await b.recv(into, { block: false });
      }
      return ((performance.now() - t0) * 1e6) / iters;
    };
    const fd = (e: typeof a) => (endpointBackendOf(e) as FfiEndpoint).fd;
    const c = () => sim.benchSendRecv(fd(a), fd(b), iters);
    await js();
    c();
    const jsRuns: number[] = [];
    const cRuns: number[] = [];
    for (let r = 0; r < Number(args.runs); r++) {
      jsRuns.push(await js());
      cRuns.push(c());
    }
    const med = (xs: number[]) => xs.sort((p, q) => p - q)[xs.length >> 1];
    const [tj, tc] = [med(jsRuns), med(cRuns)];
    const perCall = (tj - tc) / 2;
    console.log(`send + recv, 8 bytes, non-blocking, through FFI   ${tj.toFixed(0)} ns`);
    console.log(`the same loop in C inside the simulator            ${tc.toFixed(0)} ns`);
    console.log(
      `FFI layer per call                                 ${perCall.toFixed(0)} ns (goal < 1000 ns: ${
        perCall < 1000 ? "met" : "NOT met"
      })`,
    );
    await node.close();
  } finally {
    sim.close();
  }
}
