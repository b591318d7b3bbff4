// What one slot knows of the others (the kernel's scif_nm.c, node add and removal, for
// attachments): which incarnation of each slot it has adopted, the end of those incarnations
// (closed, or their holder's thread or process gone), and the release of an ended one once
// nothing of ours refers to it any more (see _slots.ts).
//
// How an end is seen: a slot that closes says so in the slot table and rings everyone; a
// Worker of this program that ends releases its Web Lock, which the bus watches; a process
// that ends releases its file locks, which the bus looks at from time to time (pollsLiveness),
// at most every LIVENESS_MS while this slot has anything another slot could be part of.

import {
  MODE_LOCAL,
  N_MODE,
  N_SLOT,
  N_STATE,
  NODE_LOST,
  NODE_ONLINE,
  nodeField,
  S_NODE,
  S_PID,
  S_STATE,
  S_WATCHABLE,
  SLOT_ACTIVE,
} from "./_layout.ts";
import { endSlot, releaseSlot } from "./_slots.ts";
import type { EmuShared } from "./_shared.ts";

/** How often a slot looks at the liveness of the slots of other processes, at most. */
export const LIVENESS_MS = 250;

/** What the tracker tells its slot. */
export interface PeerEvents {
  /** Slot `k`'s incarnation ended; `nodeLost`: its node went with it. Drop what refers to it. */
  slotGone(k: number, nodeLost: boolean): void;
  /** Runs `fn` once nothing of ours touches slot `k`'s memory any more: the DMA engine has done
   * what it had queued, and every mapping of its windows is unmapped. */
  whenDoneWith(k: number, fn: () => void): void;
}

/** The other slots as one slot sees them. */
export class PeerTracker {
  readonly #net: EmuShared;
  readonly #self: number;
  readonly #known: number[]; // per slot: the incarnation adopted, -1 when none
  readonly #unwatch: ((() => void) | null)[];
  readonly #events: PeerEvents;
  readonly #pid: number;
  #lastPoll = 0;

  constructor(net: EmuShared, self: number, pid: number, events: PeerEvents) {
    this.#net = net;
    this.#self = self;
    this.#pid = pid;
    this.#events = events;
    this.#known = new Array(net.layout.slots).fill(-1);
    this.#unwatch = new Array(net.layout.slots).fill(null);
  }

  /** The incarnation of slot `k` adopted (-1: none). */
  known(k: number): number {
    return this.#known[k] ?? -1;
  }

  /** Whether slot `k`'s incarnation `epoch` is the one adopted. */
  adopted(k: number, epoch: number): boolean {
    return this.#known[k] === epoch;
  }

  /** Every slot whose incarnation is adopted. */
  *adoptedSlots(): Iterable<number> {
    for (let k = 0; k < this.#known.length; k++) if (this.#known[k] !== -1) yield k;
  }

  /** Whether this bus needs the dispatcher to wake from time to time to look at liveness. */
  get polls(): boolean {
    return this.#net.bus.pollsLiveness;
  }

  /** Compares the slot table with the incarnations adopted: drops the ones that ended and
   * adopts new ones. `poll`: also asks the bus whether the holders are still there (at most
   * every LIVENESS_MS). */
  sync(poll: boolean): void {
    const net = this.#net;
    const now = performance.now();
    const look = poll && net.bus.pollsLiveness && now - this.#lastPoll >= LIVENESS_MS;
    if (look) this.#lastPoll = now;
    for (let k = 0; k < this.#known.length; k++) {
      if (k === this.#self) continue;
      const active = net.slot(k, S_STATE) === SLOT_ACTIVE;
      const epoch = net.slotEpoch(k);
      const known = this.#known[k];
      if (known !== -1 && active && epoch === known && look && !net.bus.holderAlive(k)) {
        this.ended(k, epoch); // its process is gone
        continue;
      }
      if (known !== -1 && (!active || epoch !== known)) this.#drop(k, known);
      if (this.#known[k] === -1 && active) this.#adopt(k, epoch);
    }
  }

  #adopt(k: number, epoch: number): void {
    const net = this.#net;
    this.#known[k] = epoch;
    // A Worker of this program is watched through its Web Lock; other programs' slots by
    // their file locks (sync with poll).
    if (net.slot(k, S_WATCHABLE) === 1 && net.slot(k, S_PID) === this.#pid) {
      this.#unwatch[k] = net.bus.watchSlot(k, () => this.ended(k, epoch));
    }
  }

  /** Slot k's incarnation `epoch` is seen to have ended without closing (its thread or
   * process is gone): it is DEAD, and the node it had goes with it. */
  ended(k: number, epoch: number): void {
    const net = this.#net;
    if (net.slotEpoch(k) !== epoch) return;
    const node = net.slot(k, S_NODE);
    if (endSlot(net, k, epoch) && node >= 0 && node < net.layout.nodes) {
      // The node of a thread or a stand-in lives with its slot; a machine's own node does not.
      const l = net.layout;
      if (
        net.load(nodeField(l, node, N_MODE)) !== MODE_LOCAL && net.load(nodeField(l, node, N_SLOT)) === k + 1
      ) {
        net.cas(nodeField(l, node, N_STATE), NODE_ONLINE, NODE_LOST);
      }
    }
    net.ringAll();
  }

  /** Slot k's incarnation `epoch` ended: reset what used it, then release it once nothing of
   * ours touches its memory. */
  #drop(k: number, epoch: number): void {
    const net = this.#net;
    this.#unwatch[k]?.();
    this.#unwatch[k] = null;
    this.#known[k] = -1;
    const node = net.slot(k, S_NODE);
    const nodeLost = !(node >= 0 && node < net.layout.nodes) ||
      net.load(nodeField(net.layout, node, N_STATE)) !== NODE_ONLINE;
    this.#events.slotGone(k, nodeLost);
    this.#events.whenDoneWith(k, () => releaseSlot(net, this.#self, k, epoch));
  }

  /** Stops watching everyone (the slot closes). */
  stop(): void {
    for (let k = 0; k < this.#unwatch.length; k++) this.#unwatch[k]?.();
    this.#unwatch.fill(null);
  }
}
