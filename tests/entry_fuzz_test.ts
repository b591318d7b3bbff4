// Every public entry point, given a bad argument of any type, fails with a ScifError carrying
// EINVAL (or the errno the kernel gives for it), and never a TypeError, a RangeError or a
// LinkError; the node works on afterwards. One table, every call, every kind of value.
import { assert, assertEquals } from "@std/assert";
import {
  attachNode,
  createNetwork,
  type Endpoint,
  ERRNO,
  type Network,
  openNode,
  POLLIN,
  ScifError,
  type ScifNode,
} from "../mod.ts";

/** Values of every type JavaScript has (but undefined, which means a default), none of them
 * a valid argument where an integer, a name, a Uint8Array or an options object is expected
 * (a case says which are valid for it). */
const BAD: [string, unknown][] = [
  ["null", null],
  ["true", true],
  ["-1", -1],
  ["1.5", 1.5],
  ["NaN", NaN],
  ["Infinity", Infinity],
  ["2**64", 2 ** 64],
  ["-1n", -1n],
  ["2n**63n", 2n ** 63n], // an offset's u64 for the off_t -2^63 (ENXIO where an offset is an RMA's)
  ["2n**64n", 2n ** 64n],
  ["-(2n**63n)-1n", -(2n ** 63n) - 1n],
  ['""', ""],
  ['"x"', "x"],
  ["a symbol", Symbol("s")],
  ["{}", {}],
  ["[]", []],
  ["a function", () => 1],
  ["a Uint8Array", new Uint8Array(1)],
  ["a DataView", new DataView(new ArrayBuffer(8))],
  ["a frozen object", Object.freeze({ a: 1 })],
  ["a Date", new Date(0)],
  ["a Map", new Map()],
];

interface Failure {
  call: string;
  value: string;
  got: string;
}

type Code = keyof typeof ERRNO;
/** One row of the table: the call with `v` in place of one argument, and what is valid there. */
type Row = [call: string, fn: (v: unknown) => unknown, opts?: Opts];
interface Opts {
  /** The values that are valid here (not called). */
  ok?: (v: unknown) => boolean;
  /** The errnos the kernel gives here (default EINVAL), or the errnos for each value. */
  codes?: Code[] | ((v: unknown) => Code[]);
  /** A call with nothing in place: made once. */
  once?: boolean;
}

let calls = 0;

/** Calls the row with each bad value, expecting a ScifError of its codes, at once. */
async function run(failures: Failure[], [call, fn, opts = {}]: Row): Promise<void> {
  for (const [name, v] of opts.once ? [["-", undefined] as [string, unknown]] : BAD) {
    if (opts.ok?.(v)) continue;
    calls++;
    let got: string;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      // A bad argument is refused at once: a call still pending after 5 s hangs on it.
      const hung = new Promise<string>((r) => timer = setTimeout(() => r("hung"), 5000));
      got = await Promise.race([Promise.resolve().then(() => fn(v)).then(() => "no error"), hung]);
    } catch (e) {
      if (e instanceof ScifError) {
        const codes = typeof opts.codes === "function" ? opts.codes(v) : opts.codes ?? ["EINVAL"];
        if (codes.includes(e.code) && e.errno === ERRNO[e.code]) continue;
        got = `ScifError ${e.code} (${e.errno}): ${e.message}`;
      } else got = `${(e as Error)?.name}: ${(e as Error)?.message}`;
    } finally {
      clearTimeout(timer);
    }
    failures.push({ call, value: name, got });
  }
}

/** An options bag: any object (its properties are read; none is required). */
const isObject = (v: unknown) => typeof v === "object" && v !== null;
const isBytes = (v: unknown) => v instanceof Uint8Array;
const isString = (v: unknown) => typeof v === "string";
/** An offset no window covers is the kernel's ENXIO, after the argument checks. */
const OFFSET: Opts = { codes: ["EINVAL", "ENXIO"] };
/** A node id: an integer that names no node is ENODEV (the kernel's answer to a C caller's -1,
 * which is 65535 as a u16), anything else EINVAL. */
