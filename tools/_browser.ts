/**
 * The browsers the project is tested in, behind one small interface: Debian's Chromium (driven
 * by playwright-core) and Debian's Firefox ESR (driven by puppeteer-core over WebDriver BiDi;
 * Playwright cannot drive a stock Firefox). Never a downloaded browser: each is the system's
 * binary, at /usr/bin/chromium and /usr/bin/firefox-esr unless CHROMIUM or FIREFOX names another.
 *
 * A test launches a browser once and opens a fresh page (in a context of its own, so no storage
 * or Web Lock of one page is seen by the next) per check:
 *
 * ```ts
 * const browser = await launchBrowser("firefox");
 * const page = await browser.newPage();
 * await page.goto("http://127.0.0.1:8000/web/");
 * const state = await page.waitFor(() => globalThis.scifDemo?.status === "done", 60_000);
 * await browser.close();
 * ```
 *
 * @module
 */
import { chromium } from "playwright-core";
import puppeteer from "puppeteer-core";
import { serveRepository } from "../web/serve.ts";

/** The browsers of the project's tests. */
export type BrowserName = "chromium" | "firefox";
export const BROWSERS: readonly BrowserName[] = ["chromium", "firefox"];

/** The executable of each browser (Debian's packages). */
export function executableOf(name: BrowserName): string {
  return name === "chromium"
    ? Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium"
    : Deno.env.get("FIREFOX") ?? "/usr/bin/firefox-esr";
}

/** A page of either browser. */
export interface BrowserPage {
  /** Loads `url` (resolves once its load event fired). */
  goto(url: string): Promise<void>;
  /** Runs `fn(arg)` in the page and returns its (JSON-like) value. */
  evaluate<T, A = undefined>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T>;
  /** Calls `fn` in the page every `pollMs` until it returns a truthy value, which it returns;
   * throws after `timeoutMs` with the page's last words (its uncaught errors). */
  waitFor<T>(fn: () => T, timeoutMs: number, pollMs?: number): Promise<NonNullable<T>>;
  /** A PNG of the viewport at `path`. */
  screenshot(path: string): Promise<void>;
  /** The page's uncaught errors so far. */
  readonly errors: readonly string[];
  /** Closes the page and its context. */
  close(): Promise<void>;
}

/** One running browser. */
export interface Browser {
  readonly name: BrowserName;
  /** The browser's product and version, e.g. "Firefox/140.0". */
  readonly version: string;
  /** A fresh page in a fresh context, `width` x `height` CSS pixels. */
  newPage(viewport?: { width: number; height: number }): Promise<BrowserPage>;
  close(): Promise<void>;
}

const DEFAULT_VIEWPORT = { width: 1100, height: 2800 };

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The polling loop of waitFor, over an evaluate (the same for both drivers: their own waits
 * differ in argument order and in what they do with a page that navigates). */
async function poll<T>(
  evaluate: () => Promise<T>,
  errors: readonly string[],
  timeoutMs: number,
  pollMs: number,
): Promise<NonNullable<T>> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = await evaluate();
    if (v) return v as NonNullable<T>;
    if (performance.now() >= end) {
      throw new Error(
        `the page did not get there in ${timeoutMs / 1000} s${
          errors.length ? `; its uncaught errors: ${errors.join("; ")}` : ""
        }`,
      );
    }
    await delay(pollMs);
  }
}

async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: executableOf("chromium"),
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  return {
    name: "chromium",
    version: `Chromium/${browser.version()}`,
    async newPage(viewport = DEFAULT_VIEWPORT) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      return {
        errors,
        async goto(url) {
          await page.goto(url);
        },
        // The drivers' own types of a page function differ; the value is the function's either way.
        evaluate: (fn, arg) => page.evaluate(fn as never, arg as never),
        waitFor: (fn, timeoutMs, pollMs = 250) => poll(() => page.evaluate(fn), errors, timeoutMs, pollMs),
        async screenshot(path) {
          await page.screenshot({ path });
        },
        async close() {
          await context.close();
        },
      };
    },
    close: () => browser.close(),
  };
}

