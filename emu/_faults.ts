// Fault injection on an emulated network (issue 15): the plan, checked, and where it lives —
// the network's header (emu/_layout.ts, H_FAULTS...), so that every thread and process of the
// network sees the same plan, a Worker attached through a NetworkHandle included, and a change
// of plan reaches them all at once.
//
// Decisions are reproducible: each is a pure draw (emu/_prng.ts) of the plan's seed, a stream
// (the node and the kind of fault) and the index of the thing decided about (the node's n-th
// DMA transfer), never of the time. Two runs that make the same calls in the same order on a
// node meet the same faults.
//
// Free when off: with no plan H_FAULTS is 0, and the places that inject test it once per
// call (an RMA, a control message), never per byte; nothing else is read.

import { ScifError } from "../errors.ts";
import {
  H_DELAY_HI,
  H_DELAY_LO,
  H_DELAY_MS,
  H_DMA_FAIL,
  H_DMA_STALL,
  H_DMA_STALL_MS,
  H_FAULT_SEED,
  H_FAULTS,
  H_JITTER_MS,
  H_PARTITION_HI,
  H_PARTITION_LO,
  H_SILENT_HI,
  H_SILENT_LO,
  type Layout,
  MAX_NODES,
} from "./_layout.ts";
import { draw, drawn } from "./_prng.ts";

/** H_FAULTS bits. */
export const FAULT_DMA = 1;
export const FAULT_SILENT = 2;
export const FAULT_DELAY = 4;
export const FAULT_PARTITION = 8;

const ONE = 2 ** 30; // a probability of 1 in H_DMA_FAIL's units

/**
 * A plan of faults for an emulated network: what goes wrong, how often, and the seed that
 * makes it the same every run.
 *
 * @example
 * ```ts
 * import type { FaultPlan } from "../mod.ts";
 * const plan: FaultPlan = {
 *   seed: 42,
 *   dma: { failRate: 0.1, stallRate: 0.05, stallMs: 20 },
 *   silentNodes: [2],
 * };
 * ```
 */
export interface FaultPlan {
  /** The seed of every decision (an integer; taken modulo 2^32). */
  seed: number;
  /** The DMA engines: a transfer (one RMA call that is not SCIF_RMA_USECPU) fails with
   * probability `failRate` and, before it moves, stalls `stallMs` with probability `stallRate`.
   * A failed SYNC transfer (and a v* transfer of a private array, which completes in the call)
   * fails with EIO and moves nothing; a failed transfer without SCIF_RMA_SYNC returns as it
   * would, moves nothing, and the first fenceWait whose mark covers it fails with ETIMEDOUT
   * once the network's fenceTimeoutMs has passed. */
  dma?: { failRate?: number; stallRate?: number; stallMs?: number };
  /** Nodes that stop answering without closing: they drop every control message another node
   * sends them, so a connect to them fails with ECONNREFUSED after connectTimeoutMs, and a
   * fenceWait on their RMAs (SCIF_FENCE_INIT_PEER) with ETIMEDOUT after fenceTimeoutMs. */
  silentNodes?: number[];
  /** Delay and jitter on connections: a send from one of `nodes` (default every node) waits
   * `ms` plus a drawn 0..`jitterMs` (per send of its endpoint) before its bytes go into the
   * ring, in order: what the peer receives comes that much later. */
  delay?: { ms?: number; jitterMs?: number; nodes?: number[] };
  /** A partition of the links to other machines (the machine's network linked over TCP,
   * emu/bus/tcp.ts): while set, this machine's links to the machines that hold `nodes` carry
   * nothing — they are closed, and new ones refused both ways — so those machines' nodes are
   * lost here as when a link drops (ECONNRESET on connections, ENODEV on connects, gone from
   * getNodeIds, "noderemove"); cleared, the links are made again and the nodes come back as
   * new incarnations. Nodes of this machine's own are not cut (nothing to do on a network of
   * threads). */
  partition?: { nodes?: number[] };
}

/** A probability as H_DMA_FAIL's units, or EINVAL naming `name`. */
function rate(name: string, v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v !== "number" || !(v >= 0 && v <= 1)) {
    throw new ScifError("EINVAL", `${name} must be a number in [0, 1], got ${String(v)}`);
  }
  return Math.round(v * ONE);
}

/** An integer of milliseconds, or EINVAL naming `name`. */
function millis(name: string, v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1) {
    throw new ScifError("EINVAL", `${name} must be an integer in [0, 2^31 - 1], got ${String(v)}`);
  }
  return v;
}

