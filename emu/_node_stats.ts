// The statistics of an emulated node (ScifNode.stats): this program's endpoints of it, their
// sums, and the slot table's line of every program attached to the network.
//
// Each slot publishes the sums of its endpoints' counters in its own line of the slot table
// (S_STAT_*), so that another program (`scif stats`) sees what every program of a node did.
// Only the slot's thread writes them, and not on any call's path: its dispatcher publishes at
// most every PUBLISH_MS on its turns (a machine network's dispatcher turns at least every
// 250 ms while it has endpoints), and stats() and an endpoint's end publish at once. The i64
// fields are read and written with Atomics on a BigInt64Array, so a reader never sees half of
// one.
//
// The slot table is written by other threads and programs: each value read from it is
// checked before it is shown (a slot whose node is out of range is left out, a count is
// clamped to [0, 2^53)), so a hostile or half-written line cannot make a table lie in our name.

import { addCounters, EndpointCounters, endpointStats, type NodeStats, type SlotStats } from "../_stats.ts";
import type { PortId } from "../types.ts";
import {
  S_DROPPED,
  S_NODE,
  S_PID,
  S_STAT_BYTES_RECEIVED,
  S_STAT_BYTES_SENT,
  S_STAT_ENDPOINTS,
  S_STAT_MESSAGES_RECEIVED,
  S_STAT_MESSAGES_SENT,
  S_STAT_RMA_BYTES,
  S_STATE,
  SLOT_ACTIVE,
  slotField,
} from "./_layout.ts";
import type { EmuShared } from "./_shared.ts";

/** The least time between two publications by a dispatcher's turns. */
export const PUBLISH_MS = 100;

/** What the statistics need of an endpoint. */
export interface CountedEndpoint {
  readonly counters: EndpointCounters;
  readonly state: string;
  readonly localId: PortId | null;
  readonly peerId: PortId | null;
}

const views = new WeakMap<ArrayBufferLike, BigInt64Array>();

/** The network's memory as i64s. */
function i64Of(net: EmuShared): BigInt64Array {
  const buffer = net.i32.buffer;
  let v = views.get(buffer);
  if (!v) views.set(buffer, v = new BigInt64Array(buffer));
  return v;
}

