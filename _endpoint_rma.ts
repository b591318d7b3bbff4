// The calls of the registered address space (register, unregister, the RMA copies, the fences'
// signal, mmap) behind Endpoint's methods: each checks the caller's arguments in the kernel's
// order, then hands them to the backend endpoint. The class (endpoint.ts) is the face and says
// what each call does; the rules of the arguments live here, one function per call.
//
// Offsets come in as numbers or bigints and go to the backend as exact `Off`s (_offset.ts). The
// checks made here are the ones the kernel makes before its window walk (alignment, sign, the
// LONG_MAX and 2^64 bounds) and what C cannot pass (a non-integer); a range that the walk does
// not find (ENXIO) is the backend's answer.

import type { EndpointBackend } from "./_backend.ts";
import type { RegisterOptions, SignalOptions } from "./_endpoint_options.ts";
import { ScifError } from "./errors.ts";
import type { Offset } from "./types.ts";
import { SCIF_PAGE_SIZE, SCIF_PROT_READ, SCIF_PROT_WRITE } from "./constants.ts";
import { optionSignal, raceAbort } from "./_abort.ts";
import { bytesOf, integerOf, pageAligned, u64Of } from "./_validate.ts";
import {
  endsPastLongMax,
  mmapOverflows,
  type Off,
  offAligned,
  offBig,
  offsetOf,
  offText,
} from "./_offset.ts";

const PROT_RW = SCIF_PROT_READ | SCIF_PROT_WRITE;

/** EINVAL unless `at` is page aligned. */
function alignedOff(at: Off, what: string): Off {
  if (!offAligned(at, SCIF_PAGE_SIZE)) {
    throw new ScifError("EINVAL", `${what} ${offText(at)} is not page aligned (${SCIF_PAGE_SIZE})`);
  }
  return at;
}

/**
 * An RMA's wait (for queue room, or SYNC's for completion) under `signal`: an abort ends the
 * wait with EINTR; the transfer is not undone (a DMA engine cannot take back what it was
 * given), so its bytes may still land: order with a fence before reusing the memory.
 */
function waited(p: Promise<void>, signal: AbortSignal | undefined, what: string): Promise<void> {
  if (signal) p.catch(() => {}); // a failure after an abort has nobody to tell
  return raceAbort(p, signal, what);
}

/** scif_register's checks, then the registration; the offset as the caller asked for it. */
export function registerWindow(be: EndpointBackend, memory: Uint8Array, options: RegisterOptions): Offset {
  if (typeof options !== "object" || options === null) {
    throw new ScifError("EINVAL", "options must be an object");
  }
  const { offset, prot = PROT_RW, fixed = false, bigint } = options;
  if (typeof fixed !== "boolean") throw new ScifError("EINVAL", "fixed must be a boolean (SCIF_MAP_FIXED)");
  if (bigint !== undefined && typeof bigint !== "boolean") {
    throw new ScifError("EINVAL", `bigint must be a boolean, got ${String(bigint)}`);
  }
  // The kernel's order (scif_register): map flags, a fixed offset, prot, then the memory's
  // alignment; a fixed offset that is unaligned, negative, or whose window would end past
  // LONG_MAX is EINVAL.
  let at: Off | undefined;
  if (fixed) {
    at = alignedOff(offsetOf(offset, "offset"), "offset");
    if (at < 0) throw new ScifError("EINVAL", `offset ${offText(at)} is negative`);
  }
  if (integerOf(prot, "prot") & ~PROT_RW) {
    throw new ScifError("EINVAL", `prot has bits other than SCIF_PROT_READ | SCIF_PROT_WRITE: ${prot}`);
  }
  bytesOf(memory, "memory");
  if (memory.byteLength === 0) throw new ScifError("EINVAL", "the memory is empty");
  pageAligned(memory.byteLength, "the memory's length"); // its address: the backend knows it
  if (at !== undefined && endsPastLongMax(at, memory.byteLength)) {
    throw new ScifError(
      "EINVAL",
      `a window at ${offText(at)} of ${memory.byteLength} bytes would end past 2^63 - 1`,
    );
  }
  const got = be.register(memory, at, prot, fixed);
  if (bigint ?? typeof offset === "bigint") return offBig(got);
  if (typeof got === "number") return got;
  // The backend chose an offset that no number holds exactly, and the caller takes a number:
  // the nearest one would name another offset. Nothing may stay registered that the caller
  // cannot name, so the window goes again before the error.
  let undone = "";
  try {
    be.unregister(got, memory.byteLength);
  } catch (e) {
    undone = ` (unregistering it again failed, ${(e as Error).message}: it stays until the endpoint closes)`;
  }
  throw new ScifError(
    "EOVERFLOW",
    `the window's offset ${offText(got)} is beyond 2^53 and no number holds it exactly: register with ` +
      `{ bigint: true } to receive it as a bigint${undone}`,
  );
}

