// The byte stream of a connected emulated endpoint (scif_send, scif_recv, and poll's view of
// them) over its endpoint queue pair (emu/_qp.ts).
//
// A call that moves nothing must still let the world move: a non-blocking call that finds
// nothing to do first handles what the peer's slot has sent (so a disconnect shows without
// waiting for the dispatcher's turn), and every few such calls in a row it resolves only after
// a turn of the event loop, so that a program that loops on non-blocking calls (Intel's
// tutorials with -b 0) lets the rest of its thread run: a bridge, a timer, the dispatcher.
//
// A blocking call's buffer is the caller's while it waits: it may be detached (transferred) or
// shrunk (a resizable ArrayBuffer) meanwhile. Each turn looks at its length before it touches
// it; a changed one ends the call with the count moved so far, or EFAULT when nothing moved
// (the kernel's answer to a buffer that is no longer mapped). Bytes not yet taken stay in the
// ring; bytes taken are where the buffer's memory went (transfer() moves it).
//
// An abort (the call's AbortSignal) wakes the call, which ends as a changed buffer does: with
// the count moved so far, or EINTR when nothing moved; what it had not taken stays in the ring.

import { POLLERR, POLLHUP, POLLIN, POLLOUT } from "../constants.ts";
import { ScifError } from "../errors.ts";
import { abortError, onAbort } from "../_abort.ts";
import { delay } from "../_delay.ts";
import type { EndpointQp } from "./_qp.ts";
import type { EndpointCounters } from "../_stats.ts";

/** Consecutive calls that moved nothing before one waits for a turn of the event loop. */
const IDLE_CALLS = 16;

// Settled promises of the counts small sends and receives return, made once: a settled
// promise is immutable, and making one per call is a measurable part of a small message.
const RESOLVED_COUNTS = Array.from({ length: 257 }, (_, n) => Promise.resolve(n));
function resolvedCount(n: number): Promise<number> {
  return n <= 256 ? RESOLVED_COUNTS[n] : Promise.resolve(n);
}

/** What the stream needs of its endpoint. */
export interface StreamOwner {
  readonly state: string;
  /** The endpoint's statistics (only this thread writes them: see _stats.ts). */
  readonly counters: EndpointCounters;
  streamError(): ScifError;
  /** Handles now what the peer's slot has sent. */
  pumpPeer(): void;
  /** The peer wrote a record no writer could have made: the connection is reset. */
  streamBroken(): void;
}

/** The end of a blocking call whose buffer changed under it (see the module's comment). */
function moved(count: number, call: string): Promise<number> {
  if (count > 0) return Promise.resolve(count);
  throw new ScifError("EFAULT", `the buffer of a blocking ${call} was detached or shrunk while it waited`);
}

/** One connected endpoint's stream. */
export class EndpointStream {
  readonly #ep: StreamOwner;
  readonly #qp: EndpointQp;
  readonly #spins: number;
  readonly #counters: EndpointCounters;
  #idle = 0;

  constructor(ep: StreamOwner, qp: EndpointQp, spins: number) {
    this.#ep = ep;
    this.#qp = qp;
    this.#spins = spins;
    this.#counters = ep.counters;
  }

  #connected = () => this.#ep.state === "CONNECTED";

  send(data: Uint8Array, block: boolean, signal?: AbortSignal): Promise<number> {
    const n = this.#put(data, 0);
    if (n === data.length || (!block && n > 0)) {
      this.#idle = 0;
      return resolvedCount(n);
    }
    if (this.#ep.state !== "CONNECTED") {
      return n > 0 ? resolvedCount(n) : Promise.reject(this.#ep.streamError());
    }
    if (!block) return this.#nothingMoved();
    return this.#sendRest(data, n, signal);
  }

  /** A non-blocking call moved nothing: see the module's comment. */
  #nothingMoved(): Promise<number> {
    this.#ep.pumpPeer();
    if (++this.#idle < IDLE_CALLS) return resolvedCount(0);
    this.#idle = 0;
    return delay(0).then(() => 0);
  }

  /** A blocking send that found the ring full after `done` bytes. */
  async #sendRest(data: Uint8Array, done: number, signal?: AbortSignal): Promise<number> {
    const len = data.length;
    const qp = this.#qp;
    const stop = onAbort(signal, () => qp.wake());
    try {
      while (done < len) {
        if (signal?.aborted) return this.#aborted(done, signal, "send");
        const t = performance.now();
        await qp.waitForSpace(this.#spins, () => this.#connected() && !signal?.aborted);
        this.#woken(t);
        if (!this.#connected()) {
          if (done > 0) return done;
          throw this.#ep.streamError();
        }
        if (data.length !== len) return moved(done, "send");
        done += this.#put(data, done);
      }
      return done;
    } finally {
      stop();
    }
  }

  /** Counts a blocking call's wait that began at `t` (only calls that had to wait get here). */
  #woken(t: number): void {
    const c = this.#counters;
    c.wakeups++;
    c.blockedMs += performance.now() - t;
  }

