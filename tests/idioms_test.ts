// SCIF with Deno's and the Web's habits, across real threads and processes: Web Streams on
// endpoints (pipeThrough a TextDecoderStream, BYOB readers, backpressure from the ring, the
// peer's close as a clean end), `for await` over a listener, AbortSignal deadlines, `using`.
import { assert, assertEquals } from "@std/assert";
import { Cluster, conformance, scenarios, within } from "./_cluster.ts";

const S = scenarios<typeof import("./_scenarios.ts")>(new URL("./_scenarios.ts", import.meta.url));
const I = scenarios<typeof import("./_idioms_scenarios.ts")>(
  new URL("./_idioms_scenarios.ts", import.meta.url),
);

conformance(
  "idioms: text piped through TextEncoderStream to a server that pipes it back upper-cased (for await accept), read through TextDecoderStream",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = [await cluster.spawn(0), await cluster.spawn(1)];
    const listening = b.signal("listening");
    const server = b.run(I, "upperServer", { port: 2300, connections: 2 });
    await within(10_000, listening);
    const text = "hello, card: ünïcödé survives chunking\n".repeat(50);
    for (let i = 0; i < 2; i++) {
      assertEquals(
        await within(20_000, a.run(I, "textClient", { dst: { node: 1, port: 2300 }, text })),
        text.toUpperCase().replace(/[^ -~\n]/g, (c) => c.toLowerCase()),
      );
    }
    assertEquals(await within(10_000, server), 2);
  },
);

conformance(
  "idioms: a writable to a peer that does not read is held back by the ring; a BYOB reader then takes every byte, and the writer's close ends its stream cleanly",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2, ringBytes: 16_384 });
    const [a, b] = await cluster.connectedPair();
    const chunks = 64, chunkBytes = 16_384;
    const held = a.signal<{ resolvedWhileHeld: number; desiredSize: number }>("held");
    const writing = a.run(I, "pressedWriter", { name: "c", chunks, chunkBytes, holdMs: 300, seed: 5 });
    const h = await within(10_000, held);
    // The ring (16 KiB; the simulated device's may be larger) takes a few chunks, no more.
    assert(h.resolvedWhileHeld < chunks / 2, `${h.resolvedWhileHeld} of ${chunks} writes resolved unread`);
    assert(h.desiredSize <= 0, `desiredSize ${h.desiredSize}`);
    const r = await within(
      30_000,
      b.run(I, "byobReader", {
        name: "conn0",
        bufBytes: 10_000,
        seed: 5,
      }),
    );
    await within(10_000, writing);
    assertEquals(r.total, chunks * chunkBytes);
    assert(r.intact, "the bytes read differ from the bytes written");
    assert(r.reads >= (chunks * chunkBytes) / 10_000, `${r.reads} reads`);
    // Reading after the stream's end: recv reports ECONNRESET, recvSome 0 (the end).
    assertEquals(await b.run(S, "recv", { name: "conn0", len: 1 }), "ECONNRESET");
  },
);

conformance(
  "idioms: aborting a writable whose send waits for ring space ends the send at once (writer.abort, pipeTo's signal)",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2, ringBytes: 16_384 });
    const [a] = await cluster.connectedPair();
    const r = await within(
      20_000,
      a.run(I, "abortedWritable", {
        name: "c",
        chunkBytes: 1 << 20,
      }),
    );
    assert(r.abortMs < 3000, `abort took ${r.abortMs} ms`);
    assert(r.write !== "resolved", `the aborted write ${r.write}`);
    assert(r.pipe !== "resolved" && r.pipeMs < 3000, `pipeTo: ${r.pipe} after ${r.pipeMs} ms`);
  },
);

conformance(
  "idioms: cancelling a pending read of the readable takes nothing: recv gets the bytes sent after, and a new readable reads on",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    const cancelled = b.signal("cancelled");
    const reading = b.run(I, "cancelKeepsBytes", {
      name: "conn0",
      len: 8,
    });
    await within(5000, cancelled);
    await a.run(S, "send", { name: "c", bytes: [1, 2, 3, 4, 5, 6, 7, 8] });
    b.tell("sent");
    await a.run(S, "send", { name: "c", bytes: [9, 10, 11, 12, 13, 14, 15, 16] });
    b.tell("sent again");
    const r = await within(10_000, reading);
    assertEquals(r.recv, [1, 2, 3, 4, 5, 6, 7, 8]);
    assertEquals(r.again, [9, 10, 11, 12, 13, 14, 15, 16]);
  },
);