/** Node ids as two bit masks (nodes 0..31, 32..63), checked against the network's `nodes`. */
function nodeMask(name: string, list: unknown, nodes: number): [number, number] {
  if (!Array.isArray(list)) throw new ScifError("EINVAL", `${name} must be an array of node ids`);
  let lo = 0;
  let hi = 0;
  for (const n of list) {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n >= Math.min(nodes, MAX_NODES)) {
      throw new ScifError("ENODEV", `${name}: node ${String(n)} does not exist (the network has ${nodes})`);
    }
    if (n < 32) lo |= 1 << n;
    else hi |= 1 << (n - 32);
  }
  return [lo, hi];
}

/** The header words of a plan, checked (EINVAL for anything out of range). */
function encode(plan: FaultPlan, nodes: number): number[] {
  if (typeof plan !== "object" || plan === null) throw new ScifError("EINVAL", "a fault plan is an object");
  if (typeof plan.seed !== "number" || !Number.isInteger(plan.seed)) {
    throw new ScifError("EINVAL", `the fault plan's seed must be an integer, got ${String(plan.seed)}`);
  }
  const dma = plan.dma ?? {};
  if (typeof dma !== "object" || dma === null) throw new ScifError("EINVAL", "dma must be an object");
  const fail = rate("dma.failRate", dma.failRate);
  const stall = rate("dma.stallRate", dma.stallRate);
  const stallMs = millis("dma.stallMs", dma.stallMs);
  const [lo, hi] = nodeMask("silentNodes", plan.silentNodes ?? [], nodes);
  const delay = plan.delay ?? {};
  if (typeof delay !== "object" || delay === null) throw new ScifError("EINVAL", "delay must be an object");
  const delayMs = millis("delay.ms", delay.ms);
  const jitterMs = millis("delay.jitterMs", delay.jitterMs);
  const [dlo, dhi] = delay.nodes === undefined ? [-1, -1] : nodeMask("delay.nodes", delay.nodes, nodes);
  const delayed = delayMs > 0 || jitterMs > 0;
  const partition = plan.partition ?? {};
  if (typeof partition !== "object" || partition === null) {
    throw new ScifError("EINVAL", "partition must be an object");
  }
  const [plo, phi] = nodeMask("partition.nodes", partition.nodes ?? [], nodes);
  const bits = (fail > 0 || (stall > 0 && stallMs > 0) ? FAULT_DMA : 0) | (lo | hi ? FAULT_SILENT : 0) |
    (delayed && (dlo | dhi) !== 0 ? FAULT_DELAY : 0) | (plo | phi ? FAULT_PARTITION : 0);
  return [
    bits,
    plan.seed | 0,
    fail,
    stallMs > 0 ? stall : 0,
    stallMs,
    lo,
    hi,
    delayMs,
    jitterMs,
    dlo,
    dhi,
    plo,
    phi,
  ];
}

/** Checks `plan` for a network of `nodes` nodes (what set would throw). */
export function checkFaults(plan: FaultPlan, nodes: number): void {
  encode(plan, nodes);
}

const FIELDS = [
  H_FAULTS,
  H_FAULT_SEED,
  H_DMA_FAIL,
  H_DMA_STALL,
  H_DMA_STALL_MS,
  H_SILENT_LO,
  H_SILENT_HI,
  H_DELAY_MS,
  H_JITTER_MS,
  H_DELAY_LO,
  H_DELAY_HI,
  H_PARTITION_LO,
  H_PARTITION_HI,
];

/** Writes `plan` (null: no faults) into the header of the network in `i32`. H_FAULTS goes
 * first to 0 and last to its value: a reader that sees a kind enabled sees its fields. */
export function writeFaults(i32: Int32Array, layout: Layout, plan: FaultPlan | null): void {
  const words = plan === null ? FIELDS.map(() => 0) : encode(plan, layout.nodes);
  const at = (f: number) => (layout.header + f) >> 2;
  Atomics.store(i32, at(H_FAULTS), 0);
  for (let i = 1; i < FIELDS.length; i++) Atomics.store(i32, at(FIELDS[i]), words[i]);
  Atomics.store(i32, at(H_FAULTS), words[0]);
}

