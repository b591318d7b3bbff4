// The port tables of an emulated network (the kernel's scif_ports.c), in the shared memory: one
// i32 cell per port per node, (holder's slot + 1) << 24 | references. Ports are unique per
// node across every program that attached it; a port is held by one slot, and referenced once
// by each of that slot's endpoints that use it (an accepted endpoint shares its listener's
// port), so it stays taken until the last of them is closed.
//
// Cells change only by compare-and-swap, so no lock is needed and none can be left held. A
// port held by a slot whose incarnation ended (its program was killed) is free for the taking:
// a bind that finds one takes it over, as the kernel frees a dead process's ports at once.

import { SCIF_PORT_MAX, SCIF_PORT_RSVD } from "../constants.ts";
import { ScifError } from "../errors.ts";
import { type Layout, portCell, PORTS } from "./_layout.ts";

const SHIFT = 24;
const REFS = (1 << SHIFT) - 1;

/** The port table of one node, as one slot uses it. */
export class PortTable {
  readonly #i32: Int32Array;
  readonly #base: number;
  readonly #me: number;
  /** Says whether slot `slot`'s incarnation has ended. */
  readonly #gone: (slot: number) => boolean;

  constructor(l: Layout, i32: Int32Array, node: number, slot: number, gone: (slot: number) => boolean) {
    this.#i32 = i32;
    this.#base = portCell(l, node, 0) >> 2;
    this.#me = slot + 1;
    this.#gone = gone;
  }

  /** Tries to take `port` for this slot: true when it is now ours, with one reference. */
  #take(port: number): boolean {
    const i = this.#base + port;
    for (;;) {
      const v = Atomics.load(this.#i32, i);
      const holder = v >>> SHIFT;
      if (v !== 0 && !(holder !== this.#me && this.#gone(holder - 1))) return false;
      if (Atomics.compareExchange(this.#i32, i, v, (this.#me << SHIFT) | 1) === v) return true;
    }
  }

  /** Takes exactly `port` (EINVAL when it is in use: the kernel reports no EADDRINUSE). */
  reserve(port: number): number {
    if (!this.#take(port)) throw new ScifError("EINVAL", `port ${port} is in use`);
    return port;
  }

  /** Takes the lowest free port above SCIF_PORT_RSVD (the kernel's scif_get_new_port). */
  allocate(): number {
    for (let p = SCIF_PORT_RSVD + 1; p <= SCIF_PORT_MAX; p++) if (this.#take(p)) return p;
    throw new ScifError("ENOSPC", "no free port");
  }

  /** One more endpoint of this slot uses `port`, which this slot holds. */
  hold(port: number): void {
    Atomics.add(this.#i32, this.#base + port, 1);
  }

  /** Takes `port` for this slot if it is free, or one more reference if this slot has it;
   * false when another slot has it (for a bridge's stand-in, see emu/bus/tcp_bridge.ts). */
  share(port: number): boolean {
    if (this.#take(port)) return true;
    const v = Atomics.load(this.#i32, this.#base + port);
    if (v >>> SHIFT !== this.#me) return false;
    this.hold(port);
    return true;
  }

  /** One endpoint less uses `port`; the last one frees it. */
  release(port: number): void {
    const i = this.#base + port;
    for (;;) {
      const v = Atomics.load(this.#i32, i);
      if (v >>> SHIFT !== this.#me || (v & REFS) === 0) return;
      const next = (v & REFS) === 1 ? 0 : v - 1;
      if (Atomics.compareExchange(this.#i32, i, v, next) === v) return;
    }
  }

  /** The slot that holds `port`, or -1. */
  holderOf(port: number): number {
    return (Atomics.load(this.#i32, this.#base + port) >>> SHIFT) - 1;
  }
}

/** Frees every port of node `node` that slot `slot` holds (its incarnation ended). */
export function reclaimPorts(l: Layout, i32: Int32Array, node: number, slot: number): void {
  const base = portCell(l, node, 0) >> 2;
  for (let p = 0; p < PORTS; p++) {
    const v = Atomics.load(i32, base + p);
    if (v !== 0 && v >>> SHIFT === slot + 1) Atomics.compareExchange(i32, base + p, v, 0);
  }
}
