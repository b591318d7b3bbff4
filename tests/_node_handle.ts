// A test's handle on one node running in a Worker (or, through tests/_processes.ts, in a
// process of its own): scenarios run by name (see tests/_cluster.ts), signals both ways, and a
// ScifError thrown on the node arrives in the test as a ScifError.
import { type NetworkHandle, ScifError, type ScifNode } from "../mod.ts";
import type { ErrnoName } from "../errors.ts";

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

/** What a scenario gets besides its node and arguments. */
export interface ScenarioContext {
  /** Tells the test thread `name` happened (NodeWorker.signal resolves). */
  signal(name: string, value?: unknown): void;
  /** Waits for the test thread's NodeWorker.tell(name, value). */
  waitFor<T = unknown>(name: string): Promise<T>;
}

/** A scenario: runs on one node. */
export type Scenario<A = unknown, R = unknown> = (
  node: ScifNode,
  args: A,
  ctx: ScenarioContext,
) => Promise<R>;

/** A module of scenarios as a test names it: the URL its nodes load it from (a node imports it
 * there; the browser build finds it by its file name), typed with the module itself, so that a
 * scenario's name, argument and result are checked: `scenarios<typeof import("./_x.ts")>(url)`. */
export interface ScenarioModule<M> {
  readonly url: string;
  /** Never set: carries the module's type. */
  readonly module?: M;
}

/** Names a module of scenarios (see ScenarioModule); `M` is `typeof import(<the same file>)`. */
export function scenarios<M>(url: URL | string): ScenarioModule<M> {
  return { url: String(url) };
}

/** The names of the functions a module exports. */
export type ScenarioName<M> =
  & { [K in keyof M]: M[K] extends (...a: never[]) => unknown ? K : never }[keyof M]
  & string;

/** What a call of scenario `F` passes after its name: its argument (none when it takes none;
 * optional when it is). */
export type ScenarioArgs<F> = F extends (node: never, ...rest: infer R) => unknown
  ? R extends [] ? [] : R extends [unknown, ...unknown[]] ? [args: R[0]] : [args?: R[0]]
  : never;

/** What a scenario `F` resolves to, as the test receives it. */
export type ScenarioResult<F> = F extends (...a: never[]) => infer R ? Awaited<R> : never;

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

// What the test awaits of its nodes now, for the message of a test that hangs (conformance()).
const awaited = new Set<string>();

/** What the test awaits of its nodes now: scenarios running, signals and attachments awaited. */
export function awaitedOfNodes(): string[] {
  return [...awaited];
}

/** `p`, listed in awaitedOfNodes() as `what` until it settles. */
function tracked<T>(what: string, p: Promise<T>): Promise<T> {
  awaited.add(what);
  const done = () => awaited.delete(what);
  p.then(done, done);
  return p;
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
  readonly #signalWaiters = new Map<string, { resolve(v: unknown): void; reject(e: unknown): void }[]>();
  #closed?: () => void;
  terminated = false;

  private constructor(nodeId: number, transport: NodeTransport) {
    this.nodeId = nodeId;
    this.#t = transport;
    transport.listen((m) => this.#onMessage(m), (message) => this.#fail(`node ${this.nodeId}: ${message}`));
  }

  /** Starts a Worker and attaches node `nodeId` in it. */
  static start(spec: AttachSpec, nodeId: number, onTerminate?: () => void): Promise<NodeWorker> {
    return NodeWorker.over(
      workerTransport(new Worker(nodeWorkerScript, { type: "module", name: `node ${nodeId}` })),
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
    (w as { nodeId: number }).nodeId = await tracked(`node ${nodeId}: attach (${spec.backend})`, attached);
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
        if (list?.length) list.shift()!.resolve(m.value);
        else this.#signals.set(m.name, [...(this.#signals.get(m.name) ?? []), m.value]);
        break;
      }
      case "closed":
        this.#closed?.();
        break;
    }
  }

  /** The node's thread or process ended: whatever the test awaits of it fails (a signal it
   * will never send included). */
  #fail(message: string): void {
    for (const p of this.#pending.values()) p.reject(new Error(message));
    this.#pending.clear();
    for (const list of this.#signalWaiters.values()) for (const w of list) w.reject(new Error(message));
    this.#signalWaiters.clear();
  }

  #settle(id: number, value: unknown): void {
    const p = this.#pending.get(id);
    this.#pending.delete(id);
    p?.resolve(value);
  }

  /** Runs `scenario` of `module` on this node; resolves to what it returns (its type is the
   * scenario's: a value that crossed postMessage, or JSON for a process). */
  run<M, K extends ScenarioName<M>>(
    module: ScenarioModule<M>,
    scenario: K,
    ...[args]: ScenarioArgs<M[K]>
  ): Promise<ScenarioResult<M[K]>> {
    const id = this.#nextId++;
    const done = new Promise<ScenarioResult<M[K]>>((resolve, reject) =>
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
    );
    this.#t.post({ type: "run", id, module: module.url, scenario, args });
    return tracked(`node ${this.nodeId}: scenario ${scenario} (#${id})`, done);
  }

  /** Waits for the scenario's ctx.signal(name). */
  signal<T = unknown>(name: string): Promise<T> {
    const box = this.#signals.get(name);
    if (box?.length) return Promise.resolve(box.shift() as T);
    if (this.terminated) return Promise.reject(new Error(`node ${this.nodeId} was terminated`));
    return tracked(
      `node ${this.nodeId}: signal "${name}"`,
      new Promise((resolve, reject) => {
        const list = this.#signalWaiters.get(name) ?? [];
        list.push({ resolve: resolve as (v: unknown) => void, reject });
        this.#signalWaiters.set(name, list);
      }),
    );
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
    this.#fail(`node ${this.nodeId} was terminated`);
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