/** The plan in the header of the network in `i32` (null: none), as a FaultPlan. */
export function readFaults(i32: Int32Array, layout: Layout): FaultPlan | null {
  const h = (f: number) => Atomics.load(i32, (layout.header + f) >> 2);
  const bits = h(H_FAULTS);
  if (bits === 0) return null;
  const maskNodes = (lo: number, hi: number) =>
    Array.from({ length: layout.nodes }, (_, n) => n).filter((n) =>
      ((n < 32 ? lo >>> n : hi >>> (n - 32)) & 1) === 1
    );
  const plan: FaultPlan = { seed: h(H_FAULT_SEED) >>> 0 };
  if (bits & FAULT_DMA) {
    plan.dma = {
      failRate: h(H_DMA_FAIL) / ONE,
      stallRate: h(H_DMA_STALL) / ONE,
      stallMs: ms(h(H_DMA_STALL_MS)),
    };
  }
  if (bits & FAULT_SILENT) {
    plan.silentNodes = maskNodes(h(H_SILENT_LO), h(H_SILENT_HI));
  }
  if (bits & FAULT_DELAY) {
    plan.delay = {
      ms: ms(h(H_DELAY_MS)),
      jitterMs: ms(h(H_JITTER_MS)),
      nodes: maskNodes(h(H_DELAY_LO), h(H_DELAY_HI)),
    };
  }
  if (bits & FAULT_PARTITION) plan.partition = { nodes: maskNodes(h(H_PARTITION_LO), h(H_PARTITION_HI)) };
  return plan;
}

/** A duration read from the header, which any program of the network may have written: a
 * negative word (never written by writeFaults) counts as none. */
function ms(v: number): number {
  return v > 0 ? v : 0;
}

/** What the network's memory needs for the checks below. */
interface Net {
  readonly i32: Int32Array;
  readonly layout: Layout;
}

/** The H_FAULTS bits now (0: faults are off; the one load the injecting places make). */
export function faultBits(net: Net): number {
  return Atomics.load(net.i32, (net.layout.header + H_FAULTS) >> 2);
}

/** Whether node `node` is silent now. */
export function silent(net: Net, node: number): boolean {
  if ((faultBits(net) & FAULT_SILENT) === 0) return false;
  const word = Atomics.load(net.i32, (net.layout.header + (node < 32 ? H_SILENT_LO : H_SILENT_HI)) >> 2);
  return ((word >>> (node & 31)) & 1) === 1;
}

/** Whether the link to node `node`'s machine is cut now (a partition). */
export function partitioned(net: Net, node: number): boolean {
  if ((faultBits(net) & FAULT_PARTITION) === 0) return false;
  const word = Atomics.load(
    net.i32,
    (net.layout.header + (node < 32 ? H_PARTITION_LO : H_PARTITION_HI)) >> 2,
  );
  return ((word >>> (node & 31)) & 1) === 1;
}

/** What becomes of DMA transfer number `index` of node `node`: whether it fails, and how long
 * it stalls first (0: not at all). */
export interface DmaFault {
  readonly fail: boolean;
  readonly stallMs: number;
}

const STREAM_FAIL = 0;
const STREAM_STALL = 1;

/** The fault of node `node`'s DMA transfer number `index`; null when there is none. */
export function dmaFault(net: Net, node: number, index: number): DmaFault | null {
  if ((faultBits(net) & FAULT_DMA) === 0) return null;
  const h = (f: number) => Atomics.load(net.i32, (net.layout.header + f) >> 2);
  const seed = h(H_FAULT_SEED);
  const fail = drawn(seed, node * 4 + STREAM_FAIL, index, h(H_DMA_FAIL));
  const stallMs = drawn(seed, node * 4 + STREAM_STALL, index, h(H_DMA_STALL)) ? ms(h(H_DMA_STALL_MS)) : 0;
  return fail || stallMs > 0 ? { fail, stallMs } : null;
}

const STREAM_DELAY = 2;

/** How long send number `index` of an endpoint of node `node` waits before its bytes go (0:
 * not at all): the plan's delay plus a drawn part of its jitter. */
export function sendDelay(net: Net, node: number, index: number): number {
  if ((faultBits(net) & FAULT_DELAY) === 0) return 0;
  const h = (f: number) => Atomics.load(net.i32, (net.layout.header + f) >> 2);
  if (((h(node < 32 ? H_DELAY_LO : H_DELAY_HI) >>> (node & 31)) & 1) === 0) return 0;
  const jitter = ms(h(H_JITTER_MS));
  const drawnPart = jitter === 0
    ? 0
    : Math.floor((draw(h(H_FAULT_SEED), node * 4 + STREAM_DELAY, index) / 2 ** 32) * (jitter + 1));
  return ms(h(H_DELAY_MS)) + drawnPart;
}
