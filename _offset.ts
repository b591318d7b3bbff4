// Offsets of a registered address space, exactly: the kernel's off_t is a signed 64-bit value
// (scif_ioctl.h: `__s64 offset`, `loffset`, `roffset`, `loff`, `roff`), and the offsets it
// chooses lie just below 2^63 (scif_rma.c's IOVA allocator, SCIF_DMA_63BIT_PFN), beyond the
// integers a JavaScript number holds exactly (2^53). The public API takes an offset as a number
// (a safe integer) or a bigint; inside the library it is an `Off`.
//
// Invariant: an `Off` is a number when its value is a safe integer and a bigint otherwise (then
// it is in [-2^63, 2^63) and outside ±(2^53 - 1)). One value has one representation, so `===`
// compares offsets, and the common small offsets stay numbers on the hot paths.

import { ScifError } from "./errors.ts";
import { SCIF_PAGE_SIZE as PAGE } from "./constants.ts";

/** An off_t as the library carries it (see the module's invariant). */
export type Off = number | bigint;

/** 2^63: one past the largest off_t. */
const OFF_END = 1n << 63n;
/** LONG_MAX, the kernel's bound on a window's end (scif_register, scif_unregister). */
export const LONG_MAX = OFF_END - 1n;
const U64_END = 1n << 64n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The canonical `Off` of an s64 value. */
export function offOfBig(v: bigint): Off {
  return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v;
}

/**
 * `v` as an off_t: a safe integer number, or a bigint in [-2^63, 2^64). A bigint from 2^63 up
 * is the u64 a C caller would pass for a negative off_t, and is that off_t (the ioctl structs
 * carry the same 64 bits); the kernel answers for it as for any negative offset. Anything else
 * is no 64-bit offset at all, which no C caller can pass: EINVAL.
 */
export function offsetOf(v: unknown, what: string): Off {
  if (typeof v === "number") {
    if (Number.isSafeInteger(v)) return v === 0 ? 0 : v; // -0 is 0
    throw new ScifError(
      "EINVAL",
      `${what} must be an integer${
        Number.isInteger(v) ? " exactly: a number beyond 2^53 is not one, pass a bigint" : ""
      }, got ${v}`,
    );
  }
  if (typeof v === "bigint") {
    if (v >= -OFF_END && v < U64_END) return offOfBig(BigInt.asIntN(64, v));
    throw new ScifError("EINVAL", `${what} must be a 64-bit offset, in [-2^63, 2^64), got ${v}n`);
  }
  throw new ScifError("EINVAL", `${what} must be an offset: an integer or a bigint, got ${String(v)}`);
}

/** `o` as a bigint. */
export function offBig(o: Off): bigint {
  return typeof o === "bigint" ? o : BigInt(o);
}

/** `o + n` exactly (n: a safe integer), as an Off. Past the off_t range no window can be, so
 * that is ENXIO, the kernel's answer for a range its window walk does not find. */
export function offAdd(o: Off, n: number): Off {
  if (typeof o === "number") {
    const r = o + n;
    if (Number.isSafeInteger(r)) return r;
  }
  const r = offBig(o) + BigInt(n);
  if (r < -OFF_END || r >= OFF_END) {
    throw new ScifError("ENXIO", `offset ${offText(o)} + ${n} leaves the space`);
  }
  return offOfBig(r);
}

/** Whether `o` is a multiple of `n` (a power of two). */
export function offAligned(o: Off, n: number): boolean {
  return typeof o === "number" ? o % n === 0 : (o & BigInt(n - 1)) === 0n;
}

/** The page `o` is in: floor(o / 4096), exact (|page| < 2^51). */
export function offPage(o: Off): number {
  return typeof o === "number" ? Math.floor(o / PAGE) : Number(o >> 12n);
}

/** `o`'s byte in its page, 0..4095. */
export function offInPage(o: Off): number {
  return typeof o === "number" ? o - Math.floor(o / PAGE) * PAGE : Number(o & 4095n);
}

/** Whether the window [o, o + length) would end beyond LONG_MAX: the kernel's EINVAL for a
 * fixed registration or an unregister (`len > LONG_MAX - offset`). */
export function endsPastLongMax(o: Off, length: number): boolean {
  return BigInt(length) > LONG_MAX - offBig(o);
}

/** Whether mmap(2) of `length` bytes at file offset `o` (as the u64 the syscall takes) would run
 * past 2^64, after rounding the length up to pages: do_mmap's EOVERFLOW (mm/mmap.c: the
 * `pgoff + (len >> PAGE_SHIFT) < pgoff` check and file_mmap_ok, whose limit for a character
 * device is ULONG_MAX). */
export function mmapOverflows(o: Off, length: number): boolean {
  const pages = BigInt(Math.ceil(length / PAGE)) * BigInt(PAGE);
  return BigInt.asUintN(64, offBig(o)) + pages >= U64_END;
}

/** `o` for a message: decimal for a number, hexadecimal for a bigint (the kernel's offsets near
 * 2^63 read better so). */
export function offText(o: Off): string {
  if (typeof o === "number") return String(o);
  return o < 0n ? `-0x${(-o).toString(16)}` : `0x${o.toString(16)}`;
}
