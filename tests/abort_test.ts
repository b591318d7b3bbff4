// AbortSignal on every blocking call, on every backend: an abort ends the call with EINTR (a
// send or recv that moved bytes resolves with their count), nothing is lost or taken twice,
// and the endpoint goes on.
import { assert, assertEquals } from "@std/assert";
import { POLLOUT } from "../mod.ts";
import { Cluster, conformance, scenarios, within } from "./_cluster.ts";

const S = scenarios<typeof import("./_scenarios.ts")>(new URL("./_scenarios.ts", import.meta.url));
const A = scenarios<typeof import("./_abort_scenarios.ts")>(
  new URL("./_abort_scenarios.ts", import.meta.url),
);
const R = scenarios<typeof import("./_rma_scenarios.ts")>(new URL("./_rma_scenarios.ts", import.meta.url));
const ST = scenarios<typeof import("./_stream_scenarios.ts")>(
  new URL("./_stream_scenarios.ts", import.meta.url),
);

conformance(
  "abort: blocking recvs under short deadlines take a checked stream whole: each abort is EINTR or a short count, no byte lost or taken twice",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    const total = 200_000;
    const sending = a.run(A, "sendInBursts", { name: "c", total, bursts: 40, pauseMs: 15, seed: 7 });
    const r = await within(
      60_000,
      b.run(
        A,
        "recvUnderDeadlines",
        { name: "conn0", total, chunk: 16_384, deadlineMs: 5, seed: 7 },
      ),
    );
    await sending;
    assertEquals(r.other, []);
    assertEquals(r.got, total);
    assert(r.intact, "the bytes received differ from the bytes sent");
    assert(r.aborted + r.partial > 0, `no recv was aborted (${JSON.stringify(r)}): the test proves nothing`);
  },
);

conformance(
  "abort: a blocking send that waits for ring space resolves with the count sent, which is exactly what arrives",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2, ringBytes: 16_384 });
    const [a, b] = await cluster.connectedPair();
    const sent = await within(
      10_000,
      a.run(A, "abortedSend", { name: "c", len: 1 << 20, afterMs: 150 }),
    );
    assert(typeof sent === "number" && sent > 0 && sent < 1 << 20, `sent ${sent}`);
    const received = await within(10_000, b.run(ST, "drain", { name: "conn0", quietMs: 300 }));
    assertEquals(received, sent);
  },
);

conformance(
  "abort: accept ends with EINTR at its deadline, and the next accept takes the request that comes",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = [await cluster.spawn(0), await cluster.spawn(1)];
    const listening = b.signal("listening");
    await b.run(S, "listen", { port: 2100, backlog: 4, accepts: 0 });
    await listening;
    const aborted = b.signal("aborted");
    const accepting = b.run(A, "acceptAfterAbort", {
      afterMs: 100,
      name: "accepted",
    });
    await within(5000, aborted);
    const local = await a.run(S, "connect", { dst: { node: 1, port: 2100 } });
    const r = await within(10_000, accepting);
    assertEquals(r.aborted.code, "EINTR");
    assert(r.aborted.ms >= 90 && r.aborted.ms < 3000, `took ${r.aborted.ms} ms`);
    assertEquals((r as unknown as { peer: unknown }).peer, local);
  },
);

conformance(
  "abort: connect ends with EINTR at its deadline, the request goes on (EISCONN meanwhile), and the endpoint connects when accepted",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = [await cluster.spawn(0), await cluster.spawn(1)];
    const listening = b.signal("listening");
    await b.run(S, "listen", { port: 2200, backlog: 4, accepts: 0 });
    await listening;
    const aborted = a.signal("aborted");
    const connecting = a.run(
      A,
      "connectAfterAbort",
      { dst: { node: 1, port: 2200 }, afterMs: 100 },
    );
    await within(5000, aborted);
    a.tell("accepting");
    assertEquals(typeof await within(10_000, b.run(S, "accept", { block: true, name: "late" })), "object");
    const r = await within(15_000, connecting);
    assertEquals(r.aborted.code, "EINTR");
    assert(r.aborted.ms >= 90 && r.aborted.ms < 3000, `took ${r.aborted.ms} ms`);
    assert(r.again === "EISCONN" || r.again === "EALREADY" || r.again === "EINVAL", r.again);
    assertEquals(r.revents & POLLOUT, POLLOUT);
    assertEquals(r.sent, 1);
    assertEquals(await within(5000, b.run(S, "recv", { name: "late", len: 1 })), [42]);
  },
);

conformance(
  "abort: poll with no time limit ends with EINTR at its deadline; fenceWait on a mark never reached too",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2, fenceTimeoutMs: 20_000 });
    const [a] = await cluster.connectedPair();
    const p = await within(
      5000,
      a.run(A, "abortedPoll", {
        name: "c",
        afterMs: 100,
      }),
    );
    assertEquals(p.aborted.code, "EINTR");
    assert(p.aborted.ms >= 90 && p.aborted.ms < 3000, `poll took ${p.aborted.ms} ms`);
    assertEquals(p.revents, 0);
    if (backend === "hw") return; // the simulated device has no fences that wait
    const f = await within(
      5000,
      a.run(A, "abortedFenceWait", { name: "c", afterMs: 100 }),
    );
    assertEquals(f.code, "EINTR");
    assert(f.ms >= 90 && f.ms < 3000, `fenceWait took ${f.ms} ms`);
  },
);

conformance(
  "abort: a signal aborted before the call is EINTR and moves nothing; a signal that is no AbortSignal is EINVAL",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    await a.run(S, "send", { name: "c", bytes: [9] });
    const r = await within(10_000, b.run(A, "badSignals", { name: "conn0" }));
    assertEquals(r, {
      recvAborted: "EINTR",
      sendAborted: "EINTR",
      recvSomeAborted: "EINTR",
      recvNotASignal: "EINVAL",
      recvAfter: "1",
    });
  },
);

conformance(
  "abort: RMA calls and fenceWait given an aborted signal are EINTR and move nothing; a signal that is no AbortSignal is EINVAL",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    const roff = await b.run(R, "register", { ep: "conn0", name: "win", pages: 1, seed: 3 });
    const before = await b.run(R, "bytes", { name: "win" });
    const r = await within(10_000, a.run(A, "rmaBadSignals", { name: "c", roff }));
    assertEquals(r, {
      writeTo: "EINTR",
      readFrom: "EINTR",
      vwriteTo: "EINTR",
      vreadFrom: "EINTR",
      notASignal: "EINVAL",
      fenceWait: "EINTR",
      untouched: "yes",
    });
    assertEquals(await b.run(R, "bytes", { name: "win" }), before);
  },
);
