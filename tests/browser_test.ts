// The emulated network in real browsers: Debian's Chromium and Debian's Firefox ESR, headless
// (tools/_browser.ts drives them; never a downloaded browser). One test per browser, which
// launches it once and runs each check as a step in a page of its own: the conformance suite
// in the page with its nodes in Web Workers, the demo page to the end, a page without
// cross-origin isolation says so, web/dist/scif.js imports into a page and a Worker. The
// repository is served by web/serve.ts. Screenshots go to out/browser/<browser>-*.png.
import { assert, assertEquals, assertMatch } from "@std/assert";
import {
  type Browser,
  type BrowserName,
  type BrowserPage,
  BROWSERS,
  launchBrowser,
  type PageDocument,
  runDemo,
  runSuite,
  withServer,
} from "../tools/_browser.ts";
import { buildTests } from "../tools/build_web.ts";

const root = new URL("../", import.meta.url);
const shots = new URL("out/browser/", root).pathname;
const suiteDir = new URL("out/web-test/", root).pathname;

/** Runs `fn` in a fresh page of `browser`; fails on any uncaught error in the page. */
async function inPage(browser: Browser, fn: (page: BrowserPage) => Promise<void>): Promise<void> {
  const page = await browser.newPage();
  try {
    await fn(page);
    assertEquals(page.errors, [], "no uncaught error in the page");
  } finally {
    await page.close();
  }
}

/** The text of the elements that `selector` finds in the page. */
function texts(page: BrowserPage, selector: string): Promise<string[]> {
  return page.evaluate(
    (s) =>
      [...(globalThis as unknown as { document: PageDocument }).document.querySelectorAll(s)].map((e) =>
        e.innerText
      ),
    selector,
  );
}

async function conformanceSuite(browser: Browser, page: BrowserPage): Promise<void> {
  const results = await withServer(true, (base) => runSuite(page, base, { timeoutMs: 300_000 }));
  await page.screenshot(`${shots}${browser.name}-suite.png`);
  const failed = results.filter((r) => !r.ok);
  const tests = results.filter((r) => !r.name.includes(" > "));
  console.log(
    `  in ${browser.version}: ${tests.length} tests, ${
      results.length - tests.length
    } steps, ${failed.length} failed`,
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
      "abort:",
      "idioms:",
      "node events:",
    ]
  ) {
    assert(tests.some((t) => t.name.startsWith(`[emu] ${part}`)), `no "${part}" test ran`);
  }
  const others = tests.filter((t) => !t.name.startsWith("[emu] ")).map((t) => t.name);
  assertEquals(others, [], "only the emulated backend exists in a browser");
  assert(tests.length >= 35, `only ${tests.length} tests ran`);
}

