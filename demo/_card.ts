/// <reference lib="deno.worker" />
// A card of the demo: a SCIF node in a Worker. It listens on port 2000 and answers every
// message, and greets another card when told to (card to card, as MIC cards talk peer to peer).
import { attachNode, type NetworkHandle, type ScifNode } from "../mod.ts";
import { recvMessage, sendMessage } from "./_messages.ts";

type Command = { type: "attach"; handle: NetworkHandle } | { type: "greet"; card: number };

let node: ScifNode;

async function serve(): Promise<void> {
  const listener = node.open();
  listener.bind(2000);
  listener.listen(8);
  self.postMessage({ type: "ready", ids: node.getNodeIds() });
  for (;;) {
    const { endpoint, peer } = await listener.accept();
    (async () => {
      const text = await recvMessage(endpoint);
      await sendMessage(endpoint, `card ${node.nodeId} got "${text}" from ${peer.node}:${peer.port}`);
      endpoint.close();
    })();
  }
}

async function greet(card: number): Promise<void> {
  const ep = node.open();
  await ep.connect({ node: card, port: 2000 });
  await sendMessage(ep, `hello from card ${node.nodeId}`);
  self.postMessage({ type: "reply", text: await recvMessage(ep) });
  ep.close();
}

self.onmessage = async (e: MessageEvent<Command>) => {
  if (e.data.type === "attach") {
    node = await attachNode(e.data.handle);
    serve();
  } else {
    await greet(e.data.card);
  }
};
