// A test cluster: an emulated SCIF network whose nodes run in real Workers (or, for cases
// about one thread, in the test's own thread). Scenarios are plain async functions
// `(node, args, ctx) => value` exported by a module; a Worker node runs them by name, and
// `ctx` lets a scenario and the test exchange signals so that steps can be ordered across
// threads. A ScifError thrown in a Worker arrives in the test as a ScifError.
import {
  createNetwork,
  type Network,
  type NetworkOptions,
  openNode,
  type PortId,
  type ScifNode,
} from "../mod.ts";
import { ScifNode as Node } from "../node.ts";
import { SimDevice } from "./_sim.ts";
import { Processes } from "./_processes.ts";
import { type AttachSpec, awaitedOfNodes, NodeWorker, scenarios } from "./_node_handle.ts";

export {
  type AttachSpec,
  type NodeTransport,
  NodeWorker,
  type Scenario,
  type ScenarioContext,
  type ScenarioModule,
  scenarios,
  setNodeWorkerScript,
} from "./_node_handle.ts";

/** The backends the conformance suite runs on: the emulated network of threads ("emu"), the
 * machine's emulated network with every node a process of its own ("machine"), and the
 * hardware backend (Deno FFI through libc's symbols) on the simulated /dev/scif ("hw"). */
export type Backend = "emu" | "hw" | "machine";
export const BACKENDS: Backend[] =
  // deno-lint-ignore no-explicit-any
  typeof (globalThis as any).Deno?.dlopen === "function" ? ["emu", "machine", "hw"] : ["emu"]; // a browser: emu

/** How long one conformance test may run. */
const HANG_MS = 180_000;

/**
 * Registers `name` once per backend, as "[emu] name" and "[hw] name". `fn` gets the backend;
 * `only` restricts the backends (for what one of them cannot express).
 */
export function conformance(
  name: string,
  fn: (backend: Backend, t: Deno.TestContext) => Promise<void>,
  only: Backend[] = BACKENDS,
): void {
  for (const backend of only.filter((b) => BACKENDS.includes(b))) {
    Deno.test(`[${backend}] ${name}`, (t) => guarded(() => fn(backend, t)));
  }
}

/** Runs `fn`; a hang fails it after `ms` (each test takes seconds) with what the test awaited
 * of its nodes then, instead of holding the suite until CI's limit. */
