// One thread's view of one emulated network: the shared memory, typed views over it, the
// WebAssembly core instantiated over it, the layout and the page heap. A thread that
// attaches several nodes of one network shares one view.

import { type CoreExports, instantiateCore } from "../core/scif_core.ts";
import { ScifError } from "../errors.ts";
import {
  computeLayout,
  H_CONNECT_TIMEOUT_MS,
  H_MAGIC,
  H_NET_ID,
  H_NODES,
  H_PRIVILEGED,
  H_RING_BYTES,
  H_SPIN,
  H_VERSION,
  type Layout,
  N_DOORBELL,
  NET_MAGIC,
  NET_VERSION,
  nodeField,
} from "./_layout.ts";
import { PageHeap } from "./_heap.ts";
import { notify } from "./_wait.ts";

/**
 * What a Worker needs to join a network: structured-cloneable, so it can be posted.
 *
 * @example
 * ```ts
 * import { createNetwork } from "../mod.ts";
 * const net = await createNetwork({ nodes: 2 });
 * const worker = new Worker(new URL("./card.ts", import.meta.url), { type: "module" });
 * worker.postMessage(net.handle(1)); // the Worker calls attachNode(e.data)
 * ```
 */
export interface NetworkHandle {
  /** Marks the object as a handle. */
  readonly kind: "scif-emu-network";
  /** The network's shared memory. */
  readonly memory: WebAssembly.Memory;
  /** The compiled WebAssembly core. */
  readonly module: WebAssembly.Module;
  /** The node this handle attaches (Network.handle(nodeId)). */
  readonly nodeId: number;
}

/** A thread's view of a network. */
export class EmuShared {
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  readonly core: CoreExports;
  readonly layout: Layout;
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
  readonly heap: PageHeap;
  readonly connectTimeoutMs: number;
  readonly spins: number;
  /** The network's identity: names its Web Locks. */
  readonly id: string;
  readonly privileged: boolean;

  private constructor(memory: WebAssembly.Memory, module: WebAssembly.Module, core: CoreExports) {
    this.memory = memory;
    this.module = module;
    this.core = core;
    const buffer = memory.buffer;
    this.u8 = new Uint8Array(buffer);
    this.i32 = new Int32Array(buffer);
    const probe = computeLayout(1, buffer.byteLength, 0);
    const header = probe ? probe.header : 0;
    const h = (f: number) => Atomics.load(this.i32, (header + f) >> 2);
    if (h(H_MAGIC) !== NET_MAGIC || h(H_VERSION) !== NET_VERSION) {
      throw new ScifError("EINVAL", "the memory does not hold a scif emulated network");
    }
    const layout = computeLayout(h(H_NODES), buffer.byteLength, h(H_RING_BYTES));
    if (!layout) throw new ScifError("EINVAL", "corrupt network header");
    this.layout = layout;
    this.connectTimeoutMs = h(H_CONNECT_TIMEOUT_MS);
    this.id = [0, 4, 8, 12].map((o) => (h(H_NET_ID + o) >>> 0).toString(16).padStart(8, "0")).join("");
    this.spins = h(H_SPIN);
    this.privileged = h(H_PRIVILEGED) !== 0;
    this.heap = new PageHeap(layout, buffer);
  }

  /** The thread's view of the network in `memory` (made once per thread and memory). */
  static async of(memory: WebAssembly.Memory, module: WebAssembly.Module): Promise<EmuShared> {
    let shared = views.get(memory.buffer);
    if (!shared) {
      const core = await instantiateCore(module, memory);
      shared = views.get(memory.buffer) ?? new EmuShared(memory, module, core);
      views.set(memory.buffer, shared);
    }
    return shared;
  }

  /** Loads the i32 at byte address `addr`. */
  load(addr: number): number {
    return Atomics.load(this.i32, addr >> 2);
  }

  /** Stores the i32 at byte address `addr`. */
  store(addr: number, value: number): void {
    Atomics.store(this.i32, addr >> 2, value);
  }

  /** Compare-and-swap on the i32 at byte address `addr`; returns the value found. */
  cas(addr: number, expected: number, value: number): number {
    return Atomics.compareExchange(this.i32, addr >> 2, expected, value);
  }

  /** Adds to the i32 at `addr` and wakes every thread sleeping on it. */
  ring(addr: number): void {
    Atomics.add(this.i32, addr >> 2, 1);
    notify(this.i32, addr >> 2);
  }

  /** Rings every node's doorbell, so that each looks at the node table again. */
  ringAll(): void {
    for (let k = 0; k < this.layout.nodes; k++) this.ring(nodeField(this.layout, k, N_DOORBELL));
  }
}

const views = new WeakMap<ArrayBufferLike, EmuShared>();
