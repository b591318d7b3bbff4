// The thread of a node's DMA engine (emu/_dma.ts queues its descriptors): dmaEngineMain, and
// how it is started.
//
// The engine runs from dmaEngineMain's source text, so it needs no file or network permission
// and no separate file in a browser bundle: a Worker of a Blob URL (Deno, browsers, Bun; the URL
// is revoked once the engine runs, as Bun reads it only later), or a worker_threads thread of
// that text where the runtime has no Worker (Node.js). A runtime with neither cannot have an
// engine: the transfers that need one (without SCIF_RMA_SYNC or SCIF_RMA_USECPU, fenceSignal)
// fail with EOPNOTSUPP at the call, and SYNC and USECPU transfers copy in the calling thread.

import { ScifError } from "../errors.ts";
import { denoGlobal } from "../_deno.ts";
import { workerThreads } from "../_runtime.ts";
import { orderedCopy } from "./_copy.ts";

/** Starts the engine's thread, named `name`: a Worker of a Blob URL (`url`, for the caller to
 * revoke once the thread runs), or a worker_threads thread. `onFail` hears that it could not run.
 * EOPNOTSUPP where the runtime has neither. */
export function startEngineThread(
  name: string,
  onFail: (message: string) => void,
): { thread: EngineThread; url: string | null } {
  const main = `(${dmaEngineMain.toString()})(${orderedCopy.toString()}, ${denoGlobal.toString()})`;
  if (typeof Worker === "function") {
    const url = URL.createObjectURL(new Blob([main], { type: "text/javascript" }));
    const web = new Worker(url, { type: "module", name });
    web.onerror = (e) => {
      e.preventDefault();
      onFail(e.message);
    };
    return { thread: { postMessage: (m) => web.postMessage(m), terminate: () => web.terminate() }, url };
  } else {
    const wt = workerThreads();
    if (!wt) {
      throw new ScifError(
        "EOPNOTSUPP",
        "an RMA without SCIF_RMA_SYNC (and fenceSignal) goes to the node's DMA engine, a thread of its " +
          "own, and this runtime has no Worker to run it: pass SCIF_RMA_SYNC or SCIF_RMA_USECPU, which " +
          "copy in the calling thread",
      );
    }
    // The engine's main function as a worker_threads script (CommonJS): its `self` is the port.
    const shim = 'const { parentPort } = require("node:worker_threads");\n' +
      "const self = { set onmessage(f) { parentPort.on('message', (data) => f({ data })); }, " +
      "close() { parentPort.close?.(); } };\n";
    const node = new wt.Worker(shim + main, { eval: true, name });
    node.unref(); // as a Web Worker: it does not hold the process open
    node.on("error", (e) => onFail(String(e)));
    return {
      thread: { postMessage: (m) => node.postMessage(m), terminate: () => void node.terminate() },
      url: null,
    };
  }
}

/** The engine's thread, a Web Worker or a worker_threads Worker. */
export interface EngineThread {
  postMessage(message: unknown): void;
  terminate(): void;
}

/** What the engine needs to start. */
export interface DmaInit {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  rx: number;
  ready: number;
  writeCell: number;
  readCell: number;
  completed: number;
  /** The slot's waiters count, doorbell, dispatcher-sleeping and wakes cells: the engine wakes
   * the slot's calls after a completion when one waits. */
  waiters: number;
  doorbell: number;
  sleeping: number;
  wakes: number;
  slotTable: number;
  line: number;
  fields: { completed: number; state: number; epoch: number; active: number };
  spins: number;
  /** Wake and wait with futexes as well (a machine's network: other processes wait). */
  futex: boolean;
}

/**
 * The engine's thread. Self-contained (it is run from its own source text, with the copy
 * function and the Deno global's helper passed in the same way): it instantiates the core over the shared memory and serves
 * the queue, sleeping with Atomics.wait when it has been idle for a while.
 */