export async function guarded<T>(fn: () => Promise<T>, ms = HANG_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `still running after ${ms / 1000} s: a hang; awaited of the nodes: ${
              awaitedOfNodes().join("; ") || "nothing"
            }`,
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([fn(), hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** Options of a cluster: the network's (emu; machine: nodes, ringBytes, connectTimeoutMs, fenceTimeoutMs)
 * and the backend. */
export interface ClusterOptions extends NetworkOptions {
  backend?: Backend;
}

const SCENARIOS = scenarios<typeof import("./_scenarios.ts")>(new URL("./_scenarios.ts", import.meta.url));

/** A SCIF network for a test: nodes in Workers (processes, for "machine") and in the test's
 * thread, on one backend. */
export class Cluster {
  readonly backend: Backend;
  readonly #net: Network | null;
  readonly #sim: SimDevice | null;
  readonly #procs: Processes | null;
  readonly #options: ClusterOptions;
  readonly workers: NodeWorker[] = [];
  readonly #local: ScifNode[] = [];

  private constructor(
    backend: Backend,
    options: ClusterOptions,
    net: Network | null,
    sim: SimDevice | null,
    procs: Processes | null,
  ) {
    this.backend = backend;
    this.#options = options;
    this.#net = net;
    this.#sim = sim;
    this.#procs = procs;
  }

  /** A network of `nodes` nodes, none attached yet (network options apply to emu and machine). */
  static async create(options: ClusterOptions): Promise<Cluster> {
    const { backend = "emu", ...net } = options;
    if (backend === "emu") return new Cluster(backend, options, await createNetwork(net), null, null);
    if (backend === "machine") {
      const env: Record<string, string> = { SCIF_EMU_NODES: String(net.nodes), SCIF_EMU_MEMORY: "256" };
      if (net.ringBytes) env.SCIF_EMU_RING_BYTES = String(net.ringBytes);
      if (net.connectTimeoutMs) env.SCIF_EMU_CONNECT_TIMEOUT_MS = String(net.connectTimeoutMs);
      if (net.fenceTimeoutMs) env.SCIF_EMU_FENCE_TIMEOUT_MS = String(net.fenceTimeoutMs);
      return new Cluster(backend, options, null, null, await Processes.create(env));
    }
    return new Cluster(backend, options, null, await SimDevice.open(), null);
  }

  /** Whether a node's end (its Worker terminated, its process killed) is the loss of the node
   * (ENODEV, gone from getNodeIds), as for a card; false on a machine's network, where a
   * node is a machine and only the program ends (its connections reset, connects refused). */
  get endIsLoss(): boolean {
    return this.backend !== "machine";
  }

  /** The rendezvous directory (machine only). */
  get dir(): string {
    if (!this.#procs) throw new Error("not a machine network");
    return this.#procs.dir;
  }

  /** The emulated network (emu only). */
  get net(): Network {
    if (!this.#net) throw new Error("not an emulated network");
    return this.#net;
  }

  /** The simulated device (hw only). */
  get sim(): SimDevice {
    if (!this.#sim) throw new Error("not the simulated device");
    return this.#sim;
  }

  #spec(nodeId: number): AttachSpec {
    if (this.#net) return { backend: "emu", handle: this.#net.handle(nodeId) };
    this.#sim!.add(nodeId);
    return { backend: "hw", device: this.#sim!.device(nodeId), libc: this.#sim!.library };
  }

  /** Attaches node `nodeId` in a new Worker (machine: a new process). */
  async spawn(nodeId: number): Promise<NodeWorker> {
    if (this.#procs) {
      const w = await this.#procs.spawn({ SCIF_NODE: String(nodeId) });
      this.workers.push(w);
      return w;
    }
    const sim = this.#sim;
    const w = await NodeWorker.start(this.#spec(nodeId), nodeId, sim ? () => sim.remove(nodeId) : undefined);
    this.workers.push(w);
    return w;
  }

  /** Attaches node `nodeId` in the test's own thread. */
  async local(nodeId: number): Promise<ScifNode> {
    let node: ScifNode;
    if (this.#procs) {
      const { joinMachine } = await import("../emu/machine.ts");
      const o = this.#options;
      node = new Node(
        await joinMachine({
          dir: this.#procs.dir,
          node: nodeId,
          nodes: o.nodes,
          memoryMiB: 256,
          ringBytes: o.ringBytes,
          connectTimeoutMs: o.connectTimeoutMs,
          fenceTimeoutMs: o.fenceTimeoutMs,
        }),
      );
    } else {
      const spec = this.#spec(nodeId);
      node = spec.backend === "emu"
        ? await this.#net!.node(nodeId)
        : await openNode({ backend: "hw", device: spec.device, libc: spec.libc });
    }
    this.#local.push(node);
    return node;
  }

  /** Nodes 0 and 1 in Workers, connected: node 0's endpoint is kept as "c", node 1's accepted
   * endpoint as "conn0" (tests/_scenarios.ts). */
  async connectedPair(port = 2000): Promise<[NodeWorker, NodeWorker]> {
    const [a, b] = [await this.spawn(0), await this.spawn(1)];
    const listening = b.signal("listening");
    const server = b.run(SCENARIOS, "listen", { port, backlog: 1, accepts: 1 });
    await listening;
    await a.run(SCENARIOS, "connect", { dst: { node: 1, port }, name: "c" });
    await server;
    return [a, b];
  }

  /** Closes every node, ends every Worker. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all(this.#local.map((n) => n.close()));
    await this.#net?.close();
    this.#sim?.close();
    await this.#procs?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Starts a listener on `w` that accepts `accepts` connections; resolves once it listens, to
 * the promise of the accepts. */
export async function listener(
  w: NodeWorker,
  port: number,
  accepts = 0,
  backlog = 8,
): Promise<{ done: Promise<{ port: number; peers: PortId[] }> }> {
  const listening = w.signal("listening");
  const done = w.run(SCENARIOS, "listen", { port, backlog, accepts });
  await listening;
  return { done };
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Rejects with a clear message if `p` takes longer than `ms`: a test must never hang. */
export function within<T>(ms: number, p: Promise<T>, what = "operation"): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
