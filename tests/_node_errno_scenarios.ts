// Errno cases of a node's own calls that run on one node in a Worker (tests/node_errno_test.ts).
import type { ScifNode } from "../mod.ts";
import { outcome } from "./_scenarios.ts";

export async function closedNode(node: ScifNode): Promise<string[]> {
  await node.close();
  return [
    await outcome(() => node.open()),
    await outcome(() => node.getNodeIds()),
    await outcome(() => node.poll([], 0)),
    await outcome(() => node.allocate(4096)),
  ];
}
