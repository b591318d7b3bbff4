// poll across threads: POLLIN on data and on a pending connection, POLLOUT while the ring has
// space, POLLHUP after the peer closes, timeouts 0, finite and infinite.
import { assert, assertEquals } from "@std/assert";
import { POLLERR, POLLHUP, POLLIN, POLLOUT } from "../mod.ts";
import { Cluster, conformance, delay, scenarios, within } from "./_cluster.ts";

const S = scenarios<typeof import("./_scenarios.ts")>(new URL("./_scenarios.ts", import.meta.url));
const ST = scenarios<typeof import("./_stream_scenarios.ts")>(
  new URL("./_stream_scenarios.ts", import.meta.url),
);

type Polled = { ready: number; revents: number[]; ms: number };

conformance(
  "poll: POLLIN once data arrives, POLLOUT while there is ring space; timeout 0 only looks",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    const quiet = await b.run(S, "poll", {
      entries: [{ name: "conn0", events: POLLIN }],
      timeoutMs: 0,
    });
    assertEquals([quiet.ready, quiet.revents], [0, [0]]);
    const out = await b.run(S, "poll", {
      entries: [{ name: "conn0", events: POLLIN | POLLOUT }],
      timeoutMs: 0,
    });
    assertEquals([out.ready, out.revents], [1, [POLLOUT]]);
    await a.run(S, "send", { name: "c", bytes: [1] });
    const both = await b.run(S, "poll", {
      entries: [{ name: "conn0", events: POLLIN | POLLOUT }],
      timeoutMs: 0,
    });
    assertEquals(both.revents, [POLLIN | POLLOUT]);
  },
);

conformance("poll: -1 sleeps until data arrives from another thread", async (backend) => {
  await using cluster = await Cluster.create({ backend, nodes: 2 });
  const [a, b] = await cluster.connectedPair();
  const polling = b.signal("polling");
  const pending = b.run(S, "poll", { entries: [{ name: "conn0", events: POLLIN }], timeoutMs: -1 });
  await polling;
  await delay(100);
  await a.run(S, "send", { name: "c", bytes: [7] });
  const r = await within(2000, pending, "poll(-1)");
  assertEquals([r.ready, r.revents], [1, [POLLIN]]);
  assert(r.ms >= 90, `poll returned after ${r.ms} ms, before the data was sent`);
});

conformance("poll: a finite timeout expires with 0 when nothing happens", async (backend) => {
  await using cluster = await Cluster.create({ backend, nodes: 2 });
  const [, b] = await cluster.connectedPair();
  const r = await b.run(S, "poll", { entries: [{ name: "conn0", events: POLLIN }], timeoutMs: 150 });
  assertEquals([r.ready, r.revents], [0, [0]]);
  assert(r.ms >= 140 && r.ms < 1000, `took ${r.ms} ms`);
});

conformance("poll: POLLOUT clears when the ring is full and returns when the peer reads", async (backend) => {
  await using cluster = await Cluster.create({ backend, nodes: 2, ringBytes: 65536 });
  const [a, b] = await cluster.connectedPair();
  const queued = await a.run(ST, "fill", { name: "c" });
  assert(queued > (backend !== "hw" ? 60000 : 4000), `only ${queued} bytes queued`); // the device's ring: 4 KiB
  const full = await a.run(S, "poll", { entries: [{ name: "c", events: POLLOUT }], timeoutMs: 0 });
  assertEquals(full.revents, [0]);
  const polling = a.signal("polling");
  const pending = a.run(S, "poll", { entries: [{ name: "c", events: POLLOUT }], timeoutMs: 5000 });
  await polling;
  await b.run(S, "recv", { name: "conn0", len: queued });
  const r = await within(2000, pending, "poll for POLLOUT");
  assertEquals(r.revents, [POLLOUT]);
});

conformance("poll: POLLIN on a listener with a pending connection request", async (backend) => {
  await using cluster = await Cluster.create({ backend, nodes: 2 });
  const [a, b] = [await cluster.spawn(0), await cluster.spawn(1)];
  const listening = b.signal("listening");
  await b.run(S, "listen", { port: 2000, backlog: 4 });
  await listening;
  const none = await b.run(S, "poll", {
    entries: [{ name: "listener", events: POLLIN }],
    timeoutMs: 0,
  });
  assertEquals(none.revents, [0]);
  const polling = b.signal("polling");
  const pending = b.run(S, "poll", {
    entries: [{ name: "listener", events: POLLIN }],
    timeoutMs: -1,
  });
  await polling;
  a.run(S, "connect", { dst: { node: 1, port: 2000 } }).catch(() => {});
  const r = await within(2000, pending, "poll on the listener");
  assertEquals([r.ready, r.revents], [1, [POLLIN]]);
  assertEquals(typeof await b.run(S, "accept", { block: false }), "object");
});

conformance(
  "poll: POLLHUP (and POLLIN while bytes remain) after the peer closes, even when not asked for",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    const polling = b.signal("polling");
    const pending = b.run(S, "poll", { entries: [{ name: "conn0", events: POLLIN }], timeoutMs: -1 });
    await polling;
    await a.run(S, "send", { name: "c", bytes: [1, 2] });
    await within(2000, pending);
    await a.run(S, "close", { name: "c" });
    await delay(20);
    const hup = await b.run(S, "poll", { entries: [{ name: "conn0", events: 0 }], timeoutMs: -1 });
    assertEquals(hup.revents, [POLLHUP]);
    const withData = await b.run(S, "poll", {
      entries: [{ name: "conn0", events: POLLIN }],
      timeoutMs: 0,
    });
    assertEquals(withData.revents, [POLLIN | POLLHUP]);
    await b.run(S, "recv", { name: "conn0", len: 2 });
    const drained = await b.run(S, "poll", {
      entries: [{ name: "conn0", events: POLLIN | POLLOUT }],
      timeoutMs: 0,
    });
    assertEquals(drained.revents, [POLLHUP]);
  },
);

conformance(
  "poll: POLLHUP wakes a poll(-1) when the peer's node is lost; POLLERR is always reported",
  async (backend) => {
    await using cluster = await Cluster.create({ backend, nodes: 2 });
    const [a, b] = await cluster.connectedPair();
    const polling = b.signal("polling");
    const pending = b.run(S, "poll", { entries: [{ name: "conn0", events: POLLIN }], timeoutMs: -1 });
    await polling;
    a.terminate();
    const r = await within(2000, pending, "poll after node loss");
    assertEquals(r.revents, [POLLHUP]);
    assertEquals(POLLERR, 8);
  },
);
