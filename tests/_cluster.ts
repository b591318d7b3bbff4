// A test cluster: an emulated SCIF network whose nodes run in real Workers (or, for cases
// about one thread, in the test's own thread). Scenarios are plain async functions
// `(node, args, ctx) => value` exported by a module; a Worker node runs them by name, and
// `ctx` lets a scenario and the test exchange signals so that steps can be ordered across
// threads. A ScifError thrown in a Worker arrives in the test as a ScifError.
import {
  createNetwork,
  type Network,
  type NetworkHandle,
  type NetworkOptions,
  openNode,
  ScifError,
  type ScifNode,
} from "../mod.ts";
import type { ErrnoName } from "../errors.ts";
import { SimDevice } from "./_sim.ts";

/** The backends the conformance suite runs on: the emulated network, and the hardware backend
 * (Deno FFI through libc's symbols) on the simulated /dev/scif. */
export type Backend = "emu" | "hw";
export const BACKENDS: Backend[] =
  // deno-lint-ignore no-explicit-any
  typeof (globalThis as any).Deno?.dlopen === "function" ? ["emu", "hw"] : ["emu"]; // a browser: emu

/** The script of node Workers: tests/_node_worker.ts, or the browser build's (web/test/). */
let nodeWorkerScript: URL | string = new URL("./_node_worker.ts", import.meta.url);

/** Runs node Workers from `script` (the browser suite runs a bundled one). */
export function setNodeWorkerScript(script: URL | string): void {
  nodeWorkerScript = script;
}

/** What a Worker needs to attach a node. */
export type AttachSpec = { backend: "emu"; handle: NetworkHandle } | {
  backend: "hw";
  device: string;
  libc: string;
};

/**
 * Registers `name` once per backend, as "[emu] name" and "[hw] name". `fn` gets the backend;
 * `only` restricts the backends (for what one of them cannot express).
 */
export function conformance(
  name: string,
  fn: (backend: Backend, t: Deno.TestContext) => Promise<void>,
  only: Backend[] = BACKENDS,
): void {
  for (const backend of only) Deno.test(`[${backend}] ${name}`, (t) => fn(backend, t));
}

/** Options of a cluster: the network's (emu only) and the backend. */
export interface ClusterOptions extends NetworkOptions {
  backend?: Backend;
}

/** What a scenario gets besides its node and arguments. */
export interface ScenarioContext {
  /** Tells the test thread `name` happened (NodeWorker.signal resolves). */
  signal(name: string, value?: unknown): void;
  /** Waits for the test thread's NodeWorker.tell(name, value). */
  waitFor<T = unknown>(name: string): Promise<T>;
}

const SCENARIOS = new URL("./_scenarios.ts", import.meta.url);

/** A scenario: runs on one node. */
export type Scenario<A = unknown, R = unknown> = (
  node: ScifNode,
  args: A,
  ctx: ScenarioContext,
) => Promise<R>;

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

/** Rebuilds an error that crossed postMessage. */
function revive(
  error: { name: string; message: string; code?: string; errno?: number; stack?: string },
): Error {
  if (error.name === "ScifError" && error.code) {
    const detail = error.message.startsWith(`${error.code}: `)
      ? error.message.slice(error.code.length + 2)
      : undefined;
    const e = new ScifError(error.code as ErrnoName, detail);
    e.stack = `${error.stack}\n    (in a node Worker)`;
    return e;
  }
  const e = new Error(`${error.name}: ${error.message}`);
  e.stack = error.stack;
  return e;
}

/** How the test talks to a node's thread or process. */
export interface NodeTransport {
  post(m: unknown): void;
  /** Calls `on` per message, `onError` when the node's thread or process fails. */
  listen(on: (m: never) => void, onError: (message: string) => void): void;
  /** Ends the node's thread or process at once. */
  terminate(): void;
}

function workerTransport(worker: Worker): NodeTransport {
  return {
    post: (m) => worker.postMessage(m),
    listen(on, onError) {
      worker.onmessage = (e: MessageEvent) => on(e.data as never);
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        onError(e.message);
      };
    },
    terminate: () => worker.terminate(),
  };
}

/** One node running in a thread (a Worker) or a process of its own. */
export class NodeWorker {
  readonly nodeId: number;
  readonly #t: NodeTransport;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #signals = new Map<string, unknown[]>();
  readonly #signalWaiters = new Map<string, ((v: unknown) => void)[]>();
  #closed?: () => void;
  terminated = false;

  private constructor(nodeId: number, transport: NodeTransport) {
    this.nodeId = nodeId;
    this.#t = transport;
    transport.listen((m) => this.#onMessage(m), (message) => {
      for (const p of this.#pending.values()) p.reject(new Error(`node ${nodeId}: ${message}`));
      this.#pending.clear();
    });
  }