  /** The end of a blocking call that `signal` aborted after `count` bytes. */
  #aborted(count: number, signal: AbortSignal, call: string): number {
    if (count > 0) return count;
    throw abortError(signal, `a blocking ${call}`);
  }

  /** put(), with a queue pair found broken (a view of ours stored over) turned into a reset
   * connection, which the caller's next look at the state sees. Counts the bytes, and the call
   * once (its first put that moves bytes is the one `from` 0: every call starts there). */
  #put(data: Uint8Array, from: number): number {
    const n = this.#qp.put(data, from);
    if (this.#qp.broken) this.#ep.streamBroken();
    const c = this.#counters;
    c.bytesSent += n;
    if (from === 0 && n > 0) c.messagesSent++;
    return n;
  }

  /** take(), with a broken ring turned into a reset connection; counted as #put. */
  #take(into: Uint8Array, from: number, spins: number): number {
    const n = this.#qp.take(into, from, spins);
    if (n < 0) {
      this.#ep.streamBroken();
      return 0;
    }
    const c = this.#counters;
    c.bytesReceived += n;
    if (from === 0 && n > 0) c.messagesReceived++;
    return n;
  }

  recv(into: Uint8Array, block: boolean, signal?: AbortSignal): Promise<number> {
    if (this.#ep.state === "CONNECTED") {
      const n = this.#take(into, 0, block ? this.#spins : 0);
      if (this.#ep.state !== "CONNECTED") return this.#recvRest(into, n, block); // reset meanwhile
      if (n === into.length || (!block && n > 0)) {
        this.#idle = 0;
        return resolvedCount(n);
      }
      if (!block) return this.#nothingMoved();
      return this.#recvRest(into, n, true, signal);
    }
    if (into.length === 0) return resolvedCount(0);
    return this.#recvRest(into, 0, block);
  }

  /** The rest of a recv: a blocking one that has `got` bytes and wants more, or any recv
   * after the peer left (which drains what it sent, then reports ECONNRESET). */
  async #recvRest(into: Uint8Array, got: number, block = true, signal?: AbortSignal): Promise<number> {
    const len = into.length;
    const qp = this.#qp;
    const stop = onAbort(signal, () => qp.wake());
    try {
      while (got < len) {
        const n = this.#take(into, got, this.#connected() ? this.#spins : 0);
        got += n;
        if (n > 0) continue;
        // Empty. After a disconnect everything the peer committed is already here: done.
        if (!block || !this.#connected()) break;
        if (signal?.aborted) return this.#aborted(got, signal, "recv");
        const t = performance.now();
        await qp.sleepForData(() => this.#connected() && !signal?.aborted);
        this.#woken(t);
        if (this.#ep.state !== "CONNECTED" && this.#ep.state !== "DISCONNECTED") break;
        if (into.length !== len) return moved(got, "recv");
      }
    } finally {
      stop();
    }
    if (got > 0 || this.#connected()) return got;
    throw this.#ep.streamError();
  }

  /** Waits for at least one byte and takes what is there (up to into.length); 0 once the peer
   * closed and everything it sent was taken. EINTR when `signal` aborts first (checked after
   * every wait, before anything is taken); the stream error once closed here. */
  async recvSome(into: Uint8Array, signal?: AbortSignal): Promise<number> {
    const stop = onAbort(signal, () => this.#qp.wake());
    try {
      for (;;) {
        const state = this.#ep.state;
        // Closed here meanwhile (or reset): as recv, not the end of the stream.
        if (state !== "CONNECTED" && state !== "DISCONNECTED") throw this.#ep.streamError();
        const n = this.#take(into, 0, state === "CONNECTED" ? this.#spins : 0);
        if (n > 0 || this.#ep.state !== "CONNECTED" || into.length === 0) return n;
        if (signal?.aborted) throw abortError(signal, "a recv");
        const t = performance.now();
        await this.#qp.sleepForData(() => this.#connected() && !signal?.aborted);
        this.#woken(t);
        // An abort that came with the bytes wins: they stay in the ring for the next call.
        if (signal?.aborted) throw abortError(signal, "a recv");
      }
    } finally {
      stop();
    }
  }

  /** The poll events that hold now. */
  pollEvents(): number {
    const qp = this.#qp;
    if (qp.broken) this.#ep.streamBroken();
    switch (this.#ep.state) {
      case "CONNECTED": {
        const events = (qp.count() > 0 ? POLLIN : 0) | (qp.space() > 0 ? POLLOUT : 0);
        if (!qp.broken) return events;
        this.#ep.streamBroken();
        return this.pollEvents();
      }
      case "DISCONNECTED":
        return POLLHUP | (qp.count() > 0 ? POLLIN : 0);
      default:
        return POLLERR;
    }
  }

  /** Cells a poll sleeps on for `events` (see EndpointQp.announce). */
  pollCells(events: number): [number, number][] {
    return this.#qp.announce((events & POLLIN) !== 0, (events & POLLOUT) !== 0);
  }
}
