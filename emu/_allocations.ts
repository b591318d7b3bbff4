// The memory a node's allocate() hands out (ScifNode.allocate and free): whole pages of the
// network's shared heap (emu/_heap.ts), marked as a program's, the only memory a window may be
// made of.
//
// Invariant: free() gives back the allocating handle's reference only, once per run: memory a
// window or a transfer in flight still holds outlives it, and a run this slot never handed out
// (or handed out and took back already) is EINVAL, never a reference less on someone else's.

import { ScifError } from "../errors.ts";
import { PAGE } from "./_layout.ts";
import type { EmuShared } from "./_shared.ts";

/** The runs one slot's allocate() handed out. */
export class NodeAllocations {
  readonly #net: EmuShared;
  readonly #slot: number;
  readonly #heads = new Set<number>();

  constructor(net: EmuShared, slot: number) {
    this.#net = net;
    this.#slot = slot;
  }

  /** `length` bytes rounded up to pages, zeroed; ENOMEM when the heap has no such run left. */
  allocate(length: number): Uint8Array {
    const bytes = Math.ceil(length / PAGE) * PAGE;
    const addr = this.#net.heap.alloc(bytes, this.#slot, true);
    if (addr === 0) throw new ScifError("ENOMEM", `no ${bytes} bytes left in the network's shared memory`);
    this.#heads.add(addr);
    return new Uint8Array(this.#net.memory.buffer, addr, bytes);
  }

  /** Gives back memory that allocate() returned. */
  free(memory: Uint8Array): void {
    if (memory.buffer !== this.#net.memory.buffer || !this.#heads.has(memory.byteOffset)) {
      throw new ScifError("EINVAL", "not memory this node's allocate() returned, or freed already");
    }
    this.#heads.delete(memory.byteOffset);
    this.#net.heap.release(memory.byteOffset, this.#slot);
  }
}