async function demoPage(browser: Browser, page: BrowserPage): Promise<void> {
  const s = await withServer(
    true,
    (base) => runDemo(page, base, { cards: 3, timeoutMs: 240_000, brief: true }),
  );
  await page.screenshot(`${shots}${browser.name}-demo.png`);
  assertEquals(s.status, "done", s.error);
  assertEquals(s.nodes.map((n) => [n.id, n.role]), [[0, "host"], [1, "card"], [2, "card"], [3, "card"]]);
  assertEquals(s.nodes.map((n) => n.runsIn), ["this page (main thread)", ...Array(3).fill("a Web Worker")]);
  s.greetings.forEach((g, i) =>
    assertEquals(g, `card ${i + 1} got "hello card ${i + 1}, this is the host" from node 0`)
  );
  assertEquals(s.rmaOk, [true, true, true]);
  for (const us of s.pingUs) assert(us > 0 && us < 1000, `ping ${us} µs`);
  const f = s.figures;
  const us = f.roundTripUs;
  console.log(
    `  in ${browser.version}: 8-byte round trip between two Workers: raw ${us.raw.toFixed(3)} µs, send/recv ${
      us.sendrecv.toFixed(3)
    } µs (${(us.sendrecv / us.raw).toFixed(2)}x raw), mmap ${us.mmap.toFixed(3)} µs, postMessage ${
      us.postMessage.toFixed(1)
    } µs; demo in ${s.seconds.toFixed(0)} s`,
  );
  assertEquals(Object.keys(f.bandwidthGBps).sort(), ["memcpy", "readFrom", "stream", "writeTo"]);
  for (const v of Object.values(f.bandwidthGBps)) {
    assertEquals(v.length, f.sizes.length);
    assert(v.every((x) => x > 0 && Number.isFinite(x)));
  }
  assertEquals(Object.keys(us).sort(), ["mmap", "postMessage", "raw", "sendrecv"]);
  // Figures, not a timed test (a loaded machine may make any of them slow): printed above,
  // judged by the benchmarks; here they only have to be measurements.
  assert(Object.values(us).every((x) => x > 0 && Number.isFinite(x)), JSON.stringify(us));
  assert(f.crowded.bytesPerIdleConnection >= 512 * 1024);
  // The chart and the tables are in the page.
  assertEquals((await texts(page, "#chart svg polyline")).length, 4);
  assertEquals((await texts(page, "#latency tbody tr")).length, 5);
  assertEquals((await texts(page, "#goals tbody tr")).length, f.goals.length);
  assertMatch((await texts(page, "#progress"))[0], /^done in \d+ s$/);
}

async function notIsolated(page: BrowserPage): Promise<void> {
  await withServer(false, async (base) => {
    await page.goto(`${base}/web/`);
    await page.waitFor(
      () => (globalThis as unknown as { scifDemo?: { status: string } }).scifDemo?.status === "not isolated",
      30_000,
    );
    const [warning] = await page.evaluate(() =>
      [...(globalThis as unknown as { document: PageDocument }).document.querySelectorAll("#isolation")].map((
        e,
      ) => ({
        hidden: e.hidden,
        text: e.innerText,
      }))
    );
    assert(!warning.hidden, "the warning is shown");
    assertMatch(warning.text, /not cross-origin isolated/);
    assertMatch(warning.text, /deno task serve/);
  });
}

async function importsScifJs(page: BrowserPage): Promise<void> {
  const r = await withServer(true, async (base) => {
    await page.goto(`${base}/web/test/blank.html`);
    return await page.evaluate(async () => {
      // deno-lint-ignore no-explicit-any
      const scif: any = await import("/web/dist/scif.js");
      const net = await scif.createNetwork({ nodes: 2, memoryBytes: 16 << 20 });
      const host = await net.node(0);
      const card = new Worker("/web/dist/card_worker.js", { type: "module" });
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
  });
  assertEquals(r, { reply: 'card 1 got "from a page" from node 0', error: "ENODEV 19 true", isolated: true });
}

let built: Promise<void> | undefined; // the suite's bundles, built once for both browsers

for (const name of BROWSERS) {
  Deno.test(`[${name}] browser: the suite, the demo page, a page without isolation, web/dist/scif.js`, async (t) => {
    await (built ??= buildTests(suiteDir));
    await Deno.mkdir(shots, { recursive: true });
    const browser = await launchBrowser(name as BrowserName);
    try {
      await t.step(
        "the conformance suite passes, nodes in Web Workers",
        () => inPage(browser, (page) => conformanceSuite(browser, page)),
      );
      await t.step(
        "the demo page runs the host and 3 cards, the exchanges and the measurements",
        () => inPage(browser, (page) => demoPage(browser, page)),
      );
      await t.step(
        "a page that is not cross-origin isolated says so instead of failing",
        () => inPage(browser, notIsolated),
      );
      await t.step(
        "web/dist/scif.js imports into a page and into a Web Worker, errors carry errnos",
        () => inPage(browser, importsScifJs),
      );
    } finally {
      await browser.close();
    }
  });
}
