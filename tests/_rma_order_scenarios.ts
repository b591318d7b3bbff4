// RMA scenarios about order, for nodes in Workers (tests/rma_test.ts, tests/machine_test.ts):
// random transfers fenced in batches against a model, ordered writes and their watchers, flags
// that land after the data (fenceSignal), fences marked and waited for. They use the memories
// and views tests/_rma_scenarios.ts keeps, on the connections tests/_scenarios.ts keeps.
import {
  SCIF_FENCE_INIT_PEER,
  SCIF_FENCE_INIT_SELF,
  SCIF_RMA_ORDERED,
  SCIF_RMA_SYNC,
  SCIF_RMA_USECPU,
  SCIF_SIGNAL_LOCAL,
  SCIF_SIGNAL_REMOTE,
  type ScifNode,
} from "../mod.ts";
import type { ScenarioContext } from "./_node_handle.ts";
import { ByteSource, endpoint, outcome } from "./_scenarios.ts";
import { fromWire, memories, plus, views, type Wire } from "./_rma_scenarios.ts";

/**
 * The randomized test: `batches` batches of random non-SYNC writeTo/readFrom calls (random
 * sizes, offsets, flags) across the local windows [lbase, lbase + lsize) and the peer's
 * [rbase, rbase + rsize), each batch closed by fenceMark + fenceWait. Within a batch no call
 * touches bytes another one writes (only fences order transfers). The same operations are
 * applied to a model of both spaces, returned with the local bytes for comparison.
 */
export async function randomTransfers(
  _node: ScifNode,
  args: {
    ep: string;
    lbase: number;
    lsize: number;
    lseed: number;
    rbase: number;
    rsize: number;
    rseed: number;
    rsizes: number[];
    locals: string[];
    batches: number;
    perBatch: number;
    seed: number;
  },
): Promise<{ calls: number; local: number[]; modelLocal: number[]; modelRemote: number[] }> {
  const ep = endpoint(args.ep);
  const rnd = new ByteSource(args.seed);
  // The model: the initial contents, as register() filled them window by window.
  const modelLocal = new Uint8Array(args.lsize);
  const modelRemote = new Uint8Array(args.rsize);
  fillLike(modelLocal, args.locals.map((n) => memories.get(n)!.length), args.lseed);
  fillLike(modelRemote, args.rsizes, args.rseed);
  let calls = 0;
  for (let b = 0; b < args.batches; b++) {
    const busyL: [number, number][] = [];
    const busyR: [number, number][] = [];
    const pending: Promise<void>[] = [];
    for (let k = 0; k < args.perBatch; k++) {
      const max = Math.min(rnd.next() % 4 === 0 ? 20000 : 3000, args.lsize, args.rsize);
      const len = 1 + (rnd.next() % max);
      const lo = rnd.next() % (args.lsize - len + 1);
      const ro = rnd.next() % (args.rsize - len + 1);
      const write = (rnd.next() & 1) === 1;
      const flags = [0, 0, SCIF_RMA_ORDERED, SCIF_RMA_USECPU][rnd.next() % 4];
      // writeTo reads L, writes R; readFrom reads R, writes L. Skip what would race.
      const [dstBusy, srcBusy, dst, src] = write ? [busyR, busyL, ro, lo] : [busyL, busyR, lo, ro];
      if (overlaps(dstBusy, dst, len) || overlaps(srcBusy, src, len)) continue;
      dstBusy.push([dst, len]);
      srcBusy.push([src, len]);
      if (write) {
        modelRemote.set(modelLocal.subarray(lo, lo + len), ro);
        pending.push(ep.writeTo(args.lbase + lo, len, args.rbase + ro, flags));
      } else {
        modelLocal.set(modelRemote.subarray(ro, ro + len), lo);
        pending.push(ep.readFrom(args.lbase + lo, len, args.rbase + ro, flags));
      }
      calls++;
    }
    await Promise.all(pending);
    await ep.fenceWait(await ep.fenceMark(SCIF_FENCE_INIT_SELF));
  }
  const local: number[] = [];
  for (const n of args.locals) local.push(...memories.get(n)!);
  return { calls, local, modelLocal: [...modelLocal], modelRemote: [...modelRemote] };
}

