// Stream scenarios for nodes in Workers (tests/stream_test.ts, tests/machine_test.ts, ...): long
// streams both ways checked byte for byte, streams until the peer goes, full rings, patterns,
// and blocking calls whose endpoint closes or whose buffer changes while they wait. They work on
// the endpoints tests/_scenarios.ts keeps.
import type { PortId, ScifNode } from "../mod.ts";
import type { ScenarioContext } from "./_node_handle.ts";
import { ByteSource, codeOf, endpoint, outcome } from "./_scenarios.ts";

/** Streams `total` bytes each way at the same time over a kept endpoint, with random send and
 * recv sizes (1 .. maxChunk), blocking and non-blocking mixed, and checks every byte. */
export async function duplex(
  _node: ScifNode,
  args: { name: string; total: number; maxChunk: number; sendSeed: number; recvSeed: number; pick: number },
): Promise<{ sent: number; received: number; nonblockingZeros: number }> {
  const ep = endpoint(args.name);
  const pick = new ByteSource(args.pick);
  let zeros = 0;
  const sender = async () => {
    const src = new ByteSource(args.sendSeed);
    const buf = new Uint8Array(args.maxChunk);
    let sent = 0;
    while (sent < args.total) {
      const n = Math.min(pick.int(1, args.maxChunk), args.total - sent);
      const chunk = buf.subarray(0, n);
      src.fill(chunk);
      let off = 0;
      while (off < n) {
        if (pick.next() & 1) {
          off += await ep.send(chunk.subarray(off));
        } else {
          const k = await ep.send(chunk.subarray(off), { block: false });
          if (k === 0) {
            zeros++;
            await new Promise((r) => setTimeout(r, 0));
          }
          off += k;
        }
      }
      sent += n;
    }
    return sent;
  };
  const receiver = async () => {
    const want = new ByteSource(args.recvSeed);
    const buf = new Uint8Array(args.maxChunk);
    let received = 0;
    while (received < args.total) {
      const n = Math.min(pick.int(1, args.maxChunk), args.total - received);
      const got = (pick.next() & 1)
        ? await ep.recv(buf.subarray(0, n))
        : await ep.recv(buf.subarray(0, n), { block: false });
      if (got === 0) {
        zeros++;
        await new Promise((r) => setTimeout(r, 0));
        continue;
      }
      for (let i = 0; i < got; i++) {
        const expected = want.next() & 0xff;
        if (buf[i] !== expected) {
          throw new Error(`byte ${received + i}: got ${buf[i]}, expected ${expected}`);
        }
      }
      received += got;
    }
    return received;
  };
  const [sent, received] = await Promise.all([sender(), receiver()]);
  return { sent, received, nonblockingZeros: zeros };
}

/** Sends a never-ending stream on a kept endpoint until a send fails; resolves to the errno
 * name and the bytes sent, and reports "streaming" once the first MiB is out. */
export async function sendUntilError(
  _node: ScifNode,
  args: { name: string },
  ctx: ScenarioContext,
): Promise<{ code: string; sent: number }> {
  const ep = endpoint(args.name);
  const buf = new Uint8Array(64 * 1024);
  let sent = 0;
  let told = false;
  try {
    for (;;) {
      sent += await ep.send(buf);
      if (!told && sent >= 1 << 20) {
        told = true;
        ctx.signal("streaming");
      }
    }
  } catch (e) {
    return { code: codeOf(e), sent };
  }
}

/** Receives on a kept endpoint until a recv fails; resolves to the errno name and the count. */
export async function recvUntilError(
  _node: ScifNode,
  args: { name: string },
  ctx: ScenarioContext,
): Promise<{ code: string; received: number }> {
  const ep = endpoint(args.name);
  const buf = new Uint8Array(64 * 1024);
  let received = 0;
  let told = false;
  try {
    for (;;) {
      received += await ep.recv(buf);
      if (!told && received >= 1 << 20) {
        told = true;
        ctx.signal("streaming");
      }
    }
  } catch (e) {
    return { code: codeOf(e), received };
  }
}

