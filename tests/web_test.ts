// The browser build and the file server, without a browser: the committed web/dist/ build
// matches a fresh one, and only its scif.js carries the library; the server sends the isolation
// headers and the right types; and the library runs imported by URL from it (nothing depends on
// local paths).
import { assert, assertEquals, assertMatch } from "@std/assert";
import { build, WEB_OUTPUTS } from "../tools/build_web.ts";
import { serveRepository } from "../web/serve.ts";
import { WASM_BASE64 } from "../core/_wasm_bytes.ts";

const root = new URL("../", import.meta.url);

Deno.test("web: the committed browser build matches a fresh build of the sources (deno task build:web)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await build(dir);
    for (const f of WEB_OUTPUTS) {
      const fresh = await Deno.readTextFile(`${dir}/${f}`);
      const committed = await Deno.readTextFile(new URL(`web/dist/${f}`, root));
      assert(fresh === committed, `web/dist/${f} is stale: run deno task build:web`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("web: the library build has no Deno API and the core inside it; the page's scripts import it", async () => {
  const js = await Deno.readTextFile(new URL("web/dist/scif.js", root));
  assert(!/\bDeno\.[a-zA-Z]/.test(js), "web/dist/scif.js uses a Deno API");
  assertMatch(js, /^\/\/ @ts-self-types="\.\.\/\.\.\/mod\.ts"/);
  // The bytes are there as the strings of core/_wasm_bytes.ts's array.
  assert(js.replaceAll('","', "").includes(WASM_BASE64), "web/dist/scif.js has not the core's bytes");
  for (const name of ["createNetwork", "attachNode", "openNode", "ScifError", "SCIF_RMA_SYNC"]) {
    assertMatch(js, new RegExp(`\\b${name}\\b`));
  }
  // The page's scripts take the library from ./scif.js rather than carrying a copy.
  for (const f of WEB_OUTPUTS.filter((f) => f !== "scif.js")) {
    const page = await Deno.readTextFile(new URL(`web/dist/${f}`, root));
    assertMatch(page, /from ?"\.\/scif\.js"/, `web/dist/${f} does not import ./scif.js`);
    assert(!page.includes(WASM_BASE64.slice(0, 100)), `web/dist/${f} carries the core`);
    assert(page.length < 40_000, `web/dist/${f} carries the library (${page.length} bytes)`);
  }
});

/** Serves the repository on a free port for `fn`. */
async function withServer(isolation: boolean, fn: (base: string) => Promise<void>): Promise<void> {
  const listening = Promise.withResolvers<number>();
  const server = serveRepository({ port: 0, isolation, onListen: listening.resolve });
  try {
    await fn(`http://127.0.0.1:${await listening.promise}`);
  } finally {
    await server.shutdown();
  }
}

Deno.test("web: the server sends isolation headers and content types, and refuses paths out of the root", async () => {
  await withServer(true, async (base) => {
    const page = await fetch(`${base}/web/`);
    assertEquals(page.status, 200);
    assertEquals(page.headers.get("cross-origin-opener-policy"), "same-origin");
    assertEquals(page.headers.get("cross-origin-embedder-policy"), "require-corp");
    assertMatch(page.headers.get("content-type")!, /^text\/html/);
    assertMatch(await page.text(), /<script type="module" src="\.\/dist\/demo\.js">/);
    const ts = await fetch(`${base}/mod.ts`);
    assertMatch(ts.headers.get("content-type")!, /^application\/typescript/);
    await ts.body?.cancel();
    const js = await fetch(`${base}/web/dist/scif.js`);
    assertMatch(js.headers.get("content-type")!, /^text\/javascript/);
    await js.body?.cancel();
    const dir = await fetch(`${base}/web`, { redirect: "manual" });
    assertEquals([dir.status, dir.headers.get("location")], [301, `${base}/web/`]);
    const top = await fetch(`${base}/`, { redirect: "manual" });
    assertEquals([top.status, top.headers.get("location")], [302, `${base}/web/`]);
    for (const path of ["/nothing.js", "/web/%2e%2e/%2e%2e/etc/passwd"]) {
      const r = await fetch(`${base}${path}`);
      assert(r.status === 404 || r.status === 400, `${path}: ${r.status}`);
      await r.body?.cancel();
    }
  });
  await withServer(false, async (base) => {
    const page = await fetch(`${base}/web/`);
    assertEquals(page.headers.get("cross-origin-opener-policy"), null);
    await page.body?.cancel();
  });
});

Deno.test("web: an example imports the library by URL from the server and runs (host and card Worker)", async () => {
  await withServer(true, async (base) => {
    const host = base.slice("http://".length);
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-config", `--allow-import=${host}`, "--reload", `${base}/examples/ping_pong.ts`],
      cwd: "/",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(stdout);
    assertEquals(code, 0, new TextDecoder().decode(stderr));
    assertMatch(out, /^host got: hello, host! \n100000 round trips of 8 bytes: \d+ ns each\n$/);
  });
});
