// Links between machines carry nothing before both ends prove they hold the network's key; a
// link speaks only for the nodes it authenticated for; frames are bounded, and a peer that
// breaks the protocol is cut off. The stranger here is this test, speaking the frame format
// over a raw socket to a machine's linking process.
import { assert, assertEquals } from "@std/assert";
import { guarded, scenarios, within } from "./_cluster.ts";
import { Processes } from "./_processes.ts";
import { authenticate, importKey } from "../emu/bus/_auth.ts";
import { F_CONNECT, F_HELLO, F_REFUSED, HEADER, Link } from "../emu/bus/_link.ts";

/** A test of programs: a hang fails it with what it awaited of them (tests/_cluster.ts). */
function test(name: string, fn: () => Promise<void>): void {
  Deno.test(name, () => guarded(fn, 240_000));
}

const S = scenarios<typeof import("./_scenarios.ts")>(new URL("./_scenarios.ts", import.meta.url));

function hexKey(): string {
  return [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function keyBytes(hex: string): Uint8Array {
  return new Uint8Array(hex.match(/../g)!.map((b) => parseInt(b, 16)));
}

async function freePort(): Promise<number> {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  await Promise.resolve();
  return port;
}

/** Resolves to what the socket says before it ends (within `ms`): its bytes, and whether it ended. */
async function drain(conn: Deno.Conn, ms = 8000): Promise<{ bytes: number; ended: boolean }> {
  const buf = new Uint8Array(65536);
  let bytes = 0;
  const until = performance.now() + ms;
  for (;;) {
    const left = until - performance.now();
    if (left <= 0) return { bytes, ended: false };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const n = await Promise.race([
      conn.read(buf).catch(() => null),
      new Promise<"late">((r) => (timer = setTimeout(() => r("late"), left))),
    ]);
    clearTimeout(timer);
    if (n === "late") return { bytes, ended: false };
    if (n === null) return { bytes, ended: true };
    bytes += n;
  }
}

function rssKiB(pid: number): number {
  const m = Deno.readTextFileSync(`/proc/${pid}/status`).match(/VmRSS:\s+(\d+)/);
  return Number(m![1]);
}

test("links: a stranger without the key gets nothing; a keyed peer cannot speak for a node it did not authenticate for, nor claim a privileged port; an oversized frame cuts the link and memory stays", async () => {
  const key = hexKey();
  const port = await freePort();
  const group = await Processes.create({ SCIF_EMU_NODES: "3", SCIF_EMU_MEMORY: "256" });
  try {
    // The victim: node 0 of a machine that knows node 1 and 2 as another machine's.
    const victim = await group.spawn({
      SCIF_NODE: "0",
      SCIF_EMU_LISTEN: `127.0.0.1:${port}`,
      SCIF_EMU_PEERS: `1=127.0.0.1:${await freePort()},2=127.0.0.1:${await freePort()}`,
      SCIF_EMU_KEY: key,
    });
    const listening = victim.signal("listening");
    victim.run(S, "echoServer", { port: 2000, backlog: 4, connections: 4 }).catch(() => {});
    await listening;
    const addr = { hostname: "127.0.0.1", port };
    const frame = (type: number, payload: Uint8Array | object) => {
      const body = payload instanceof Uint8Array
        ? payload
        : new TextEncoder().encode(JSON.stringify(payload));
      const buf = new Uint8Array(HEADER + body.length);
      buf.set(body, HEADER);
      return Link.header(buf, type, 0);
    };

    // 1. Without the key: a hello, a connect, an RMA: each socket is closed with nothing said.
    for (
      const f of [
        frame(F_HELLO, { nodes: [1] }),
        frame(F_CONNECT, { from: 1, to: 0, srcPort: 3000, dstPort: 2000 }),
        frame(12, new Uint8Array(24)),
      ]
    ) {
      const conn = await Deno.connect(addr);
      await conn.write(f);
      const r = await drain(conn);
      conn.close();
      assertEquals(r, { bytes: 0, ended: true });
    }
    // A wrong key fails the proof: nothing after it either.
    {
      const link = new Link(await Deno.connect(addr));
      const wrong = await importKey(keyBytes(hexKey()));
      let refused = false;
      try {
        await authenticate(link, wrong, "client", [1]);
      } catch {
        refused = true;
      }
      assert(refused, "a wrong key was taken");
      link.close();
    }
    assertEquals(
      (await victim.run(S, "nodeIds")).nodes,
      [0],
      "a stranger became a node",
    );

    // 2. With the key, speaking for node 1: a connection from node 2, or from port 22, is not taken.
    const k = await importKey(keyBytes(key));
    {
      const link = new Link(await Deno.connect(addr));
      assertEquals(await authenticate(link, k, "client", [1]), [0]);
      await link.send(F_CONNECT, 0, { from: 2, to: 0, srcPort: 3000, dstPort: 2000 });
      assertEquals(await within(8000, link.next()), null, "a connection in another node's name was taken");
      link.close();
    }
    {
      const link = new Link(await Deno.connect(addr));
      await authenticate(link, k, "client", [1]);
      await link.send(F_CONNECT, 0, { from: 1, to: 0, srcPort: 22, dstPort: 2000 });
      const answer = await within(8000, link.next());
      assertEquals(
        [answer?.type, answer?.id],
        [F_REFUSED, 13],
        "a privileged port was claimed over the link",
      );
      link.close();
    }

    // 3. Oversized frames, before and after the authentication: cut off, nothing buffered.
    const pid = group.pidOf(victim);
    const before = rssKiB(pid);
    for (let i = 0; i < 20; i++) {
      const conn = await Deno.connect(addr);
      const header = new Uint8Array(HEADER);
      const v = new DataView(header.buffer);
      v.setUint32(0, 10, true);
      v.setUint32(8, 0xfffffff0, true);
      await conn.write(header);
      await conn.write(new Uint8Array(1 << 16)).catch(() => 0);
      assertEquals((await drain(conn)).ended, true);
      conn.close();
    }
    {
      const link = new Link(await Deno.connect(addr));
      await authenticate(link, k, "client", [1]);
      const header = Link.header(new Uint8Array(HEADER), 10, 0);
      new DataView(header.buffer).setUint32(8, 0xfffffff0, true);
      await link.sendFrame(header);
      assertEquals((await drain(link.conn)).ended, true);
      link.close();
    }
    const after = rssKiB(pid);
    assert(after - before < 32 * 1024, `the victim grew from ${before} to ${after} KiB`);
    // And it still serves its own programs.
    assertEquals((await victim.run(S, "nodeIds")).nodes, [0]);

    // 4. A machine of the network given another key is refused, and told the fix.
    const dir = await Deno.makeTempDir({ prefix: "scif-link-" });
    const other = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../cli/scif.ts", import.meta.url).pathname, "echo", "--node", "1"],
      env: {
        SCIF_EMU_DIR: dir,
        SCIF_EMU_NODES: "3",
        SCIF_EMU_MEMORY: "256",
        SCIF_EMU_PEERS: `0=127.0.0.1:${port}`,
        SCIF_EMU_KEY: hexKey(),
      },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    try {
      const reader = other.stderr.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      const until = performance.now() + 10_000;
      while (!/give every machine the same key/.test(text) && performance.now() < until) {
        const { value, done } = await within(10_000, reader.read());
        if (done) break;
        text += value;
      }
      assert(
        /does not take this network's key .*EACCES.*give every machine the same key/.test(text),
        `no warning that names the fix: ${text}`,
      );
      reader.releaseLock();
    } finally {
      other.kill("SIGKILL");
      await other.status;
      await other.stderr.cancel().catch(() => {});
      await Deno.remove(dir, { recursive: true });
    }
    assertEquals((await victim.run(S, "nodeIds")).nodes, [0]);
  } finally {
    await group.close();
  }
});
