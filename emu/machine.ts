// The emulated SCIF network of a machine, shared by every program that joins it (`openNode()`
// with no hardware), and linked over TCP to other machines.
//
// A node is a machine, as in SCIF: the network has its configured nodes (SCIF_EMU_NODES, node
// 0 the host), online whether or not a program has attached them; every program that attaches
// one has a slot of its own, with its own endpoints, and ports are unique per node. The network
// lives in one file, <dir>/network, whose pages every process maps under its WebAssembly
// memory (emu/bus/machine.ts): between processes it runs at the speed of memory.
//
// The rendezvous directory (SCIF_EMU_DIR; default $XDG_RUNTIME_DIR/scif-emu, else
// <tmp>/scif-emu-<uid>) is private to its user: made 0700, and refused when it is a symlink,
// not the user's, or open to others. The first process to come creates the memory; the others
// find it complete (its magic is written last); a memory left by processes that are all gone
// is made anew rather than trusted (see the locks of emu/bus/machine.ts).
//
// Only for Deno with FFI; loaded on demand, never in a browser.

import { ScifError } from "../errors.ts";
import { denoGlobal, ffiPermitted } from "../_deno.ts";
import { coreModule } from "../core/scif_core.ts";
import { FileMemory } from "./bus/_file_memory.ts";
import {
  F_RDLCK,
  F_UNLCK,
  F_WRLCK,
  libc,
  O_CREAT,
  O_NOFOLLOW,
  O_RDWR,
  S_IFDIR,
  S_IFMT,
  S_IFREG,
} from "./bus/_libc.ts";
import { LOCK_CREATE, LOCK_PRESENT, MachineBus } from "./bus/machine.ts";
import { parsePeers, TcpLinks } from "./bus/tcp.ts";
import { importKey } from "./bus/_auth.ts";
import { initNetwork, integer, networkParams } from "./_init.ts";
import { H_PAGES, MAX_NODES, MODE_LOCAL, MODE_REMOTE, NET_BASE, NET_MACHINE } from "./_layout.ts";
import { EmuNode } from "./_node.ts";
import { bringNodeUp, type NodeState, nodeState, takeNodeDown } from "./_hotplug.ts";
import { readFaults, writeFaults } from "./_faults.ts";
import type { FaultControl } from "./network.ts";
import { EmuShared, readHeader } from "./_shared.ts";

const MIB = 1024 * 1024;

/** Where and how this program joins the machine's network (defaults from the environment). */
export interface MachineOptions {
  /** The rendezvous directory (SCIF_EMU_DIR). */
  dir?: string;
  /** The node to attach (SCIF_NODE); default 0, the host. */
  node?: number;
  /** How many nodes the machine's network has (SCIF_EMU_NODES), default 4. */
  nodes?: number;
  /** The size of the network's memory in MiB (SCIF_EMU_MEMORY), default 1024. */
  memoryMiB?: number;
  /** Each connected endpoint's receive ring (SCIF_EMU_RING_BYTES), default 256 KiB. */
  ringBytes?: number;
  /** How long a connect waits for an accept (SCIF_EMU_CONNECT_TIMEOUT_MS), default 30000. */
  connectTimeoutMs?: number;
  /** How long fenceWait waits before ETIMEDOUT (SCIF_EMU_FENCE_TIMEOUT_MS), default 30000. */
  fenceTimeoutMs?: number;
  /** May programs bind ports below SCIF_ADMIN_PORT_END (SCIF_EMU_PRIVILEGED=1)? Default no. */
  privileged?: boolean;
  /** This process's TCP address for other machines (SCIF_EMU_LISTEN), host:port. */
  listen?: string;
  /** Remote nodes' TCP addresses (SCIF_EMU_PEERS). */
  peers?: string;
}

/** Environment variable `name`, or EPERM naming the flag that reads it. */
export function env(name: string): string | undefined {
  const deno = denoGlobal();
  try {
    return deno?.env.get(name);
  } catch {
    throw new ScifError(
      "EPERM",
      `the machine's emulated SCIF network is configured by environment variables (${name}): ` +
        "run deno with --allow-env",
    );
  }
}

