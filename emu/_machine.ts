// The emulated SCIF network of a machine, shared by separate processes (`openNode()` with no
// hardware joins it), and of several machines linked over TCP.
//
// Each process keeps its nodes in a shared memory of its own (Workers attached to it keep the
// shared-memory path). A rendezvous directory (SCIF_EMU_DIR, default <tmp>/scif-emu) holds one
// Unix socket per node, node-<id>.sock, bound by the process that runs the node: binding is the
// claim of the id, and a socket nobody answers on is a dead process's, removed by the next
// process that finds it. A node that joins connects to every other node's socket and says
// F_HELLO: each side then attaches a stand-in of the other in its own memory (emu/_bridge.ts
// carries what is addressed to it), and that presence socket lives as long as the node: its
// end, however the process ends, is the node's loss for the other side (ECONNRESET on
// connections, ENODEV on connects), within the time the kernel takes to close a socket.
//
// Other machines: SCIF_EMU_LISTEN=host:port makes this process accept the same frames over TCP,
// and SCIF_EMU_PEERS ("1=10.0.0.2:7000,2=10.0.0.3:7000", or the path of a file with one
// "node host:port" per line) says where remote nodes are; presence to them is retried until
// they answer. Node ids must then be given (SCIF_NODE), unique across the machines.
//
// Invariants:
// - A stand-in is attached while at least one presence socket to its node is open, and lost
//   when the last one ends.
// - Once the last local node closes, every socket and listener is closed: nothing keeps the
//   process alive.

import { ScifError } from "../errors.ts";
import { Bridge } from "./_bridge.ts";
import { createShared } from "./_create.ts";
import { F_CONNECT, F_HELLO, type Frame, Link } from "./_link.ts";
import { EmuNode } from "./_node.ts";
import type { EmuShared } from "./_shared.ts";

/** How long the last node's close waits for its connections' bytes to leave the process. */
const DRAIN_MS = 5000;

// deno-lint-ignore no-explicit-any
const D = () => (globalThis as any).Deno as typeof Deno | undefined;

/** Where and how this process joins the machine's network (defaults from the environment). */
export interface MachineOptions {
  /** The rendezvous directory (SCIF_EMU_DIR). */
  dir?: string;
  /** The node id to take (SCIF_NODE); default the lowest free one. */
  node?: number;
  /** How many node ids the network has (SCIF_EMU_NODES), default 16. */
  nodes?: number;
  /** This process's TCP address for other machines (SCIF_EMU_LISTEN), host:port. */
  listen?: string;
  /** Remote nodes' TCP addresses (SCIF_EMU_PEERS). */
  peers?: string;
}

function env(name: string): string | undefined {
  try {
    return D()?.env.get(name);
  } catch {
    return undefined; // no --allow-env: the defaults
  }
}

