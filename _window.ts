// A registered address space (the kernel's reg_list / remote_reg_list, scif_rma_list.c), shared
// by the backends (the emulator keeps both sides' spaces; the hardware backend its own offsets):
// windows sorted by offset, offset allocation, and the lookups RMA, mmap and unregister make.
//
// Offsets are JS numbers, so the space is [0, 2^53) rather than the kernel's [0, 2^63).
// Offsets the library chooses are handed out top-down, as the kernel's IOVA allocator does,
// below the space's last page (which the kernel never hands out either).

import { ScifError } from "./errors.ts";
import { SCIF_PAGE_SIZE as PAGE } from "./constants.ts";

/** The end of a registered address space. */
export const OFFSET_LIMIT = 2 ** 53;

/** What a window is, whichever side keeps it. */
export interface Window {
  /** Names the window in control messages; unique within its endpoint. */
  readonly id: number;
  readonly offset: number;
  readonly length: number;
  /** Byte address of the window's memory in the network's shared memory. */
  readonly addr: number;
  readonly prot: number;
}

/** A piece of a range that lies in one window. */
export interface Piece<W extends Window> {
  readonly window: W;
  /** Byte address where the piece starts. */
  readonly addr: number;
  readonly length: number;
}

/** Windows sorted by offset, none overlapping. */
export class WindowList<W extends Window> {
  readonly #ws: W[] = [];

  /** Every window, by offset. */
  get windows(): readonly W[] {
    return this.#ws;
  }

  /** The index of the first window that ends after `offset`. */
  #firstEndingAfter(offset: number): number {
    let lo = 0;
    let hi = this.#ws.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const w = this.#ws[mid];
      if (w.offset + w.length <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Whether any window overlaps [offset, offset + length). */
  overlaps(offset: number, length: number): boolean {
    const w = this.#ws[this.#firstEndingAfter(offset)];
    return w !== undefined && w.offset < offset + length;
  }

  insert(w: W): void {
    this.#ws.splice(this.#firstEndingAfter(w.offset), 0, w);
  }

  remove(w: W): void {
    const i = this.#ws.indexOf(w);
    if (i >= 0) this.#ws.splice(i, 1);
  }

  /** The window with id `id`. */
  byId(id: number): W | undefined {
    return this.#ws.find((w) => w.id === id);
  }

  /** The highest free, page-aligned range of `length` bytes below the space's last page, or -1. */
  allocate(length: number): number {
    let top = OFFSET_LIMIT - PAGE;
    for (let i = this.#ws.length - 1; i >= -1; i--) {
      const w = this.#ws[i];
      const floor = w ? w.offset + w.length : PAGE; // offset 0 is never handed out (the kernel's pfn 0)
      if (top - floor >= length && top - length >= floor) return top - length;
      if (w) top = Math.min(top, w.offset);
    }
    return -1;
  }

  /**
   * The windows covering [offset, offset + length) back to back, cut into pieces, each
   * allowing `prot` (the kernel's scif_query_window): EINVAL for an empty range, ENXIO for a
   * range that leaves the windows (a hole, the end, a negative offset), EPERM for a window
   * whose protection forbids the access.
   */
  cover(offset: number, length: number, prot: number): Piece<W>[] {
    if (length === 0) throw new ScifError("EINVAL", "the length is 0");
    if (offset < 0 || offset + length > OFFSET_LIMIT) {
      throw new ScifError("ENXIO", `[${offset}, +${length}) is outside the registered address space`);
    }
    const pieces: Piece<W>[] = [];
    let at = offset;
    const end = offset + length;
    for (let i = this.#firstEndingAfter(offset); at < end; i++) {
      const w = this.#ws[i];
      if (!w || w.offset > at) throw new ScifError("ENXIO", `offset ${at} is not in a registered window`);
      if ((w.prot & prot) !== prot) {
        throw new ScifError(
          "EPERM",
          `the window at offset ${w.offset} does not allow ${prot & 2 ? "writing" : "reading"}`,
        );
      }
      const n = Math.min(end, w.offset + w.length) - at;
      pieces.push({ window: w, addr: w.addr + (at - w.offset), length: n });
      at += n;
    }
    return pieces;
  }

  /** The whole windows that make up [offset, offset + length) exactly (unregister): ENXIO
   * unless the range starts at a window's start and ends at a window's end, with no hole. */
  exactly(offset: number, length: number): W[] {
    const pieces = this.cover(offset, length, 0);
    const first = pieces[0].window;
    const last = pieces[pieces.length - 1].window;
    if (first.offset !== offset || last.offset + last.length !== offset + length) {
      throw new ScifError("ENXIO", `[${offset}, +${length}) does not start and end on window boundaries`);
    }
    return pieces.map((p) => p.window);
  }
}
