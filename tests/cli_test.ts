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

/** Waits until a started `scif` says on stderr that it listens; the rest of its stderr is
 * collected in the background (resolves to all of it at the end). */
async function listening(child: Deno.ChildProcess): Promise<{ rest: Promise<string> }> {
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const until = performance.now() + 10_000;
  while (!/^scif (listen|echo): node \d+, port \d+$/m.test(text)) {
    if (performance.now() > until) throw new Error(`scif did not start listening: ${text}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`scif ended before it listened: ${text}`);
    text += value;
  }
  // (In an object: an async function's result would wait for a promise it returned.)
  return {
    rest: (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return text;
        text += value;
      }
    })(),
  };
}

Deno.test("cli: a 3 MB file piped through scif connect into scif listen arrives byte-exact", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scif-cli-" });
  try {
    const data = new Uint8Array(3_000_017);
    for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
    const listener = scif(dir, ["listen", "3000"]).spawn();
    const listenerErr = await listening(listener);
    const client = scif(dir, ["connect", "0:3000", "--node", "1"], "piped").spawn();
    // Both outputs are read while stdin is written: a pipe nobody reads stalls its writer.
    const received = new Response(listener.stdout).bytes();
    const clientDone = client.output();
    const w = client.stdin.getWriter();
    await w.write(data);
    await w.close();
    const c = await clientDone;
    if (c.code !== 0) listener.kill("SIGKILL"); // it would wait for a connection forever
    const l = await listener.status;
    assertEquals([l.code, c.code], [0, 0], (await listenerErr.rest) + new TextDecoder().decode(c.stderr));
    const got = await received;
    assertEquals(got.length, data.length);
    assert(got.every((v, i) => v === data[i]), "the bytes differ");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: nodes, echo and ping; errors exit with the errno; usage errors with 64; --help", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scif-cli-" });
  const echo = scif(dir, ["echo", "--count", "1"]).spawn();
  try {
    await listening(echo);
    const nodes = await run(dir, ["nodes"]);
    assertEquals(nodes.code, 0);
    assertMatch(
      nodes.out,
      /^NODE +ROLE +STATE\n0 +host +online +this command's \(emu\)\n1 +card +online\n2 +card +online\n3 +card +online\n$/,
    );
    assertMatch(
      (await run(dir, ["nodes", "--node", "2"])).out,
      /\n2 +card +online +this command's \(emu\)\n/,
    );
    const ping = await run(dir, ["ping", "0", "--count", "500", "--node", "1"]);
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
    await listening(listener);
    const noPort = await run(dir, ["ping", "0", "--port", "9"]);
    assertEquals(noPort.code, 111);
    assertMatch(noPort.err, /^scif ping: ECONNREFUSED: .*\(errno 111\)\n$/);
    listener.kill("SIGKILL");
    await listener.status;

    for (
      const bad of [
        ["ping", "x"],
        ["connect", "nowhere"],
        ["frobnicate"],
        ["listen", "70000"],
        ["nodes", "--bogus"],
        ["ping", "1", "--frob", "2"],
        ["nodes", "extra"],
        ["echo", "-x"],
        ["ping", "1", "--count"],
      ]
    ) {
      const r = await run(dir, bad);
      assertEquals(r.code, 64, bad.join(" "));
      assertMatch(r.err, /usage: scif/);
    }
    for (const cmd of ["nodes", "echo", "ping", "listen", "connect", "bench", "key"]) {
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

Deno.test("cli: scif connect ends at once with ECONNRESET (104) when its peer is killed, its stdin still open", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scif-cli-" });
  const listener = scif(dir, ["listen", "3000"]).spawn();
  try {
    await listening(listener);
    const client = scif(dir, ["connect", "0:3000", "--node", "1"], "piped").spawn();
    const w = client.stdin.getWriter();
    await w.write(new Uint8Array([1, 2, 3]));
    const received = listener.stdout.getReader();
    assertEquals((await received.read()).value?.[0], 1); // connected, and the bytes flow
    received.releaseLock();
    listener.kill("SIGKILL");
    await listener.status;
    const t0 = performance.now();
    const done = await Promise.race([
      client.output(),
      new Promise<null>((r) => setTimeout(() => r(null), 10_000)),
    ]);
    if (!done) client.kill("SIGKILL");
    if (!done) throw new Error("scif connect kept running after its peer was killed");
    assertEquals(done.code, 104, new TextDecoder().decode(done.stderr));
    assertMatch(new TextDecoder().decode(done.stderr), /ECONNRESET/);
    assert(performance.now() - t0 < 5000);
    await w.close().catch(() => {});
  } finally {
    try {
      listener.kill("SIGKILL");
    } catch {
      // ended
    }
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: scif key prints the network's key (made 0600 on first use, the same every time, SCIF_EMU_KEY when set)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scif-cli-" });
  try {
    const first = await run(dir, ["key"]);
    assertEquals(first.code, 0, first.err);
    assertMatch(first.out, /^[0-9a-f]{64}\n$/);
    assertEquals((await run(dir, ["key"])).out, first.out);
    const st = await Deno.stat(`${dir}/link.key`);
    assertEquals(st.mode! & 0o777, 0o600);
    assertEquals((await Deno.readTextFile(`${dir}/link.key`)).trim(), first.out.trim());
    const key = "ab".repeat(32);
    const { stdout } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, "key"],
      env: { SCIF_EMU_DIR: dir, SCIF_EMU_KEY: key },
      stdout: "piped",
      stderr: "null",
    }).output();
    assertEquals(new TextDecoder().decode(stdout), `${key}\n`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: scif faults set, prints and clears the machine's fault plan; a bad plan is EINVAL or 64", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scif-cli-" });
  // A program that holds the network meanwhile (a memory nobody holds is made anew).
  const echo = scif(dir, ["echo"]).spawn();
  try {
    const echoErr = await listening(echo);
    assertEquals(await run(dir, ["faults"]), { code: 0, out: "faults: none\n", err: "" });
    const set = await run(dir, [
      "faults",
      "set",
      "--seed",
      "7",
      "--dma-fail",
      "0.5",
      "--dma-stall",
      "0.25",
      "--stall-ms",
      "20",
      "--silent",
      "2,3",
      "--partition",
      "1",
    ]);
    assertEquals(set.code, 0, set.err);
    assertMatch(set.out, /^seed 7\ndma: fail 0.5, stall 0.25 for 20 ms\nsilent nodes: 2,3\npartition: .*1/);
    const json = await run(dir, ["faults", "--json"]);
    assertEquals(JSON.parse(json.out), {
      seed: 7,
      dma: { failRate: 0.5, stallRate: 0.25, stallMs: 20 },
      silentNodes: [2, 3],
      partition: { nodes: [1] },
    });
    assertEquals((await run(dir, ["faults", "set", "--seed", "1", "--delay-ms", "5"])).code, 0);
    assertEquals(JSON.parse((await run(dir, ["faults", "--json"])).out).delay, {
      ms: 5,
      jitterMs: 0,
      nodes: [0, 1, 2, 3],
    });
    assertEquals(await run(dir, ["faults", "clear"]), { code: 0, out: "faults: none\n", err: "" });
    assertEquals((await run(dir, ["faults", "--json"])).out, "null\n");
    // The network checks the plan (ENODEV 19: a node it does not have); usage errors are 64.
    const bad = await run(dir, ["faults", "set", "--seed", "1", "--silent", "9"]);
    assertEquals(bad.code, 19, bad.err);
    assertEquals((await run(dir, ["faults", "set", "--dma-fail", "0.1"])).code, 64); // no seed
    assertEquals((await run(dir, ["faults", "set", "--seed", "1", "--dma-fail", "2"])).code, 64);
    assertEquals((await run(dir, ["faults", "clear", "--seed", "1"])).code, 64);
    assertEquals((await run(dir, ["faults", "what"])).code, 64);
    assertMatch((await run(dir, ["faults", "--help"])).out, /^usage: scif faults/);
    echo.kill("SIGTERM");
    await echo.status;
    await echo.stdout.cancel();
    await echoErr.rest;
  } finally {
    try {
      echo.kill("SIGKILL");
    } catch {
      // ended
    }
    await Deno.remove(dir, { recursive: true });
  }
});