/** Fills `into` the way register() filled windows of `sizes` bytes with seeds seed, seed+1, ... */
function fillLike(into: Uint8Array, sizes: number[], seed: number): void {
  let at = 0;
  sizes.forEach((n, i) => {
    new ByteSource(seed + i).fill(into.subarray(at, at + n));
    at += n;
  });
}

function overlaps(busy: [number, number][], at: number, len: number): boolean {
  return busy.some(([b, n]) => at < b + n && b < at + len);
}

/** Spins (Atomics.load on its own memory) until the u64 at `flagAt` of a kept memory equals
 * `value`, then reports whether the bytes [checkFrom, checkTo) all equal `fill`. With
 * `yielding`, it lets the event loop turn between looks (a process whose own bridge carries
 * the signal must). */
export async function spinForFlag(
  _node: ScifNode,
  args: {
    name: string;
    flagAt: number;
    value: string;
    checkFrom: number;
    checkTo: number;
    fill: number;
    timeoutMs: number;
    yielding?: boolean;
  },
  ctx: ScenarioContext,
): Promise<{ seen: boolean; complete: boolean }> {
  const mem = memories.get(args.name)!;
  const flag = new BigInt64Array(mem.buffer, mem.byteOffset + args.flagAt, 1);
  const want = BigInt(args.value);
  ctx.signal("spinning");
  const until = performance.now() + args.timeoutMs;
  while (Atomics.load(flag, 0) !== want) {
    if (performance.now() > until) return { seen: false, complete: false };
    if (args.yielding) await new Promise((r) => setTimeout(r, 0));
  }
  let complete = true;
  for (let i = args.checkFrom; i < args.checkTo; i++) if (mem[i] !== args.fill) complete = false;
  return { seen: true, complete };
}

/**
 * ORDERED's last-cache-line rule, many times over: in round r, writes `len` bytes that all hold
 * the round's value v = r % 255 + 1 into the peer's window at `roff`, with `flags`; the last
 * byte is the flag the peer spins on. The peer (watchOrdered) answers by storing v at byte
 * `len` of its window, which we wait for before the next round.
 */
export async function writeOrdered(
  node: ScifNode,
  args: { ep: string; name: string; roff: Wire; len: number; rounds: number; flags: number },
): Promise<number> {
  const ep = endpoint(args.ep);
  const mem = node.allocate(args.len);
  memories.set(args.name, mem);
  const loff = ep.register(mem, { bigint: true });
  const roff = fromWire(args.roff);
  const ackAt = fromWire(plus(args.roff, args.len));
  const ack = new Uint8Array(1);
  for (let r = 1; r <= args.rounds; r++) {
    const v = (r % 255) + 1;
    mem.fill(v, 0, args.len);
    await ep.writeTo(loff, args.len, roff, args.flags);
    do await ep.vreadFrom(ack, ackAt, SCIF_RMA_SYNC); while (ack[0] !== v);
  }
  return args.rounds;
}

/** The peer of writeOrdered: spins on the last byte of the data; each time it holds the new
 * round's value, checks that every byte before it already does, then answers. Resolves to the
 * number of rounds in which a byte landed after the flag. */
export function watchOrdered(
  _node: ScifNode,
  args: { name: string; len: number; rounds: number },
  ctx: ScenarioContext,
): Promise<number> {
  const mem = memories.get(args.name)!;
  mem.fill(0, 0, args.len + 1);
  ctx.signal("watching");
  let early = 0;
  for (let r = 1; r <= args.rounds; r++) {
    const v = (r % 255) + 1;
    while (Atomics.load(mem, args.len - 1) !== v);
    for (let i = 0; i < args.len - 1; i++) {
      if (Atomics.load(mem, i) !== v) {
        early++;
        break;
      }
    }
    Atomics.store(mem, args.len, v);
  }
  return Promise.resolve(early);
}