/** What joining needs that this program may lack: EPERM with the flags to give. */
function checkPermissions(): void {
  if (!ffiPermitted()) {
    throw new ScifError(
      "EPERM",
      "the machine's emulated SCIF network maps its memory and wakes other processes through FFI: " +
        "run deno with --allow-ffi (and --allow-env; --allow-net to link machines), or pass " +
        'openNode({ network: "thread" }) for a network of this program\'s threads only',
    );
  }
}

/** The rendezvous directory: `dir`, or the per-user default. */
function directory(dir: string | undefined): string {
  if (dir) return dir.replace(/\/+$/, "") || "/";
  const c = libc();
  const runtime = env("XDG_RUNTIME_DIR");
  if (runtime) return `${runtime.replace(/\/+$/, "")}/scif-emu`;
  const tmp = (env("TMPDIR") ?? "/tmp").replace(/\/+$/, "");
  return `${tmp}/scif-emu-${c.fn.geteuid()}`;
}

/** Makes the directory private to this user if it is new; refuses one that is not. */
function checkDirectory(dir: string): void {
  const c = libc();
  // Whether mkdir failed because the directory is there is told by lstat, not by errno (see
  // bus/_libc.ts: errno read through FFI may be another call's).
  const made = c.fn.mkdir(new TextEncoder().encode(`${dir}\0`), 0o700) === 0;
  const st = c.lstat(dir);
  if (!made && !st) {
    throw new ScifError("ENODEV", `cannot make the rendezvous directory ${dir} (errno ${c.errno()})`);
  }
  const me = c.fn.geteuid();
  const fix = `remove it, or set SCIF_EMU_DIR to a directory of yours with mode 0700`;
  if (!st || (st.mode & S_IFMT) !== S_IFDIR) {
    throw new ScifError("EACCES", `the rendezvous directory ${dir} is not a directory (a symlink?): ${fix}`);
  }
  if (st.uid !== me) {
    throw new ScifError(
      "EACCES",
      `the rendezvous directory ${dir} belongs to user ${st.uid}, not to you (${me}): ${fix}`,
    );
  }
  if ((st.mode & 0o077) !== 0) {
    throw new ScifError(
      "EACCES",
      `the rendezvous directory ${dir} is open to others (mode ${(st.mode & 0o777).toString(8)}): ` +
        `chmod 700 ${dir}, or ${fix}`,
    );
  }
}

/** The key that links between machines prove they hold: SCIF_EMU_KEY (64 hex digits), or the
 * file SCIF_EMU_KEY_FILE, or `<dir>/link.key`, made (0600, 32 random bytes) the first time
 * a process needs it; copy it to the other machines. */
export function linkKey(dir: string): { bytes: Uint8Array; path: string } {
  const hex = (text: string, where: string) => {
    const t = text.trim();
    if (!/^[0-9a-fA-F]{64}$/.test(t)) throw new ScifError("EINVAL", `${where} is not a key of 64 hex digits`);
    return new Uint8Array(t.match(/../g)!.map((b) => parseInt(b, 16)));
  };
  const inline = env("SCIF_EMU_KEY");
  if (inline) return { bytes: hex(inline, "SCIF_EMU_KEY"), path: "SCIF_EMU_KEY" };
  const path = env("SCIF_EMU_KEY_FILE") ?? `${dir}/link.key`;
  const c = libc();
  const fd = c.open(path, O_RDWR | O_CREAT | O_NOFOLLOW, 0o600);
  if (fd < 0) throw new ScifError("EACCES", `cannot open the link key ${path} (errno ${c.errno()})`);
  try {
    const st = c.fstat(fd)!;
    if ((st.mode & S_IFMT) !== S_IFREG || st.uid !== c.fn.geteuid() || (st.mode & 0o077) !== 0) {
      throw new ScifError("EACCES", `the link key ${path} is not a private file of yours: chmod 600 ${path}`);
    }
    const buf = new Uint8Array(128);
    const n = Number(c.fn.pread(fd, buf, 128n, 0n));
    if (n > 0) return { bytes: hex(new TextDecoder().decode(buf.subarray(0, n)), path), path };
    const made = [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, "0"))
      .join("");
    const text = new TextEncoder().encode(`${made}\n`);
    c.fn.pwrite(fd, text, BigInt(text.length), 0n);
    return { bytes: hex(made, path), path };
  } finally {
    c.fn.close(fd);
  }
}

