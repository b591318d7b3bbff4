// Node events (SCIF_NODE_ADD, SCIF_NODE_REMOVE as the peer bus reports them): a node in the
// test's thread sees Worker nodes attach and, when a Worker is terminated, be lost.
import { assert, assertEquals, assertThrows } from "@std/assert";
import { type NodeEvent, ScifError, type SignalOptions } from "../mod.ts";
import { Cluster, conformance, scenarios, within } from "./_cluster.ts";

const I = scenarios<typeof import("./_idioms_scenarios.ts")>(
  new URL("./_idioms_scenarios.ts", import.meta.url),
);

/** Resolves to the next event of `it` (within `ms`). */
async function next(it: AsyncIterator<NodeEvent>, ms: number): Promise<string> {
  const r = await within(ms, it.next(), "a node event");
  return r.done ? "end" : `${r.value.type} ${r.value.node}`;
}

conformance(
  "node events: nodeadd for each Worker that attaches, noderemove for one that is terminated, as events and as an async iterator that ends with the node",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 3 });
    const host = await cluster.local(0);
    const seen: string[] = [];
    host.addEventListener("nodeadd", (e) => seen.push(`nodeadd ${e.node}`));
    host.addEventListener("noderemove", (e) => seen.push(`noderemove ${e.node}`));
    const it = host.nodeEvents();
    const one = await cluster.spawn(1);
    assertEquals(await next(it, 5000), "nodeadd 1");
    await cluster.spawn(2);
    assertEquals(await next(it, 5000), "nodeadd 2");
    one.terminate();
    assertEquals(await next(it, 5000), "noderemove 1");
    assertEquals(seen, ["nodeadd 1", "nodeadd 2", "noderemove 1"]);
    assert(seen.length === 3 && host.getNodeIds().nodes.join() === "0,2");
    await host.close();
    assertEquals(await next(it, 5000), "end");
  },
  ["emu", "hw"], // on a machine's network a node is a machine, online whatever its programs do
);

conformance(
  "node events: the iterator ends when its signal aborts; bad options are EINVAL; a closed node ENODEV",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const host = await cluster.local(0);
    const ac = new AbortController();
    const it = host.nodeEvents({ signal: ac.signal });
    const pending = it.next();
    ac.abort();
    assertEquals((await within(2000, pending)).done, true);
    for (const bad of [null, 5, { signal: {} }]) {
      const e = (() => {
        try {
          host.nodeEvents(bad as unknown as SignalOptions);
        } catch (e) {
          return e;
        }
      })();
      assert(e instanceof ScifError && e.code === "EINVAL", String(e));
    }
    await host.close();
    assertThrows(() => host.nodeEvents(), ScifError, "ENODEV");
  },
  ["emu"],
);

conformance(
  "node events: a node lost and attached again while the watcher's thread is busy is seen as removed and added",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const host = await cluster.local(0);
    const seen: string[] = [];
    host.addEventListener("nodeadd", (e) => seen.push(`+${e.node}`));
    host.addEventListener("noderemove", (e) => seen.push(`-${e.node}`));
    const card = await cluster.spawn(1);
    await new Promise((r) => setTimeout(r, 300));
    const done = card.run(I, "reattach", { handle: cluster.net.handle(1), times: 1 });
    // This thread does not turn its event loop while the Worker closes and attaches node 1
    // again: the watcher's next look finds it online, as before, but a new incarnation.
    const until = performance.now() + 1500;
    while (performance.now() < until) { /* busy */ }
    await within(10_000, done);
    await new Promise((r) => setTimeout(r, 300));
    assertEquals(seen.join(" "), "+1 -1 +1");
  },
  ["emu"],
);
