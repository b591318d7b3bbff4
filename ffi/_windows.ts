// The windows side of a hardware endpoint: registration, RMA, fence marks and signals, and
// mappings, as ioctls of scif_ioctl.h on the endpoint's descriptor (ffi/_endpoint.ts hands
// these calls here). Offsets go into the ioctl structs' s64 fields exactly, and come back so:
// the kernel chooses a window's offset (near 2^63) unless SCIF_MAP_FIXED.
//
// Invariant: the memory of every window the kernel may still use is reachable from here (so
// that the garbage collector cannot free it under the driver) until the kernel removed it.

import { SCIF_MAP_FIXED } from "../constants.ts";
import { ScifError } from "../errors.ts";
import { type Off, offBig, offOfBig } from "../_offset.ts";
import { IOCTL, Struct } from "./abi.ts";
import { type Libc, MAP_SHARED } from "./_libc.ts";

/** The registered windows and the mappings of one endpoint on /dev/scif. */
export class FfiWindows {
  readonly #libc: Libc;
  readonly #fd: number;
  readonly #copy = new Struct("scifioctl_copy");
  // Our windows' memory, reachable while the driver may use it: [start, end) of each window.
  #windows: { start: bigint; end: bigint; memory: Uint8Array }[] = [];
  readonly #maps = new Map<Uint8Array, { ptr: Deno.PointerValue; length: number }>();

  constructor(libc: Libc, fd: number) {
    this.#libc = libc;
    this.#fd = fd;
  }

  #ioctl(request: number, s: { bytes: Uint8Array }, what: string): number {
    return this.#libc.check(this.#libc.fn.ioctl_buf(this.#fd, BigInt(request), s.bytes), what);
  }

  register(memory: Uint8Array, offset: Off | undefined, prot: number, fixed: boolean): Off {
    // As a C caller: without SCIF_MAP_FIXED the kernel chooses the offset (its hint, here 0, is
    // not used) and reports it in out_offset, exactly.
    const reg = new Struct("scifioctl_reg")
      .setU64("addr", this.#libc.address(memory))
      .setU64("len", memory.byteLength)
      .setS64("offset", offset ?? 0)
      .setS32("prot", prot)
      .setS32("flags", fixed ? SCIF_MAP_FIXED : 0);
    this.#ioctl(IOCTL.SCIF_REG, reg, "register");
    const start = reg.s64("out_offset");
    this.#windows.push({ start, end: start + BigInt(memory.byteLength), memory });
    return offOfBig(start);
  }

  unregister(offset: Off, length: number): void {
    const s = new Struct("scifioctl_unreg").setS64("offset", offset).setU64("len", length);
    this.#ioctl(IOCTL.SCIF_UNREG, s, "unregister");
    // The kernel removed the whole windows in the range: their memory is no longer its to use.
    const start = offBig(offset);
    const end = start + BigInt(length);
    this.#windows = this.#windows.filter((w) => !(w.start < end && start < w.end));
  }

  /** One RMA ioctl (SCIF_READFROM, _WRITETO, _VREADFROM, _VWRITETO): from a registered offset
   * of ours, or from `local`'s memory. */
  rma(
    request: number,
    local: Off | Uint8Array,
    length: number,
    remoteOffset: Off,
    flags: number,
    what: string,
  ): Promise<void> {
    const c = this.#copy;
    if (local instanceof Uint8Array) c.setS64("loffset", 0).setU64("addr", this.#libc.address(local));
    else c.setS64("loffset", local).setU64("addr", 0);
    c.setU64("len", length).setS64("roffset", remoteOffset).setS32("flags", flags);
    // RMA calls wait at most for their own transfer (SCIF_RMA_SYNC): they run here.
    this.#ioctl(request, c, what);
    return Promise.resolve();
  }

  fenceMark(flags: number): Promise<number> {
    const markCell = new Int32Array(1);
    const s = new Struct("scifioctl_fence_mark").setS32("flags", flags).setU64(
      "mark",
      this.#libc.address(new Uint8Array(markCell.buffer)),
    );
    this.#ioctl(IOCTL.SCIF_FENCE_MARK, s, "fence_mark");
    return Promise.resolve(markCell[0] >>> 0);
  }

  fenceSignal(
    localOffset: Off,
    localValue: bigint,
    remoteOffset: Off,
    remoteValue: bigint,
    flags: number,
  ): Promise<void> {
    const s = new Struct("scifioctl_fence_signal")
      .setS64("loff", localOffset)
      .setU64("lval", localValue)
      .setS64("roff", remoteOffset)
      .setU64("rval", remoteValue)
      .setS32("flags", flags);
    this.#ioctl(IOCTL.SCIF_FENCE_SIGNAL, s, "fence_signal");
    return Promise.resolve();
  }

  mmap(remoteOffset: Off, length: number, prot: number): Uint8Array {
    const libc = this.#libc;
    // The file offset is the window's registered offset, an off_t as it is.
    const ptr = libc.fn.mmap(null, BigInt(length), prot, MAP_SHARED, this.#fd, offBig(remoteOffset));
    if (ptr === null || Deno.UnsafePointer.value(ptr) === 0xffffffffffffffffn) throw libc.error("mmap");
    const view = new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(ptr, length));
    this.#maps.set(view, { ptr, length });
    return view;
  }

  munmap(view: Uint8Array): void {
    const m = this.#maps.get(view);
    if (!m) throw new ScifError("EINVAL", "not a view this endpoint's mmap returned (or already unmapped)");
    this.#maps.delete(view);
    this.#libc.check(this.#libc.fn.munmap(m.ptr, BigInt(m.length)), "munmap");
  }
}
