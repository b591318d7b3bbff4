// The copies an RMA comes down to on the emulated network (the kernel's scif_dma.c): cutting a
// transfer into segments that each lie in one window on both sides, and moving them — by the
// calling thread, by the slot's DMA engine, or by both at once for a large SYNC transfer.

import { SCIF_RMA_ORDERED, SCIF_RMA_SYNC, SCIF_RMA_USECPU } from "../constants.ts";
import { ScifError } from "../errors.ts";
import { delay } from "../_delay.ts";
import { orderedCopy } from "./_copy.ts";
import type { DmaEngine } from "./_dma.ts";
import { type DmaFault, faultBits } from "./_faults.ts";
import type { EmuShared } from "./_shared.ts";
import type { Span } from "./bus/_bus.ts";

/** Which end of the connection a transfer's data comes from: "read" brings the peer's bytes to
 * us, "write" takes ours to the peer. */
export type Direction = "read" | "write";

/** SYNC transfers from this size are shared between the calling thread and the DMA engine. */
const SHARE_FROM = 256 * 1024;

/** One copy between our memory (`local`: an address, or an offset in a v* array) and the peer's. */
export interface Segment {
  readonly local: number;
  readonly remote: number;
  readonly length: number;
}

/** Cuts two coverings of the same number of bytes into segments that each lie in one piece of
 * both. A local span with address -1 stands for a private array (offsets count from 0). */
export function zip(local: readonly Span[], remote: readonly Span[]): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  let j = 0;
  let li = 0;
  let rj = 0;
  let done = 0;
  while (i < local.length && j < remote.length) {
    const n = Math.min(local[i].length - li, remote[j].length - rj);
    const l = local[i].addr < 0 ? done : local[i].addr + li;
    out.push({ local: l, remote: remote[j].addr + rj, length: n });
    done += n;
    li += n;
    rj += n;
    if (li === local[i].length) [i, li] = [i + 1, 0];
    if (rj === remote[j].length) [j, rj] = [j + 1, 0];
  }
  return out;
}

/** Cuts segments after `n` bytes: [the first n bytes, the rest]. */
function cut(segments: Segment[], n: number): [Segment[], Segment[]] {
  const front: Segment[] = [];
  const back: Segment[] = [];
  let done = 0;
  for (const s of segments) {
    if (done >= n) back.push(s);
    else if (done + s.length <= n) front.push(s);
    else {
      const k = n - done;
      front.push({ local: s.local, remote: s.remote, length: k });
      back.push({ local: s.local + k, remote: s.remote + k, length: s.length - k });
    }
    done += s.length;
  }
  return [front, back];
}

/** Copies `length` bytes of a private array into shared memory at `dst` (see orderedCopy). */
function orderedCopyFrom(
  u8: Uint8Array,
  from: Uint8Array,
  dst: number,
  at: number,
  length: number,
  ordered: boolean,
): void {
  if (!ordered) {
    u8.set(from.subarray(at, at + length), dst);
    return;
  }
  const last = Math.max(dst, (dst + length - 1) & ~63);
  u8.set(from.subarray(at, at + (last - dst)), dst);
  for (let a = last; a < dst + length; a++) Atomics.store(u8, a, from[at + (a - dst)]);
}

/**
 * Moves `segments` (`buffer`: the local side is that private array, which only this thread can
 * reach). Without SCIF_RMA_SYNC, USECPU or a private array, the DMA engine does it and the call
 * returns once it is queued; `held` is then a heap run of ours the engine must keep (a v*
 * array in shared memory), released by slot `slot` when it is done.
 */
export async function move(
  net: EmuShared,
  dma: DmaEngine,
  dir: Direction,
  segments: Segment[],
  buffer: Uint8Array | null,
  flags: number,
  held: number | null,
  slot: number,
): Promise<void> {
  const ordered = (flags & SCIF_RMA_ORDERED) !== 0;
  const length = segments.reduce((n, s) => n + s.length, 0);
  const byCpu = buffer !== null || (flags & SCIF_RMA_USECPU) !== 0 ||
    ((flags & SCIF_RMA_SYNC) !== 0 && dma.idle);
  // Fault injection (emu/_faults.ts): one load and a branch per call while no plan is set. A
  // USECPU transfer is the CPU's, which no DMA fault touches.
  const fault = faultBits(net) !== 0 && (flags & SCIF_RMA_USECPU) === 0 ? dma.fault() : null;
  if (fault !== null && await injected(dma, fault, byCpu || (flags & SCIF_RMA_SYNC) !== 0)) return;
  if (byCpu) {
    // A large SYNC transfer is shared with the engine, as a second channel: it takes the back
    // half while this thread copies the front (two cores move memory faster than one).
    const share = buffer === null && !ordered && (flags & SCIF_RMA_USECPU) === 0 && dma.started &&
      length >= SHARE_FROM;
    const [front, back] = share ? cut(segments, Math.floor(length / 2 / 64) * 64) : [segments, []];
    let seq = -1;
    for (const s of back) {
      seq = await (dir === "read"
        ? dma.copy(s.local, s.remote, s.length, false)
        : dma.copy(s.remote, s.local, s.length, false));
    }
    front.forEach((s, i) => {
      const last = ordered && i === front.length - 1;
      if (buffer) {
        if (dir === "read") buffer.set(net.u8.subarray(s.remote, s.remote + s.length), s.local);
        else orderedCopyFrom(net.u8, buffer, s.remote, s.local, s.length, last);
      } else if (dir === "read") orderedCopy(net.core.mem_copy, net.u8, s.local, s.remote, s.length, last);
      else orderedCopy(net.core.mem_copy, net.u8, s.remote, s.local, s.length, last);
    });
    if (seq >= 0) await dma.waitFor(seq, net.spins);
    return;
  }
  // Queued to the slot's DMA engine (EOPNOTSUPP here, before anything is held, in a runtime
  // where it cannot run).
  dma.available();
  if (held !== null) net.heap.retain(held);
  let seq = 0;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    const last = ordered && i === segments.length - 1;
    seq = dir === "read"
      ? await dma.copy(s.local, s.remote, s.length, last)
      : await dma.copy(s.remote, s.local, s.length, last);
  }
  if (held !== null) dma.after(seq, () => net.heap.release(held, slot));
  if (flags & SCIF_RMA_SYNC) await dma.waitFor(seq, net.spins);
}

/**
 * Performs an injected DMA fault before a transfer; true when the transfer failed and moves
 * nothing. `inCall`: the transfer completes in the call (SYNC, or done by this thread).
 *
 * A stall of a transfer that completes in the call delays the call; one of a queued transfer
 * is queued to the engine before it, so what follows waits too (a fence may time out). A
 * failure that completes in the call is EIO, as the kernel's scif_sync_dma and
 * scif_drain_dma_intr return when the DMA does not complete (DMA_COMPLETE not reached); a
 * queued one has returned already, so the call returns as it would, and the first fenceWait
 * whose mark covers it fails with ETIMEDOUT (the kernel's _scif_fence_wait waits for
 * DMA_COMPLETE until SCIF_NODE_ALIVE_TIMEOUT).
 */
async function injected(dma: DmaEngine, fault: DmaFault, inCall: boolean): Promise<boolean> {
  if (inCall) {
    if (fault.stallMs > 0) await delay(fault.stallMs);
    if (fault.fail) throw new ScifError("EIO", "the DMA transfer failed (an injected fault)");
    return false;
  }
  dma.available();
  if (fault.stallMs > 0) await dma.stall(fault.stallMs);
  if (fault.fail) await dma.failing();
  return fault.fail;
}
