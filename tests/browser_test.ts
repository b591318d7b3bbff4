// The emulated network in a real browser: Debian's Chromium, headless, driven by playwright-core
// (never a downloaded browser). The repository is served by web/serve.ts; the conformance suite
// runs in the page with its nodes in Web Workers; the demo page runs to the end; a page without
// cross-origin isolation says so; web/scif.js imports into a page and a Worker. Screenshots go
// to out/browser/.
import { assert, assertEquals, assertMatch } from "@std/assert";
import { type Browser, chromium, type Page } from "playwright-core";
import { serveRepository } from "../web/serve.ts";
import { buildTests } from "../tools/build_web.ts";

const CHROMIUM = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";
const root = new URL("../", import.meta.url);
const shots = new URL("out/browser/", root).pathname;

/** Serves the repository (with or without isolation) and runs `fn` with a fresh page. */
async function withPage(
  isolation: boolean,
  fn: (page: Page, base: string) => Promise<void>,
): Promise<void> {
  let port = 0;
  const listening = Promise.withResolvers<void>();
  const server = serveRepository({
    port: 0,
    isolation,
    onListen: (p) => {
      port = p;
      listening.resolve();
    },
  });
  await listening.promise;
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });
    const page = await browser.newPage({ viewport: { width: 1100, height: 2800 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await fn(page, `http://127.0.0.1:${port}`);
    assertEquals(errors, [], "no uncaught error in the page");
  } finally {
    await browser?.close();
    await server.shutdown();
  }
}

interface TestResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

Deno.test("browser: the conformance suite passes in Chromium, nodes in Web Workers", async () => {
  const dir = new URL("out/web-test/", root).pathname;
  await buildTests(dir);
  await Deno.mkdir(shots, { recursive: true });
  await withPage(true, async (page, base) => {
    await page.goto(`${base}/out/web-test/`);
    const done = await page.waitForFunction(
      () => {
        const g = globalThis as unknown as { scifTestResults?: unknown; scifTestError?: string };
        return g.scifTestResults ?? (g.scifTestError ? { error: g.scifTestError } : undefined);
      },
      null,
      { timeout: 300_000, polling: 250 },
    );
    const results = (await done.jsonValue()) as TestResult[] | { error: string };
    await page.screenshot({ path: `${shots}suite.png` });
    if (!Array.isArray(results)) throw new Error(`the suite did not run: ${results.error}`);
    const failed = results.filter((r) => !r.ok);
    const tests = results.filter((r) => !r.name.includes(" > "));
    console.log(
      `  in Chromium: ${tests.length} tests, ${results.length - tests.length} steps, ${failed.length} failed`,
    );
    assertEquals(failed.map((r) => `${r.name}: ${r.error}`), []);
    // What must have run (a suite that registered nothing would pass vacuously).
    for (
      const part of [
        "connect:",
        "errno rules",
        "poll:",
        "stream:",
        "rma:",
        "mmap:",
        "rma errno rules",
        "node loss:",
      ]
    ) {
      assert(tests.some((t) => t.name.startsWith(`[emu] ${part}`)), `no "${part}" test ran`);
    }
    assert(tests.every((t) => t.name.startsWith("[emu] ")), "only the emulated backend exists in a browser");
    assert(tests.length >= 35, `only ${tests.length} tests ran`);
  });
});

interface DemoState {
  status: string;
  error?: string;
  nodes: { id: number; role: string; runsIn: string }[];
  greetings: string[];
  pingUs: number[];
  rmaOk: boolean[];
  figures: {
    sizes: number[];
    bandwidthGBps: Record<string, number[]>;
    roundTripUs: Record<string, number>;
    crowded: { roundTripUs: number; bytesPerIdleConnection: number };
    goals: { name: string; value: number }[];
  };
}

Deno.test("browser: the demo page runs the host and 3 cards, the exchanges and the measurements", async () => {
  await Deno.mkdir(shots, { recursive: true });
  await withPage(true, async (page, base) => {
    await page.goto(`${base}/web/?cards=3`);
    await page.waitForFunction(
      () => (globalThis as unknown as { scifDemo?: { status: string } }).scifDemo?.status !== "running",
      null,
      { timeout: 240_000, polling: 250 },
    );
    const s = await page.evaluate(() =>
      (globalThis as unknown as { scifDemo: unknown }).scifDemo
    ) as DemoState;
    await page.screenshot({ path: `${shots}demo.png` });
    assertEquals(s.status, "done", s.error);
    assertEquals(s.nodes.map((n) => [n.id, n.role]), [[0, "host"], [1, "card"], [2, "card"], [3, "card"]]);
    assertEquals(s.nodes.map((n) => n.runsIn), ["this page (main thread)", ...Array(3).fill("a Web Worker")]);
    s.greetings.forEach((g, i) =>
      assertEquals(g, `card ${i + 1} got "hello card ${i + 1}, this is the host" from node 0`)
    );
    assertEquals(s.rmaOk, [true, true, true]);
    for (const us of s.pingUs) assert(us > 0 && us < 1000, `ping ${us} µs`);
    const f = s.figures;
    assertEquals(Object.keys(f.bandwidthGBps).sort(), ["memcpy", "readFrom", "stream", "writeTo"]);
    for (const v of Object.values(f.bandwidthGBps)) {
      assertEquals(v.length, f.sizes.length);
      assert(v.every((x) => x > 0 && Number.isFinite(x)));
    }
    assertEquals(Object.keys(f.roundTripUs).sort(), ["mmap", "postMessage", "raw", "sendrecv"]);
    assert(f.roundTripUs.postMessage > 5 * f.roundTripUs.sendrecv, JSON.stringify(f.roundTripUs));
    assert(f.crowded.bytesPerIdleConnection >= 512 * 1024);
    // The chart and the tables are in the page.
    assertEquals(await page.locator("#chart svg polyline").count(), 4);
    assertEquals(await page.locator("#latency tbody tr").count(), 5);
    assertEquals(await page.locator("#goals tbody tr").count(), f.goals.length);
    assertMatch(await page.locator("#progress").innerText(), /^done in \d+ s$/);
  });
});

Deno.test("browser: a page that is not cross-origin isolated says so instead of failing", async () => {
  await withPage(false, async (page, base) => {
    await page.goto(`${base}/web/`);
    await page.waitForFunction(() =>
      (globalThis as unknown as { scifDemo?: { status: string } }).scifDemo?.status === "not isolated"
    );
    assert(await page.locator("#isolation").isVisible());
    assertMatch(await page.locator("#isolation").innerText(), /not cross-origin isolated/);
    assertMatch(await page.locator("#isolation").innerText(), /deno task serve/);
  });
});

Deno.test("browser: web/scif.js imports into a page and into a Web Worker, errors carry errnos", async () => {
  await withPage(true, async (page, base) => {
    await page.goto(`${base}/web/test/blank.html`);
    const r = await page.evaluate(async () => {
      // deno-lint-ignore no-explicit-any
      const scif: any = await import("/web/scif.js");
      const net = await scif.createNetwork({ nodes: 2, memoryBytes: 16 << 20 });
      const host = await net.node(0);
      const card = new Worker("/web/card_worker.js", { type: "module" });
      await new Promise<void>((resolve, reject) => {
        card.onmessage = (e) => e.data.ready ? resolve() : reject(new Error(e.data.error));
        card.postMessage({ handle: net.handle(1) });
      });
      const ep = host.open();
      await ep.connect({ node: 1, port: 2000 });
      const text = new TextEncoder().encode("from a page");
      const req = new Uint8Array(3 + text.length); // OP_HELLO, u16 length (big-endian), text
      req[0] = 1;
      new DataView(req.buffer).setUint16(1, text.length);
      req.set(text, 3);
      await ep.send(req);
      const head = new Uint8Array(2);
      await ep.recv(head);
      const body = new Uint8Array(new DataView(head.buffer).getUint16(0));
      await ep.recv(body);
      let error = "";
      try {
        await host.open().connect({ node: 7, port: 2000 });
      } catch (e) {
        error = `${(e as { code: string }).code} ${(e as { errno: number }).errno} ${
          e instanceof scif.ScifError
        }`;
      }
      card.terminate();
      await host.close();
      await net.close();
      return {
        reply: new TextDecoder().decode(body),
        error,
        isolated: (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated,
      };
    });
    assertEquals(r, {
      reply: 'card 1 got "from a page" from node 0',
      error: "ENODEV 19 true",
      isolated: true,
    });
  });
});
