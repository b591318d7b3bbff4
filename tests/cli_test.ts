// The `scif` command line end to end, as separate processes on a rendezvous directory of the
// test's own: a file piped through `scif connect` into `scif listen` arrives byte-exact; nodes,
// echo and ping work; failures exit with the errno and say its name; usage errors exit 64.
import { assert, assertEquals, assertMatch } from "@std/assert";

const CLI = new URL("../cli/scif.ts", import.meta.url).pathname;

function scif(dir: string, args: string[], stdin: "piped" | "null" = "null") {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    env: { SCIF_EMU_DIR: dir },
    stdin,
    stdout: "piped",
    stderr: "piped",
  });
}

async function run(dir: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await scif(dir, args).output();
  return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
}

/** Waits until a started `scif` holds node `id` (its socket is in the rendezvous directory). */
async function online(dir: string, id: number): Promise<void> {
  const until = performance.now() + 10_000;
  while (performance.now() < until) {
    if (await Deno.stat(`${dir}/node-${id}.sock`).then(() => true, () => false)) {
      await new Promise((r) => setTimeout(r, 100)); // from its claim to its announcement
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`node ${id} did not come online`);
}

Deno.test("cli: a 3 MB file piped through scif connect into scif listen arrives byte-exact", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scif-cli-" });
  try {
    const data = new Uint8Array(3_000_017);
    for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
    const listener = scif(dir, ["listen", "3000"]).spawn();
    await online(dir, 0);
    const client = scif(dir, ["connect", "0:3000"], "piped").spawn();
    // Both outputs are read while stdin is written: a pipe nobody reads stalls its writer.
    const outputs = Promise.all([listener.output(), client.output()]);
    const w = client.stdin.getWriter();
    await w.write(data);
    await w.close();
    const [l, c] = await outputs;
    assertEquals(
      [l.code, c.code],
      [0, 0],
      new TextDecoder().decode(l.stderr) + new TextDecoder().decode(c.stderr),
    );
    assertEquals(l.stdout.length, data.length);
    assert(l.stdout.every((v, i) => v === data[i]), "the bytes differ");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: nodes, echo and ping; errors exit with the errno; usage errors with 64; --help", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scif-cli-" });
  const echo = scif(dir, ["echo", "--count", "1"]).spawn();
  try {
    await online(dir, 0);
    const nodes = await run(dir, ["nodes"]);
    assertEquals(nodes.code, 0);
    assertMatch(nodes.out, /^NODE +ROLE +STATE\n0 +host +online\n1 +card +online +this command \(emu\)\n$/);
    const ping = await run(dir, ["ping", "0", "--count", "500"]);
    assertEquals(ping.code, 0, ping.err);
    assertMatch(
      ping.out,
      /^500 round trips of 8 bytes to node 0: min [\d.]+ us, median [\d.]+ us, max [\d.]+ us\n$/,
    );
    assertEquals((await echo.status).code, 0);

    const absent = await run(dir, ["connect", "5:3000"]);
    assertEquals(absent.code, 19);
    assertMatch(absent.err, /^scif connect: ENODEV: .*\(errno 19\)\n$/);
    const listener = scif(dir, ["listen", "3000"]).spawn();
    await online(dir, 0);
    const noPort = await run(dir, ["ping", "0", "--port", "9"]);
    assertEquals(noPort.code, 111);
    assertMatch(noPort.err, /^scif ping: ECONNREFUSED: .*\(errno 111\)\n$/);
    listener.kill("SIGKILL");
    await listener.status;

    for (const bad of [["ping", "x"], ["connect", "nowhere"], ["frobnicate"], ["listen", "70000"]]) {
      const r = await run(dir, bad);
      assertEquals(r.code, 64, bad.join(" "));
      assertMatch(r.err, /usage: scif/);
    }
    for (const cmd of ["nodes", "echo", "ping", "listen", "connect", "bench"]) {
      const r = await run(dir, [cmd, "--help"]);
      assertEquals(r.code, 0);
      assertMatch(r.out, new RegExp(`^usage: scif ${cmd}`));
    }
    assertMatch((await run(dir, ["--help"])).out, /^scif: the Symmetric Communication Interface/);
  } finally {
    try {
      echo.kill("SIGKILL");
    } catch {
      // ended
    }
    await echo.status;
    await Deno.remove(dir, { recursive: true });
  }
});
