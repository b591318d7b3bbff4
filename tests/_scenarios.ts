// Scenarios that tests run on nodes in Workers (tests/_cluster.ts): each is an async function
// (node, args, ctx) whose result is posted back. They use only the public API, so they run
// the same on every backend.
import { type Endpoint, type PortId, ScifError, type ScifNode } from "../mod.ts";
import type { ScenarioContext } from "./_node_handle.ts";

/** What a failed call was: the errno name, or the message of a non-SCIF error. */
export function codeOf(e: unknown): string {
  return e instanceof ScifError ? e.code : `not a ScifError: ${e}`;
}

/** Runs `fn`; resolves to "ok" or the errno name it failed with. */
export async function outcome(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return "ok";
  } catch (e) {
    return codeOf(e);
  }
}

/** Deterministic pseudo-random bytes (xorshift32), so both ends can check a stream. */
export class ByteSource {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0 || 1;
  }
  next(): number {
    let s = this.#s;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.#s = s >>> 0;
    return this.#s;
  }
  /** Fills `into` with the next bytes of the stream. */
  fill(into: Uint8Array): void {
    for (let i = 0; i < into.length; i++) into[i] = this.next() & 0xff;
  }
  /** A random integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + (this.next() % (hi - lo + 1));
  }
}

const endpoints = new Map<string, Endpoint>();

/** A kept endpoint. */
export function endpoint(name: string): Endpoint {
  const ep = endpoints.get(name);
  if (!ep) throw new Error(`no endpoint kept as ${name}`);
  return ep;
}

/** Binds and listens on `port`, then accepts `accepts` connections (0: none) and keeps them
 * by name `conn0`, `conn1`, ... (or `${prefix}0`, ...) for later scenarios. Signals "listening". */
export async function listen(
  node: ScifNode,
  args: { port: number; backlog: number; accepts?: number; prefix?: string },
  ctx: ScenarioContext,
): Promise<{ port: number; peers: PortId[] }> {
  const l = node.open();
  const port = l.bind(args.port);
  l.listen(args.backlog);
  endpoints.set("listener", l);
  ctx.signal("listening", port);
  const peers: PortId[] = [];
  for (let i = 0; i < (args.accepts ?? 0); i++) {
    const { endpoint, peer } = await l.accept();
    endpoints.set(`${args.prefix ?? "conn"}${i}`, endpoint);
    peers.push(peer);
  }
  return { port, peers };
}

/** Connects to `dst` and keeps the endpoint by `name`. Resolves to the local port id. */
export async function connect(node: ScifNode, args: { dst: PortId; name?: string }): Promise<PortId> {
  const ep = node.open();
  const id = await ep.connect(args.dst);
  endpoints.set(args.name ?? "client", ep);
  return id;
}

/** Closes a kept endpoint. */
export function close(_node: ScifNode, args: { name: string }): Promise<void> {
  endpoints.get(args.name)!.close();
  endpoints.delete(args.name);
  return Promise.resolve();
}

/** Sends `bytes` on a kept endpoint; resolves to the count. */
export function send(
  _node: ScifNode,
  args: { name: string; bytes: number[]; block?: boolean },
): Promise<number> {
  return endpoints.get(args.name)!.send(new Uint8Array(args.bytes), { block: args.block ?? true });
}

/** Receives up to `len` bytes on a kept endpoint; resolves to them, or to the errno name. */
export async function recv(
  _node: ScifNode,
  args: { name: string; len: number; block?: boolean },
): Promise<number[] | string> {
  const buf = new Uint8Array(args.len);
  try {
    const n = await endpoints.get(args.name)!.recv(buf, { block: args.block ?? true });
    return [...buf.subarray(0, n)];
  } catch (e) {
    return codeOf(e);
  }
}

/** Calls accept on the kept listener; resolves to the peer or the errno name. */
export async function accept(
  _node: ScifNode,
  args: { block: boolean; name?: string },
): Promise<PortId | string> {
  try {
    const { endpoint, peer } = await endpoints.get("listener")!.accept({ block: args.block });
    endpoints.set(args.name ?? "accepted", endpoint);
    return peer;
  } catch (e) {
    return codeOf(e);
  }
}

