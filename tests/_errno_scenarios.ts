// Errno cases that run on one node in a Worker (tests/errno_test.ts). Each resolves to what
// happened: "ok", an errno name, or a list of them.
import { type Endpoint, POLLERR, POLLNVAL, type PortId, SCIF_PORT_RSVD, type ScifNode } from "../mod.ts";
import { outcome } from "./_scenarios.ts";

export async function bindAdminPort(node: ScifNode): Promise<string[]> {
  const ep = node.open();
  const r = [await outcome(() => ep.bind(1023)), await outcome(() => ep.bind(1))];
  ep.bind(0);
  r.push(await outcome(() => ep.bind(80))); // EACCES comes before the state check
  return r;
}

export async function bindTwice(node: ScifNode): Promise<string> {
  const ep = node.open();
  ep.bind(0);
  return await outcome(() => ep.bind(0));
}

export async function bindPortInUse(node: ScifNode): Promise<string> {
  const a = node.open();
  a.bind(3000);
  return await outcome(() => node.open().bind(3000));
}

export async function bindListening(node: ScifNode): Promise<string> {
  const ep = node.open();
  ep.bind(0);
  ep.listen(1);
  return await outcome(() => ep.bind(0));
}

export async function bindBadPort(node: ScifNode): Promise<string[]> {
  const ep = node.open();
  return [
    await outcome(() => ep.bind(65536)),
    await outcome(() => ep.bind(-1)),
    await outcome(() => ep.bind(1.5)),
    await outcome(() => ep.bind("x" as unknown as number)),
  ];
}

/** bind(0) hands out the lowest free port above SCIF_PORT_RSVD, and reuses freed ones. */
export function bindAuto(node: ScifNode): Promise<number[]> {
  const a = node.open();
  const b = node.open();
  const pa = a.bind(0);
  const pb = b.bind();
  a.close();
  const c = node.open();
  return Promise.resolve([pa, pb, c.bind(0), SCIF_PORT_RSVD]);
}

/** Every port from SCIF_PORT_RSVD + 1 up is taken: ENOSPC. */
export async function bindNoSpace(node: ScifNode): Promise<string> {
  for (let p = SCIF_PORT_RSVD + 1; p <= 65535; p++) node.open().bind(p);
  return await outcome(() => node.open().bind(0));
}

export async function listenStates(node: ScifNode): Promise<string[]> {
  const unbound = node.open();
  const listening = node.open();
  listening.bind(0);
  listening.listen(1);
  return [
    await outcome(() => unbound.listen(1)),
    await outcome(() => listening.listen(1)),
    // deno-lint-ignore no-explicit-any
    await outcome(() => node.open().listen(1.5 as any)),
  ];
}

export async function connectStates(node: ScifNode, args: { dst: PortId }): Promise<string[]> {
  const listening = node.open();
  listening.bind(0);
  listening.listen(1);
  const connected = node.open();
  await connected.connect(args.dst);
  return [
    await outcome(() => listening.connect(args.dst)),
    await outcome(() => connected.connect(args.dst)),
    await outcome(() => connected.bind(0)),
    await outcome(() => connected.listen(1)),
  ];
}

export async function connectBadDestination(node: ScifNode, args: { listening: PortId }): Promise<string[]> {
  const ep = () => node.open();
  return [
    await outcome(() => ep().connect({ node: 64, port: 2000 })), // no such node
    await outcome(() => ep().connect({ node: 2, port: 2000 })), // a node that is offline
    await outcome(() => ep().connect({ node: -1, port: 2000 })),
    await outcome(() => ep().connect({ node: args.listening.node, port: 65536 })),
    // deno-lint-ignore no-explicit-any
    await outcome(() => ep().connect(null as any)),
    await outcome(() => ep().connect({ node: args.listening.node, port: 2999 })), // nobody listens
    await outcome(() => ep().connect({ node: args.listening.node, port: 0 })), // the kernel: refused
  ];
}

/** A connect binds an unbound endpoint first; the accepted endpoint has the listener's port. */
export async function connectBindsFirst(
  node: ScifNode,
  args: { dst: PortId },
): Promise<{ local: PortId | null; returned: PortId }> {
  const ep = node.open();
  const returned = await ep.connect(args.dst);
  return { local: ep.localId, returned };
}

export async function connectDisconnected(node: ScifNode, args: { dst: PortId }): Promise<string[]> {
  const ep = node.open();
  await ep.connect(args.dst);
  // The peer (an echo server told to close) closes; wait for the reset.
  const buf = new Uint8Array(1);
  const r = await outcome(() => ep.recv(buf));
  return [
    r,
    await outcome(() => ep.connect(args.dst)),
    await outcome(() => ep.listen(1)),
    await outcome(() => ep.bind(0)),
  ];
}

