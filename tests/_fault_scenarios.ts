// Fault injection scenarios for nodes in Workers (tests/faults_test.ts): runs of RMAs on the
// connection tests/_scenarios.ts keeps ("c"), with the windows of tests/_rma_errno.ts, that say
// what each transfer met, and whether its bytes moved.
import {
  SCIF_FENCE_INIT_PEER,
  SCIF_FENCE_INIT_SELF,
  SCIF_RMA_SYNC,
  SCIF_RMA_USECPU,
  type ScifNode,
} from "../mod.ts";
import { endpoint, outcome } from "./_scenarios.ts";
import { memories } from "./_rma_scenarios.ts";

const PAGE = 4096;

/**
 * `count` writeTo calls of a page from our window "lrw" (0x10000) to the peer's 0x10000, each
 * with a fresh byte in it; `sync`: with SCIF_RMA_SYNC (the call's outcome), else without (the
 * outcome of a fenceWait on a SCIF_FENCE_INIT_SELF mark after it). Each outcome is "ok" or the
 * errno, then ":moved" or ":stale" (the peer's first byte read back with a CPU copy).
 */
export async function writes(
  _node: ScifNode,
  args: { count: number; sync: boolean },
): Promise<string[]> {
  const ep = endpoint("c");
  const mem = memories.get("lrw")!;
  const back = new Uint8Array(1);
  const out: string[] = [];
  for (let i = 0; i < args.count; i++) {
    const value = (i % 250) + 1;
    mem[0] = value;
    let result: string;
    if (args.sync) result = await outcome(() => ep.writeTo(0x10000, PAGE, 0x10000, SCIF_RMA_SYNC));
    else {
      await ep.writeTo(0x10000, PAGE, 0x10000);
      result = await outcome(async () => await ep.fenceWait(await ep.fenceMark(SCIF_FENCE_INIT_SELF)));
    }
    await ep.vreadFrom(back, 0x10000, SCIF_RMA_SYNC | SCIF_RMA_USECPU);
    out.push(`${result}:${back[0] === value ? "moved" : "stale"}`);
  }
  return out;
}

/** `count` SYNC writeTo calls, each said "slow" when it took at least `slowMs`, else "fast". */
export async function timedWrites(
  _node: ScifNode,
  args: { count: number; slowMs: number },
): Promise<string[]> {
  const ep = endpoint("c");
  const out: string[] = [];
  for (let i = 0; i < args.count; i++) {
    const t0 = performance.now();
    await ep.writeTo(0x10000, PAGE, 0x10000, SCIF_RMA_SYNC);
    out.push(performance.now() - t0 >= args.slowMs ? "slow" : "fast");
  }
  return out;
}

/** A writeTo without SYNC, then fenceWaits on its mark, `gapMs` apart: their outcomes. */
export async function fenceAfterWrite(
  _node: ScifNode,
  args: { waits: number; gapMs: number },
): Promise<string[]> {
  const ep = endpoint("c");
  await ep.writeTo(0x10000, PAGE, 0x10000);
  const mark = await ep.fenceMark(SCIF_FENCE_INIT_SELF);
  const out: string[] = [];
  for (let i = 0; i < args.waits; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, args.gapMs));
    out.push(await outcome(() => ep.fenceWait(mark)));
  }
  return out;
}

/** A fenceWait on a SCIF_FENCE_INIT_PEER mark: its outcome and how long it took (ms). */
export async function peerFence(_node: ScifNode): Promise<{ outcome: string; ms: number }> {
  const ep = endpoint("c");
  const t0 = performance.now();
  const result = await outcome(async () => await ep.fenceWait(await ep.fenceMark(SCIF_FENCE_INIT_PEER)));
  return { outcome: result, ms: performance.now() - t0 };
}

/** A connect to `node`:`port` on a new endpoint (closed after): its outcome and how long it took. */
export async function timedConnect(
  node: ScifNode,
  args: { node: number; port: number },
): Promise<{ outcome: string; ms: number }> {
  const ep = node.open();
  const t0 = performance.now();
  const result = await outcome(() => ep.connect({ node: args.node, port: args.port }));
  const ms = performance.now() - t0;
  await ep.close();
  return { outcome: result, ms };
}

/** `count` blocking sends of 8 bytes (message i is eight bytes of i) on "c": how long each took (ms). */
export async function timedSends(_node: ScifNode, args: { count: number }): Promise<number[]> {
  const ep = endpoint("c");
  const out: number[] = [];
  for (let i = 0; i < args.count; i++) {
    const t0 = performance.now();
    await ep.send(new Uint8Array(8).fill(i));
    out.push(performance.now() - t0);
  }
  return out;
}

/** Receives `bytes` bytes on "conn0" (blocking): them, as numbers. */
export async function recvBytes(_node: ScifNode, args: { bytes: number }): Promise<number[]> {
  const buf = new Uint8Array(args.bytes);
  await endpoint("conn0").recv(buf);
  return [...buf];
}
