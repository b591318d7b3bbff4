// Every errno rule of the connection calls — bind, listen, connect, accept, close —
// (docs/scif-facts.md, checked against the kernel's scif_api.c), one case each. Nodes run in Workers;
// cases that need a peer use a second node in another Worker.
import { assertEquals } from "@std/assert";
import { Cluster, conformance, listener, scenarios } from "./_cluster.ts";

const S = scenarios<typeof import("./_scenarios.ts")>(new URL("./_scenarios.ts", import.meta.url));
const C = scenarios<typeof import("./_connect_errno_scenarios.ts")>(
  new URL("./_connect_errno_scenarios.ts", import.meta.url),
);

conformance("errno rules: connection calls", async (backend, t) => {
  await using cluster = await Cluster.create({ backend, nodes: 3 });
  const a = await cluster.spawn(0);
  const b = await cluster.spawn(1);

  await t.step("bind: EACCES below SCIF_ADMIN_PORT_END, before the state check", async () => {
    assertEquals(await a.run(C, "bindAdminPort"), ["EACCES", "EACCES", "EACCES"]);
  });
  await t.step("bind: EINVAL when already bound", async () => {
    assertEquals(await a.run(C, "bindTwice"), "EINVAL");
  });
  await t.step("bind: EINVAL when the port is in use", async () => {
    assertEquals(await a.run(C, "bindPortInUse"), "EINVAL");
  });
  await t.step("bind: EISCONN when listening", async () => {
    assertEquals(await a.run(C, "bindListening"), "EISCONN");
  });
  await t.step("bind: EINVAL for a port that is not an integer in [0, 65535]", async () => {
    assertEquals(await a.run(C, "bindBadPort"), ["EINVAL", "EINVAL", "EINVAL", "EINVAL"]);
  });
  await t.step("bind(0): the lowest free port above SCIF_PORT_RSVD, reused once freed", async () => {
    const [first, second, again, rsvd] = await b.run(C, "bindAuto");
    assertEquals([second - first, again], [1, first]);
    assertEquals(first > rsvd, true);
  });
  if (backend === "emu") {
    // 64,447 endpoints: on the device that is as many descriptors, beyond the usual fd limit.
    await t.step("bind: ENOSPC when no port is free", async () => {
      const c = await cluster.spawn(2);
      assertEquals(await c.run(C, "bindNoSpace"), "ENOSPC");
      await c.close();
      // Closing 64,447 endpoints can outlast close()'s grace on a loaded machine, and then the
      // Worker is ended and its node is lost a moment later: the steps below need node 2 offline.
      const deadline = performance.now() + 10_000;
      while ((await a.run(S, "nodeIds")).nodes.includes(2)) {
        if (performance.now() > deadline) throw new Error("node 2 stayed online after its close");
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    await t.step("bind: ports below SCIF_ADMIN_PORT_END on a privileged network", async () => {
      await using priv = await Cluster.create({ backend, nodes: 1, privileged: true });
      const node = await priv.local(0);
      assertEquals(node.open().bind(80), 80);
    });
  }
  await t.step("listen: EINVAL when unbound, EISCONN when listening, EINVAL for a bad backlog", async () => {
    assertEquals(await a.run(C, "listenStates"), ["EINVAL", "EISCONN", "EINVAL"]);
  });

  b.run(S, "echoServer", { port: 2001, backlog: 16, connections: 64 }).catch(() => {});
  await b.signal("listening");
  await t.step(
    "connect: EOPNOTSUPP when listening, EISCONN when connected; bind/listen then EISCONN",
    async () => {
      assertEquals(await a.run(C, "connectStates", { dst: { node: 1, port: 2001 } }), [
        "EOPNOTSUPP",
        "EISCONN",
        "EISCONN",
        "EISCONN",
      ]);
    },
  );
  await t.step(
    "connect: ENODEV for a node that does not exist or is offline; EINVAL for a bad port id; ECONNREFUSED when nobody listens",
    async () => {
      assertEquals(await a.run(C, "connectBadDestination", { listening: { node: 1, port: 2001 } }), [
        "ENODEV",
        // A machine's node is online whether or not a program attached it: refused, not offline.
        cluster.endIsLoss ? "ENODEV" : "ECONNREFUSED",
        "ENODEV",
        "EINVAL",
        "EINVAL",
        "ECONNREFUSED",
        "ECONNREFUSED",
      ]);
    },
  );
  await t.step("connect: binds an unbound endpoint first and resolves to its port id", async () => {
    const { local, returned } = await a.run(C, "connectBindsFirst", { dst: { node: 1, port: 2001 } });
    assertEquals(local, returned);
    assertEquals(local?.node, 0);
  });
  await t.step("connect: ECONNREFUSED when the backlog is full", async () => {
    await listener(b, 2100, 0, 1);
    const first = a.run(S, "connectAndHold", { dst: { node: 1, port: 2100 } }); // fills the backlog
    await new Promise((r) => setTimeout(r, 50));
    assertEquals(await a.run(S, "tryConnect", { dst: { node: 1, port: 2100 } }), "ECONNREFUSED");
    await b.run(S, "close", { name: "listener" }); // refuses the queued request
    assertEquals(await a.signal("connected"), "ECONNREFUSED");
    a.tell("close");
    assertEquals(await first, "ECONNREFUSED");
  });
  if (backend !== "hw") {
    await t.step("connect: ECONNREFUSED when nobody accepts within the connect timeout", async () => {
      await using quick = await Cluster.create({ backend, nodes: 2, connectTimeoutMs: 200 });
      const [q0, q1] = [await quick.spawn(0), await quick.spawn(1)];
      await listener(q1, 2000, 0, 4);
      assertEquals(await q0.run(S, "tryConnect", { dst: { node: 1, port: 2000 } }), "ECONNREFUSED");
    });
  }
  await t.step("connect, listen: EINVAL on a disconnected endpoint; bind: EISCONN", async () => {
    const { done } = await listener(b, 2200, 1);
    const codes = a.run(C, "connectDisconnected", { dst: { node: 1, port: 2200 } });
    await done;
    await b.run(S, "close", { name: "conn0" });
    assertEquals(await codes, ["ECONNRESET", "EINVAL", "EINVAL", "EISCONN"]);
  });
  await t.step(
    "accept: EINVAL when not listening, EAGAIN without SCIF_ACCEPT_SYNC and nothing pending",
    async () => {
      assertEquals(await a.run(C, "acceptStates"), ["EINVAL", "EINVAL", "EAGAIN", "EINVAL"]);
    },
  );
  await t.step("accept: a blocked accept wakes with EINTR when its listener is closed", async () => {
    assertEquals(await a.run(C, "acceptThenClose"), "EINTR");
  });
  await t.step(
    "accept: the accepted endpoint is bound to the listener's port; peer is the requester",
    async () => {
      const { done } = await listener(b, 2300, 1);
      const local = await a.run(S, "connect", {
        dst: { node: 1, port: 2300 },
        name: "x",
      });
      const { port, peers } = (await done) as { port: number; peers: unknown[] };
      assertEquals(port, 2300);
      assertEquals(peers, [local]);
    },
  );
  await t.step("close: EBADF for every call on a closed endpoint", async () => {
    assertEquals(await a.run(C, "closedEndpoint"), [
      "EBADF",
      "EBADF",
      "EBADF",
      "EBADF",
      "EBADF",
      "EBADF",
      "EBADF",
    ]);
  });
});
