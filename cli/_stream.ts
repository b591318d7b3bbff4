// The connection commands of `scif` (cli/scif.ts): an echo server and its pinger (`scif echo`,
// `scif ping`), and the pipes between stdin, stdout and a connection (`scif listen`, `scif
// connect`).

import { type Endpoint, ScifError } from "../mod.ts";
import { integer, join, type Options, out, UsageError } from "./_args.ts";
import { ECHO_PORT } from "./_help.ts";

export async function echo(pos: string[], opt: Options): Promise<void> {
  const port = integer(pos[0], "PORT", 1, 65535, ECHO_PORT);
  const count = opt.count === undefined ? Infinity : integer(opt.count, "--count", 1, 2 ** 31);
  const node = await join(opt);
  const l = node.open();
  l.bind(port);
  l.listen(16);
  console.error(`scif echo: node ${node.nodeId}, port ${port}`);
  const served: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const { endpoint } = await l.accept();
    served.push((async () => {
      const buf = new Uint8Array(65536);
      try {
        for (;;) {
          let n = await endpoint.recv(buf, { block: false });
          if (n === 0) n = await endpoint.recv(buf.subarray(0, 1));
          await endpoint.send(buf.subarray(0, n));
        }
      } catch {
        // the peer closed
      }
      endpoint.close();
    })());
  }
  await Promise.all(served);
  l.close();
  await node.close();
}

export async function ping(pos: string[], opt: Options): Promise<void> {
  const target = integer(pos[0], "NODE", 0, 255);
  const port = integer(opt.port, "--port", 1, 65535, ECHO_PORT);
  const count = integer(opt.count, "--count", 1, 10_000_000, 1000);
  const size = integer(opt.size, "--size", 1, 1 << 20, 8);
  const node = await join(opt);
  try {
    const ep = node.open();
    await ep.connect({ node: target, port });
    const buf = new Uint8Array(size);
    const us: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await ep.send(buf);
      await ep.recv(buf);
      us.push((performance.now() - t) * 1000);
    }
    ep.close();
    us.sort((a, b) => a - b);
    const f = (v: number) => v.toFixed(1);
    out(
      `${count} round trips of ${size} bytes to node ${target}: min ${f(us[0])} us, median ${
        f(us[us.length >> 1])
      } us, max ${f(us[us.length - 1])} us`,
    );
  } finally {
    await node.close();
  }
}

/** Whether `e` says the connection is over (the peer closed it, or we did). */
function ended(e: unknown): boolean {
  return e instanceof ScifError && ["ECONNRESET", "ENOTCONN", "EBADF"].includes(e.code);
}

/** The peer's bytes to stdout until it closes the connection. */
async function toStdout(ep: Endpoint): Promise<void> {
  const w = Deno.stdout.writable.getWriter();
  const buf = new Uint8Array(256 * 1024);
  try {
    for (;;) {
      let n = await ep.recv(buf, { block: false });
      if (n === 0) n = await ep.recv(buf.subarray(0, 1));
      await w.write(buf.slice(0, n));
    }
  } catch (e) {
    if (!ended(e)) throw e;
  } finally {
    await w.close().catch(() => {});
  }
}

/** stdin to the peer; resolves at the end of stdin, rejects when a send fails. */
async function fromStdin(ep: Endpoint): Promise<void> {
  for await (const chunk of Deno.stdin.readable) await ep.send(chunk);
}

/**
 * Moves stdin to the peer and the peer's bytes to stdout. `closeAtEof` (connect): the end of
 * stdin closes the connection, and a peer that ends it first is an error (ECONNRESET: stdin
 * could not all be sent). Otherwise (listen, connect --wait) the peer's close is the end, and an
 * error only if a send of stdin failed. Either way the command ends as soon as the connection
 * does: a read of stdin still pending (a terminal) is not waited for (the caller exits).
 */
async function pipe(ep: Endpoint, closeAtEof: boolean): Promise<void> {
  let sendFailed: unknown = null;
  const writing = fromStdin(ep).then(
    () => "eof" as const,
    (e) => {
      sendFailed = e;
      return "failed" as const;
    },
  );
  const reading = toStdout(ep).then(() => "closed" as const);
  const first = await Promise.race([writing, reading]);
  if (first === "eof" && closeAtEof) {
    ep.close();
    await reading.catch(() => {});
    return;
  }
  if (first === "eof" || first === "failed") await reading; // the peer's bytes until it closes
  if (!ep.closed) ep.close();
  if (sendFailed && !ended(sendFailed)) throw sendFailed;
  if (sendFailed || closeAtEof) {
    throw new ScifError("ECONNRESET", "the peer closed the connection before stdin was all sent");
  }
}

export async function listen(pos: string[], opt: Options): Promise<void> {
  const port = integer(pos[0], "PORT", 1, 65535);
  const node = await join(opt);
  try {
    const l = node.open();
    l.bind(port);
    l.listen(1);
    console.error(`scif listen: node ${node.nodeId}, port ${port}`);
    const { endpoint } = await l.accept();
    l.close();
    await pipe(endpoint, false);
  } finally {
    await node.close();
  }
}

export async function connect(pos: string[], opt: Options): Promise<void> {
  const m = (pos[0] ?? "").match(/^(\d+):(\d+)$/);
  if (!m) throw new UsageError(`NODE:PORT expected, got ${pos[0] ?? "nothing"}`);
  const node = await join(opt);
  try {
    const ep = node.open();
    await ep.connect({ node: integer(m[1], "NODE", 0, 255), port: integer(m[2], "PORT", 1, 65535) });
    await pipe(ep, !opt.wait);
  } finally {
    await node.close();
  }
}
