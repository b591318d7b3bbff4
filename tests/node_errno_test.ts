// Every errno rule of a node's own calls (docs/scif-facts.md), one case each, on a node in a Worker.
import { assertEquals } from "@std/assert";
import { Cluster, conformance, scenarios } from "./_cluster.ts";

const N = scenarios<typeof import("./_node_errno_scenarios.ts")>(
  new URL("./_node_errno_scenarios.ts", import.meta.url),
);

conformance("errno rules: node", async (backend, t) => {
  await using cluster = await Cluster.create({ backend, nodes: 3 });

  await t.step("node: ENODEV for every call after close", async () => {
    const c = await cluster.spawn(2);
    assertEquals(await c.run(N, "closedNode"), ["ENODEV", "ENODEV", "ENODEV", "ENODEV"]);
  });
});