/** scif_unregister's checks, then the unregistration. */
export function unregisterWindows(be: EndpointBackend, offset: Offset, length: number): void {
  if (pageAligned(integerOf(length, "length", 0), "length") === 0) {
    throw new ScifError("EINVAL", "the length is 0");
  }
  // The kernel's checks (scif_unregister): aligned, not negative, and offset + length must not
  // pass LONG_MAX; all EINVAL.
  const at = alignedOff(offsetOf(offset, "offset"), "offset");
  if (at < 0 || endsPastLongMax(at, length)) {
    throw new ScifError("EINVAL", `[${offText(at)}, +${length}) is outside [0, 2^63 - 1]`);
  }
  be.unregister(at, length);
}

/** readFrom and writeTo: the checks that are not the kernel's (what C cannot pass). Negative
 * offsets and ranges past the end go on to the backend, whose window walk answers ENXIO. */
export function copyWindows(
  be: EndpointBackend,
  call: "readFrom" | "writeTo",
  localOffset: Offset,
  length: number,
  remoteOffset: Offset,
  flags: number,
  options: SignalOptions | undefined,
): Promise<void> {
  const local = offsetOf(localOffset, "localOffset");
  const n = integerOf(length, "length", 0);
  const remote = offsetOf(remoteOffset, "remoteOffset");
  const f = integerOf(flags, "flags");
  const signal = optionSignal(options, call);
  return waited(be[call](local, n, remote, f), signal, call);
}

/** vreadFrom and vwriteTo: a plain buffer on our side, a window on the peer's. */
export function copyBuffer(
  be: EndpointBackend,
  call: "vreadFrom" | "vwriteTo",
  bytes: Uint8Array,
  remoteOffset: Offset,
  flags: number,
  options: SignalOptions | undefined,
): Promise<void> {
  const buf = bytesOf(bytes, call === "vreadFrom" ? "into" : "from");
  const remote = offsetOf(remoteOffset, "remoteOffset");
  const f = integerOf(flags, "flags");
  const signal = optionSignal(options, call);
  return waited(be[call](buf, remote, f), signal, call);
}

/** scif_fence_signal's arguments, then the signal. */
export function fenceSignal(
  be: EndpointBackend,
  localOffset: Offset,
  localValue: bigint,
  remoteOffset: Offset,
  remoteValue: bigint,
  flags: number,
): Promise<void> {
  return be.fenceSignal(
    offsetOf(localOffset, "localOffset"),
    u64Of(localValue, "localValue"),
    offsetOf(remoteOffset, "remoteOffset"),
    u64Of(remoteValue, "remoteValue"),
    integerOf(flags, "flags"),
  );
}

/** mmap's checks (scif_mmap's, and mmap(2)'s own before the driver), then the mapping. */
export function mapWindow(
  be: EndpointBackend,
  remoteOffset: Offset,
  length: number,
  prot: number,
): Uint8Array {
  const at = alignedOff(offsetOf(remoteOffset, "remoteOffset"), "remoteOffset");
  if (integerOf(length, "length", 0) === 0) throw new ScifError("EINVAL", "the length is 0");
  if (integerOf(prot, "prot") & ~PROT_RW) throw new ScifError("EINVAL", `bad prot ${prot}`);
  // mmap(2)'s own check, before the driver sees the call: the file offset is unsigned there,
  // and a range that runs past 2^64 is EOVERFLOW (mm/mmap.c). A negative offset that passes
  // it is the driver's ENXIO (no window is there), after its connection check.
  if (mmapOverflows(at, length)) {
    throw new ScifError("EOVERFLOW", `[${offText(at)}, +${length}) runs past 2^64 as mmap's file offset`);
  }
  return be.mmap(at, length, prot);
}
