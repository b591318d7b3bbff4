// The stream calls of a hardware endpoint (ffi/_endpoint.ts): scif_send and scif_recv as
// SCIF_SEND and SCIF_RECV ioctls on its descriptor. A call that may block first runs once
// without waiting on this thread (a non-blocking ioctl): when that is enough, it costs one
// ioctl; otherwise the rest runs, blocking, on a Worker (ffi/_waits.ts). A call given an
// AbortSignal waits in slices, and every byte moves on this thread in a non-blocking call, so
// an abort between slices loses none.

import { ScifError } from "../errors.ts";
import { abortError } from "../_abort.ts";
import { POLLIN } from "../constants.ts";
import { IOCTL, Struct } from "./abi.ts";
import type { Libc } from "./_libc.ts";
import type { EndpointWaits } from "./_waits.ts";

/** The sends and receives of one endpoint on /dev/scif. */
export class FfiStream {
  readonly #libc: Libc;
  readonly #fd: number;
  readonly #waits: EndpointWaits;
  readonly #msg = new Struct("scifioctl_msg");

  constructor(libc: Libc, fd: number, waits: EndpointWaits) {
    this.#libc = libc;
    this.#fd = fd;
    this.#waits = waits;
  }

  #ioctl(request: number, s: { bytes: Uint8Array }, what: string): number {
    return this.#libc.check(this.#libc.fn.ioctl_buf(this.#fd, BigInt(request), s.bytes), what);
  }

  #msgFor(data: Uint8Array, from: number, flags: number): Struct<"scifioctl_msg"> {
    return this.#msg.setU64("msg", this.#libc.address(data) + BigInt(from)).setS32(
      "len",
      data.length - from,
    ).setS32("flags", flags);
  }

  async recvSome(into: Uint8Array, signal?: AbortSignal): Promise<number> {
    for (;;) {
      let n: number;
      try {
        const msg = this.#msgFor(into, 0, 0);
        this.#ioctl(IOCTL.SCIF_RECV, msg, "recv");
        n = msg.s32("out_len");
      } catch (e) {
        // The peer closed and everything it sent was taken: the end of the stream.
        if (e instanceof ScifError && e.code === "ECONNRESET") return 0;
        throw e;
      }
      if (n > 0 || into.length === 0) return n;
      if (signal?.aborted) throw abortError(signal, "recv");
      if (signal) {
        await this.#waits.slice(POLLIN, "ENOTCONN");
        // An abort that came with the bytes wins: they stay in the driver for the next call.
        if (signal.aborted) throw abortError(signal, "recv");
      } else {
        const fds = new Uint8Array(new SharedArrayBuffer(8));
        new DataView(fds.buffer).setInt32(0, this.#fd, true);
        new DataView(fds.buffer).setInt16(4, POLLIN, true);
        await this.#waits.blocking(
          { op: "poll", fds: fds.buffer as SharedArrayBuffer, nfds: 1, timeout: -1 },
          "recv",
        );
      }
    }
  }

  /** A blocking send or recv with an AbortSignal (see the module's comment): the count moved
   * when it is aborted or its buffer changes after bytes moved, EINTR or EFAULT when none. */
  async sliced(
    request: number,
    events: number,
    data: Uint8Array,
    what: string,
    signal: AbortSignal,
  ): Promise<number> {
    const len = data.length;
    let done = 0;
    for (;;) {
      if (data.length !== len) {
        if (done > 0) return done;
        throw new ScifError(
          "EFAULT",
          `the buffer of a blocking ${what} was detached or shrunk while it waited`,
        );
      }
      try {
        const msg = this.#msgFor(data, done, 0);
        this.#ioctl(request, msg, what);
        done += msg.s32("out_len");
      } catch (e) {
        if (done > 0) return done; // the kernel's rule: bytes moved count before an error
        throw e;
      }
      if (done === len) return done;
      if (signal.aborted) {
        if (done > 0) return done;
        throw abortError(signal, `a blocking ${what}`);
      }
      await this.#waits.slice(events, "ENOTCONN");
    }
  }

  /** A send or recv: once without waiting here, then (blocking, if bytes are left) on a Worker.
   * The Worker's ioctl uses the buffer while this thread runs on, and an ArrayBuffer may be
   * detached or shrunk meanwhile (its memory freed or decommitted under the driver's copy): so
   * unless the buffer is shared memory (which can neither be detached nor shrink), the rest
   * moves through a buffer of our own, and the caller's is looked at again when it returns. A
   * recv's buffer that changed ends the call as in emu/_stream.ts: the count moved so far, or
   * EFAULT (the bytes that arrived into our buffer then are lost, as the kernel loses them when
   * copy_to_user fails); a send's bytes were copied before it waited. */
  async transfer(
    request: number,
    blockFlag: number,
    data: Uint8Array,
    block: boolean,
    what: string,
  ): Promise<number> {
    const msg = this.#msgFor(data, 0, 0);
    this.#ioctl(request, msg, what);
    const done = msg.s32("out_len");
    if (done === data.length || !block) return done;
    const len = data.length;
    const bounce = data.buffer instanceof SharedArrayBuffer
      ? null
      : new Uint8Array(new SharedArrayBuffer(len - done));
    if (bounce && request === IOCTL.SCIF_SEND) bounce.set(data.subarray(done));
    const rest = new Struct("scifioctl_msg", true)
      .setU64("msg", bounce ? this.#libc.address(bounce) : this.#libc.address(data) + BigInt(done))
      .setS32("len", len - done)
      .setS32("flags", blockFlag);
    try {
      await this.#waits.blocking({
        op: "ioctl_buf",
        fd: this.#fd,
        request,
        struct: rest.bytes.buffer as SharedArrayBuffer,
      }, what);
    } catch (e) {
      if (done > 0) return done; // the kernel's rule: bytes moved count before an error
      throw e;
    }
    const moved = rest.s32("out_len");
    if (bounce && request === IOCTL.SCIF_RECV) {
      if (data.length !== len) {
        if (done > 0) return done;
        throw new ScifError("EFAULT", `the buffer of a blocking recv was detached or shrunk while it waited`);
      }
      data.set(bounce.subarray(0, moved), done);
    }
    return done + moved;
  }
}