/** Fills a kept endpoint's send ring with non-blocking sends; resolves to the bytes queued. */
export async function fill(_node: ScifNode, args: { name: string }): Promise<number> {
  const ep = endpoint(args.name);
  const buf = new Uint8Array(64 * 1024);
  let total = 0;
  for (;;) {
    const n = await ep.send(buf, { block: false });
    if (n === 0) return total;
    total += n;
  }
}

/** One non-blocking send of `len` pattern bytes (byte i is i mod 251); resolves to the count. */
export function sendPatternOnce(_node: ScifNode, args: { name: string; len: number }): Promise<number> {
  const data = Uint8Array.from({ length: args.len }, (_, i) => i % 251);
  return endpoint(args.name).send(data, { block: false });
}

/** Receives `len` bytes (blocking) and checks them against sendPatternOnce's pattern;
 * resolves to the index of the first wrong byte, or -1. Then a non-blocking recv must find
 * nothing more: resolves to [wrong, extra]. */
export async function recvPattern(_node: ScifNode, args: { name: string; len: number }): Promise<number[]> {
  const ep = endpoint(args.name);
  const buf = new Uint8Array(args.len);
  await ep.recv(buf);
  const extra = await ep.recv(new Uint8Array(16), { block: false });
  return [buf.findIndex((v, i) => v !== i % 251), extra];
}

/** Starts a blocking recv on a kept endpoint, closes the endpoint after `afterMs`; resolves to
 * what the recv did ("ok" or the errno name). */
export async function closeDuringRecv(
  _node: ScifNode,
  args: { name: string; afterMs: number },
): Promise<string> {
  const ep = endpoint(args.name);
  const pending = outcome(() => ep.recv(new Uint8Array(10)));
  await new Promise((r) => setTimeout(r, args.afterMs));
  ep.close();
  return await pending;
}

/** Starts a connect to `dst` (a listener that never accepts), closes the endpoint after
 * `afterMs`; resolves to what the connect did. */
export async function closeDuringConnect(
  node: ScifNode,
  args: { dst: PortId; afterMs: number },
): Promise<string> {
  const ep = node.open();
  const pending = outcome(() => ep.connect(args.dst));
  await new Promise((r) => setTimeout(r, args.afterMs));
  ep.close();
  return await pending;
}

/** Starts a blocking recv of `len` bytes into a buffer of its own, then (after `afterMs`)
 * detaches that buffer ("detach") or shrinks it to 1 byte ("shrink"), signals "changed", and
 * resolves to what the recv did: the count, or the errno name. */
export async function recvIntoChanging(
  _node: ScifNode,
  args: { name: string; len: number; afterMs: number; how: "detach" | "shrink" },
  ctx: ScenarioContext,
): Promise<number | string> {
  const buffer = new ArrayBuffer(args.len, { maxByteLength: args.len });
  const pending = endpoint(args.name).recv(new Uint8Array(buffer)).then((n) => n, codeOf);
  await new Promise((r) => setTimeout(r, args.afterMs));
  if (args.how === "detach") buffer.transfer();
  else buffer.resize(1);
  ctx.signal("changed");
  return await pending;
}

/** Starts a blocking send of `len` bytes from a buffer of its own, then (after `afterMs`)
 * shrinks that buffer to 1 byte, signals "changed", and resolves to what the send did. */
export async function sendFromShrinking(
  _node: ScifNode,
  args: { name: string; len: number; afterMs: number },
  ctx: ScenarioContext,
): Promise<number | string> {
  const buffer = new ArrayBuffer(args.len, { maxByteLength: args.len });
  const pending = endpoint(args.name).send(new Uint8Array(buffer)).then((n) => n, codeOf);
  await new Promise((r) => setTimeout(r, args.afterMs));
  buffer.resize(1);
  ctx.signal("changed");
  return await pending;
}

/** Non-blocking recvs on a kept endpoint until nothing has come for `quietMs`; resolves to the
 * count received. */
export async function drain(_node: ScifNode, args: { name: string; quietMs: number }): Promise<number> {
  const ep = endpoint(args.name);
  const buf = new Uint8Array(64 * 1024);
  let total = 0;
  let last = performance.now();
  while (performance.now() - last < args.quietMs) {
    const n = await ep.recv(buf, { block: false });
    if (n > 0) {
      total += n;
      last = performance.now();
    } else await new Promise((r) => setTimeout(r, 1));
  }
  return total;
}