/** A count read from another program's line: an integer in [0, 2^53). */
function count(v: bigint | number): number {
  const n = Number(v);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

/** The sums of `endpoints`' counters and `closed`'s. */
export function totalsOf(endpoints: Iterable<CountedEndpoint>, closed: EndpointCounters): EndpointCounters {
  const totals = addCounters(new EndpointCounters(), closed);
  for (const ep of endpoints) addCounters(totals, ep.counters);
  return totals;
}

/** Writes slot `slot`'s sums into its line (only the slot's own thread calls this). */
export function publishSlotStats(net: EmuShared, slot: number, totals: EndpointCounters, open: number): void {
  const i64 = i64Of(net);
  const at = (field: number) => slotField(net.layout, slot, field) >> 3;
  const put = (field: number, v: number) => Atomics.store(i64, at(field), BigInt(Math.trunc(v)));
  put(S_STAT_BYTES_SENT, totals.bytesSent);
  put(S_STAT_BYTES_RECEIVED, totals.bytesReceived);
  put(S_STAT_MESSAGES_SENT, totals.messagesSent);
  put(S_STAT_MESSAGES_RECEIVED, totals.messagesReceived);
  put(S_STAT_RMA_BYTES, totals.rmaReadBytes + totals.rmaWriteBytes);
  net.store(slotField(net.layout, slot, S_STAT_ENDPOINTS), open);
}

/** Every active slot of `net`'s slot table, its values checked. */
export function slotStats(net: EmuShared, self: number): SlotStats[] {
  const out: SlotStats[] = [];
  const { slots, nodes } = net.layout;
  const i64 = i64Of(net);
  for (let s = 0; s < slots; s++) {
    if (net.slot(s, S_STATE) !== SLOT_ACTIVE) continue;
    const node = net.slot(s, S_NODE);
    if (!Number.isInteger(node) || node < 0 || node >= nodes) continue;
    const big = (field: number) => count(Atomics.load(i64, slotField(net.layout, s, field) >> 3));
    out.push({
      slot: s,
      node,
      pid: count(net.slot(s, S_PID)),
      self: s === self,
      endpoints: count(net.slot(s, S_STAT_ENDPOINTS)),
      bytesSent: big(S_STAT_BYTES_SENT),
      bytesReceived: big(S_STAT_BYTES_RECEIVED),
      messagesSent: big(S_STAT_MESSAGES_SENT),
      messagesReceived: big(S_STAT_MESSAGES_RECEIVED),
      rmaBytes: big(S_STAT_RMA_BYTES),
      droppedMessages: count(net.slot(s, S_DROPPED)),
    });
  }
  return out;
}

/** The node's statistics: `closed` holds the sums of the endpoints already gone. Publishes
 * this slot's sums first, so that its own line in `slots` is up to date. */
export function nodeStats(
  net: EmuShared,
  nodeId: number,
  slot: number,
  endpoints: Iterable<CountedEndpoint>,
  closed: EndpointCounters,
): NodeStats {
  const list = [...endpoints];
  const totals = totalsOf(list, closed);
  publishSlotStats(net, slot, totals, list.length);
  return {
    node: nodeId,
    droppedMessages: count(net.slot(slot, S_DROPPED)),
    totals,
    endpoints: list.map((ep) => endpointStats(ep.counters, ep.localId?.port ?? null, ep.peerId, ep.state)),
    slots: slotStats(net, slot),
  };
}

/** The endpoints of a slot, as its publisher sees them (emu/_endpoint_table.ts). */
export interface CountedEndpoints {
  values(): Iterable<CountedEndpoint>;
  readonly size: number;
}

/** The publication of one slot's statistics: when its dispatcher publishes next, whether an
 * endpoint ended since the last publication, and the sums of the endpoints gone. */
export class NodeStatsPublisher {
  readonly #net: EmuShared;
  readonly #slot: number;
  readonly #endpoints: CountedEndpoints;
  readonly #stopped: () => boolean;
  /** The sums of the counters of the endpoints forgotten so far. */
  readonly #closed = new EndpointCounters();
  /** When the dispatcher publishes the slot's statistics next. */
  #due = 0;
  /** An endpoint ended since the slot's line was last published (see ended). */
  #stale = false;

  /** Publishes zeros at once: the slot's last incarnation's are not ours. */
  constructor(net: EmuShared, slot: number, endpoints: CountedEndpoints, stopped: () => boolean) {
    this.#net = net;
    this.#slot = slot;
    this.#endpoints = endpoints;
    this.#stopped = stopped;
    publishSlotStats(net, slot, this.#closed, 0);
  }

  /** Whether an endpoint ended since the last publication (the dispatcher wakes to publish). */
  get stale(): boolean {
    return this.#stale;
  }

  /** Keeps the counts of an endpoint that is about to be forgotten in the totals. */
  closed(counters: EndpointCounters): void {
    addCounters(this.#closed, counters);
  }

  /** An endpoint was forgotten. Publishing walks every endpoint: at most once per PUBLISH_MS
   * here too (closing n endpoints must not cost n^2); the dispatcher's next turns publish what
   * this one left stale. */
  ended(): void {
    if (performance.now() >= this.#due) this.#publish();
    else this.#stale = true;
  }

  /** A dispatcher's turn: publishes if it is time. */
  turn(): void {
    if (performance.now() >= this.#due) this.#publish();
  }

  /** The node's statistics (nodeStats). */
  stats(nodeId: number): NodeStats {
    return nodeStats(this.#net, nodeId, this.#slot, this.#endpoints.values(), this.#closed);
  }

  /** Publishes the slot's statistics in its line of the slot table, for other programs. */
  #publish(): void {
    if (this.#stopped()) return; // the slot may be another program's by now
    this.#due = performance.now() + PUBLISH_MS;
    this.#stale = false;
    const totals = totalsOf(this.#endpoints.values(), this.#closed);
    publishSlotStats(this.#net, this.#slot, totals, this.#endpoints.size);
  }
}
