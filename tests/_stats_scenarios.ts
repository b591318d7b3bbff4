// Scenarios of the statistics tests (tests/stats_test.ts): exact traffic on the connections
// tests/_scenarios.ts keeps ("c" on the connecting node, "conn0" on the accepting one), then
// the node's statistics as plain data (they cross to the test by postMessage or JSON).
import { type NodeStats, SCIF_FENCE_INIT_SELF, SCIF_RMA_SYNC, type ScifNode } from "../mod.ts";
import { endpoint } from "./_scenarios.ts";

/** Sends `count` messages of `size` bytes, each with one blocking send. */
export async function sendMessages(
  _node: ScifNode,
  args: { name: string; count: number; size: number },
): Promise<number> {
  const ep = endpoint(args.name);
  let sent = 0;
  for (let i = 0; i < args.count; i++) sent += await ep.send(new Uint8Array(args.size).fill(i));
  return sent;
}

/** Receives `count` messages of `size` bytes, each with one blocking recv. */
export async function recvMessages(
  _node: ScifNode,
  args: { name: string; count: number; size: number },
): Promise<number> {
  const ep = endpoint(args.name);
  let got = 0;
  for (let i = 0; i < args.count; i++) got += await ep.recv(new Uint8Array(args.size));
  return got;
}

/** Registers `bytes` (whole pages) of allocated memory at the fixed offset `offset`. */
export function exposeWindow(
  node: ScifNode,
  args: { name: string; bytes: number; offset: number },
): Promise<number> {
  const ep = endpoint(args.name);
  return Promise.resolve(
    Number(ep.register(node.allocate(args.bytes), { offset: args.offset, fixed: true })),
  );
}

/** One vwriteTo and one vreadFrom of `bytes` at the peer's `offset` (SYNC), then a fence's mark
 * and wait; resolves to whether the bytes came back. */
export async function rma(
  _node: ScifNode,
  args: { name: string; bytes: number; offset: number },
): Promise<boolean> {
  const ep = endpoint(args.name);
  const out = new Uint8Array(args.bytes).map((_, i) => i * 7);
  await ep.vwriteTo(out, args.offset, SCIF_RMA_SYNC);
  const back = new Uint8Array(args.bytes);
  await ep.vreadFrom(back, args.offset, SCIF_RMA_SYNC);
  await ep.fenceWait(await ep.fenceMark(SCIF_FENCE_INIT_SELF));
  return back.every((v, i) => v === out[i]);
}

/** The node's statistics, and the port of the kept endpoint `name` (to find it in them). */
export function stats(
  node: ScifNode,
  args: { name?: string },
): Promise<{ stats: NodeStats; port: number | null }> {
  const stats = JSON.parse(JSON.stringify(node.stats())) as NodeStats;
  return Promise.resolve({ stats, port: args.name ? endpoint(args.name).localId!.port : null });
}

/** Closes the kept endpoint `name`. */
export function closeEndpoint(_node: ScifNode, args: { name: string }): Promise<void> {
  endpoint(args.name).close();
  return Promise.resolve();
}
