// Errno cases of poll that run on one node in a Worker (tests/poll_errno_test.ts).
import { type Endpoint, POLLERR, POLLNVAL, type ScifNode } from "../mod.ts";
import { outcome } from "./_scenarios.ts";

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
