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
  watchNodes(onChange: () => void): () => void;
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
    this.#unwatch = node.watchNodes(() => this.#look());
  }

  #look(): void {
    let now: Set<number>;
    try {
      now = new Set(this.#node.onlineNodes());
    } catch {
      return; // the node is closing
    }
    const before = this.#online;
    this.#online = now;
    for (const n of [...now].sort((a, b) => a - b)) {
      if (!before.has(n)) this.#target.dispatchEvent(new NodeEvent("nodeadd", n));
    }
    for (const n of [...before].sort((a, b) => a - b)) {
      if (!now.has(n)) this.#target.dispatchEvent(new NodeEvent("noderemove", n));
    }
  }

  stop(): void {
    this.#unwatch?.();
    this.#unwatch = null;
  }
}

/** The node events of `target` as an async iterator, until `signal` aborts or `closed` (the
 * node's close) settles. It listens from the call on, not from the first next(). */
export function nodeEventsOf(
  target: EventTarget,
  closed: Promise<void>,
  signal?: AbortSignal,
): AsyncGenerator<NodeEvent, void, undefined> {
  const queue: NodeEvent[] = [];
  let wake: (() => void) | null = null;
  let done = false;
  const on = (e: Event) => {
    queue.push(e as NodeEvent);
    wake?.();
  };
  const end = () => {
    done = true;
    wake?.();
  };
  target.addEventListener("nodeadd", on);
  target.addEventListener("noderemove", on);
  signal?.addEventListener("abort", end, { once: true });
  closed.then(end);
  async function* events(): AsyncGenerator<NodeEvent, void, undefined> {
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        if (done || signal?.aborted) return;
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
    } finally {
      target.removeEventListener("nodeadd", on);
      target.removeEventListener("noderemove", on);
      signal?.removeEventListener("abort", end);
    }
  }
  return events();
}
