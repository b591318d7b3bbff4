// Deno idioms in programs of their own: the streams example runs and ends, and a program that
// aborted hundreds of calls ends by itself once its nodes are closed (no waiter left holding it).
import { assertEquals } from "@std/assert";

/** Runs `deno run <args>` and resolves to its exit code and output; fails after `ms`. */
async function runDeno(args: string[], ms: number): Promise<{ code: number; out: string; err: string }> {
  const child = new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "piped" }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  const { code, stdout, stderr } = await child.output();
  clearTimeout(timer);
  return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
}

Deno.test("idioms: examples/streams.ts (streams, for await, AbortSignal.timeout, await using) runs and its process ends by itself", async () => {
  const r = await runDeno(["run", new URL("../examples/streams.ts", import.meta.url).pathname], 30_000);
  assertEquals(r.code, 0, r.err);
  assertEquals(r.out, "host got: HELLO CARD, THIS IS THE HOST\n");
});

Deno.test("idioms: aborted calls leave no waiter behind: a program that aborted hundreds of them ends by itself once its nodes are closed", async () => {
  const mod = new URL("../mod.ts", import.meta.url).href;
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(
    script,
    `import { createNetwork, POLLIN } from ${JSON.stringify(mod)};
const net = await createNetwork({ nodes: 2, memoryBytes: 16 << 20 });
const [a, b] = [await net.node(0), await net.node(1)];
const l = b.open(); l.bind(2000); l.listen(4);
const c = a.open();
const [{ endpoint }] = await Promise.all([l.accept(), c.connect({ node: 1, port: 2000 })]);
let eintr = 0;
const count = async (p) => { try { await p; } catch (e) { if (e.code === "EINTR") eintr++; else throw e; } };
for (let i = 0; i < 300; i++) {
  await count(endpoint.recv(new Uint8Array(8), { signal: AbortSignal.timeout(1) }));
  await count(l.accept({ signal: AbortSignal.timeout(1) }));
  await count(a.poll([{ endpoint: c, events: POLLIN, revents: 0 }], -1, { signal: AbortSignal.timeout(1) }));
}
await c.send(new Uint8Array([7]));
const got = new Uint8Array(1);
await endpoint.recv(got);
console.log(eintr, got[0]);
await a.close(); await b.close(); await net.close();
`,
  );
  try {
    const r = await runDeno(["run", "-A", script], 60_000);
    assertEquals(r.code, 0, r.err);
    assertEquals(r.out, "900 7\n");
  } finally {
    await Deno.remove(script);
  }
});