/** An 8-byte ping-pong through mapped windows: each side spins on its own memory and stores into
 * the peer's through its view. Resolves to the mean round trip in µs (pinger) or 0. */
export function mappedPingPong(
  _node: ScifNode,
  args: { mine: string; theirs: string; role: "ping" | "pong"; iters: number },
  ctx: ScenarioContext,
): Promise<number> {
  const mine = memories.get(args.mine)!;
  const theirs = views.get(args.theirs)!;
  const inbox = new BigInt64Array(mine.buffer, mine.byteOffset, 1);
  const outbox = new BigInt64Array(theirs.buffer, theirs.byteOffset, 1);
  ctx.signal("ready");
  let t0 = 0;
  const warm = args.iters >> 2;
  for (let i = 1n; i <= BigInt(args.iters); i++) {
    if (i === BigInt(warm) + 1n) t0 = performance.now();
    if (args.role === "ping") {
      Atomics.store(outbox, 0, i);
      while (Atomics.load(inbox, 0) !== i);
    } else {
      while (Atomics.load(inbox, 0) !== i);
      Atomics.store(outbox, 0, i);
    }
  }
  return Promise.resolve(args.role === "ping" ? ((performance.now() - t0) * 1000) / (args.iters - warm) : 0);
}

/** A non-SYNC writeTo of a whole kept memory to `roff`, then fenceSignal of `value` at
 * `flagRoff` (INIT_SELF | SIGNAL_REMOTE), and a local signal too. */
export async function writeThenSignal(
  _node: ScifNode,
  args: {
    ep: string;
    loff: Wire;
    len: number;
    roff: Wire;
    flagRoff: Wire;
    value: string;
    localFlag?: Wire;
  },
): Promise<void> {
  const ep = endpoint(args.ep);
  await ep.writeTo(fromWire(args.loff), args.len, fromWire(args.roff), 0);
  const local = args.localFlag !== undefined ? SCIF_SIGNAL_LOCAL : 0;
  await ep.fenceSignal(
    fromWire(args.localFlag ?? 0),
    BigInt(args.value),
    fromWire(args.flagRoff),
    BigInt(args.value),
    SCIF_FENCE_INIT_SELF | SCIF_SIGNAL_REMOTE | local,
  );
}

/** The peer's view of fences: marks the peer's RMAs and waits for them (INIT_PEER). */
export async function waitForPeer(_node: ScifNode, args: { ep: string }): Promise<number> {
  const ep = endpoint(args.ep);
  const mark = await ep.fenceMark(SCIF_FENCE_INIT_PEER);
  await ep.fenceWait(mark);
  return mark;
}

/** fenceSignal with INIT_PEER: writes `value` at our `localFlag` once the peer's RMAs so far are done. */
export async function signalAfterPeer(
  _node: ScifNode,
  args: { ep: string; localFlag: Wire; value: string },
): Promise<void> {
  await endpoint(args.ep).fenceSignal(
    fromWire(args.localFlag),
    BigInt(args.value),
    0,
    0n,
    SCIF_FENCE_INIT_PEER | SCIF_SIGNAL_LOCAL,
  );
}

/** fenceWait on a mark `ahead` past the one fenceMark gives now (ours, or the peer's with
 * `peer`); resolves to the outcome and how long it took. */
export async function futureFence(
  _node: ScifNode,
  args: { ep: string; peer: boolean; ahead: number },
): Promise<{ code: string; ms: number }> {
  const ep = endpoint(args.ep);
  const mark = await ep.fenceMark(args.peer ? SCIF_FENCE_INIT_PEER : SCIF_FENCE_INIT_SELF);
  const t0 = performance.now();
  const code = await outcome(() => ep.fenceWait((mark + args.ahead) >>> 0));
  return { code, ms: performance.now() - t0 };
}