/** Parses SCIF_EMU_PEERS: "1=host:port,2=host:port", or a file of "node host:port" lines. */
export function parsePeers(spec: string): Map<number, { hostname: string; port: number }> {
  let text = spec;
  if (!/[=]/.test(spec) && !/^\s*\d+\s+\S+:\d+/.test(spec)) text = D()!.readTextFileSync(spec);
  const peers = new Map<number, { hostname: string; port: number }>();
  for (const item of text.split(/[,\n]/)) {
    const t = item.replace(/#.*/, "").trim();
    if (!t) continue;
    const m = t.match(/^(\d+)\s*[=\s]\s*(\S+):(\d+)$/);
    if (!m) throw new ScifError("EINVAL", `SCIF_EMU_PEERS: "${t}" is not "node=host:port"`);
    peers.set(Number(m[1]), { hostname: m[2], port: Number(m[3]) });
  }
  return peers;
}

function defaultDir(): string {
  const tmp = env("TMPDIR") ?? "/tmp";
  return `${tmp.replace(/\/$/, "")}/scif-emu`;
}

/** The machine network as this process sees it. */
class Machine {
  readonly shared: EmuShared;
  readonly dir: string;
  readonly bridge: Bridge;
  readonly #peers: Map<number, { hostname: string; port: number }>;
  readonly #local = new Map<number, { node: EmuNode; listener: Deno.Listener; presence: Set<Link> }>();
  readonly #remote = new Map<number, { node: EmuNode | null; links: Set<Link>; attaching: Promise<void> }>();
  #tcp: Deno.Listener | null = null;
  #closed = false;

  private constructor(
    shared: EmuShared,
    dir: string,
    peers: Map<number, { hostname: string; port: number }>,
  ) {
    this.shared = shared;
    this.dir = dir;
    this.#peers = peers;
    this.bridge = new Bridge({
      dial: (node) => this.#dial(node),
      standIn: (node) => this.#remote.get(node)?.node ?? null,
    });
  }

  static async open(options: MachineOptions): Promise<Machine> {
    const deno = D();
    if (!deno?.listen) throw new ScifError("ENODEV", "joining the machine's network needs Deno's sockets");
    const dir = options.dir ?? env("SCIF_EMU_DIR") ?? defaultDir();
    const nodes = options.nodes ?? Number(env("SCIF_EMU_NODES") ?? 16);
    const peerSpec = options.peers ?? env("SCIF_EMU_PEERS");
    const peers = peerSpec ? parsePeers(peerSpec) : new Map();
    try {
      deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw permissionOr(e, `the rendezvous directory ${dir}`);
    }
    const { shared } = await createShared({ nodes, memoryBytes: 256 * 1024 * 1024 });
    const m = new Machine(shared, dir, peers);
    const listen = options.listen ?? env("SCIF_EMU_LISTEN");
    if (listen) {
      const [hostname, port] = splitAddress(listen);
      try {
        m.#tcp = deno.listen({ hostname, port });
      } catch (e) {
        throw permissionOr(e, `the TCP address ${listen}`);
      }
      m.#serve(m.#tcp);
    }
    return m;
  }

  /** Takes a node id (`wanted`, or the lowest free one), attaches it here and announces it. */
  async join(wanted: number | undefined): Promise<EmuNode> {
    const nodes = this.shared.layout.nodes;
    const ids = wanted !== undefined ? [wanted] : [...Array(nodes).keys()];
    if (wanted !== undefined && (!Number.isInteger(wanted) || wanted < 0 || wanted >= nodes)) {
      throw new ScifError("ENODEV", `node ${wanted} does not exist (the network has ${nodes} nodes)`);
    }
    for (const id of ids) {
      if (this.#local.has(id) || this.#remote.get(id)?.node || this.#peers.has(id)) continue;
      const listener = await this.#claim(id);
      if (!listener) continue;
      let node: EmuNode;
      try {
        node = await EmuNode.attach(this.shared, id);
      } catch (e) {
        listener.close();
        throw e;
      }
      const entry = { node, listener, presence: new Set<Link>() };
      this.#local.set(id, entry);
      node.onClose.push(() => this.#leave(id));
      this.#serve(listener);
      await this.#announce(id);
      return node;
    }
    throw new ScifError(
      wanted !== undefined ? "EBUSY" : "ENOSPC",
      wanted !== undefined ? `node ${wanted} is taken by another process` : `all ${nodes} node ids are taken`,
    );
  }

  /** How many nodes of this process are in the network. */
  get localCount(): number {
    return this.#local.size;
  }

  #path(id: number): string {
    return `${this.dir}/node-${id}.sock`;
  }

  /** Binds node `id`'s socket; null when a live process has it. A dead one's is removed. */
  async #claim(id: number): Promise<Deno.Listener | null> {
    const deno = D()!;
    const path = this.#path(id);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        return deno.listen({ transport: "unix", path });
      } catch (e) {
        if (!(e instanceof deno.errors.AddrInUse)) throw permissionOr(e, `the socket ${path}`);
      }
      if (await this.#alive(path)) return null;
      try {
        deno.removeSync(path);
      } catch {
        // another process removed it first
      }
    }
    return null;
  }

  /** Whether a process answers on `path` (asked twice, a moment apart: a socket being bound
   * is not listening yet for a few microseconds). */
  async #alive(path: string): Promise<boolean> {
    for (let i = 0; i < 2; i++) {
      try {
        (await D()!.connect({ transport: "unix", path })).close();
        return true;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return false;
  }

  /** Says F_HELLO from local node `id` to every other node: the machine's sockets and the peers. */
  async #announce(id: number): Promise<void> {
    const deno = D()!;
    const others: number[] = [];
    for (const e of deno.readDirSync(this.dir)) {
      const m = e.name.match(/^node-(\d+)\.sock$/);
      if (m && Number(m[1]) !== id && !this.#local.has(Number(m[1]))) others.push(Number(m[1]));
    }
    await Promise.all(others.map(async (r) => {
      try {
        await this.#hello(id, r, await deno.connect({ transport: "unix", path: this.#path(r) }));
      } catch {
        if (!(await this.#alive(this.#path(r)))) {
          try {
            deno.removeSync(this.#path(r)); // a dead process's
          } catch {
            // gone already
          }
        }
      }
    }));
    for (const r of this.#peers.keys()) this.#keepTrying(id, r);
  }

  /** Presence from local node `id` to peer `r` over TCP, retried until it answers, and again
   * after it is lost. */
  async #keepTrying(id: number, r: number): Promise<void> {
    const addr = this.#peers.get(r)!;
    while (!this.#closed && this.#local.has(id)) {
      try {
        const link = await this.#hello(id, r, await D()!.connect(addr));
        await link.done;
      } catch {
        // not up yet
      }
      if (this.#closed || !this.#local.has(id)) return;
      await new Promise((res) => setTimeout(res, 300));
    }
  }

  /** Sends F_HELLO on `conn` and waits for the answer; the link is then presence. */
  async #hello(id: number, r: number, conn: Deno.Conn): Promise<{ done: Promise<void> }> {
    const link = new Link(conn);
    await link.send(F_HELLO, 0, { from: id, to: r });
    const answer = await link.next();
    if (answer?.type !== F_HELLO || Link.json<{ from: number }>(answer).from !== r) {
      link.close();
      throw new Error(`no presence from node ${r}`);
    }
    return await this.#present(id, r, link);
  }

  /** Accepts sockets: presence (F_HELLO) and connections (F_CONNECT). */
  async #serve(listener: Deno.Listener): Promise<void> {
    try {
      for await (const conn of listener) this.#incoming(new Link(conn));
    } catch {
      // closed
    }
  }

  async #incoming(link: Link): Promise<void> {
    const first: Frame | null = await link.next();
    if (!first) return link.close();
    try {
      if (first.type === F_HELLO) {
        const { from, to } = Link.json<{ from: number; to: number }>(first);
        if (!this.#local.has(to) || this.#local.has(from)) return link.close();
        // The stand-in is up before the answer: the joiner may talk to us as soon as it has it.
        const presence = await this.#present(to, from, link);
        await link.send(F_HELLO, 0, { from: to, to: from });
        await presence.done;
      } else if (first.type === F_CONNECT) {
        await this.bridge.serveConnect(link, Link.json(first));
      } else link.close();
    } catch {
      link.close();
    }
  }

  /** Keeps a presence link between local node `id` and remote node `r` until it ends; the
   * remote node has a stand-in here meanwhile. Resolves once the stand-in is up, to the end
   * of the link. */
  async #present(id: number, r: number, link: Link): Promise<{ done: Promise<void> }> {
    const local = this.#local.get(id);
    if (!local) {
      link.close();
      return { done: Promise.resolve() };
    }
    local.presence.add(link);
    let remote = this.#remote.get(r);
    if (!remote) {
      remote = { node: null, links: new Set(), attaching: Promise.resolve() };
      this.#remote.set(r, remote);
    }
    remote.links.add(link);
    const entry = remote;
    entry.attaching = entry.attaching.then(async () => {
      if (entry.node || entry.links.size === 0) return;
      try {
        const node = await EmuNode.attach(this.shared, r, true);
        this.bridge.adopt(node);
        entry.node = node;
      } catch {
        link.close(); // the id is in use here: refuse the presence
      }
    });
    await entry.attaching;
    return { done: this.#watchPresence(local, entry, link) };
  }

  async #watchPresence(
    local: { presence: Set<Link> },
    entry: { node: EmuNode | null; links: Set<Link>; attaching: Promise<void> },
    link: Link,
  ): Promise<void> {
    // The link carries nothing after the greeting: reading returns at its end.
    while (await link.next()) { /* nothing is sent on a presence link */ }
    link.close();
    local.presence.delete(link);
    entry.links.delete(link);
    entry.attaching = entry.attaching.then(async () => {
      if (entry.links.size > 0 || !entry.node) return;
      const node = entry.node;
      entry.node = null;
      this.bridge.forgetNode(node);
      await node.lose();
    });
    await entry.attaching;
  }

  #dial(node: number): Promise<Deno.Conn> {
    const peer = this.#peers.get(node);
    return peer ? D()!.connect(peer) : D()!.connect({ transport: "unix", path: this.#path(node) });
  }

  /** Local node `id` closed: its socket goes, its presence links end; the last one shuts all. */
  async #leave(id: number): Promise<void> {
    const entry = this.#local.get(id);
    if (!entry) return;
    this.#local.delete(id);
    entry.listener.close();
    try {
      D()!.removeSync(this.#path(id));
    } catch {
      // removed already
    }
    if (this.#local.size === 0) {
      // The process is about to go: the connections' last bytes leave first.
      await this.bridge.drain(DRAIN_MS);
    }
    for (const link of entry.presence) link.close();
    if (this.#local.size > 0) return;
    this.#closed = true;
    this.#tcp?.close();
    for (const r of this.#remote.values()) for (const link of r.links) link.close();
    await Promise.all([...this.#remote.values()].map((r) => r.attaching));
    machine = undefined;
  }
}

function splitAddress(a: string): [string, number] {
  const i = a.lastIndexOf(":");
  const port = Number(a.slice(i + 1));
  if (i < 0 || !Number.isInteger(port)) throw new ScifError("EINVAL", `"${a}" is not host:port`);
  return [a.slice(0, i), port];
}

/** A ScifError for a failed system call: EPERM naming the Deno flags when that is why. */
function permissionOr(e: unknown, what: string): ScifError {
  const deno = D()!;
  if (e instanceof deno.errors.NotCapable || e instanceof deno.errors.PermissionDenied) {
    return new ScifError(
      "EPERM",
      `joining the machine's emulated SCIF network uses ${what}: run deno with --allow-read, --allow-write ` +
        `and --allow-net (or pass openNode({ network }) for a network of this process only)`,
    );
  }
  return new ScifError("ENODEV", `${what}: ${(e as Error).message}`);
}

let machine: Promise<Machine> | undefined;

/** Joins this machine's emulated network: a node of this process, seen by every other. */
export async function joinMachine(options: MachineOptions = {}): Promise<EmuNode> {
  const m = await (machine ??= Machine.open(options).catch((e) => {
    machine = undefined;
    throw e;
  }));
  // SCIF_NODE names the process's first node; more nodes of the process take free ids.
  const fromEnv = env("SCIF_NODE") !== undefined && m.localCount === 0 ? Number(env("SCIF_NODE")) : undefined;
  return await m.join(options.node ?? fromEnv);
}
