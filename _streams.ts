// Web Streams over an endpoint's byte stream (Endpoint.readable and .writable).
//
// - readable: a byte stream (BYOB readers take bytes straight into their buffer). It pulls only
//   when read: bytes not asked for stay in the endpoint's receive ring, so a slow reader holds
//   the sender back by the ring's space, as with recv. Each pull is one recvSome; its 0 (the
//   peer closed and every byte it sent was taken, where recv says ECONNRESET) is the stream's
//   clean end. Any other failure (the endpoint closed here) errors the stream. Cancel stops a
//   pending read (an abort checked after every wait, so its bytes stay in the ring; a read that
//   had completed hands its bytes back to the endpoint, before the ring's) and leaves the
//   endpoint open: its next `readable` is a new stream.
// - writable: each chunk is one blocking send, which resolves when every byte is in the peer's
//   ring: a write waits for ring space, and the stream's queue holds one chunk (highWaterMark
//   1), so writer.ready is SCIF's backpressure. close() closes the endpoint once the last chunk
//   is in the ring (SCIF has no half-close; pipeTo's preventClose keeps it open); the peer
//   reads every byte and then its readable ends. abort() stops a waiting send (bytes already in
//   the ring stay sent) and leaves the endpoint open.

import { ScifError } from "./errors.ts";

/** What the streams need of an endpoint (the public Endpoint). */
export interface StreamEndpoint {
  readonly closed: boolean;
  /** Puts back bytes taken that the cancelled stream could not hand over. */
  unread(bytes: Uint8Array): void;
  recvSome(into: Uint8Array, options?: { signal?: AbortSignal }): Promise<number>;
  send(data: Uint8Array, options?: { signal?: AbortSignal }): Promise<number>;
  close(): void;
}

/** Bytes a default reader gets per read when it brings no buffer. */
const CHUNK = 64 * 1024;

/** The endpoint's bytes as a ReadableStream of Uint8Array (a byte stream). */
export function readableOf(ep: StreamEndpoint, onDone: () => void): ReadableStream<Uint8Array<ArrayBuffer>> {
  let pending: AbortController | null = null;
  let cancelled = false;
  return new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: CHUNK,
    async pull(controller) {
      const request = controller.byobRequest!;
      const view = request.view as Uint8Array;
      pending = new AbortController();
      let n: number;
      try {
        n = await ep.recvSome(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), {
          signal: pending.signal,
        });
      } catch (e) {
        if (pending.signal.aborted) return; // cancelled: nothing was taken
        throw e;
      } finally {
        pending = null;
      }
      if (cancelled) {
        // The read completed as the cancel came: its bytes go back before the ring's.
        ep.unread(new Uint8Array(view.buffer, view.byteOffset, n));
        return;
      }
      if (n === 0) {
        onDone();
        controller.close();
        request.respond(0);
      } else request.respond(n);
    },
    cancel() {
      cancelled = true;
      onDone();
      pending?.abort(new ScifError("EINTR", "the readable stream was cancelled"));
    },
  });
}

/** A WritableStream whose chunks (Uint8Array) are sent on the endpoint. */
export function writableOf(ep: StreamEndpoint): WritableStream<Uint8Array> {
  const stop = new AbortController();
  let signal: AbortSignal | null = null; // ours and the controller's, made at the first write
  return new WritableStream<Uint8Array>({
    async write(chunk, controller) {
      if (!(chunk instanceof Uint8Array)) {
        throw new ScifError("EINVAL", "a chunk written to an endpoint must be a Uint8Array");
      }
      // The sink's abort() runs only after the write in flight ends: the controller's signal is
      // what tells a send waiting for room (writer.abort, pipeTo's signal).
      signal ??= AbortSignal.any([stop.signal, controller.signal]);
      let at = 0;
      while (at < chunk.length) {
        at += await ep.send(at === 0 ? chunk : chunk.subarray(at), { signal });
      }
    },
    close() {
      if (!ep.closed) ep.close();
    },
    abort(reason) {
      stop.abort(reason ?? new ScifError("EINTR", "the writable stream was aborted"));
    },
  }, new CountQueuingStrategy({ highWaterMark: 1 }));
}

/**
 * Bytes a cancelled readable had taken from the ring but could not hand over (a read that
 * completed as the cancel came). They belong before the ring's: the endpoint's next recv or
 * recvSome takes them first, so a stream cancelled mid-read loses no byte and reorders none.
 */
export class UnreadBytes {
  #bytes: Uint8Array | null = null;

  /** Puts `bytes` back (copied), before any put back earlier. */
  put(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (!this.#bytes) this.#bytes = bytes.slice();
    else {
      const all = new Uint8Array(bytes.length + this.#bytes.length);
      all.set(bytes);
      all.set(this.#bytes, bytes.length);
      this.#bytes = all;
    }
  }

  /** Moves what there is, up to `into.length`, to the start of `into`; the count. */
  take(into: Uint8Array): number {
    const u = this.#bytes;
    if (!u) return 0;
    const k = Math.min(u.length, into.length);
    into.set(u.subarray(0, k));
    this.#bytes = k === u.length ? null : u.subarray(k);
    return k;
  }
}
