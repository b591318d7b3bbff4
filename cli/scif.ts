/**
 * `scif`: the command-line tool of scif for Deno. Each command is a program on this machine's
 * SCIF network, on node 0 (the host) unless --node says otherwise: the hardware when
 * /dev/scif exists and --allow-ffi is given, else the emulated network shared by every
 * process (see README).
 *
 * ```sh
 * deno task scif nodes                      # the node table
 * deno task scif echo 2007                  # answer pings (and anything else) on port 2007
 * deno task scif ping 1 --count 1000        # round trips to node 1's echo port
 * deno task scif listen 3000 > out.bin      # one connection: the peer's bytes to stdout
 * deno task scif connect 0:3000 < in.bin    # stdin to the peer
 * deno task scif bench --quick              # the demo's chart and latency table
 * deno install -g -A -n scif cli/scif.ts    # then: scif nodes
 * ```
 *
 * Exit status: 0 on success; the Linux errno number when a SCIF call fails (the message names
 * it, e.g. 111 for ECONNREFUSED); 64 for a usage error.
 *
 * @module
 */
import { type Endpoint, openNode, ScifError, type ScifNode } from "../mod.ts";

const EX_USAGE = 64;
const ECHO_PORT = 2007;

const HELP: Record<string, string> = {
  "": `scif: the Symmetric Communication Interface from the command line

usage: scif <command> [options]

commands:
  nodes                 the nodes of the network
  echo [PORT]           answer every connection on PORT (default ${ECHO_PORT}) with its own bytes
  ping NODE             8-byte round trips to NODE's echo port: min, median, max
  listen PORT           accept one connection on PORT: its bytes to stdout, stdin to it
  connect NODE:PORT     connect: stdin to the peer, the peer's bytes to stdout
  bench                 the bandwidth chart and latency table of the demo

options of every command:
  --node N              run on node N (default: SCIF_NODE, else 0, the host)
  --help                this text, or a command's

exit status: 0, the errno number of a failed SCIF call, or 64 for a usage error.`,
  nodes: `usage: scif nodes [--json]

Lists the nodes online, as the MIC tools list cards: node id, role (0 is the host), and which
node this command runs on.`,
  echo: `usage: scif echo [PORT] [--count N]

Listens on PORT (default ${ECHO_PORT}) and sends every connection its own bytes back until it
closes; serves N connections (default: until interrupted).`,
  ping: `usage: scif ping NODE [--port P] [--count N] [--size B]

Connects to NODE's echo port (default ${ECHO_PORT}; run "scif echo" there) and times N
(default 1000) round trips of B (default 8) bytes: min, median, max in microseconds.`,
  listen: `usage: scif listen PORT

Accepts one connection on PORT. The peer's bytes go to stdout until the peer closes the
connection; stdin goes to the peer. The end of stdin does not close the connection (a SCIF
connection has no half close): it ends when the peer closes it.`,
  connect: `usage: scif connect NODE:PORT [--wait]

Connects to NODE:PORT. stdin goes to the peer, the peer's bytes to stdout. At the end of stdin
the connection is closed (the peer reads everything sent first); with --wait it stays open
until the peer closes it.`,
  bench: `usage: scif bench [--quick] [--out FILE.svg] [--json FILE]

Runs the demo's measurements (deno task demo): bandwidth against transfer size for SCIF RMA,
the SCIF stream, TCP and memcpy, and the 8-byte round trip table.`,
};

/** Options after the command: --name value, --name=value, --flag; the rest positional. */
function parse(argv: string[], flags: string[]): { pos: string[]; opt: Record<string, string | true> } {
  const pos: string[] = [];
  const opt: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) {
      pos.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (eq >= 0) opt[name] = a.slice(eq + 1);
    else if (flags.includes(name)) opt[name] = true;
    else if (i + 1 < argv.length) opt[name] = argv[++i];
    else throw new UsageError(`--${name} needs a value`);
  }
  return { pos, opt };
}

class UsageError extends Error {}

function integer(
  v: string | true | undefined,
  what: string,
  min: number,
  max: number,
  dflt?: number,
): number {
  if (v === undefined && dflt !== undefined) return dflt;
  const n = Number(v);
  if (typeof v !== "string" || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${what} must be an integer in [${min}, ${max}], got ${String(v ?? "nothing")}`);
  }
  return n;
}

async function join(opt: Record<string, string | true>): Promise<ScifNode> {
  return await openNode(opt.node !== undefined ? { node: integer(opt.node, "--node", 0, 255) } : {});
}

const out = (s: string) => console.log(s);

async function nodes(opt: Record<string, string | true>): Promise<void> {
  const node = await join(opt);
  const { nodes, self } = node.getNodeIds();
  if (opt.json) out(JSON.stringify({ nodes, self, backend: node.backend }));
  else {
    const rows = [
      ["NODE", "ROLE", "STATE", ""],
      ...nodes.map((id) => [
        String(id),
        id === 0 ? "host" : "card",
        "online",
        id === self ? `this command's (${node.backend})` : "",
      ]),
    ];
    const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    for (const r of rows) out(r.map((x, c) => x.padEnd(w[c])).join("  ").trimEnd());
  }
  await node.close();
}

async function echo(pos: string[], opt: Record<string, string | true>): Promise<void> {
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

async function ping(pos: string[], opt: Record<string, string | true>): Promise<void> {
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

/** The peer's bytes to stdout until it closes. */
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

/** stdin to the peer until stdin ends. */
async function fromStdin(ep: Endpoint): Promise<void> {
  for await (const chunk of Deno.stdin.readable) {
    if (ep.closed) return;
    await ep.send(chunk);
  }
}

async function pipe(ep: Endpoint, closeAtEof: boolean): Promise<void> {
  const reading = toStdout(ep);
  const writing = fromStdin(ep).then(() => {
    if (closeAtEof && !ep.closed) ep.close();
  }).catch((e) => {
    if (!ended(e)) throw e;
  });
  await reading;
  if (!ep.closed) ep.close();
  // stdin may still be open (a terminal): nothing more can be sent, so do not wait for it.
  if (closeAtEof) await writing;
}

async function listen(pos: string[], opt: Record<string, string | true>): Promise<void> {
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

async function connect(pos: string[], opt: Record<string, string | true>): Promise<void> {
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

async function bench(argv: string[]): Promise<void> {
  const demo = new URL("../demo/main.ts", import.meta.url).href;
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", demo, ...argv],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) Deno.exit(code);
}

/** Runs `scif` with `argv`; resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [command = "", ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help" || command === "") {
    out(HELP[""]);
    return command === "" ? EX_USAGE : 0;
  }
  if (!(command in HELP)) {
    console.error(`scif: unknown command "${command}"\n\n${HELP[""]}`);
    return EX_USAGE;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    out(HELP[command]);
    return 0;
  }
  try {
    if (command === "bench") {
      await bench(rest);
      return 0;
    }
    const { pos, opt } = parse(rest, ["json", "wait"]);
    if (command === "nodes") await nodes(opt);
    else if (command === "echo") await echo(pos, opt);
    else if (command === "ping") await ping(pos, opt);
    else if (command === "listen") await listen(pos, opt);
    else if (command === "connect") await connect(pos, opt);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`scif ${command}: ${e.message}\n\n${HELP[command]}`);
      return EX_USAGE;
    }
    if (e instanceof ScifError) {
      console.error(`scif ${command}: ${e.message} (errno ${e.errno})`);
      return e.errno;
    }
    console.error(`scif ${command}: ${(e as Error).stack ?? e}`);
    return 70;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
