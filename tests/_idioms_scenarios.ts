// Scenarios of tests/idioms_test.ts: SCIF used with Deno's and the Web's habits — Web Streams,
// `for await` over a listener, AbortSignal deadlines, `using`.
import { attachNode, type NetworkHandle, type PortId, type ScifNode } from "../mod.ts";
import { ByteSource, codeOf, endpoint } from "./_scenarios.ts";
import type { ScenarioContext } from "./_node_handle.ts";

/** Upper-cases ASCII letters, chunk by chunk. */
function upper(): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream({
    transform(chunk, controller) {
      controller.enqueue(chunk.map((b) => (b >= 97 && b <= 122 ? b - 32 : b)));
    },
  });
}

/** Listens on `port` and, for each of `connections` connections, pipes what comes back
 * upper-cased, until the peer closes (which ends the pipe and closes the endpoint). */
export async function upperServer(
  node: ScifNode,
  args: { port: number; connections: number },
  ctx: ScenarioContext,
): Promise<number> {
  using listener = node.open();
  listener.bind(args.port);
  listener.listen(4);
  ctx.signal("listening");
  let served = 0;
  for await (const { endpoint } of listener) {
    await endpoint.readable.pipeThrough(upper()).pipeTo(endpoint.writable);
    if (++served === args.connections) break;
  }
  return served;
}

/** Connects under a deadline, writes `text` through a TextEncoderStream (keeping the endpoint
 * open), reads the answer through a TextDecoderStream until it has as many characters. */
export async function textClient(node: ScifNode, args: { dst: PortId; text: string }): Promise<string> {
  using ep = node.open();
  await ep.connect(args.dst, { signal: AbortSignal.timeout(10_000) });
  const pieces = args.text.match(/.{1,5}/gs) ?? [];
  // (ReadableStream.from is not in Chromium.)
  await new ReadableStream<string>({
    start(c) {
      for (const p of pieces) c.enqueue(p);
      c.close();
    },
  }).pipeThrough(new TextEncoderStream())
    .pipeTo(ep.writable, { preventClose: true });
  let answer = "";
  for await (const text of ep.readable.pipeThrough(new TextDecoderStream())) {
    answer += text;
    if (answer.length >= args.text.length) break; // cancels the readable; the endpoint stays open
  }
  return answer;
}

/** Writes `chunks` chunks of `chunkBytes` (ByteSource(seed)) to a peer that does not read yet:
 * reports how many writes had resolved after `holdMs` (backpressure from the ring), signals
 * "held", then finishes and closes the writable (which closes the endpoint). */
export async function pressedWriter(
  _node: ScifNode,
  args: { name: string; chunks: number; chunkBytes: number; holdMs: number; seed: number },
  ctx: ScenarioContext,
): Promise<{ resolvedWhileHeld: number; desiredSize: number | null }> {
  const writer = endpoint(args.name).writable.getWriter();
  const source = new ByteSource(args.seed);
  let resolved = 0;
  const writes: Promise<void>[] = [];
  for (let i = 0; i < args.chunks; i++) {
    const chunk = new Uint8Array(args.chunkBytes);
    source.fill(chunk);
    writes.push(writer.write(chunk).then(() => void resolved++));
  }
  await new Promise((r) => setTimeout(r, args.holdMs));
  const held = { resolvedWhileHeld: resolved, desiredSize: writer.desiredSize };
  ctx.signal("held", held);
  await Promise.all(writes);
  await writer.close();
  return held;
}

/** Reads a kept endpoint to its end with a BYOB reader into one buffer of `bufBytes`, checking
 * the bytes against ByteSource(seed); resolves to the count once the peer's close ends it. */
export async function byobReader(
  _node: ScifNode,
  args: { name: string; bufBytes: number; seed: number },
): Promise<{ total: number; intact: boolean; reads: number }> {
  const reader = endpoint(args.name).readable.getReader({ mode: "byob" });
  const source = new ByteSource(args.seed);
  let buf = new Uint8Array(args.bufBytes);
  let total = 0, reads = 0, intact = true;
  for (;;) {
    const { value, done } = await reader.read(buf);
    if (done) break;
    reads++;
    for (const b of value) if (b !== (source.next() & 0xff)) intact = false;
    total += value.length;
    buf = new Uint8Array(value.buffer); // the buffer comes back, transferred
  }
  return { total, intact, reads };
}

/** A writer whose send waits for room (nobody reads) is aborted: how abort() and the pending
 * write end, and how long they took; then a pipeTo under a deadline, the same. */
export async function abortedWritable(
  _node: ScifNode,
  args: { name: string; chunkBytes: number },
): Promise<{ abortMs: number; write: string; pipe: string; pipeMs: number }> {
  const ep = endpoint(args.name);
  const writer = ep.writable.getWriter();
  const write = writer.write(new Uint8Array(args.chunkBytes)).then(() => "resolved", (e) => codeOf(e));
  await new Promise((r) => setTimeout(r, 100));
  const t0 = performance.now();
  await writer.abort(new Error("enough"));
  const abortMs = performance.now() - t0;
  const w = await write;
  const t1 = performance.now();
  const pipe = await new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new Uint8Array(args.chunkBytes));
      c.close();
    },
  }).pipeTo(ep.writable, { signal: AbortSignal.timeout(100) }).then(() => "resolved", (e) => codeOf(e));
  return { abortMs, write: w, pipe, pipeMs: performance.now() - t1 };
}

/** A read pending on `readable` is cancelled, then `ctx.waitFor("sent")`: recv gets every byte
 * the peer sent after the cancel, and a new `readable` reads on. */
export async function cancelKeepsBytes(
  _node: ScifNode,
  args: { name: string; len: number },
  ctx: ScenarioContext,
): Promise<{ recv: number[]; again: number[] }> {
  const ep = endpoint(args.name);
  const reader = ep.readable.getReader();
  const pending = reader.read();
  await new Promise((r) => setTimeout(r, 50));
  await reader.cancel();
  await pending;
  ctx.signal("cancelled");
  await ctx.waitFor("sent");
  const got = new Uint8Array(args.len);
  await ep.recv(got, { signal: AbortSignal.timeout(5000) });
  await ctx.waitFor("sent again");
  const again: number[] = [];
  for await (const chunk of ep.readable) {
    again.push(...chunk);
    if (again.length >= args.len) break;
  }
  return { recv: [...got], again };
}

/** Closes this Worker's node and attaches it again (`handle`), `times` times in a row; the last
 * attachment stays until the Worker ends. */
export async function reattach(
  node: ScifNode,
  args: { handle: NetworkHandle; times: number },
): Promise<number> {
  let n = node;
  for (let i = 0; i < args.times; i++) {
    await n.close();
    n = await attachNode(args.handle);
  }
  return args.times; // the last attachment ends with the Worker
}
