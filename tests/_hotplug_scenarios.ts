// Scenarios of the hot-plug tests (tests/hotplug_test.ts): a byte stream whose every byte is
// checked, node events as a node saw them, and RMA queued to the DMA engine with a fence after.
import { SCIF_FENCE_INIT_SELF } from "../mod.ts";
import type { ScifNode } from "../mod.ts";
import type { ScenarioContext } from "./_node_handle.ts";
import { codeOf, endpoint, outcome } from "./_scenarios.ts";
import { fromWire, type Wire } from "./_rma_scenarios.ts";

/** Byte `i` of the stream. */
const at = (i: number) => (i * 7 + (i >> 16)) & 255;

/** Sends the stream on a kept endpoint until a send fails (signals "streaming" after 1 MiB);
 * resolves to the errno name and the bytes the sends said they moved. */
export async function streamPattern(
  _node: ScifNode,
  args: { name: string },
  ctx: ScenarioContext,
): Promise<{ code: string; sent: number }> {
  const ep = endpoint(args.name);
  const buf = new Uint8Array(64 * 1024);
  let sent = 0;
  let told = false;
  try {
    for (;;) {
      for (let i = 0; i < buf.length; i++) buf[i] = at(sent + i);
      sent += await ep.send(buf);
      if (!told && sent >= 1 << 20) {
        told = true;
        ctx.signal("streaming");
      }
      // A short send moved a prefix: the next chunk goes on from where it stopped.
    }
  } catch (e) {
    return { code: codeOf(e), sent };
  }
}

/** Receives the stream until a recv fails; resolves to the errno name, the count, and whether
 * every byte was the stream's (signals "streaming" after 1 MiB). */
export async function drainPattern(
  _node: ScifNode,
  args: { name: string },
  ctx: ScenarioContext,
): Promise<{ code: string; received: number; intact: boolean }> {
  const ep = endpoint(args.name);
  const buf = new Uint8Array(64 * 1024);
  let received = 0;
  let intact = true;
  let told = false;
  for (;;) {
    let n: number;
    try {
      n = await ep.recv(buf); // short only at the reset: the next recv says it
    } catch (e) {
      return { code: codeOf(e), received, intact };
    }
    for (let i = 0; i < n; i++) if (buf[i] !== at(received + i)) intact = false;
    received += n;
    if (!told && received >= 1 << 20) {
      told = true;
      ctx.signal("streaming");
    }
  }
}

const seen: string[] = [];

/** Records the node's node events from now on (events() tells them). */
export function watchEvents(node: ScifNode): Promise<void> {
  node.addEventListener("nodeadd", (e) => seen.push(`nodeadd ${e.node}`));
  node.addEventListener("noderemove", (e) => seen.push(`noderemove ${e.node}`));
  return Promise.resolve();
}

/** The node events recorded so far. */
export function events(): Promise<string[]> {
  return Promise.resolve([...seen]);
}

/** What the node's own calls say now: getNodeIds, open, allocate, and recv and send on the
 * kept endpoints named. */
export async function ownCalls(node: ScifNode, args: { names: string[] }): Promise<string[]> {
  const out = [
    await outcome(() => node.getNodeIds()),
    await outcome(() => node.open()),
    await outcome(() => node.allocate(4096)),
  ];
  for (const name of args.names) {
    out.push(await outcome(() => endpoint(name).recv(new Uint8Array(1))));
    out.push(await outcome(() => endpoint(name).send(new Uint8Array(1))));
  }
  return out;
}

/** Queues `count` writeTo of `len` bytes to the DMA engine (no SYNC), marks a fence, signals
 * "queued", and waits for the mark; resolves to what each call did. */
export async function queueThenFence(
  _node: ScifNode,
  args: { ep: string; loff: Wire; roff: Wire; len: number; count: number },
  ctx: ScenarioContext,
): Promise<{ writes: string[]; mark: string; fence: string }> {
  const ep = endpoint(args.ep);
  const writes: string[] = [];
  for (let i = 0; i < args.count; i++) {
    writes.push(await outcome(() => ep.writeTo(fromWire(args.loff), args.len, fromWire(args.roff), 0)));
  }
  let mark = -1;
  const marked = await outcome(async () => {
    mark = await ep.fenceMark(SCIF_FENCE_INIT_SELF);
  });
  ctx.signal("queued");
  const fence = mark === -1 ? marked : await outcome(() => ep.fenceWait(mark));
  return { writes, mark: marked, fence };
}
