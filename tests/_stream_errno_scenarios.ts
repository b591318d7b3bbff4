// Errno cases of messaging (send, recv) that run on one node in a Worker
// (tests/stream_errno_test.ts). Each resolves to what happened: an errno name, a list of them,
// or the counts moved.
import type { PortId, ScifNode } from "../mod.ts";
import { outcome } from "./_scenarios.ts";

export async function streamUnconnected(node: ScifNode): Promise<string[]> {
  const unbound = node.open();
  const bound = node.open();
  bound.bind(0);
  const listening = node.open();
  listening.bind(0);
  listening.listen(1);
  const buf = new Uint8Array(4);
  const r: string[] = [];
  for (const ep of [unbound, bound, listening]) {
    r.push(await outcome(() => ep.send(buf)), await outcome(() => ep.recv(buf)));
  }
  // Zero bytes move in every state.
  r.push(String(await unbound.send(new Uint8Array(0))), String(await unbound.recv(new Uint8Array(0))));
  return r;
}

export async function streamBadArguments(node: ScifNode, args: { dst: PortId }): Promise<string[]> {
  const ep = node.open();
  await ep.connect(args.dst);
  return [
    // deno-lint-ignore no-explicit-any
    await outcome(() => ep.send([1, 2] as any)),
    // deno-lint-ignore no-explicit-any
    await outcome(() => ep.recv(new ArrayBuffer(4) as any)),
    // deno-lint-ignore no-explicit-any
    await outcome(() => ep.send(new Uint8Array(1), 1 as any)),
    // deno-lint-ignore no-explicit-any
    await outcome(() => ep.recv(new Uint8Array(1), { block: 0 as any })),
  ];
}

/** Non-blocking calls move what they can now: 0 from an empty ring, part into a full one. */
export async function nonBlocking(node: ScifNode, args: { dst: PortId }): Promise<number[]> {
  const ep = node.open();
  await ep.connect(args.dst); // a listener that accepts and never reads
  const got = await ep.recv(new Uint8Array(10), { block: false });
  const big = new Uint8Array(1 << 20);
  const first = await ep.send(big, { block: false });
  const second = await ep.send(big, { block: false });
  return [got, first, second];
}