export function dmaEngineMain(copy: typeof orderedCopy, deno: typeof denoGlobal): void {
  const me = self as unknown as { onmessage: (e: MessageEvent) => void; close(): void };
  me.onmessage = async (e: MessageEvent) => {
    const init = e.data as DmaInit;
    const instance = await WebAssembly.instantiate(init.module, { env: { memory: init.memory } });
    // deno-lint-ignore no-explicit-any
    const core = instance.exports as any;
    const buffer = init.memory.buffer;
    const u8 = new Uint8Array(buffer);
    const i32 = new Int32Array(buffer);
    const i64 = new BigInt64Array(buffer);
    const rx = init.rx;
    const field = (slot: number, f: number) => (init.slotTable + slot * init.line + f) >> 2;
    // On a machine's network the waiters of our counter, and the counters we wait for, may be
    // in other processes: futexes reach them (the page is shared; not the _PRIVATE variants).
    const D = deno()!;
    const fx = init.futex
      ? D.dlopen("libc.so.6", {
        futex: {
          name: "syscall",
          parameters: ["i64", "pointer", "i64", "i64", "buffer", "pointer", "i64"],
          result: "i64",
        },
      }).symbols.futex
      : null;
    const base = fx ? D.UnsafePointer.value(D.UnsafePointer.of(u8)) : 0n;
    const at = (index: number) => D.UnsafePointer.create(base + BigInt(index * 4));
    const wake = (index: number) => {
      Atomics.notify(i32, index);
      if (fx) fx(202n, at(index), 1n, 0x7fffffffn, null, null, 0n);
    };
    const ts10ms = new Uint8Array(16);
    new DataView(ts10ms.buffer).setBigInt64(8, 10_000_000n, true);
    const wait10ms = (index: number, seen: number) => {
      if (fx) fx(202n, at(index), 0n, BigInt(seen), ts10ms, null, 0n);
      else Atomics.wait(i32, index, seen, 10);
    };

    const store64 = (addr: number, value: bigint) => {
      if (addr % 8 === 0) Atomics.store(i64, addr / 8, value);
      else {
        Atomics.store(i32, addr / 4, Number(BigInt.asIntN(32, value)));
        Atomics.store(i32, addr / 4 + 1, Number(BigInt.asIntN(32, value >> 32n)));
      }
    };

    // Waits until slot `slot`, still in incarnation `epoch`, has completed `mark`. False when
    // that incarnation ended first (the signal is then dropped, as the kernel drops a
    // lost node's requests).
    const waitPeer = (slot: number, epoch: number, mark: number) => {
      const cell = field(slot, init.fields.completed);
      for (;;) {
        const seen = Atomics.load(i32, cell);
        if (((seen - mark) & 0x7fffffff) < 0x40000000) return true;
        if (Atomics.load(i32, field(slot, init.fields.state)) !== init.fields.active) return false;
        if (Atomics.load(i32, field(slot, init.fields.epoch)) !== epoch) return false;
        wait10ms(cell, seen);
      }
    };

    // Rings the slot's doorbell (its dispatcher then wakes the calls that wait in its thread).
    const ring = () => {
      Atomics.add(i32, init.wakes >> 2, 1);
      Atomics.add(i32, init.doorbell >> 2, 1);
      if (Atomics.compareExchange(i32, init.sleeping >> 2, 1, 0) === 1) wake(init.sleeping >> 2);
    };
    Atomics.store(i32, init.ready >> 2, 1);
    Atomics.notify(i32, init.ready >> 2);
    ring(); // whoever waits for the engine to start
    for (;;) {
      let at = core.msg_peek(rx);
      for (let i = 0; at === 0 && i < init.spins; i++) at = core.msg_peek(rx);
      if (at === 0) {
        core.rb_set_waiting(rx, 1);
        const seen = Atomics.load(i32, init.writeCell >> 2);
        if (core.msg_peek(rx) === 0) Atomics.wait(i32, init.writeCell >> 2, seen);
        core.rb_set_waiting(rx, 0);
        continue;
      }
      const op = core.msg_op(at);
      const p = [0, 1, 2, 3].map((w) => BigInt.asUintN(64, core.msg_payload(at, w)));
      if (core.msg_release(rx)) Atomics.notify(i32, init.readCell >> 2);
      if (op === 1) copy(core.mem_copy, u8, Number(p[0]), Number(p[1]), Number(p[2]), (p[3] & 1n) === 1n);
      else if (op === 2) {
        const slot = Number(p[2] & 0xffffffffn) - 1;
        if (slot < 0 || waitPeer(slot, Number(p[2] >> 32n), Number(p[3]))) store64(Number(p[0]), p[1]);
      } else if (op === 4) Atomics.wait(i32, init.ready >> 2, 1, Number(p[0])); // a stall (a fault)
      Atomics.add(i32, init.completed >> 2, 1);
      wake(init.completed >> 2);
      if (Atomics.load(i32, init.waiters >> 2) > 0) ring();
      if (op === 3) return me.close();
    }
  };
}
