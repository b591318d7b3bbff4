// Node events: other nodes coming online and being lost, as SCIF's peer bus reports them in the
// kernel (SCIF_NODE_ADD, SCIF_NODE_REMOVE). A backend says when the set of online nodes may
// have changed (the emulated network: a turn of the node's dispatcher after a ring for an
// attach or an end; hardware: the kernel tells user space nothing, so a look every
// HW_LOOK_MS); the difference with what was seen last is dispatched once per node, in order.

/** A node came online ("nodeadd") or was lost ("noderemove"). @example `node.addEventListener("nodeadd", (e) => console.log(e.node))` */
export class NodeEvent extends Event {
  /** The node id. */
  readonly node: number;

  /** @internal Made by the library. */
  constructor(type: "nodeadd" | "noderemove", node: number) {
    super(type);
    this.node = node;
  }
}

/** The events a ScifNode dispatches. */
export interface ScifNodeEventMap {
  /** Another node came online. */
  nodeadd: NodeEvent;
  /** Another node was lost. */
  noderemove: NodeEvent;
}

/** What a watch needs of the node: its online nodes now, and the backend's change hook. */
export interface WatchedNode {
  onlineNodes(): number[];
  watchNodes(onChange: (replaced: number[]) => void): () => void;
}

/** Compares the online nodes with what was seen last each time the backend says they may have
 * changed, and dispatches the difference on `target`. */
export class NodeWatch {
  readonly #target: EventTarget;
  readonly #node: WatchedNode;
  #online: Set<number>;
  #unwatch: (() => void) | null;

  constructor(target: EventTarget, node: WatchedNode) {
    this.#target = target;
    this.#node = node;
    this.#online = new Set(node.onlineNodes());
    this.#unwatch = node.watchNodes((replaced) => this.#look(replaced));
  }

  #look(replaced: number[]): void {
    let now: Set<number>;
    try {
      now = new Set(this.#node.onlineNodes());
    } catch {
      return; // the node is closing
    }
    const before = this.#online;
    this.#online = now;
    // A node lost and attached again between two looks: its removal, then its addition.
    for (const n of replaced) {
      if (before.has(n) && now.has(n)) {
        this.#target.dispatchEvent(new NodeEvent("noderemove", n));
        this.#target.dispatchEvent(new NodeEvent("nodeadd", n));
      }
    }
    for (const n of [...before].sort((a, b) => a - b)) {
      if (!now.has(n)) this.#target.dispatchEvent(new NodeEvent("noderemove", n));
    }
    for (const n of [...now].sort((a, b) => a - b)) {
      if (!before.has(n)) this.#target.dispatchEvent(new NodeEvent("nodeadd", n));
    }
  }

  stop(): void {
    this.#unwatch?.();
    this.#unwatch = null;
  }
}

/** The node events of `target` as an async iterator, until `signal` aborts or `closed` (the
 * node's close) settles. It listens from the call on, not from the first next(), and stops
 * listening at its end, however it ends (return() before any next() included). */
export function nodeEventsOf(
  target: EventTarget,
  closed: Promise<void>,
  signal?: AbortSignal,
): AsyncIterableIterator<NodeEvent> {
  const queue: NodeEvent[] = [];
  let wake: (() => void) | null = null;
  let done = false;
  const on = (e: Event) => {
    queue.push(e as NodeEvent);
    wake?.();
  };
  const end = () => {
    if (done) return;
    done = true;
    target.removeEventListener("nodeadd", on);
    target.removeEventListener("noderemove", on);
    signal?.removeEventListener("abort", end);
    wake?.();
  };
  target.addEventListener("nodeadd", on);
  target.addEventListener("noderemove", on);
  signal?.addEventListener("abort", end, { once: true });
  closed.then(end);
  const it: AsyncIterableIterator<NodeEvent> = {
    [Symbol.asyncIterator]: () => it,
    async next(): Promise<IteratorResult<NodeEvent, undefined>> {
      for (;;) {
        if (queue.length > 0) return { value: queue.shift()!, done: false };
        if (done) return { value: undefined, done: true };
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
    },
    return(): Promise<IteratorResult<NodeEvent, undefined>> {
      end();
      queue.length = 0;
      return Promise.resolve({ value: undefined, done: true });
    },
  };
  return it;
}
