// A registered address space (the kernel's reg_list / remote_reg_list, scif_rma_list.c), shared
// by the backends (the emulator keeps both sides' spaces; the hardware backend its own windows):
// windows sorted by offset, offset allocation, and the lookups RMA, mmap and unregister make.
//
// The space is the kernel's: offsets in [0, 2^63), exactly (an offset is an Off, _offset.ts).
// Windows start and end on pages, and a page number is below 2^51, which a number holds
// exactly: so the list keeps each window's pages [lo, hi) as numbers, and a lookup splits its
// offset into a page and a byte in it once. Every comparison and difference is then between
// numbers that are exact (a difference of pages within one window is at most its length).
//
// Offsets the emulated network chooses are below 2^53 (so they are numbers), handed out
// top-down as the kernel's IOVA allocator does, below the last page of that range.

import { ScifError } from "./errors.ts";
import { SCIF_PAGE_SIZE as PAGE } from "./constants.ts";
import { type Off, offInPage, offPage, offText } from "./_offset.ts";

/** The end of the offsets `allocate` hands out: 2^53, so that they are numbers. */
export const ALLOCATE_LIMIT = 2 ** 53;

/** What a window is, whichever side keeps it. */
export interface Window {
  /** Names the window in control messages; unique within its endpoint. */
  readonly id: number;
  /** Page aligned, in [0, 2^63), and the window ends by 2^63 - 1 (the kernel's LONG_MAX). */
  readonly offset: Off;
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

/** A window with its pages [lo, hi). */
interface Entry<W> {
  readonly w: W;
  readonly lo: number;
  readonly hi: number;
}

/** Windows sorted by offset, none overlapping. */
export class WindowList<W extends Window> {
  readonly #es: Entry<W>[] = [];

  /** Every window, by offset (a copy). */
  get windows(): readonly W[] {
    return this.#es.map((e) => e.w);
  }

  /** How many windows there are. */
  get size(): number {
    return this.#es.length;
  }

  /** The index of the first window that ends after page `page` begins (hi > page). */
  #firstEndingAfter(page: number): number {
    let lo = 0;
    let hi = this.#es.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#es[mid].hi <= page) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The windows that overlap [offset, offset + length) (length > 0). */
  overlapping(offset: Off, length: number): W[] {
    const p = offPage(offset);
    const endPage = p + Math.ceil((offInPage(offset) + length) / PAGE); // exclusive
    const out: W[] = [];
    for (let i = this.#firstEndingAfter(p); i < this.#es.length && this.#es[i].lo < endPage; i++) {
      out.push(this.#es[i].w);
    }
    return out;
  }

  /** Whether any window overlaps [offset, offset + length). */
  overlaps(offset: Off, length: number): boolean {
    return this.overlapping(offset, length).length > 0;
  }

  /** Inserts `w` (its offset page aligned; the caller checked that it overlaps none). */
  insert(w: W): void {
    const lo = offPage(w.offset);
    const e = { w, lo, hi: lo + w.length / PAGE };
    this.#es.splice(this.#firstEndingAfter(lo), 0, e);
  }

  remove(w: W): void {
    const i = this.#es.findIndex((e) => e.w === w);
    if (i >= 0) this.#es.splice(i, 1);
  }

  /** The window with id `id`. */
  byId(id: number): W | undefined {
    return this.#es.find((e) => e.w.id === id)?.w;
  }

  /** The highest free, page-aligned range of `length` bytes below ALLOCATE_LIMIT's last page
   * and above page 0 (which the kernel never hands out either), or -1. */
  allocate(length: number): number {
    const pages = Math.ceil(length / PAGE);
    let top = ALLOCATE_LIMIT / PAGE - 1; // exclusive, in pages
    for (let i = this.#es.length - 1; i >= -1; i--) {
      const e = this.#es[i];
      const floor = e ? Math.max(e.hi, 1) : 1;
      if (top - floor >= pages) return (top - pages) * PAGE;
      if (e) top = Math.min(top, e.lo);
      if (top <= 1) break;
    }
    return -1;
  }

  /**
   * The windows covering [offset, offset + length) back to back, cut into pieces, each
   * allowing `prot` (the kernel's scif_query_window): EINVAL for an empty range, ENXIO for a
   * range that leaves the windows (a hole, the end, a negative offset), EPERM for a window
   * whose protection forbids the access.
   */
  cover(offset: Off, length: number, prot: number): Piece<W>[] {
    if (length === 0) throw new ScifError("EINVAL", "the length is 0");
    // The cursor: page p, byte b of it; `left` bytes still to cover.
    let p = offPage(offset);
    let b = offInPage(offset);
    let left = length;
    const pieces: Piece<W>[] = [];
    for (let i = this.#firstEndingAfter(p); left > 0; i++) {
      const e = this.#es[i];
      if (!e || e.lo > p) {
        throw new ScifError(
          "ENXIO",
          `offset ${offText(offset)}${
            pieces.length ? " + " + (length - left) : ""
          } is not in a registered window`,
        );
      }
      const w = e.w;
      if ((w.prot & prot) !== prot) {
        throw new ScifError(
          "EPERM",
          `the window at offset ${offText(w.offset)} does not allow ${prot & 2 ? "writing" : "reading"}`,
        );
      }
      const into = (p - e.lo) * PAGE + b; // where in the window; below its length
      const n = Math.min(left, w.length - into);
      pieces.push({ window: w, addr: w.addr + into, length: n });
      left -= n;
      p = e.hi;
      b = 0;
    }
    return pieces;
  }

  /** The whole windows that make up [offset, offset + length) exactly (unregister): ENXIO
   * unless the range starts at a window's start and ends at a window's end, with no hole. */
  exactly(offset: Off, length: number): W[] {
    const pieces = this.cover(offset, length, 0);
    const first = pieces[0];
    const last = pieces[pieces.length - 1];
    if (
      first.addr !== first.window.addr || last.addr + last.length !== last.window.addr + last.window.length
    ) {
      throw new ScifError(
        "ENXIO",
        `[${offText(offset)}, +${length}) does not start and end on window boundaries`,
      );
    }
    return pieces.map((p) => p.window);
  }
}
