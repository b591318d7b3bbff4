// Scenarios of tests/abort_test.ts: blocking calls ended by an AbortSignal, on kept endpoints
// of tests/_scenarios.ts.
import { POLLIN, POLLOUT, type PortId, SCIF_FENCE_INIT_SELF, SCIF_RMA_SYNC, type ScifNode } from "../mod.ts";
import { fromWire, type Wire } from "./_rma_scenarios.ts";
import { ByteSource, codeOf, endpoint, outcome } from "./_scenarios.ts";
import type { ScenarioContext } from "./_node_handle.ts";

/** Sends `total` bytes of ByteSource(seed) in `bursts` pieces with `pauseMs` between them. */
export async function sendInBursts(
  _node: ScifNode,
  args: { name: string; total: number; bursts: number; pauseMs: number; seed: number },
): Promise<number> {
  const ep = endpoint(args.name);
  const all = new Uint8Array(args.total);
  new ByteSource(args.seed).fill(all);
  const piece = Math.ceil(args.total / args.bursts);
  for (let at = 0; at < all.length; at += piece) {
    await ep.send(all.subarray(at, Math.min(all.length, at + piece)));
    await new Promise((r) => setTimeout(r, args.pauseMs));
  }
  return all.length;
}

/** Receives `total` bytes with blocking recvs of `chunk` bytes, each under a deadline of
 * `deadlineMs` (AbortSignal.timeout): counts the aborts, and checks every byte against
 * ByteSource(seed), so a byte lost or taken twice shows. */
export async function recvUnderDeadlines(
  _node: ScifNode,
  args: { name: string; total: number; chunk: number; deadlineMs: number; seed: number },
): Promise<{ got: number; aborted: number; partial: number; intact: boolean; other: string[] }> {
  const ep = endpoint(args.name);
  const expect = new Uint8Array(args.total);
  new ByteSource(args.seed).fill(expect);
  const got = new Uint8Array(args.total);
  let at = 0, aborted = 0, partial = 0;
  const other: string[] = [];
  while (at < args.total) {
    const into = got.subarray(at, Math.min(args.total, at + args.chunk));
    try {
      const n = await ep.recv(into, { signal: AbortSignal.timeout(args.deadlineMs) });
      if (n < into.length) partial++;
      at += n;
    } catch (e) {
      if (codeOf(e) === "EINTR") aborted++;
      else {
        other.push(codeOf(e));
        break;
      }
    }
  }
  return { got: at, aborted, partial, intact: got.every((b, i) => b === expect[i]), other };
}

/** A blocking send of `len` bytes (more than the ring holds: nobody reads) aborted after
 * `afterMs`: the count it resolved with, or its errno. */
export async function abortedSend(
  _node: ScifNode,
  args: { name: string; len: number; afterMs: number },
): Promise<number | string> {
  const data = new Uint8Array(args.len).map((_, i) => i & 0xff);
  try {
    return await endpoint(args.name).send(data, { signal: AbortSignal.timeout(args.afterMs) });
  } catch (e) {
    return codeOf(e);
  }
}

/** The time a call took and how it ended. */
type Timed = { code: string; ms: number };

async function timed(fn: () => Promise<unknown>): Promise<Timed> {
  const t0 = performance.now();
  const code = await outcome(fn);
  return { code, ms: performance.now() - t0 };
}

/** accept on the kept listener under a deadline; then a plain accept, kept as `name`. */
export async function acceptAfterAbort(
  _node: ScifNode,
  args: { afterMs: number; name: string },
  ctx: ScenarioContext,
): Promise<{ aborted: Timed; peer: PortId }> {
  const l = endpoint("listener");
  const aborted = await timed(() => l.accept({ signal: AbortSignal.timeout(args.afterMs) }));
  ctx.signal("aborted");
  const { peer } = await l.accept();
  return { aborted, peer };
}

/** connect under a deadline to a listener that does not accept yet; after the test's "accepting"
 * the endpoint connects by itself (as POSIX's connect after EINTR): poll says POLLOUT, and a
 * byte goes through. */