const NODE: Opts = { codes: (v) => [typeof v === "number" && Number.isInteger(v) ? "ENODEV" : "EINVAL"] };

Deno.test("entry points: a bad argument of any type fails with ScifError EINVAL, and the node works on", async () => {
  const failures: Failure[] = [];
  const net: Network = await createNetwork({ nodes: 3 });
  const node: ScifNode = await net.node(0);
  const card: ScifNode = await net.node(1);
  try {
    const handle = net.handle(2); // node 2 is free: a good handle would attach it
    const ep = node.open();
    const entry = (over: object) => [{ endpoint: ep, events: POLLIN, revents: 0, ...over }];
    const fresh = (): Endpoint => node.open();
    const listening = (): Endpoint => {
      const e = fresh();
      e.bind(0);
      e.listen(1);
      return e;
    };
    const options: Row[] = [
      // openNode, createNetwork, attachNode, a Network, and their option objects.
      ["openNode(v)", (v) => openNode(v as never), { ok: isObject }],
      ["openNode({ backend: v })", (v) => openNode({ backend: v as never })],
      ["openNode({ network: v })", (v) => openNode({ network: v as never })],
      [
        "openNode({ network: 'thread', node: v })",
        (v) => openNode({ network: "thread", node: v as never }),
        NODE,
      ],
      ["openNode({ backend: 'hw', device: v })", (v) => openNode({ backend: "hw", device: v as never }), {
        ok: isString,
      }],
      ["openNode({ backend: 'hw', libc: v })", (v) => openNode({ backend: "hw", libc: v as never }), {
        ok: isString,
      }],
      ["createNetwork(v)", (v) => createNetwork(v as never)],
      ...["nodes", "memoryBytes", "ringBytes", "connectTimeoutMs", "fenceTimeoutMs", "spins", "slots"].map((
        key,
      ): Row => [`createNetwork({ nodes: 2, ${key}: v })`, (v) => createNetwork({ nodes: 2, [key]: v })]),
      [
        "createNetwork({ nodes: 2, privileged: v })",
        (v) => createNetwork({ nodes: 2, privileged: v as never }),
        {
          ok: (v) => v === true,
        },
      ],
      ["attachNode(v)", (v) => attachNode(v as never)],
      ["attachNode({ ...handle, nodeId: v })", (v) => attachNode({ ...handle, nodeId: v as never }), NODE],
      ["attachNode({ ...handle, memory: v })", (v) => attachNode({ ...handle, memory: v as never })],
      [
        "attachNode({ ...handle, memory: a memory that is not shared })",
        () => attachNode({ ...handle, memory: new WebAssembly.Memory({ initial: 1, maximum: 1 }) }),
        { once: true },
      ],
      ["attachNode({ ...handle, module: v })", (v) => attachNode({ ...handle, module: v as never })],
      ["attachNode({ ...handle, bus: v })", (v) => attachNode({ ...handle, bus: v as never }), {
        ok: (v) => v === null,
      }],
      ["network.node(v)", (v) => net.node(v as never), NODE],
      ["network.handle(v)", (v) => net.handle(v as never), NODE],
      // The node's calls.
      ["node.poll(v, 0)", (v) => node.poll(v as never, 0), { ok: Array.isArray }],
      ["node.poll(entries, v)", (v) => node.poll(entry({}), v as never), { ok: (v) => v === -1 }],
      ["node.poll([v], 0)", (v) => node.poll([v as never], 0)],
      ["node.poll([{ endpoint: v }], 0)", (v) => node.poll(entry({ endpoint: v }), 0)],
      ["node.poll([{ events: v }], 0)", (v) => node.poll(entry({ events: v }), 0)],
      ["node.poll([a frozen entry], 0)", () => node.poll([Object.freeze(entry({})[0])], 0), { once: true }],
      ["node.allocate(v)", (v) => node.allocate(v as never)],
      ["node.free(v)", (v) => node.free(v as never), { ok: isBytes }],
      // An endpoint's calls before it is connected.
      ["ep.bind(v)", (v) => fresh().bind(v as never)],
      ["ep.listen(v)", (v) => {
        const e = fresh();
        e.bind(0);
        e.listen(v as never);
      }, { ok: (v) => v === -1 }], // an int the kernel takes
      ["ep.connect(v)", (v) => fresh().connect(v as never)],
      ["ep.connect({ node: v, port: 2000 })", (v) => fresh().connect({ node: v as never, port: 2000 }), NODE],
      ["ep.connect({ node: 1, port: v })", (v) => fresh().connect({ node: 1, port: v as never })],
      ["ep.accept(v)", (v) => listening().accept(v as never), { ok: isObject }], // it would wait
      ["ep.accept({ block: v })", (v) => listening().accept({ block: v as never }), {
        ok: (v) => v === true,
      }],
    ];
    for (const row of options) await run(failures, row);

    // A connected pair for the calls of a connection.
    const server = card.open();
    server.bind(2000);
    server.listen(1);
    const client = node.open();
    const [acc] = await Promise.all([server.accept(), client.connect({ node: 1, port: 2000 })]);
    const mem = node.allocate(4 * 4096);
    const offset = client.register(mem);
    const peerOffset = acc.endpoint.register(card.allocate(4 * 4096));
    const page = () => node.allocate(4096);
    const connected: Row[] = [
      ["ep.send(v)", (v) => client.send(v as never), { ok: isBytes }],
      ["ep.send(bytes, v)", (v) => client.send(new Uint8Array(1), v as never), { ok: isObject }],
      ["ep.send(bytes, { block: v })", (v) => client.send(new Uint8Array(1), { block: v as never }), {
        ok: (v) => v === true,
      }],
      ["ep.recv(v)", (v) => client.recv(v as never), { ok: isBytes }],
      ["ep.recv(bytes, v)", (v) => client.recv(new Uint8Array(1), v as never), { ok: isObject }],
      ["ep.register(v)", (v) => client.register(v as never)],
      ["ep.register(mem, v)", (v) => client.register(page(), v as never), { ok: isObject }],
      [
        "ep.register(mem, { fixed: true, offset: v })",
        (v) => client.register(page(), { fixed: true, offset: v as never }),
      ],
      ["ep.register(mem, { prot: v })", (v) => client.register(page(), { prot: v as never })],
      ["ep.register(mem, { fixed: v })", (v) => client.register(page(), { fixed: v as never }), {
        ok: (v) => v === true, // then the offset is missing: EINVAL too, but not this row's point
      }],
      ["ep.register(mem, { bigint: v })", (v) => client.register(page(), { bigint: v as never }), {
        ok: (v) => v === true,
      }],
      ["ep.unregister(v, 4096)", (v) => client.unregister(v as never, 4096), OFFSET],
      ["ep.unregister(offset, v)", (v) => client.unregister(offset, v as never)],
      ["ep.readFrom(v, 4096, peer)", (v) => client.readFrom(v as never, 4096, peerOffset), OFFSET],
      ["ep.readFrom(offset, v, peer)", (v) => client.readFrom(offset, v as never, peerOffset)],
      ["ep.readFrom(offset, 4096, v)", (v) => client.readFrom(offset, 4096, v as never), OFFSET],
      ["ep.readFrom(offset, 4096, peer, v)", (v) => client.readFrom(offset, 4096, peerOffset, v as never)],
      ["ep.writeTo(v, 4096, peer)", (v) => client.writeTo(v as never, 4096, peerOffset), OFFSET],
      ["ep.writeTo(offset, 4096, peer, v)", (v) => client.writeTo(offset, 4096, peerOffset, v as never)],
      ["ep.vreadFrom(v, peer)", (v) => client.vreadFrom(v as never, peerOffset), { ok: isBytes }],
      ["ep.vreadFrom(bytes, v)", (v) => client.vreadFrom(new Uint8Array(8), v as never), OFFSET],
      ["ep.vwriteTo(v, peer)", (v) => client.vwriteTo(v as never, peerOffset), { ok: isBytes }],
      ["ep.vwriteTo(bytes, peer, v)", (v) => client.vwriteTo(new Uint8Array(8), peerOffset, v as never)],
      ["ep.fenceMark(v)", (v) => client.fenceMark(v as never)],
      ["ep.fenceWait(v)", (v) => client.fenceWait(v as never)],
      [
        "ep.fenceSignal(v, 0n, peer, 0n, flags)",
        (v) => client.fenceSignal(v as never, 0n, peerOffset, 0n, 0),
      ],
      [
        "ep.fenceSignal(offset, v, peer, 0n, flags)",
        (v) => client.fenceSignal(offset, v as never, peerOffset, 0n, 0),
      ],
      [
        "ep.fenceSignal(offset, 0n, peer, 0n, v)",
        (v) => client.fenceSignal(offset, 0n, peerOffset, 0n, v as never),
      ],
      ["ep.mmap(v, 4096, prot)", (v) => client.mmap(v as never, 4096, 1), OFFSET],
      ["ep.mmap(peer, v, prot)", (v) => client.mmap(peerOffset, v as never, 1)],
      ["ep.mmap(peer, 4096, v)", (v) => client.mmap(peerOffset, 4096, v as never)],
      ["ep.munmap(v)", (v) => client.munmap(v as never)],
    ];
    for (const row of connected) await run(failures, row);

    // ScifError itself: a number Linux has no name for is EINVAL, errno 22, every time.
    for (const n of [0, -1, 134, 999, 1.5, NaN, 2 ** 40]) {
      const e = ScifError.fromErrno(n);
      if (e.code !== "EINVAL" || e.errno !== ERRNO.EINVAL) {
        failures.push({ call: "ScifError.fromErrno(v)", value: String(n), got: `${e.code} ${e.errno}` });
      }
    }
    const unknown = new ScifError("EFOO" as Code);
    if (unknown.code !== "EINVAL" || unknown.errno !== ERRNO.EINVAL) {
      failures.push({ call: "new ScifError(v)", value: '"EFOO"', got: `${unknown.code} ${unknown.errno}` });
    }

    // The node still works: a message on the connection made above (after the bytes that the
    // valid cases of the table sent: an options object {} is valid, say).
    while (await acc.endpoint.recv(new Uint8Array(4096), { block: false }) > 0);
    await client.send(new Uint8Array([7]));
    const one = new Uint8Array(1);
    assertEquals(await acc.endpoint.recv(one), 1);
    assertEquals(one[0], 7);
  } finally {
    await net.close();
  }
  assert(calls > 1000, `only ${calls} calls made`);
  assert(
    failures.length === 0,
    `${failures.length} calls failed otherwise:\n` +
      failures.map((f) => `  ${f.call} with ${f.value}: ${f.got}`).join("\n"),
  );
});

Deno.test("entry points: ScifError knows every Linux errno by name, and only those", () => {
  // A few from both of the kernel's tables (errno-base.h and errno.h), and the last one.
  for (
    const [name, n] of [["EPERM", 1], ["EIO", 5], ["EPIPE", 32], ["ENOSYS", 38], ["EOWNERDEAD", 130], [
      "EHWPOISON",
      133,
    ]]
  ) {
    const e = ScifError.fromErrno(n as number);
    assertEquals([e.code, e.errno], [name, n]);
    assertEquals(new ScifError(name as keyof typeof ERRNO).errno, n);
  }
  const numbers = Object.values(ERRNO);
  assertEquals(new Set(numbers).size, numbers.length, "one name per number");
  assertEquals(Math.max(...numbers), 133);
  assert(ScifError.fromErrno(999).message.includes("999"), "an unknown number is named in the message");
});
