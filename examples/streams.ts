/**
 * SCIF with Deno's habits: a card node serves upper-casing over Web Streams (`for await` over
 * its listener, `readable.pipeThrough(...).pipeTo(writable)`), the host connects under a
 * deadline (`AbortSignal.timeout`), writes text through a `TextEncoderStream` and reads the
 * answer through a `TextDecoderStream`; `await using` and `using` close everything.
 *
 * ```sh
 * deno run examples/streams.ts
 * ```
 *
 * @module
 */
import { createNetwork } from "../mod.ts";

await using net = await createNetwork({ nodes: 2, memoryBytes: 16 << 20 });
await using host = await net.node(0);
await using card = await net.node(1);

// The card: answers each connection with what it sends, upper-cased, until the peer closes.
using listener = card.open();
listener.bind(2000);
listener.listen(4);
const serving = (async () => {
  for await (const { endpoint } of listener) {
    await endpoint.readable
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new TransformStream({ transform: (text, c) => c.enqueue(text.toUpperCase()) }))
      .pipeThrough(new TextEncoderStream())
      .pipeTo(endpoint.writable); // the peer's close ends it, and closes this endpoint
    return;
  }
})();

// The host.
{
  using ep = host.open();
  await ep.connect({ node: 1, port: 2000 }, { signal: AbortSignal.timeout(5000) });
  const text = "hello card, this is the host";
  await ReadableStream.from([text]).pipeThrough(new TextEncoderStream()).pipeTo(ep.writable, {
    preventClose: true, // SCIF has no half-close: keep the endpoint for the answer
  });
  let answer = "";
  for await (const chunk of ep.readable.pipeThrough(new TextDecoderStream())) {
    answer += chunk;
    if (answer.length >= text.length) break;
  }
  console.log(`host got: ${answer}`);
}
await serving;
