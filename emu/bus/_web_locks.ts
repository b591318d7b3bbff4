// Liveness of the threads of one program, on the Web Locks API (navigator.locks, in Deno and
// browsers): how a slot attached in a Worker is seen to end.
//
// A slot attached in a Worker holds an exclusive lock named after its network and slot for as
// long as it is attached. The runtime releases a lock when the thread holding it ends, however
// it ends (terminate(), an uncaught error, close()), so every other slot of the program keeps a
// shared request for that lock pending: when it is granted, the slot's thread is gone or the
// slot closed. Detection takes milliseconds and costs nothing while nothing happens: no timer,
// no beat, and a thread that is merely busy is never taken for dead. Locks are per program:
// the slots of other processes are watched otherwise (bus/machine.ts).
//
// A slot attached in a runtime's main thread holds no lock: that thread ends only with the
// whole program (process or page), and a held lock would keep a Deno process from exiting.
//
// Node.js and Bun have no Web Locks (their Workers, and Node.js's worker_threads, have no
// WorkerGlobalScope either: see inWorkerThread). There a holder beats instead, as a card answers
// the SCIF_NODE_ALIVE pings of Intel's SCIF driver (MPSS): every BEAT_MS it posts on a BroadcastChannel of the lock's
// name, and "end" when it lets go; a watcher takes the holder for ended at its "end" or after
// LOSS_MS without a beat. The end of a Worker is then seen within LOSS_MS, and a Worker that
// blocks its event loop for longer than that (a long synchronous computation) is taken for
// lost, as a card that stops answering is. Timers and channels are unreferenced: they never
// hold a process or a Worker open.

import { denoGlobal } from "../../_deno.ts";
import { inWorkerThread } from "../../_runtime.ts";

/** Whether this thread is a Worker (whose end must be detectable) rather than a main thread. */
export function inWorker(): boolean {
  return inWorkerThread();
}

/** Without Web Locks: how often a holder beats, and how long a watcher waits for a beat. */
export const BEAT_MS = 250;
export const LOSS_MS = 5000;

interface LockManagerLike {
  request<T>(
    name: string,
    options: { mode?: "shared" | "exclusive"; ifAvailable?: boolean; signal?: AbortSignal },
    cb: (lock: unknown) => Promise<T> | T,
  ): Promise<T>;
}

function locks(): LockManagerLike | null {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks ?? null;
}

/** Whether this runtime has Web Locks (without them the end of a Worker goes unseen). */
export function haveLocks(): boolean {
  return locks() !== null;
}

/** The lock name of slot `slot` of the network `networkId`. */
export function lockName(networkId: string, slot: number): string {
  return `scif-emu:${networkId}:slot:${slot}`;
}

/**
 * Holds `name` exclusively until the returned release function is called (or the thread
 * ends). Resolves to null when another thread holds it now.
 */
export async function hold(name: string): Promise<(() => void) | null> {
  const lm = locks();
  if (!lm) return beat(name);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let granted!: (ok: boolean) => void;
  const answer = new Promise<boolean>((r) => (granted = r));
  lm.request(name, { ifAvailable: true }, (lock) => {
    granted(lock !== null);
    return lock === null ? undefined : held;
  }).catch(() => granted(false));
  return (await answer) ? release : null;
}

/**
 * Calls `onEnd` once the holder of `name` releases it (its thread ended or the slot closed).
 * Returns a function that stops watching.
 */
export function watch(name: string, onEnd: () => void): () => void {
  const lm = locks();
  if (!lm) return watchBeats(name, onEnd);
  const stop = new AbortController();
  lm.request(name, { mode: "shared", signal: stop.signal }, () => {
    if (!stop.signal.aborted) onEnd();
  }).catch(() => {});
  return () => stop.abort();
}

/** Something of Node.js's or Bun's that can be told not to hold the event loop open. */
type Unrefable = { unref?: () => void };

/** Makes a timer or a channel unreferenced where the runtime can (Node.js, Bun; Deno). */
function unref(t: unknown): void {
  if (typeof t === "number") denoGlobal()?.unrefTimer?.(t);
  else (t as Unrefable)?.unref?.();
}

/** hold() without Web Locks: beats on a BroadcastChannel named `name` until released. */
function beat(name: string): () => void {
  if (typeof BroadcastChannel !== "function") return () => {};
  const channel = new BroadcastChannel(name);
  unref(channel);
  const timer = setInterval(() => channel.postMessage("beat"), BEAT_MS);
  unref(timer);
  channel.postMessage("beat");
  let released = false;
  return () => {
    if (released) return;
    released = true;
    clearInterval(timer);
    channel.postMessage("end");
    channel.close();
  };
}

/** watch() without Web Locks: onEnd at the holder's "end", or after LOSS_MS without a beat. */
function watchBeats(name: string, onEnd: () => void): () => void {
  if (typeof BroadcastChannel !== "function") return () => {};
  const channel = new BroadcastChannel(name);
  let last = performance.now();
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    channel.close();
  };
  const end = () => {
    if (stopped) return;
    stop();
    onEnd();
  };
  channel.onmessage = (e: MessageEvent) => {
    if (e.data === "end") end();
    else last = performance.now();
  };
  unref(channel);
  const timer = setInterval(() => {
    if (performance.now() - last > LOSS_MS) end();
  }, BEAT_MS);
  unref(timer);
  return stop;
}
