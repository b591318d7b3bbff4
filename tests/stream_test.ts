// Byte-stream integrity across real threads: each node in its own Worker.
import { assert, assertEquals } from "@std/assert";
import { Cluster, conformance, scenarios, within } from "./_cluster.ts";

const S = scenarios<typeof import("./_scenarios.ts")>(new URL("./_scenarios.ts", import.meta.url));
const M = scenarios<typeof import("./_machine_scenarios.ts")>(
  new URL("./_machine_scenarios.ts", import.meta.url),
);
const ST = scenarios<typeof import("./_stream_scenarios.ts")>(
  new URL("./_stream_scenarios.ts", import.meta.url),
);
const MIB = 1024 * 1024;

conformance(
  "stream: 64 MiB each way at once, random sizes 1 B..256 KiB, blocking and non-blocking mixed, every byte checked",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    const total = 64 * MIB;
    const maxChunk = 256 * 1024;
    const [ra, rb] = await within(
      120_000,
      Promise.all([
        a.run(ST, "duplex", {
          name: "c",
          total,
          maxChunk,
          sendSeed: 11,
          recvSeed: 22,
          pick: 3,
        }),
        b.run(ST, "duplex", {
          name: "conn0",
          total,
          maxChunk,
          sendSeed: 22,
          recvSeed: 11,
          pick: 4,
        }),
      ]),
      "64 MiB duplex",
    );
    assertEquals([ra.sent, ra.received, rb.sent, rb.received], [total, total, total, total]);
  },
);

conformance(
  "stream: a ring smaller than the messages still delivers every byte in order",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2, ringBytes: 4096 });
    const [a, b] = await cluster.connectedPair();
    const total = 4 * MIB;
    const [ra, rb] = await within(
      60_000,
      Promise.all([
        a.run(ST, "duplex", {
          name: "c",
          total,
          maxChunk: 20000,
          sendSeed: 5,
          recvSeed: 6,
          pick: 7,
        }),
        b.run(ST, "duplex", {
          name: "conn0",
          total,
          maxChunk: 20000,
          sendSeed: 6,
          recvSeed: 5,
          pick: 8,
        }),
      ]),
      "small-ring duplex",
    );
    assertEquals([ra.received, rb.received], [total, total]);
  },
);

conformance(
  "stream: a non-blocking send moves all that fits now, the bytes arrive in order and nothing more",
  async (backend) => {
    // The emulator's ring size is an option; the device's is the kernel's SCIF_ENDPT_QP_SIZE.
    const ringBytes = backend === "hw" ? 4096 : 65536;
    await using cluster = await Cluster.create({ backend, nodes: 2, ringBytes });
    const [a, b] = await cluster.connectedPair();
    const sent = await a.run(ST, "sendPatternOnce", { name: "c", len: 1 << 20 });
    // All of the ring but what the ring keeps for itself (the kernel: one byte; the emulator:
    // that and its record headers).
    assertEquals(sent > ringBytes * 0.99 && sent < ringBytes, true, `sent ${sent}`);
    assertEquals(await b.run(ST, "recvPattern", { name: "conn0", len: sent }), [-1, 0]);
  },
);

conformance(
  "stream: non-blocking send and recv in tight loops (Intel's tutorial with -b 0) move 1 MiB there and back",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = [await cluster.spawn(0), await cluster.spawn(1)];
    const listening = b.signal("listening");
    const server = b.run(M, "tutorialServer", { port: 3000, bytes: 1 << 20 });
    await listening;
    const ok = await within(
      30_000,
      a.run(M, "tutorialClient", { dst: { node: 1, port: 3000 }, bytes: 1 << 20 }),
    );
    assertEquals(ok, true);
    assertEquals(await within(5000, server), 1 << 20);
  },
);

conformance(
  "stream: a blocking recv whose buffer is detached, or shrunk, while it waits ends with EFAULT when bytes come; the emulator leaves them in the ring",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    for (const how of ["detach", "shrink"] as const) {
      const changed = b.signal("changed");
      const recv = b.run(ST, "recvIntoChanging", { name: "conn0", len: 100, afterMs: 50, how });
      await changed;
      const bytes = Array.from({ length: 100 }, (_, i) => i);
      await a.run(S, "send", { name: "c", bytes });
      assertEquals(await within(5000, recv), "EFAULT", how);
      // The device's driver took them into a buffer of the library's, and they are lost there,
      // as the kernel loses what copy_to_user could not deliver.
      if (backend !== "hw") assertEquals(await b.run(S, "recv", { name: "conn0", len: 100 }), bytes);
    }
  },
);

conformance(
  "stream: a blocking send whose buffer shrinks while it waits for room returns the count sent so far, which is exactly what arrives",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    const len = 1 << 20;
    const changed = a.signal("changed");
    const send = a.run(ST, "sendFromShrinking", { name: "c", len, afterMs: 100 });
    await changed;
    const received = await within(10_000, b.run(ST, "drain", { name: "conn0", quietMs: 300 }));
    const sent = await within(5000, send);
    // The device's driver sends from the library's copy of the buffer, made before it waited.
    if (backend === "hw") assertEquals(sent, len);
    else assert(typeof sent === "number" && sent > 0 && sent < len, `sent ${sent}`);
    assertEquals(received, sent);
  },
);
