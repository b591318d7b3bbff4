// Networks of threads (createNetwork): the shared memory, made in this thread, and the handles
// that let Workers attach its nodes. The public face (../network.ts) wraps the nodes.

import { ScifError } from "../errors.ts";
import { ffiPermitted } from "../_deno.ts";
import { coreModule } from "../core/scif_core.ts";
import type { BusHandle } from "./bus/_bus.ts";
import { type Remapper, ThreadsBus } from "./bus/threads.ts";
import { initNetwork, integer, networkParams, type ParamOptions } from "./_init.ts";
import { NET_THREADS } from "./_layout.ts";
import { checkFaults, type FaultPlan, readFaults, writeFaults } from "./_faults.ts";
import { EmuNode } from "./_node.ts";
import { EmuShared } from "./_shared.ts";

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
  /** How the network's memory is shared: a file behind it (its descriptor, for a network of
   * threads; its path, for the machine's network), where FFI is allowed. */
  readonly bus?: { readonly kind: "threads"; readonly fd: number } | {
    readonly kind: "machine";
    readonly path: string;
  } | null;
}

/** A network of threads as this thread made it. */
export interface ThreadsNetwork {
  readonly shared: EmuShared;
  readonly nodes: number;
  handle(nodeId: number): NetworkHandle;
  /** The network's fault plan (emu/_faults.ts), in its header: every thread sees it. */
  readonly faults: FaultControl;
}

/**
 * The fault plan of a network ({@linkcode FaultPlan}): set, changed or cleared while programs
 * run; every node of the network, in any thread, follows it from its next decision on.
 *
 * @example
 * ```ts
 * import { createNetwork } from "../mod.ts";
 * const net = await createNetwork({ nodes: 2 });
 * net.faults.set({ seed: 7, dma: { failRate: 0.5 } });
 * console.log(net.faults.get()); // { seed: 7, dma: { failRate: 0.5, stallRate: 0, stallMs: 0 } }
 * net.faults.set(null); // off
 * await net.close();
 * ```
 */
export interface FaultControl {
  /** Sets the plan (null: no faults). EINVAL for a plan out of range, ENODEV for a silent node
   * the network does not have. */
  set(plan: FaultPlan | null): void;
  /** The plan in force (null: none). */
  get(): FaultPlan | null;
}

/** Makes the bus of a network of threads, with the file behind its memory when there is one. */
async function threadsBus(memory: WebAssembly.Memory, fd: number | null) {
  let remap: Remapper | null = null;
  if (fd !== null && ffiPermitted()) {
    const { FileMemory } = await import("./bus/_file_memory.ts");
    remap = FileMemory.adopt(memory, fd);
  }
  return (i32: Int32Array, id: string) => new ThreadsBus(i32, id, remap);
}

/** A new network of threads in a new shared memory (backed by a file without a name when this
 * program may use FFI, so that windows apart can be mapped as one range). */
export async function createThreadsNetwork(
  options: ParamOptions & { faults?: FaultPlan | null },
): Promise<ThreadsNetwork> {
  const params = networkParams(options);
  if (options.faults != null) checkFaults(options.faults, params.nodes); // before anything is made
  const pages = params.memoryBytes / 65536;
  let memory: WebAssembly.Memory;
  let fd: number | null = null;
  if (ffiPermitted()) {
    const { FileMemory } = await import("./bus/_file_memory.ts");
    const file = FileMemory.anonymous(params.memoryBytes);
    memory = file.memory;
    fd = file.fd;
  } else {
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  }
  const i32 = new Int32Array(memory.buffer);
  initNetwork(i32, params, NET_THREADS);
  if (options.faults != null) writeFaults(i32, params.layout, options.faults);
  const module = await coreModule();
  const shared = await EmuShared.of(memory, module, await threadsBus(memory, fd));
  const bus: BusHandle | null = fd === null ? null : { kind: "threads", fd };
  return {
    shared,
    nodes: params.nodes,
    faults: {
      set: (plan) => writeFaults(i32, params.layout, plan),
      get: () => readFaults(i32, params.layout),
    },
    handle(nodeId: number): NetworkHandle {
      if (!Number.isInteger(nodeId) || nodeId < 0 || nodeId >= params.nodes) {
        throw new ScifError(
          "ENODEV",
          `node ${String(nodeId)} does not exist (the network has ${params.nodes})`,
        );
      }
      return { kind: "scif-emu-network", memory, module, nodeId, bus };
    },
  };
}

/** Attaches the node a handle names, in this thread. */
export async function attachHandle(handle: NetworkHandle): Promise<EmuNode> {
  if (
    typeof handle !== "object" || handle === null || handle.kind !== "scif-emu-network" ||
    !(handle.memory instanceof WebAssembly.Memory) || !(handle.module instanceof WebAssembly.Module) ||
    !(handle.memory.buffer instanceof SharedArrayBuffer)
  ) {
    throw new ScifError("EINVAL", "not a NetworkHandle (make one with Network.handle(nodeId))");
  }
  const bus = handle.bus ?? null;
  if (bus !== null && (typeof bus !== "object" || (bus.kind !== "machine" && bus.kind !== "threads"))) {
    throw new ScifError("EINVAL", "not a NetworkHandle: its bus is not one a network made");
  }
  if (bus?.kind === "threads") integer("the handle's bus fd", bus.fd, 0, 2 ** 31 - 1);
  if (typeof handle.nodeId !== "number" || !Number.isInteger(handle.nodeId)) {
    throw new ScifError("EINVAL", "not a NetworkHandle: its nodeId is not an integer");
  }
  let makeBus;
  if (bus?.kind === "machine") {
    const { machineBusFor } = await import("./bus/machine.ts");
    makeBus = await machineBusFor(handle.memory, bus);
  } else makeBus = await threadsBus(handle.memory, bus?.kind === "threads" ? bus.fd : null);
  const shared = await EmuShared.of(handle.memory, handle.module, makeBus);
  return await EmuNode.attach(shared, handle.nodeId);
}
