// Every errno rule of messaging — send, recv — (docs/scif-facts.md, checked against the kernel's
// scif_api.c), one case each. Nodes run in Workers; the peer is a second node in another Worker.
import { assertEquals } from "@std/assert";
import { Cluster, conformance, listener, scenarios } from "./_cluster.ts";

const S = scenarios<typeof import("./_scenarios.ts")>(new URL("./_scenarios.ts", import.meta.url));
const M = scenarios<typeof import("./_stream_errno_scenarios.ts")>(
  new URL("./_stream_errno_scenarios.ts", import.meta.url),
);

conformance("errno rules: messaging", async (backend, t) => {
  await using cluster = await Cluster.create({ backend, nodes: 2 });
  const a = await cluster.spawn(0);
  const b = await cluster.spawn(1);
  b.run(S, "echoServer", { port: 2001, backlog: 16, connections: 64 }).catch(() => {});
  await b.signal("listening");

  await t.step(
    "send, recv: ENOTCONN when unbound, bound or listening; zero bytes move in every state",
    async () => {
      assertEquals(await a.run(M, "streamUnconnected"), [
        "ENOTCONN",
        "ENOTCONN",
        "ENOTCONN",
        "ENOTCONN",
        "ENOTCONN",
        "ENOTCONN",
        "0",
        "0",
      ]);
    },
  );
  await t.step("send, recv: EINVAL for a buffer that is not a Uint8Array or bad options", async () => {
    assertEquals(await a.run(M, "streamBadArguments", { dst: { node: 1, port: 2001 } }).catch(String), [
      "EINVAL",
      "EINVAL",
      "EINVAL",
      "EINVAL",
    ]);
  });
  await t.step("send, recv: non-blocking moves what it can now (0 when nothing)", async () => {
    const { done } = await listener(b, 2400, 1);
    const result = a.run(M, "nonBlocking", { dst: { node: 1, port: 2400 } });
    await done;
    const [got, first, second] = await result;
    assertEquals(got, 0);
    assertEquals(first > 0 && first < 1 << 20, true);
    assertEquals(second, 0);
  });
  await t.step(
    "recv drains what the peer sent before it closed, then ECONNRESET; send: ECONNRESET",
    async () => {
      const { done } = await listener(b, 2500, 1);
      await a.run(S, "connect", { dst: { node: 1, port: 2500 }, name: "r" });
      await done;
      assertEquals(await b.run(S, "send", { name: "conn0", bytes: [4, 5, 6] }), 3);
      await b.run(S, "close", { name: "conn0" });
      assertEquals(await a.run(S, "recv", { name: "r", len: 10 }), [4, 5, 6]);
      assertEquals(await a.run(S, "recv", { name: "r", len: 10 }), "ECONNRESET");
      assertEquals(await a.run(S, "send", { name: "r", bytes: [1] }).catch((e) => e.code), "ECONNRESET");
    },
  );
});
