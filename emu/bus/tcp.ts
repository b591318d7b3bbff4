// Links between machines: the emulated networks of two machines share no memory, so the
// process that links them (the one with SCIF_EMU_LISTEN and SCIF_EMU_PEERS) keeps a stand-in
// of every node of the other machine in its own machine's network, and a bridge
// (tcp_bridge.ts) carries over TCP what is addressed to them.
//
// Presence: this process dials every peer address (SCIF_EMU_PEERS: "1=10.0.0.2:7000,...", or
// a file of "node host:port" lines), retrying until it answers, and accepts the same from
// other machines at SCIF_EMU_LISTEN. Every socket is authenticated first (_auth.ts: both ends
// prove they hold the network's key and say which nodes they speak for); then both ends say
// F_HELLO, and each attaches a stand-in for those of the other's nodes it knows as remote. A
// stand-in lives while at least one presence link to its machine is open; when the last one
// ends, the node is lost (ECONNRESET on connections, ENODEV on connects), as a card that goes
// away. A link speaks only for the nodes it authenticated for: a connection it asks for must
// come from one of them, to one of ours, from a port the network allows (see tcp_bridge.ts).
//
// Partitions (a fault plan's `partition`, emu/_faults.ts): while the plan cuts a node, every
// link whose other end speaks for it is closed and no new one is made or taken, so that
// machine's nodes are lost here exactly as when its links drop (and ours there); once the
// plan no longer cuts it, the dialling resumes and the nodes come back as new incarnations.
// The plan is looked at every PARTITION_POLL_MS and when a link is made, never per frame.

import { ScifError } from "../../errors.ts";
import { denoGlobal } from "../../_deno.ts";
import { MODE_LOCAL, MODE_REMOTE, N_MODE, nodeField } from "../_layout.ts";
import { EmuNode } from "../_node.ts";
import type { EmuShared } from "../_shared.ts";
import { delay } from "../../_delay.ts";
import { FAULT_PARTITION, faultBits, partitioned } from "../_faults.ts";
import { F_CONNECT, F_HELLO, type Frame, Link } from "./_link.ts";
import { authenticate } from "./_auth.ts";
import { Bridge } from "./tcp_bridge.ts";

/** How long the last node's close waits for its connections' bytes to leave the process. */
const DRAIN_MS = 5000;
/** How long a peer that does not answer waits before it is dialled again. */
const RETRY_MS = 300;
/** How often the fault plan is looked at for partitions (a header load, and a branch). */
const PARTITION_POLL_MS = 50;

type Address = { hostname: string; port: number };

