// Scenarios of the machine's network (tests/machine_test.ts) and of progress on every path:
// programs started in any order, several programs on one node, non-blocking loops, and the
// shared state a killed process leaves (through the emulator's internals, to put a process in
// the middle of a critical section before it is killed).
import { type Endpoint, type PortId, ScifError, type ScifNode } from "../mod.ts";
import { backendOf } from "../node.ts";
import type { EmuNode } from "../emu/_node.ts";
import { H_HEAP_LOCK } from "../emu/_layout.ts";
import type { ScenarioContext } from "./_node_handle.ts";
import { ByteSource, codeOf, endpoint } from "./_scenarios.ts";

const kept = new Map<string, Endpoint>();

/** Connects to `dst`, retrying ECONNREFUSED every `everyMs` (Intel's tutorials: 20 tries, 1 s
 * apart); resolves to how many refusals came first. */
export async function connectRetry(
  node: ScifNode,
  args: { dst: PortId; tries: number; everyMs: number; name: string },
): Promise<number> {
  const ep = node.open();
  for (let refused = 0;; refused++) {
    try {
      await ep.connect(args.dst);
      kept.set(args.name, ep);
      return refused;
    } catch (e) {
      if (!(e instanceof ScifError && e.code === "ECONNREFUSED") || refused + 1 >= args.tries) throw e;
      await new Promise((r) => setTimeout(r, args.everyMs));
    }
  }
}

/** Moves `bytes` with non-blocking calls in a tight loop, awaiting nothing else (Intel's basic
 * tutorial with -b 0): the client sends them all, then receives them back. */
export async function tutorialClient(node: ScifNode, args: { dst: PortId; bytes: number }): Promise<boolean> {
  const ep = node.open();
  await ep.connect(args.dst);
  const out = new Uint8Array(args.bytes);
  new ByteSource(11).fill(out);
  for (let at = 0; at < out.length;) at += await ep.send(out.subarray(at), { block: false });
  const back = new Uint8Array(args.bytes);
  for (let at = 0; at < back.length;) at += await ep.recv(back.subarray(at), { block: false });
  ep.close();
  return back.every((b, i) => b === out[i]);
}

/** The tutorial's server: receives `bytes` with non-blocking calls, then sends them back. */
export async function tutorialServer(
  node: ScifNode,
  args: { port: number; bytes: number },
  ctx: ScenarioContext,
): Promise<number> {
  const l = node.open();
  l.bind(args.port);
  l.listen(1);
  ctx.signal("listening");
  const { endpoint: ep } = await l.accept();
  const buf = new Uint8Array(args.bytes);
  for (let at = 0; at < buf.length;) at += await ep.recv(buf.subarray(at), { block: false });
  for (let at = 0; at < buf.length;) at += await ep.send(buf.subarray(at), { block: false });
  // The peer closes once it has everything back.
  await ep.recv(new Uint8Array(1)).catch(() => {});
  ep.close();
  l.close();
  return buf.length;
}

/** Listens on `port` and answers each of `connections` connections with one byte, `tag`
 * (which program answered), after reading one. */
export async function tagServer(
  node: ScifNode,
  args: { port: number; tag: number; connections: number },
  ctx: ScenarioContext,
): Promise<PortId> {
  const l = node.open();
  const port = l.bind(args.port);
  l.listen(8);
  ctx.signal("listening", port);
  for (let i = 0; i < args.connections; i++) {
    const { endpoint: ep } = await l.accept();
    await ep.recv(new Uint8Array(1));
    await ep.send(new Uint8Array([args.tag]));
    await ep.recv(new Uint8Array(1)).catch(() => {});
    ep.close();
  }
  l.close();
  return l.localId!;
}

/** Connects to `dst`, sends a byte, resolves to the byte answered. */
export async function askTag(node: ScifNode, args: { dst: PortId }): Promise<number> {
  const ep = node.open();
  await ep.connect(args.dst);
  await ep.send(new Uint8Array([1]));
  const b = new Uint8Array(1);
  await ep.recv(b);
  ep.close();
  return b[0];
}

/** Binds `port` (0: any) and keeps the endpoint; resolves to the port or the errno name. */
export function bindKept(node: ScifNode, args: { port: number; name: string }): Promise<number | string> {
  const ep = node.open();
  try {
    const p = ep.bind(args.port);
    kept.set(args.name, ep);
    return Promise.resolve(p);
  } catch (e) {
    return Promise.resolve(codeOf(e));
  }
}

function emu(node: ScifNode): EmuNode {
  return backendOf(node) as EmuNode;
}

/** Pages of the network's heap in use now. */
export function heapPages(node: ScifNode): Promise<number> {
  return Promise.resolve(emu(node).net.heap.usedPages());
}

/** Takes the heap's lock and keeps it, as a process in the middle of an allocation would (the
 * test then kills the process). */
export function holdHeapLock(node: ScifNode): Promise<void> {
  const n = emu(node);
  Atomics.store(n.net.i32, (n.net.layout.header + H_HEAP_LOCK) >> 2, n.slot + 1);
  return Promise.resolve();
}

/** Allocates and frees `pages` pages; resolves to the milliseconds it took (a held lock makes
 * it wait until the holder is found gone). */
export function allocateTimed(node: ScifNode, args: { pages: number }): Promise<number> {
  const t = performance.now();
  const m = node.allocate(args.pages * 4096);
  node.free(m);
  return Promise.resolve(performance.now() - t);
}

/** Sends on a kept endpoint until it fails; signals "streaming" after the first MiB. */
export async function streamUntilError(_node: ScifNode, args: { name: string }, ctx: ScenarioContext) {
  const ep = endpoint(args.name);
  const buf = new Uint8Array(65536);
  let sent = 0;
  let told = false;
  try {
    for (;;) {
      sent += await ep.send(buf);
      if (!told && sent >= 1 << 20) {
        told = true;
        ctx.signal("streaming");
      }
    }
  } catch (e) {
    return codeOf(e);
  }
}

/** Closes a kept endpoint of this file. */
export function closeKept(_node: ScifNode, args: { name: string }): Promise<void> {
  kept.get(args.name)?.close();
  kept.delete(args.name);
  return Promise.resolve();
}
