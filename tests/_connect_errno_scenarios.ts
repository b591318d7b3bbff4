// Errno cases of the connection calls (bind, listen, connect, accept, close) that run on one
// node in a Worker (tests/connect_errno_test.ts). Each resolves to what happened: "ok", an errno
// name, or a list of them.
import { type PortId, SCIF_PORT_RSVD, type ScifNode } from "../mod.ts";
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