export async function connectAfterAbort(
  node: ScifNode,
  args: { dst: PortId; afterMs: number },
  ctx: ScenarioContext,
): Promise<{ aborted: Timed; again: string; revents: number; sent: number }> {
  const ep = node.open();
  const aborted = await timed(() => ep.connect(args.dst, { signal: AbortSignal.timeout(args.afterMs) }));
  const again = await outcome(() => ep.connect(args.dst));
  ctx.signal("aborted");
  await ctx.waitFor("accepting");
  const entry = { endpoint: ep, events: POLLOUT, revents: 0 };
  await node.poll([entry], 10_000);
  const sent = await ep.send(new Uint8Array([42]));
  ep.close();
  return { aborted, again, revents: entry.revents, sent };
}

/** poll for POLLIN on a kept endpoint with no time limit, under a deadline. */
export async function abortedPoll(
  node: ScifNode,
  args: { name: string; afterMs: number },
): Promise<{ aborted: Timed; revents: number }> {
  const entry = { endpoint: endpoint(args.name), events: POLLIN, revents: -1 };
  const aborted = await timed(() => node.poll([entry], -1, { signal: AbortSignal.timeout(args.afterMs) }));
  return { aborted, revents: entry.revents };
}

/** fenceWait on a mark far ahead of ours (never reached before the fence timeout), under a
 * deadline. */
export async function abortedFenceWait(
  _node: ScifNode,
  args: { name: string; afterMs: number },
): Promise<Timed> {
  const ep = endpoint(args.name);
  const mark = await ep.fenceMark(SCIF_FENCE_INIT_SELF);
  return await timed(() => ep.fenceWait((mark + 1000) >>> 0, { signal: AbortSignal.timeout(args.afterMs) }));
}

/** What calls given an aborted signal, or no signal at all, answer. */
export async function badSignals(_node: ScifNode, args: { name: string }): Promise<Record<string, string>> {
  const ep = endpoint(args.name);
  const gone = AbortSignal.abort("stop");
  // deno-lint-ignore no-explicit-any
  const notASignal = { signal: { aborted: true } } as any;
  return {
    recvAborted: await outcome(() => ep.recv(new Uint8Array(1), { signal: gone })),
    sendAborted: await outcome(() => ep.send(new Uint8Array(1), { signal: gone })),
    recvSomeAborted: await outcome(() => ep.recvSome(new Uint8Array(1), { signal: gone })),
    recvNotASignal: await outcome(() => ep.recv(new Uint8Array(1), notASignal)),
    // The byte the peer sent is still there: nothing was taken by the calls above.
    recvAfter: await ep.recv(new Uint8Array(1), { signal: AbortSignal.timeout(5000) }).then(String, codeOf),
  };
}

/** Each RMA call given an aborted signal, then one that is no AbortSignal, at `roff` (a wire
 * offset of tests/_rma_scenarios.ts): their errno names. They must have moved nothing. */
export async function rmaBadSignals(
  node: ScifNode,
  args: { name: string; roff: Wire },
): Promise<Record<string, string>> {
  const ep = endpoint(args.name);
  const roff = fromWire(args.roff);
  const mem = node.allocate(4096);
  mem.fill(0xee);
  const loff = ep.register(mem, { bigint: true });
  const gone = { signal: AbortSignal.abort("stop") };
  // deno-lint-ignore no-explicit-any
  const bad = { signal: "soon" } as any;
  const sync = SCIF_RMA_SYNC;
  return {
    writeTo: await outcome(() => ep.writeTo(loff, 4096, roff, sync, gone)),
    readFrom: await outcome(() => ep.readFrom(loff, 4096, roff, sync, gone)),
    vwriteTo: await outcome(() => ep.vwriteTo(mem, roff, sync, gone)),
    vreadFrom: await outcome(() => ep.vreadFrom(mem, roff, sync, gone)),
    notASignal: await outcome(() => ep.vwriteTo(mem, roff, sync, bad)),
    fenceWait: await outcome(() => ep.fenceWait(0, gone)),
    // Nothing came into our memory either.
    untouched: mem.every((b) => b === 0xee) ? "yes" : "no",
  };
}
