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
 * deno task scif key                        # the key of this machine's links, to copy to others
 * deno task scif stats --watch              # bytes and messages per node and program, refreshed
 * deno task scif node down 2                # take card 2 down (a reset) while programs run; up again
 * deno install -g -A -n scif cli/scif.ts    # then: scif nodes
 * ```
 *
 * Exit status: 0 on success; the Linux errno number when a SCIF call fails (the message names
 * it, e.g. 111 for ECONNREFUSED, 104 for ECONNRESET when the peer went away before `scif
 * connect` had sent all of stdin); 64 for a usage error (an unknown option too).
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";
import { type Endpoint, machineNetwork, openNode, ScifError, type ScifNode } from "../mod.ts";
import { networkKey } from "../emu/machine.ts";
import { showStats } from "./_stats_view.ts";

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
  key                   the key that links between machines prove they hold
  stats                 the counters of every node and program: bytes, messages, RMA
  node down|up N        take node N down (as a card that is reset) or bring it up again

options of every command:
  --node N              run on node N (default: SCIF_NODE, else 0, the host)
  --help                this text, or a command's

exit status: 0, the errno number of a failed SCIF call, or 64 for a usage error.`,
  key: `usage: scif key

Prints the key of this machine's emulated network (SCIF_EMU_KEY, SCIF_EMU_KEY_FILE, or the
rendezvous directory's link.key, made 0600 the first time it is needed). Links between
machines carry nothing until both ends prove they hold it: give every machine the same key
(SCIF_EMU_KEY=<key>, or a copy of the file).`,
  nodes: `usage: scif nodes [--json]

Lists the nodes online, as the MIC tools list cards: node id, role (0 is the host), and which
node this command runs on; on the machine's emulated network also the nodes taken down ("scif
node down"), as down (--json: "down").`,
  node: `usage: scif node down N | scif node up N

Takes node N of the machine's emulated network down, as a card that is reset, while programs
run: connections with it are reset (their peers read what it sent, then ECONNRESET), connects
to it fail with ENODEV, it leaves the node table, and the programs on it lose their endpoints
(every call of theirs is then ENODEV; they attach the node again once it is up). "up" brings it
back as a new incarnation: the old endpoints never see its traffic. Node 0, the host, cannot be
taken down (EINVAL, status 22); a node the network does not have is ENODEV (19). Taking down a
node that is down, or bringing up one that is up, does nothing.`,
  stats: `usage: scif stats [--json] [--watch [MS]] [--count N]

The statistics of the network, as the kernel's debugfs showed them and more: per node (the
sums of the programs attached to it) and per program (a line of the slot table: its process,
endpoints open, bytes and send/recv calls each way, RMA bytes, malformed control messages
dropped), as each program last published them (at most a fraction of a second old while it
has endpoints). Per-endpoint detail (state, port, peer, RMAs by kind, fences, wake-ups, time
blocked) is each program's own: node.stats() in the API. On hardware only this command's own
calls are counted (the driver's counters are in its debugfs). --json prints one JSON object
(per refresh, one a line); --watch refreshes every MS (default 1000) milliseconds until
interrupted, or N times with --count.`,
  echo: `usage: scif echo [PORT] [--count N]

Listens on PORT (default ${ECHO_PORT}) and sends every connection its own bytes back until it
closes; serves N connections (default: until interrupted).`,
  ping: `usage: scif ping NODE [--port P] [--count N] [--size B]

Connects to NODE's echo port (default ${ECHO_PORT}; run "scif echo" there) and times N
(default 1000) round trips of B (default 8) bytes: min, median, max in microseconds.`,
  listen: `usage: scif listen PORT

Accepts one connection on PORT. The peer's bytes go to stdout until the peer closes the
connection; stdin goes to the peer. The end of stdin does not close the connection (a SCIF
connection has no half close): it ends when the peer closes it, at once, with status 0, or
104 (ECONNRESET) if stdin's bytes could not all be sent.`,
  connect: `usage: scif connect NODE:PORT [--wait]

Connects to NODE:PORT. stdin goes to the peer, the peer's bytes to stdout. At the end of stdin
the connection is closed (the peer reads everything sent first) and the status is 0. A peer
that goes away before that ends the command at once with 104 (ECONNRESET). With --wait the
connection stays open after stdin's end until the peer closes it (status 0).`,
  bench: `usage: scif bench [--quick] [--out FILE.svg] [--json FILE]

Runs the demo's measurements (deno task demo): bandwidth against transfer size for SCIF RMA,
the SCIF stream, TCP and memcpy, and the 8-byte round trip table.`,
};

/** What each command takes after its name (every command also takes --node and --help). */
const OPTIONS: Record<string, { string?: string[]; boolean?: string[] }> = {
  nodes: { boolean: ["json"] },
  echo: { string: ["count"] },
  ping: { string: ["port", "count", "size"] },
  listen: {},
  connect: { boolean: ["wait"] },
  key: {},
  stats: { string: ["watch", "count"], boolean: ["json"] },
  node: {},
};