/** Parses SCIF_EMU_PEERS: "1=host:port,2=host:port", or the path of a file of "node host:port" lines. */
export function parsePeers(spec: string): Map<number, Address> {
  let text = spec;
  if (!/[=]/.test(spec) && !/^\s*\d+\s+\S+:\d+/.test(spec)) text = denoGlobal()!.readTextFileSync(spec);
  const peers = new Map<number, Address>();
  for (const item of text.split(/[,\n]/)) {
    const t = item.replace(/#.*/, "").trim();
    if (!t) continue;
    const m = t.match(/^(\d+)\s*[=\s]\s*(\S+):(\d+)$/);
    if (!m) throw new ScifError("EINVAL", `SCIF_EMU_PEERS: "${t}" is not "node=host:port"`);
    peers.set(Number(m[1]), { hostname: m[2], port: Number(m[3]) });
  }
  return peers;
}

/** "host:port" as an address. */
export function splitAddress(a: string): Address {
  const i = a.lastIndexOf(":");
  const port = Number(a.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ScifError("EINVAL", `"${a}" is not host:port`);
  }
  return { hostname: a.slice(0, i), port };
}

/** A ScifError for a failed socket call: EPERM naming the Deno flag when that is why. */
function permissionOr(e: unknown, what: string): ScifError {
  const deno = denoGlobal()!;
  if (e instanceof deno.errors.NotCapable || e instanceof deno.errors.PermissionDenied) {
    return new ScifError("EPERM", `linking machines uses ${what}: run deno with --allow-net`);
  }
  return new ScifError("ENODEV", `${what}: ${(e as Error).message}`);
}

/** The links of this process to other machines. */
export class TcpLinks {
  readonly #net: EmuShared;
  readonly #key: CryptoKey;
  readonly #keyPath: string;
  readonly #peers: Map<number, Address>;
  readonly #warned = new Set<string>();
  readonly #bridge: Bridge;
  readonly #remote = new Map<number, { node: EmuNode | null; links: Set<Link>; attaching: Promise<void> }>();
  /** Presence links, with the nodes each authenticated for. */
  readonly #presence = new Map<Link, number[]>();
  #tcp: Deno.Listener | null = null;
  #watch: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  private constructor(net: EmuShared, peers: Map<number, Address>, key: { key: CryptoKey; path: string }) {
    this.#net = net;
    this.#peers = peers;
    this.#key = key.key;
    this.#keyPath = key.path;
    this.#bridge = new Bridge({
      dial: (node) => this.#dial(node),
      standIn: (node) => this.#remote.get(node)?.node ?? null,
      privileged: net.privileged,
      localNodes: () => this.#nodes(MODE_LOCAL),
    });
  }

  /** Starts listening at `listen` (if given) and dialling `peers`, with the network's key. */
  static start(
    net: EmuShared,
    listen: string | undefined,
    peers: Map<number, Address>,
    key: { key: CryptoKey; path: string },
  ): TcpLinks {
    const links = new TcpLinks(net, peers, key);
    if (listen) {
      const addr = splitAddress(listen);
      try {
        links.#tcp = denoGlobal()!.listen(addr);
      } catch (e) {
        throw permissionOr(e, `the TCP address ${listen}`);
      }
      links.#serve(links.#tcp);
    }
    links.#watch = setInterval(() => links.#cut(), PARTITION_POLL_MS);
    if (typeof links.#watch === "number") denoGlobal()?.unrefTimer?.(links.#watch);
    const seen = new Set<string>();
    for (const a of peers.values()) {
      const key = `${a.hostname}:${a.port}`;
      if (!seen.has(key)) links.#keepTrying(a);
      seen.add(key);
    }
    return links;
  }

  /** This machine's own nodes, and the ones it knows as another machine's. */
  #nodes(mode: number): number[] {
    const l = this.#net.layout;
    const ids = [];
    for (let n = 0; n < l.nodes; n++) if (this.#net.load(nodeField(l, n, N_MODE)) === mode) ids.push(n);
    return ids;
  }

  /** Whether the plan cuts the link to a machine that speaks for `claims`. */
  #cutOff(claims: number[]): boolean {
    return (faultBits(this.#net) & FAULT_PARTITION) !== 0 && claims.some((n) => partitioned(this.#net, n));
  }

  /** Closes the presence links the plan cuts: their ends (#present) lose the nodes. */
  #cut(): void {
    if ((faultBits(this.#net) & FAULT_PARTITION) === 0) return;
    for (const [link, claims] of this.#presence) if (this.#cutOff(claims)) link.close();
  }

  /** A new authenticated socket to `addr`: the link and the nodes the other end speaks for. */
  async #open(addr: Address): Promise<{ link: Link; claims: number[] }> {
    const link = new Link(await denoGlobal()!.connect(addr));
    try {
      return { link, claims: await authenticate(link, this.#key, "client", this.#nodes(MODE_LOCAL)) };
    } catch (e) {
      const where = `${addr.hostname}:${addr.port}`;
      if (e instanceof ScifError && e.code === "EACCES" && !this.#warned.has(where)) {
        this.#warned.add(where);
        console.warn(
          `scif: the machine at ${where} does not take this network's key (${(e as Error).message}): ` +
            `give every machine the same key (copy ${this.#keyPath}, or set SCIF_EMU_KEY)`,
        );
      }
      throw e;
    }
  }

  /** Presence to the machine at `addr`, retried until it answers, and again after it is lost. */
  async #keepTrying(addr: Address): Promise<void> {
    const at = [...this.#peers].filter(([, a]) => a.hostname === addr.hostname && a.port === addr.port);
    while (!this.#closed) {
      try {
        if (this.#cutOff(at.map(([n]) => n))) throw new Error("partitioned");
        const { link, claims } = await this.#open(addr);
        if (this.#cutOff(claims)) {
          link.close();
          throw new Error("partitioned");
        }
        await link.send(F_HELLO, 0, {});
        const answer = await link.next();
        if (answer?.type !== F_HELLO) throw new Error("no presence");
        await this.#present(link, claims);
      } catch {
        // not up yet, or refused
      }
      if (this.#closed) return;
      await delay(RETRY_MS);
    }
  }

  async #serve(listener: Deno.Listener): Promise<void> {
    try {
      for await (const conn of listener) this.#incoming(new Link(conn));
    } catch {
      // closed
    }
  }

  async #incoming(link: Link): Promise<void> {
    try {
      // Nothing is read but the authentication until it holds.
      const claims = await authenticate(link, this.#key, "server", this.#nodes(MODE_LOCAL));
      if (this.#cutOff(claims)) return link.close(); // partitioned: the other end retries
      const first: Frame | null = await link.next();
      if (!first) return link.close();
      if (first.type === F_HELLO) {
        await link.send(F_HELLO, 0, {});
        await this.#present(link, claims);
      } else if (first.type === F_CONNECT) {
        await this.#bridge.serveConnect(link, Link.json(first), claims);
      } else link.close();
    } catch {
      link.close();
    }
  }

  /** Keeps a presence link until it ends; the nodes it authenticated for have stand-ins here
   * meanwhile (those this machine knows as another machine's). Resolves at the end of the link. */
  async #present(link: Link, claims: number[]): Promise<void> {
    if (this.#closed) return link.close();
    const remote = new Set(this.#nodes(MODE_REMOTE));
    const theirs = claims.filter((n) => remote.has(n));
    this.#presence.set(link, claims);
    for (const r of theirs) {
      let entry = this.#remote.get(r);
      if (!entry) {
        entry = { node: null, links: new Set(), attaching: Promise.resolve() };
        this.#remote.set(r, entry);
      }
      entry.links.add(link);
      const e = entry;
      e.attaching = e.attaching.then(async () => {
        if (e.node || e.links.size === 0 || this.#closed) return;
        try {
          const node = await EmuNode.attach(this.#net, r, true);
          this.#bridge.adopt(node);
          e.node = node;
        } catch {
          e.links.delete(link); // another process of this machine stands in for it
        }
      });
      await e.attaching;
    }
    // The link carries nothing after the greeting: reading returns at its end.
    while (await link.next()) { /* nothing is sent on a presence link */ }
    link.close();
    this.#presence.delete(link);
    for (const r of theirs) {
      const e = this.#remote.get(r)!;
      e.links.delete(link);
      e.attaching = e.attaching.then(async () => {
        if (e.links.size > 0 || !e.node) return;
        const node = e.node;
        e.node = null;
        this.#bridge.forget(node);
        await node.lose();
      });
      await e.attaching;
    }
  }

  async #dial(node: number): Promise<Link> {
    const peer = this.#peers.get(node);
    if (!peer) throw new ScifError("ENODEV", `no address for node ${node}`);
    if (partitioned(this.#net, node)) throw new ScifError("ENODEV", `the link to node ${node} is cut`);
    const { link, claims } = await this.#open(peer);
    if (!claims.includes(node)) {
      link.close();
      throw new ScifError(
        "ENODEV",
        `the machine at ${peer.hostname}:${peer.port} does not have node ${node}`,
      );
    }
    return link;
  }

  /** Ends every link (the last node of this process closed): the connections' last bytes
   * leave first. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#bridge.drain(DRAIN_MS);
    this.#closed = true;
    clearInterval(this.#watch);
    this.#tcp?.close();
    for (const link of this.#presence.keys()) link.close();
    await Promise.all([...this.#remote.values()].map((r) => r.attaching));
  }
}