/** The key of the machine's network whose rendezvous directory is `dir` (default: SCIF_EMU_DIR,
 * else the user's), as 64 hex digits, and where it is kept (made there if it is not yet): what
 * `scif key` prints, to be given to the other machines. */
export function networkKey(dir?: string): { key: string; path: string } {
  checkPermissions();
  const d = directory(dir ?? env("SCIF_EMU_DIR"));
  checkDirectory(d);
  const { bytes, path } = linkKey(d);
  return { key: [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(""), path };
}

/** The machine's network as this thread sees it. */
class Machine {
  readonly shared: EmuShared;
  readonly dir: string;
  readonly #nodes = new Set<EmuNode>();
  readonly #listen: string | undefined;
  readonly #peers: string | undefined;
  #links: Promise<{ close(): Promise<void> }> | null = null;

  private constructor(shared: EmuShared, dir: string, listen: string | undefined, peers: string | undefined) {
    this.shared = shared;
    this.dir = dir;
    this.#listen = listen;
    this.#peers = peers;
  }

  static async open(options: MachineOptions): Promise<Machine> {
    checkPermissions();
    const dir = directory(options.dir ?? env("SCIF_EMU_DIR"));
    checkDirectory(dir);
    const nodes = options.nodes ?? Number(env("SCIF_EMU_NODES") ?? 4);
    integer("SCIF_EMU_NODES", nodes, 1, MAX_NODES);
    const mib = options.memoryMiB ?? Number(env("SCIF_EMU_MEMORY") ?? 1024);
    integer("SCIF_EMU_MEMORY", mib, 64, 4095);
    const listen = options.listen ?? env("SCIF_EMU_LISTEN");
    const peers = options.peers ?? env("SCIF_EMU_PEERS");
    const remote = new Set(peers ? parsePeers(peers).keys() : []);
    const path = `${dir}/network`;
    const c = libc();
    const fd = c.open(path, O_RDWR | O_CREAT | O_NOFOLLOW, 0o600);
    if (fd < 0) {
      throw new ScifError("EACCES", `cannot open ${path} (errno ${c.errno()}): a symlink, or not yours?`);
    }
    let file: FileMemory;
    try {
      const st = c.fstat(fd)!;
      if ((st.mode & S_IFMT) !== S_IFREG || st.uid !== c.fn.geteuid() || (st.mode & 0o077) !== 0) {
        throw new ScifError("EACCES", `${path} is not a private file of yours: remove it`);
      }
      // Creation and the check for live users are one critical section across processes.
      c.lockByte(fd, LOCK_CREATE, F_WRLCK, true);
      try {
        if (!c.byteLocked(fd, LOCK_PRESENT, F_WRLCK)) {
          // Nobody is here: whatever the file holds was left by processes that are gone.
          const number = (v: string | undefined) => v === undefined ? undefined : Number(v);
          const params = networkParams({
            nodes,
            memoryBytes: mib * MIB,
            slots: 32,
            ringBytes: options.ringBytes ?? number(env("SCIF_EMU_RING_BYTES")),
            connectTimeoutMs: options.connectTimeoutMs ?? number(env("SCIF_EMU_CONNECT_TIMEOUT_MS")),
            fenceTimeoutMs: options.fenceTimeoutMs ?? number(env("SCIF_EMU_FENCE_TIMEOUT_MS")),
            // Ports below SCIF_ADMIN_PORT_END (the kernel's CAP_SYS_ADMIN): only if the network's
            // creator says every program of the machine may bind them.
            privileged: (options.privileged ?? env("SCIF_EMU_PRIVILEGED")) === true ||
              env("SCIF_EMU_PRIVILEGED") === "1",
          }, mib * MIB);
          c.fn.ftruncate(fd, 0n);
          if (c.fn.ftruncate(fd, BigInt(params.memoryBytes)) !== 0) {
            throw new ScifError("ENOMEM", `cannot size ${path} to ${mib} MiB (errno ${c.errno()})`);
          }
          const pages = params.memoryBytes / 65536;
          file = FileMemory.map(new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }), fd);
          const modes = Array.from({ length: nodes }, (_, n) => remote.has(n) ? MODE_REMOTE : MODE_LOCAL);
          initNetwork(new Int32Array(file.memory.buffer), params, NET_MACHINE, modes);
        } else {
          const head = new Uint8Array(4096);
          c.fn.pread(fd, head, 4096n, BigInt(NET_BASE));
          const pages = new DataView(head.buffer).getInt32(H_PAGES, true);
          if (!(pages > 0 && pages <= 65535)) {
            throw new ScifError("EINVAL", `${path} does not hold a scif network`);
          }
          file = FileMemory.map(new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }), fd);
          if (!readHeader(new Int32Array(file.memory.buffer), pages * 65536)) {
            throw new ScifError("EINVAL", `${path} does not hold a scif network of this version`);
          }
        }
        c.lockByte(fd, LOCK_PRESENT, F_RDLCK);
      } finally {
        c.lockByte(fd, LOCK_CREATE, F_UNLCK);
      }
    } catch (e) {
      c.fn.close(fd);
      throw e;
    }
    const module = await coreModule();
    const shared = await EmuShared.of(file.memory, module, (i32, id) => new MachineBus(i32, id, file, path));
    return new Machine(shared, dir, listen, peers);
  }

  /** Attaches node `node` (default 0, the host) for this program; the first one starts the
   * links to other machines, if any are configured, and the last one to close ends them. */
  async join(node: number): Promise<EmuNode> {
    if (!this.#links && (this.#listen || this.#peers)) {
      const peers = this.#peers ? parsePeers(this.#peers) : new Map();
      const key = linkKey(this.dir);
      this.#links = importKey(key.bytes).then((k) =>
        TcpLinks.start(this.shared, this.#listen, peers, { key: k, path: key.path })
      );
      await this.#links;
    }
    let n: EmuNode;
    try {
      n = await EmuNode.attach(this.shared, node);
    } catch (e) {
      if (this.#nodes.size === 0) await this.#unlink();
      throw e;
    }
    this.#nodes.add(n);
    n.onClose.push(async () => {
      this.#nodes.delete(n);
      if (this.#nodes.size === 0) await this.#unlink();
    });
    return n;
  }

  async #unlink(): Promise<void> {
    const links = this.#links;
    this.#links = null;
    await (await links)?.close();
  }
}