type Options = Record<string, string | boolean | undefined>;

/** The command's arguments: its options (@std/cli's parseArgs), an unknown one refused. */
function parse(command: string, argv: string[]): { pos: string[]; opt: Options } {
  const spec = OPTIONS[command];
  const string = [...(spec.string ?? []), "node"];
  const boolean = [...(spec.boolean ?? []), "help"];
  const parsed = parseArgs(argv, {
    string,
    boolean,
    alias: { h: "help" },
    unknown: (arg: string) => {
      if (arg.startsWith("-") && arg !== "-") throw new UsageError(`unknown option ${arg}`);
      return true;
    },
  });
  const opt: Options = {};
  for (const name of [...string, ...boolean]) {
    const v = parsed[name];
    if (v !== undefined && v !== false) opt[name] = v as string | boolean;
  }
  return { pos: parsed._.map(String), opt };
}

class UsageError extends Error {}

function integer(
  v: string | boolean | undefined,
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

async function join(opt: Options): Promise<ScifNode> {
  return await openNode(opt.node !== undefined ? { node: integer(opt.node, "--node", 0, 255) } : {});
}

const out = (s: string) => console.log(s);

async function nodes(opt: Options): Promise<void> {
  const node = await join(opt);
  const { nodes, self } = node.getNodeIds();
  // The machine's nodes taken down (scif node down) are listed too, as down.
  const machine = node.network === "machine" ? await machineNetwork() : null;
  const down = machine
    ? [...Array(machine.nodes).keys()].filter((id) => machine.nodeState(id) === "down")
    : [];
  if (opt.json) out(JSON.stringify({ nodes, self, backend: node.backend, ...(machine ? { down } : {}) }));
  else {
    const rows = [
      ["NODE", "ROLE", "STATE", ""],
      ...[...nodes, ...down].sort((a, b) => a - b).map((id) => [
        String(id),
        id === 0 ? "host" : "card",
        down.includes(id) ? "down" : "online",
        id === self ? `this command's (${node.backend})` : "",
      ]),
    ];
    const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    for (const r of rows) out(r.map((x, c) => x.padEnd(w[c])).join("  ").trimEnd());
  }
  await node.close();
}

async function echo(pos: string[], opt: Options): Promise<void> {
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

async function ping(pos: string[], opt: Options): Promise<void> {
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

async function listen(pos: string[], opt: Options): Promise<void> {
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

async function connect(pos: string[], opt: Options): Promise<void> {
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

/** `scif node down N`, `scif node up N`: the machine's network, no node attached. */
async function hotplug(pos: string[]): Promise<void> {
  const action = pos[0];
  if (action !== "down" && action !== "up") {
    throw new UsageError(`"down" or "up" expected, got ${action ?? "nothing"}`);
  }
  const id = integer(pos[1], "N", 0, 65535);
  const machine = await machineNetwork();
  if (action === "down") await machine.nodeDown(id);
  else await machine.nodeUp(id);
  out(`node ${id}: ${machine.nodeState(id)}`);
}

async function stats(opt: Options): Promise<void> {
  const watch = opt.watch === undefined
    ? undefined
    : opt.watch === ""
    ? 1000
    : integer(opt.watch, "--watch", 10, 3_600_000);
  const count = opt.count !== undefined
    ? integer(opt.count, "--count", 1, 2 ** 31)
    : watch === undefined
    ? 1
    : Infinity;
  const node = await join(opt);
  try {
    await showStats(node, {
      json: opt.json === true,
      everyMs: watch ?? (count > 1 ? 1000 : undefined),
      count,
      terminal: Deno.stdout.isTerminal(),
      write: out,
    });
  } finally {
    await node.close();
  }
}

function key(): void {
  const { key, path } = networkKey();
  out(key);
  console.error(
    `scif key: from ${path}; give every machine of the network this key (SCIF_EMU_KEY=<key>, or a copy of the file)`,
  );
}

async function bench(argv: string[]): Promise<void> {
  const demo = new URL("../demo/main.ts", import.meta.url).href;
  // The demo's own config: its one npm package, not the tools' (deno installs every package
  // of the lock it runs with).
  const config = new URL("../demo/deno.json", import.meta.url);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...(config.protocol === "file:" ? ["--config", config.pathname] : []), demo, ...argv],
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
    const { pos, opt } = parse(command, rest);
    const most = command === "nodes" || command === "key" || command === "stats"
      ? 0
      : command === "node"
      ? 2
      : 1;
    if (pos.length > most) throw new UsageError(`unexpected argument ${pos[most]}`);
    if (command === "nodes") await nodes(opt);
    else if (command === "key") key();
    else if (command === "stats") await stats(opt);
    else if (command === "echo") await echo(pos, opt);
    else if (command === "ping") await ping(pos, opt);
    else if (command === "listen") await listen(pos, opt);
    else if (command === "connect") await connect(pos, opt);
    else if (command === "node") await hotplug(pos);
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