/** The node's getNodeIds(). */
export function nodeIds(node: ScifNode): Promise<{ nodes: number[]; self: number }> {
  return Promise.resolve(node.getNodeIds());
}

/** Tries to connect to `dst` once; resolves to "ok" or the errno name. */
export function tryConnect(node: ScifNode, args: { dst: PortId }): Promise<string> {
  return outcome(async () => {
    const ep = node.open();
    await ep.connect(args.dst);
    ep.close();
  });
}

/** Connects, waits for the test's "close" word, then closes; reports "connected". */
export async function connectAndHold(
  node: ScifNode,
  args: { dst: PortId },
  ctx: ScenarioContext,
): Promise<string> {
  const ep = node.open();
  const r = await outcome(() => ep.connect(args.dst));
  ctx.signal("connected", r);
  await ctx.waitFor("close");
  if (!ep.closed) ep.close();
  return r;
}

/** Echoes bytes on every connection of a listener until each peer closes. */
export async function echoServer(
  node: ScifNode,
  args: { port: number; backlog: number; connections: number },
  ctx: ScenarioContext,
): Promise<number> {
  const l = node.open();
  l.bind(args.port);
  l.listen(args.backlog);
  ctx.signal("listening");
  let echoed = 0;
  const serve = async (ep: Endpoint) => {
    const buf = new Uint8Array(4096);
    for (;;) {
      let n: number;
      try {
        n = await ep.recv(buf, { block: false });
        if (n === 0) n = await ep.recv(buf.subarray(0, 1));
      } catch {
        if (!ep.closed) ep.close();
        return;
      }
      await ep.send(buf.subarray(0, n));
      echoed += n;
    }
  };
  const served: Promise<void>[] = [];
  for (let i = 0; i < args.connections; i++) {
    const { endpoint } = await l.accept();
    served.push(serve(endpoint));
  }
  await Promise.all(served);
  if (!l.closed) l.close();
  return echoed;
}

/** Polls kept endpoints: `entries` name them and their events; resolves to the count, the
 * revents and the milliseconds it took. */
export async function poll(
  node: ScifNode,
  args: { entries: { name: string; events: number }[]; timeoutMs: number },
  ctx: ScenarioContext,
): Promise<{ ready: number; revents: number[]; ms: number }> {
  const entries = args.entries.map((e) => ({
    endpoint: endpoints.get(e.name)!,
    events: e.events,
    revents: 0,
  }));
  const t0 = performance.now();
  const pending = node.poll(entries, args.timeoutMs);
  ctx.signal("polling");
  const ready = await pending;
  return { ready, revents: entries.map((e) => e.revents), ms: performance.now() - t0 };
}

/** Opens `count` connections to `dst` at once; resolves to their local ports. */
export async function connectMany(
  node: ScifNode,
  args: { dst: PortId; count: number; prefix: string },
): Promise<number[]> {
  const eps = Array.from({ length: args.count }, () => node.open());
  const ids = await Promise.all(eps.map((ep) => ep.connect(args.dst)));
  eps.forEach((ep, i) => endpoints.set(`${args.prefix}${i}`, ep));
  return ids.map((id) => id.port);
}

/** On each of `count` kept endpoints named prefix0.., sends its index as 4 bytes and expects
 * them echoed. */
export async function pingEach(_node: ScifNode, args: { prefix: string; count: number }): Promise<number> {
  let ok = 0;
  await Promise.all(Array.from({ length: args.count }, async (_, i) => {
    const ep = endpoints.get(`${args.prefix}${i}`)!;
    const out = new Uint8Array(new Uint32Array([i * 7919]).buffer);
    await ep.send(out);
    const back = new Uint8Array(4);
    await ep.recv(back);
    if (new Uint32Array(back.buffer)[0] === i * 7919) ok++;
  }));
  return ok;
}