export async function acceptStates(node: ScifNode): Promise<string[]> {
  const unbound = node.open();
  const bound = node.open();
  bound.bind(0);
  const listening = node.open();
  listening.bind(0);
  listening.listen(1);
  return [
    await outcome(() => unbound.accept()),
    await outcome(() => bound.accept({ block: false })),
    await outcome(() => listening.accept({ block: false })),
    // deno-lint-ignore no-explicit-any
    await outcome(() => listening.accept({ block: "yes" as any })),
  ];
}

/** A blocked accept wakes with EINTR when its listener is closed. */
export async function acceptThenClose(node: ScifNode): Promise<string> {
  const l = node.open();
  l.bind(0);
  l.listen(1);
  const pending = outcome(() => l.accept());
  await new Promise((r) => setTimeout(r, 20));
  l.close();
  return await pending;
}

export async function streamUnconnected(node: ScifNode): Promise<string[]> {
  const unbound = node.open();
  const bound = node.open();
  bound.bind(0);
  const listening = node.open();
  listening.bind(0);
  listening.listen(1);
  const buf = new Uint8Array(4);
  const r: string[] = [];
  for (const ep of [unbound, bound, listening]) {
    r.push(await outcome(() => ep.send(buf)), await outcome(() => ep.recv(buf)));
  }
  // Zero bytes move in every state.
  r.push(String(await unbound.send(new Uint8Array(0))), String(await unbound.recv(new Uint8Array(0))));
  return r;
}

export async function streamBadArguments(node: ScifNode, args: { dst: PortId }): Promise<string[]> {
  const ep = node.open();
  await ep.connect(args.dst);
  return [
    // deno-lint-ignore no-explicit-any
    await outcome(() => ep.send([1, 2] as any)),
    // deno-lint-ignore no-explicit-any
    await outcome(() => ep.recv(new ArrayBuffer(4) as any)),
    // deno-lint-ignore no-explicit-any
    await outcome(() => ep.send(new Uint8Array(1), 1 as any)),
    // deno-lint-ignore no-explicit-any
    await outcome(() => ep.recv(new Uint8Array(1), { block: 0 as any })),
  ];
}

/** Non-blocking calls move what they can now: 0 from an empty ring, part into a full one. */
export async function nonBlocking(node: ScifNode, args: { dst: PortId }): Promise<number[]> {
  const ep = node.open();
  await ep.connect(args.dst); // a listener that accepts and never reads
  const got = await ep.recv(new Uint8Array(10), { block: false });
  const big = new Uint8Array(1 << 20);
  const first = await ep.send(big, { block: false });
  const second = await ep.send(big, { block: false });
  return [got, first, second];
}

/** Everything on a closed endpoint fails with EBADF (as a closed file descriptor would). */
export async function closedEndpoint(node: ScifNode): Promise<string[]> {
  const ep = node.open();
  ep.close();
  const buf = new Uint8Array(1);
  return [
    await outcome(() => ep.close()),
    await outcome(() => ep.bind(0)),
    await outcome(() => ep.listen(1)),
    await outcome(() => ep.connect({ node: 0, port: 2000 })),
    await outcome(() => ep.accept()),
    await outcome(() => ep.send(buf)),
    await outcome(() => ep.recv(buf)),
  ];
}

export async function pollStates(node: ScifNode): Promise<number[]> {
  const unbound = node.open();
  const bound = node.open();
  bound.bind(0);
  const closed = node.open();
  closed.close();
  const entries = [unbound, bound, closed].map((endpoint: Endpoint) => ({ endpoint, events: 1, revents: 0 }));
  const n = await node.poll(entries, 0);
  return [n, ...entries.map((e) => e.revents), POLLERR, POLLNVAL];
}

export async function pollBadArguments(node: ScifNode): Promise<string[]> {
  const ep = node.open();
  return [
    // deno-lint-ignore no-explicit-any
    await outcome(() => node.poll("x" as any, 0)),
    await outcome(() => node.poll([{ endpoint: ep, events: 1, revents: 0 }], -2)),
    await outcome(() => node.poll([{ endpoint: ep, events: 1, revents: 0 }], 1.5)),
    // deno-lint-ignore no-explicit-any
    await outcome(() => node.poll([{ endpoint: {} as any, events: 1, revents: 0 }], 0)),
  ];
}

export async function closedNode(node: ScifNode): Promise<string[]> {
  await node.close();
  return [
    await outcome(() => node.open()),
    await outcome(() => node.getNodeIds()),
    await outcome(() => node.poll([], 0)),
    await outcome(() => node.allocate(4096)),
  ];
}