async function launchFirefox(): Promise<Browser> {
  const browser = await puppeteer.launch({
    browser: "firefox",
    protocol: "webDriverBiDi",
    executablePath: executableOf("firefox"),
    headless: true,
    // The viewport is the window's: puppeteer-core's setViewport also sends a screen orientation
    // command that Firefox 140 does not know.
    defaultViewport: null,
    args: [`--window-size=${DEFAULT_VIEWPORT.width},${DEFAULT_VIEWPORT.height}`],
  });
  const version = (await browser.version()).replace(/^firefox\//, "Firefox/");
  return {
    name: "firefox",
    version,
    async newPage(viewport = DEFAULT_VIEWPORT) {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      if (viewport.width !== DEFAULT_VIEWPORT.width || viewport.height !== DEFAULT_VIEWPORT.height) {
        throw new Error("a Firefox page has the window's size (1100 x 2800)");
      }
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      return {
        errors,
        async goto(url) {
          await page.goto(url);
        },
        evaluate: (fn, arg) => page.evaluate(fn as never, arg as never),
        waitFor: (fn, timeoutMs, pollMs = 250) => poll(() => page.evaluate(fn), errors, timeoutMs, pollMs),
        async screenshot(path) {
          await page.screenshot({ path: path as `${string}.png` });
        },
        async close() {
          await context.close();
        },
      };
    },
    close: () => browser.close(),
  };
}

/** Starts browser `name`, headless. */
export function launchBrowser(name: BrowserName): Promise<Browser> {
  return name === "chromium" ? launchChromium() : launchFirefox();
}

/** The part of a page's document that the checks read. A function given to evaluate runs in
 * the page, so it reaches the document through globalThis with this type (this module is
 * typed for Deno, not the DOM). */
export interface PageDocument {
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
}

/** The part of an element that the checks read. */
export interface PageElement {
  readonly textContent: string | null;
  readonly innerText: string;
  readonly hidden: boolean;
}

/** Serves the repository on 127.0.0.1 (with or without cross-origin isolation) and runs
 * `fn` with its base URL; shuts the server down after. */
export async function withServer<T>(isolation: boolean, fn: (base: string) => Promise<T>): Promise<T> {
  const listening = Promise.withResolvers<number>();
  const server = serveRepository({ port: 0, isolation, onListen: (p) => listening.resolve(p) });
  try {
    return await fn(`http://127.0.0.1:${await listening.promise}`);
  } finally {
    await server.shutdown();
  }
}

/** One result of the browser suite (web/test/_deno_shim.ts). */
export interface SuiteResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

/** Runs the browser suite built into out/web-test/ (tools/build_web.ts buildTests) in `page`,
 * the tests whose names include `filter`; its results, or throws when it did not run or did
 * not end within `timeoutMs` (then with the last results it showed). */
export async function runSuite(
  page: BrowserPage,
  base: string,
  options: { filter?: string; timeoutMs?: number } = {},
): Promise<SuiteResult[]> {
  await page.goto(`${base}/out/web-test/?filter=${encodeURIComponent(options.filter ?? "")}`);
  let done: SuiteResult[] | { error: string };
  try {
    done = await page.waitFor(() => {
      const g = globalThis as unknown as { scifTestResults?: SuiteResult[]; scifTestError?: string };
      return g.scifTestResults ?? (g.scifTestError ? { error: g.scifTestError } : undefined);
    }, options.timeoutMs ?? 300_000);
  } catch (e) {
    const shown = await page.evaluate(() =>
      [...(globalThis as unknown as { document: PageDocument }).document.querySelectorAll("#results li")]
        .slice(-3).map((li) => li.textContent)
    );
    throw new Error(`${(e as Error).message}; the last results shown: ${JSON.stringify(shown)}`);
  }
  if (!Array.isArray(done)) throw new Error(`the suite did not run: ${done.error}`);
  return done;
}

/** What the demo page leaves on globalThis.scifDemo (web/demo.ts). */
export interface DemoState {
  status: string;
  error?: string;
  nodes: { id: number; role: string; runsIn: string }[];
  greetings: string[];
  pingUs: number[];
  rmaOk: boolean[];
  figures: {
    machine: string;
    sizes: number[];
    bandwidthGBps: Record<string, number[]>;
    roundTripUs: Record<string, number>;
    roundTripRuns: Record<string, number[]>;
    crowded: { roundTripUs: number; bytesPerIdleConnection: number };
    goals: { name: string; value: number; target: string; met: boolean }[];
  };
  seconds: number;
  /** Added by runDemo: each progress line of the page, and when it came. */
  timeline?: string[];
}

/** Runs the demo page (web/?cards=N; `brief`: one short round of each measurement) in `page`
 * to its end; its state. Throws when it is still running after `timeoutMs`, with the page's
 * progress lines and when each came (the phase that took the time, or the one that hung). */
export async function runDemo(
  page: BrowserPage,
  base: string,
  options: { cards?: number; timeoutMs?: number; brief?: boolean } = {},
): Promise<DemoState> {
  await page.goto(`${base}/web/?cards=${options.cards ?? 3}${options.brief ? "&brief" : ""}`);
  const t0 = performance.now();
  const seen: string[] = [];
  let last = "";
  await poll(
    async () => {
      const [status, progress] = await page.evaluate(() => [
        (globalThis as unknown as { scifDemo?: { status: string } }).scifDemo?.status,
        (globalThis as unknown as { document: PageDocument }).document.querySelectorAll("#progress")[0]
          ?.textContent?.replace(/ \(\d+ s\)$/, ""),
      ]);
      if (progress && progress !== last) {
        last = progress;
        seen.push(`${((performance.now() - t0) / 1000).toFixed(0)} s: ${progress}`);
      }
      return status !== "running";
    },
    page.errors,
    options.timeoutMs ?? 240_000,
    250,
  ).catch((e) => {
    throw new Error(`${(e as Error).message}; the page's progress: ${seen.slice(-8).join(" | ")}`);
  });
  const state = await page.evaluate(() => (globalThis as unknown as { scifDemo: DemoState }).scifDemo);
  return { ...state, timeline: seen };
}
