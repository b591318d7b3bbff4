// What the tests of programs on the machine's emulated network share (tests/machine_test.ts,
// machine_end_test.ts, machine_join_test.ts, machine_tcp_test.ts): a group of program
// processes, a program on a node, a connection between two, and the scenario modules they run.
import { guarded, scenarios } from "./_cluster.ts";
import type { NodeWorker } from "./_node_handle.ts";
import { Processes } from "./_processes.ts";

/** A test of programs: a hang fails it with what it awaited of them (tests/_cluster.ts). */
export function test(name: string, fn: () => Promise<void>): void {
  Deno.test(name, () => guarded(fn, 240_000));
}

export const S = scenarios<typeof import("./_scenarios.ts")>(new URL("./_scenarios.ts", import.meta.url));
export const R = scenarios<typeof import("./_rma_scenarios.ts")>(
  new URL("./_rma_scenarios.ts", import.meta.url),
);
export const M = scenarios<typeof import("./_machine_scenarios.ts")>(
  new URL("./_machine_scenarios.ts", import.meta.url),
);
export const ST = scenarios<typeof import("./_stream_scenarios.ts")>(
  new URL("./_stream_scenarios.ts", import.meta.url),
);
export const RO = scenarios<typeof import("./_rma_order_scenarios.ts")>(
  new URL("./_rma_order_scenarios.ts", import.meta.url),
);
export const MIB = 1024 * 1024;
export const PAGE = 4096;
export const RW = 3;

/** A group of program processes on a machine of `nodes` nodes. */
export function machine(nodes = 4): Promise<Processes> {
  return Processes.create({ SCIF_EMU_NODES: String(nodes), SCIF_EMU_MEMORY: "512" });
}

/** A program on node `node`. */
export function program(
  group: Processes,
  node: number,
  env: Record<string, string> = {},
): Promise<NodeWorker> {
  return group.spawn({ SCIF_NODE: String(node), ...env });
}

/** Programs a and b with a connection: a's endpoint "c", b's "conn0". */
export async function pair(a: NodeWorker, b: NodeWorker, port = 2000): Promise<void> {
  const listening = b.signal("listening");
  const served = b.run(S, "listen", { port, backlog: 1, accepts: 1 });
  await listening;
  await a.run(S, "connect", { dst: { node: b.nodeId, port }, name: "c" });
  await served;
}

/** Waits until `read` gives `want` (or the time is up); resolves to what it gave last. */
export async function settle<T>(read: () => Promise<T>, want: (v: T) => boolean, ms = 3000): Promise<T> {
  const until = performance.now() + ms;
  let v = await read();
  while (!want(v) && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    v = await read();
  }
  return v;
}