  /** Starts a Worker and attaches node `nodeId` in it. */
  static start(spec: AttachSpec, nodeId: number, onTerminate?: () => void): Promise<NodeWorker> {
    return NodeWorker.over(
      workerTransport(new Worker(nodeWorkerScript, { type: "module" })),
      spec,
      nodeId,
      onTerminate,
    );
  }

  /** Attaches a node through `transport` (`nodeId` -1: whichever the node takes); resolves
   * once it is attached. */
  static async over(
    transport: NodeTransport,
    spec: AttachSpec | { backend: "machine" },
    nodeId: number,
    onTerminate?: () => void,
  ): Promise<NodeWorker> {
    const w = new NodeWorker(nodeId, transport);
    w.#onTerminate = onTerminate;
    const attached = new Promise<number>((resolve, reject) =>
      w.#pending.set(-1, { resolve: resolve as (v: unknown) => void, reject })
    );
    transport.post({ type: "attach", spec });
    (w as { nodeId: number }).nodeId = await attached;
    return w;
  }

  #onTerminate?: () => void;

  #onMessage(
    m: { type: string; id: number; value: unknown; name: string; error: never; nodeId: number },
  ): void {
    switch (m.type) {
      case "attached":
        this.#settle(-1, m.nodeId);
        break;
      case "done":
        this.#settle(m.id, m.value);
        break;
      case "failed": {
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        p?.reject(revive(m.error));
        break;
      }
      case "signal": {
        const list = this.#signalWaiters.get(m.name);
        if (list?.length) list.shift()!(m.value);
        else this.#signals.set(m.name, [...(this.#signals.get(m.name) ?? []), m.value]);
        break;
      }
      case "closed":
        this.#closed?.();
        break;
    }
  }

  #settle(id: number, value: unknown): void {
    const p = this.#pending.get(id);
    this.#pending.delete(id);
    p?.resolve(value);
  }

  /** Runs `scenario` of `module` on this node; resolves to what it returns. */
  run<R = unknown>(module: URL | string, scenario: string, args?: unknown): Promise<R> {
    const id = this.#nextId++;
    const done = new Promise<R>((resolve, reject) =>
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
    );
    this.#t.post({ type: "run", id, module: String(module), scenario, args });
    return done;
  }

  /** Waits for the scenario's ctx.signal(name). */
  signal<T = unknown>(name: string): Promise<T> {
    const box = this.#signals.get(name);
    if (box?.length) return Promise.resolve(box.shift() as T);
    return new Promise((resolve) => {
      const list = this.#signalWaiters.get(name) ?? [];
      list.push(resolve as (v: unknown) => void);
      this.#signalWaiters.set(name, list);
    });
  }

  /** Delivers `value` to the scenario's ctx.waitFor(name). */
  tell(name: string, value?: unknown): void {
    this.#t.post({ type: "tell", name, value });
  }

  /** Kills the Worker without closing its node: the node is lost, as a card that goes away
   * (on the simulated device, whose state outlives the thread, the node is removed too). */
  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.#t.terminate();
    this.#onTerminate?.();
    for (const p of this.#pending.values()) p.reject(new Error(`node ${this.nodeId} was terminated`));
    this.#pending.clear();
  }

  /** Closes the node cleanly, then ends the Worker. */
  async close(): Promise<void> {
    if (this.terminated) return;
    const closed = new Promise<void>((resolve) => (this.#closed = resolve));
    this.#t.post({ type: "close" });
    await Promise.race([closed, new Promise((r) => setTimeout(r, 2000))]);
    this.terminate();
  }
}

/** A SCIF network for a test: nodes in Workers and in the test's thread, on one backend. */
export class Cluster {
  readonly backend: Backend;
  readonly #net: Network | null;
  readonly #sim: SimDevice | null;
  readonly workers: NodeWorker[] = [];
  readonly #local: ScifNode[] = [];

  private constructor(backend: Backend, net: Network | null, sim: SimDevice | null) {
    this.backend = backend;
    this.#net = net;
    this.#sim = sim;
  }

  /** A network of `nodes` nodes, none attached yet (network options apply to emu only). */
  static async create(options: ClusterOptions): Promise<Cluster> {
    const { backend = "emu", ...net } = options;
    if (backend === "emu") return new Cluster(backend, await createNetwork(net), null);
    return new Cluster(backend, null, await SimDevice.open());
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

  /** Attaches node `nodeId` in a new Worker. */
  async spawn(nodeId: number): Promise<NodeWorker> {
    const sim = this.#sim;
    const w = await NodeWorker.start(this.#spec(nodeId), nodeId, sim ? () => sim.remove(nodeId) : undefined);
    this.workers.push(w);
    return w;
  }

  /** Attaches node `nodeId` in the test's own thread. */
  async local(nodeId: number): Promise<ScifNode> {
    const spec = this.#spec(nodeId);
    const node = spec.backend === "emu"
      ? await this.#net!.node(nodeId)
      : await openNode({ backend: "hw", device: spec.device, libc: spec.libc });
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
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
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
