// Deno.test in a browser: the suite's test files register with it when they are evaluated,
// and run() runs them one after another as `deno test` would, steps included. Imported first
// by suite.ts, so that it is in place before any test file is evaluated.
import "./_polyfills.ts";

/** One test's outcome; steps (t.step) are reported as "parent > step". */
export interface TestResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

interface Registered {
  name: string;
  fn: (t: StepContext) => unknown;
  ignore: boolean;
}

/** The part of Deno.TestContext the suite uses. */
interface StepContext {
  name: string;
  step(name: string, fn: (t: StepContext) => unknown): Promise<boolean>;
}

const registered: Registered[] = [];

type TestDefinition = { name: string; fn: (t: StepContext) => unknown; ignore?: boolean };

function test(a: string | TestDefinition, b?: (t: StepContext) => unknown): void {
  const d = typeof a === "string" ? { name: a, fn: b! } : a;
  registered.push({ name: d.name, fn: d.fn, ignore: d.ignore ?? false });
}

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
if (g.Deno === undefined) g.Deno = { test };

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e);
}

/** Runs the registered tests whose names include `filter`; reports each result as it ends. */
export async function run(filter: string, report: (r: TestResult) => void): Promise<TestResult[]> {
  const results: TestResult[] = [];
  const record = (r: TestResult) => {
    results.push(r);
    report(r);
  };
  for (const t of registered) {
    if (t.ignore || !t.name.includes(filter)) continue;
    const t0 = performance.now();
    let failedSteps = 0;
    const context = (name: string): StepContext => ({
      name,
      async step(stepName, fn) {
        const s0 = performance.now();
        const full = `${name} > ${stepName}`;
        try {
          await fn(context(full));
          record({ name: full, ok: true, ms: performance.now() - s0 });
          return true;
        } catch (e) {
          failedSteps++;
          record({ name: full, ok: false, ms: performance.now() - s0, error: describe(e) });
          return false;
        }
      },
    });
    try {
      await t.fn(context(t.name));
      const ok = failedSteps === 0;
      record({ name: t.name, ok, ms: performance.now() - t0, error: ok ? undefined : "a step failed" });
    } catch (e) {
      record({ name: t.name, ok: false, ms: performance.now() - t0, error: describe(e) });
    }
  }
  return results;
}