// This thread's view of each machine network it joined, by rendezvous directory.
const machines = new Map<string, Promise<Machine>>();

/** This thread's view of the machine's network `options` names (opened on first use). */
function machineOf(options: MachineOptions): Promise<Machine> {
  checkPermissions();
  const key = options.dir ?? env("SCIF_EMU_DIR") ?? "";
  let opening = machines.get(key);
  if (!opening) {
    opening = Machine.open(options);
    machines.set(key, opening);
    opening.catch(() => machines.delete(key));
  }
  return opening;
}

/** What any program of the machine may do to its nodes (`scif node down 2`, see _hotplug.ts),
 * and to its fault plan (`scif faults set`, see _faults.ts). */
export interface MachineControl {
  readonly nodes: number;
  nodeDown(nodeId: number): Promise<void>;
  nodeUp(nodeId: number): Promise<void>;
  nodeState(nodeId: number): NodeState;
  readonly faults: FaultControl;
}

/** The machine's network itself, without attaching a node: its nodes taken down and up, its
 * fault plan. The plan is written into the header of the memory every process maps, so every
 * program of the machine follows it from its next decision on, as the threads of a network of
 * threads do. */
export async function machineControl(options: MachineOptions = {}): Promise<MachineControl> {
  const shared = (await machineOf(options)).shared;
  return {
    nodes: shared.layout.nodes,
    nodeDown: (id) => takeNodeDown(shared, id),
    nodeUp: (id) => bringNodeUp(shared, id),
    nodeState: (id) => nodeState(shared, id),
    faults: {
      set: (plan) => writeFaults(shared.i32, shared.layout, plan),
      get: () => readFaults(shared.i32, shared.layout),
    },
  };
}

/** Joins this machine's emulated network: a slot of this program on node `options.node`
 * (SCIF_NODE, default 0). */
export async function joinMachine(options: MachineOptions = {}): Promise<EmuNode> {
  const m = await machineOf(options);
  const fromEnv = env("SCIF_NODE");
  const node = options.node ?? (fromEnv !== undefined ? Number(fromEnv) : 0);
  return await m.join(node);
}
