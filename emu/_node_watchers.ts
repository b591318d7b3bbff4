// Who watches a node's view of the online nodes (NodeBackend.watchNodes, emu/_node.ts), and
// what they were last told.
//
// Invariant: watchers hear every change of the online nodes (an attach or an end rings every
// slot, so a turn of the dispatcher, which calls tell(), follows each); a node lost and attached
// again between two looks is a new incarnation: `replaced`.

import { N_EPOCH, nodeField } from "./_layout.ts";
import type { EmuShared } from "./_shared.ts";

/** The watchers of one node. */
export class NodeWatchers {
  readonly #net: EmuShared;
  readonly #online: (node: number) => boolean;
  readonly #watchers = new Set<(replaced: number[]) => void>();
  // What the watchers were last told of: per node, its incarnation (N_EPOCH), -1 when offline.
  #seen: number[] = [];

  /** Over `net`, whose node `k` is online when `online(k)`. */
  constructor(net: EmuShared, online: (node: number) => boolean) {
    this.#net = net;
    this.#online = online;
  }

  get size(): number {
    return this.#watchers.size;
  }

  /** Adds a watcher, told from now on; returns what removes it. */
  add(onChange: (replaced: number[]) => void): () => void {
    this.#watchers.add(onChange);
    this.#seen = this.#now();
    return () => this.#watchers.delete(onChange);
  }

  #now(): number[] {
    const l = this.#net.layout;
    return Array.from(
      { length: l.nodes },
      (_, k) => this.#online(k) ? this.#net.load(nodeField(l, k, N_EPOCH)) : -1,
    );
  }

  /** Tells the watchers when the online nodes differ from what they were told last. */
  tell(): void {
    const now = this.#now();
    const before = this.#seen;
    if (now.every((e, k) => e === before[k])) return;
    this.#seen = now;
    const replaced = now.flatMap((e, k) =>
      e !== -1 && before[k] !== -1 && before[k] !== undefined && e !== before[k] ? [k] : []
    );
    for (const tell of [...this.#watchers]) tell(replaced);
  }
}
