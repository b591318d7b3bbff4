// The setting of the RMA and fence errno tests (tests/rma_errno_test.ts,
// tests/fence_errno_test.ts): two connected nodes in Workers, each with windows at known offsets,
// and memory that register refuses.
import { SCIF_PROT_READ } from "../mod.ts";
import { type Cluster, type NodeWorker, scenarios } from "./_cluster.ts";

export const R = scenarios<typeof import("./_rma_scenarios.ts")>(
  new URL("./_rma_scenarios.ts", import.meta.url),
);
export const PAGE = 4096;

/** A call as the `calls` scenario takes it: [method, ...args]. */
export type Call = [string, ...unknown[]];

/** Runs calls on a kept endpoint ("c": ours to the peer), or on the node itself with ep "";
 * resolves to what each did ("ok" or the errno name). */
export function calls(w: NodeWorker, list: Call[], ep = "c"): Promise<string[]> {
  return w.run(R, "calls", { ep, list });
}

/** Nodes 0 ("a") and 1 ("b") of `cluster` (3 nodes), connected ("c" on a, "conn0" on b), with:
 * the peer's space read-write 0x10000..0x12000, read-only 0x20000, read-write 0x30000; ours
 * read-write 0x10000..0x12000, read-only 0x20000; and memories "spare" (4 pages), "misaligned",
 * "short", "empty" (slices of it) and "private" (not the network's). */
export async function rmaErrnoSetting(cluster: Cluster): Promise<{ a: NodeWorker; b: NodeWorker }> {
  const [a, b] = await cluster.connectedPair();
  // The peer's space: read-write 0x10000..0x12000, read-only 0x20000, read-write 0x30000.
  await b.run(R, "register", { ep: "conn0", name: "rw", pages: 2, seed: 1, offset: 0x10000 });
  await b.run(R, "register", {
    ep: "conn0",
    name: "ro",
    pages: 1,
    seed: 2,
    offset: 0x20000,
    prot: SCIF_PROT_READ,
  });
  await b.run(R, "register", { ep: "conn0", name: "rw2", pages: 1, seed: 3, offset: 0x30000 });
  // Ours: read-write 0x10000..0x12000, read-only 0x20000.
  await a.run(R, "register", { ep: "c", name: "lrw", pages: 2, seed: 4, offset: 0x10000 });
  await a.run(R, "register", {
    ep: "c",
    name: "lro",
    pages: 1,
    seed: 5,
    offset: 0x20000,
    prot: SCIF_PROT_READ,
  });
  await a.run(R, "allocate", { name: "spare", bytes: 4 * PAGE });
  await a.run(R, "slice", { name: "spare", from: 100, to: 100 + PAGE, as: "misaligned" });
  await a.run(R, "slice", { name: "spare", from: 0, to: 100, as: "short" });
  await a.run(R, "slice", { name: "spare", from: 0, to: 0, as: "empty" });
  await a.run(R, "plain", { name: "private", bytes: PAGE });
  return { a, b };
}
