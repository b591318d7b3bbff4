// How many mappings a slot holds of each other slot's windows (RmaHost.mapped, counted by
// emu/_rma_mmap.ts on mmap and munmap), and what waits for the last of them to go.
//
// Invariant: a mapping reads the other slot's memory directly, so an ended slot is released
// (emu/_peers.ts, whenDoneWith) only once its count here is back to zero.

/** Mappings of other slots' windows, per slot. */
export class SlotMappings {
  readonly #maps = new Map<number, number>();
  readonly #afterUnmap = new Map<number, (() => void)[]>();

  /** How many slots have windows mapped. */
  get size(): number {
    return this.#maps.size;
  }

  /** One more (+1) or one less (-1) mapping of slot `slot`'s windows. */
  mapped(slot: number, delta: number): void {
    const n = (this.#maps.get(slot) ?? 0) + delta;
    if (n > 0) {
      this.#maps.set(slot, n);
      return;
    }
    this.#maps.delete(slot);
    for (const fn of this.#afterUnmap.get(slot)?.splice(0) ?? []) fn();
    this.#afterUnmap.delete(slot);
  }

  /** Runs `fn` once no window of slot `slot` is mapped (now, if none is). */
  whenUnmapped(slot: number, fn: () => void): void {
    if (!this.#maps.has(slot)) return fn();
    const list = this.#afterUnmap.get(slot) ?? [];
    list.push(fn);
    this.#afterUnmap.set(slot, list);
  }
}
