// What the emulated network needs of the JavaScript runtime, feature-detected where a program
// starts to use it (createNetwork, attachNode, openNode, the DMA engine), so that a runtime
// without it is told at once, with a ScifError naming what is missing and what runs instead,
// rather than a TypeError, a ReferenceError or a hang later on.
//
// The network's memory is a shared WebAssembly.Memory (WebAssembly threads, a
// SharedArrayBuffer: in a browser only on a cross-origin isolated page), a node's dispatcher
// waits for other threads with Atomics.waitAsync (or in a waiter Worker), and a node's DMA
// engine is a thread of its own (a Worker, or Node.js's worker_threads). The answer for a runtime without one is
// EOPNOTSUPP (95, which Linux also calls ENOTSUP: "operation not supported"), as the library
// answers an mmap it cannot make.

import { ScifError } from "./errors.ts";

/** What a network of threads needs that this runtime lacks, as a sentence, or null. */
export function networkMissing(): string | null {
  const g = globalThis as { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown };
  if (g.crossOriginIsolated === false) {
    return "cross-origin isolation (this page is not cross-origin isolated, so it may not share memory " +
      "with its Workers): serve the page and its scripts with the headers " +
      "Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp " +
      "(deno task serve does)";
  }
  if (typeof g.SharedArrayBuffer !== "function") {
    return "SharedArrayBuffer, which the network's memory is: run in Deno, Node.js, Bun or a " +
      "cross-origin isolated page of Chromium or Firefox";
  }
  if (!sharedWasmMemory()) {
    return "WebAssembly threads (a shared WebAssembly.Memory), which the network's memory is: run in " +
      "Deno, Node.js, Bun or a current browser";
  }
  // Without Atomics.waitAsync a node waits in a waiter Worker instead (emu/bus/_wait_async.ts,
  // as in Firefox ESR); without either, nothing could wake a thread from another.
  if (typeof (Atomics as { waitAsync?: unknown }).waitAsync !== "function" && typeof Worker !== "function") {
    return "Atomics.waitAsync, or Workers to wait in with Atomics.wait, so that a node hears the other " +
      "nodes' messages without blocking its thread; this runtime has neither: run in Deno, Node.js, Bun " +
      "or a current browser";
  }
  return null;
}

/** Whether a shared WebAssembly.Memory can be made here (its buffer a SharedArrayBuffer). */
function sharedWasmMemory(): boolean {
  try {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return memory.buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/** Throws EOPNOTSUPP for `call` when this runtime lacks what a network of threads needs. */
export function requireNetworkRuntime(call: string): void {
  const missing = networkMissing();
  if (missing !== null) {
    throw new ScifError("EOPNOTSUPP", `${call}: the emulated network needs ${missing}`);
  }
}

/** Node.js's worker_threads, as Node.js and Bun have it (through process.getBuiltinModule, so
 * that no bundle imports a node: module), or null. */
export interface WorkerThreads {
  readonly isMainThread: boolean;
  readonly Worker: new (source: string, options: { eval: true; name?: string }) => NodeWorkerLike;
}

/** The part of a worker_threads Worker the library uses. */
export interface NodeWorkerLike {
  postMessage(message: unknown): void;
  terminate(): unknown;
  unref(): void;
  on(event: "error", listener: (error: unknown) => void): unknown;
}

/** worker_threads where the runtime has it and no Web Worker (Deno and Bun have Workers:
 * those are used; Node.js has only worker_threads). */
export function workerThreads(): WorkerThreads | null {
  const process = (globalThis as {
    process?: { getBuiltinModule?: (name: string) => unknown };
  }).process;
  if (typeof process?.getBuiltinModule !== "function") return null;
  try {
    const wt = process.getBuiltinModule("node:worker_threads") as WorkerThreads | undefined;
    return typeof wt?.Worker === "function" ? wt : null;
  } catch {
    return null;
  }
}

/** Whether this thread is not the program's main thread: a Web Worker, or a worker_threads
 * thread of Node.js or Bun (which have no WorkerGlobalScope). */
export function inWorkerThread(): boolean {
  if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") return true;
  if ((globalThis as { Deno?: unknown }).Deno !== undefined) return false;
  const wt = workerThreads();
  return wt !== null && wt.isMainThread === false;
}
