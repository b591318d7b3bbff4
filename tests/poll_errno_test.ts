// Every errno rule of poll (docs/scif-facts.md, checked against the kernel's scif_api.c), one case
// each, on a node in a Worker.
import { assertEquals } from "@std/assert";
import { Cluster, conformance, scenarios } from "./_cluster.ts";

const P = scenarios<typeof import("./_poll_errno_scenarios.ts")>(
  new URL("./_poll_errno_scenarios.ts", import.meta.url),
);

conformance("errno rules: poll", async (backend, t) => {
  await using cluster = await Cluster.create({ backend, nodes: 1 });
  const a = await cluster.spawn(0);

  await t.step(
    "poll: POLLERR for an endpoint that is neither listening nor connected; POLLNVAL when closed",
    async () => {
      const [n, unbound, bound, closed, err, nval] = await a.run(P, "pollStates");
      assertEquals([n, unbound, bound, closed], [3, err, err, nval]);
    },
  );
  await t.step("poll: EINVAL for bad entries or timeouts", async () => {
    assertEquals(await a.run(P, "pollBadArguments"), ["EINVAL", "EINVAL", "EINVAL", "EINVAL"]);
  });
});
