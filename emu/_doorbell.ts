// The dispatcher's side of a slot's doorbell: how the dispatcher of emu/_node.ts takes a turn
// after each ring and sleeps between them. The ringers' side is EmuShared.ringSlot and wakeSlot
// (emu/_shared.ts), and the DMA engine's ring (emu/_dma_thread.ts).
//
// Invariants:
// - No ring is lost: a turn begins with a read of the doorbell (open), and the dispatcher sleeps
//   only if the doorbell still has that value after it announced in S_SLEEPING that it sleeps
//   (maySleep). Both are sequentially consistent, and a ringer bumps the doorbell before it
//   clears S_SLEEPING, so one of the two sees the other.
// - A thread that wakes calls of this thread bumps S_WAKES before it rings, so the turn that
//   follows its ring sees the bump and wakes every sleeper of the thread.

import { S_DOORBELL, S_SLEEPING, S_WAKES, slotField } from "./_layout.ts";
import type { EmuShared } from "./_shared.ts";

/** The doorbell of one slot, as its dispatcher sees it. */
export class Doorbell {
  readonly #net: EmuShared;
  readonly #doorbell: number;
  readonly #sleeping: number;
  readonly #wakes: number;
  #woke: number; // S_WAKES as the last turn saw it

  constructor(net: EmuShared, slot: number) {
    this.#net = net;
    this.#doorbell = slotField(net.layout, slot, S_DOORBELL);
    this.#sleeping = slotField(net.layout, slot, S_SLEEPING);
    this.#wakes = slotField(net.layout, slot, S_WAKES);
    this.#woke = net.load(this.#wakes);
  }

  /** Begins a turn; returns the doorbell's value, for maySleep. */
  open(): number {
    const net = this.#net;
    const seen = net.load(this.#doorbell);
    // Another thread or process woke calls of this thread (a ring's data or room, a DMA's
    // completion): each looks again at what it waits for. (It bumps S_WAKES before the
    // doorbell, so this look sees it.)
    const w = net.load(this.#wakes);
    if (w !== this.#woke) {
      this.#woke = w;
      net.bus.wakeAll();
    }
    return seen;
  }

  /** Ends the turn that open() began at `seen`: false when the doorbell was rung since (take
   * another turn), else the dispatcher is announced as sleeping and must call sleep(). */
  maySleep(seen: number): boolean {
    const net = this.#net;
    if (net.load(this.#doorbell) !== seen) return false;
    net.store(this.#sleeping, 1);
    if (net.load(this.#doorbell) !== seen) {
      net.store(this.#sleeping, 0);
      return false;
    }
    return true;
  }

  /** Sleeps until a ring, or `timeoutMs` passes (after maySleep said so). */
  async sleep(timeoutMs: number): Promise<void> {
    await this.#net.bus.waitRing(this.#sleeping >> 2, timeoutMs);
    this.#net.store(this.#sleeping, 0);
  }
}
