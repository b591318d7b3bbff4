/// <reference lib="dom" />
// The conformance suite in a browser (built to suite.js by tools/build_web.ts --tests): the
// test files that apply to the emulated network, run by _deno_shim.ts with their nodes in Web
// Workers (node_worker.js). Results are shown in the page and left on
// globalThis.scifTestResults for tests/browser_test.ts. Query: ?filter=text.
import { run, type TestResult } from "./_deno_shim.ts";
import { setNodeWorkerScript } from "../../tests/_cluster.ts";
import "../../tests/connect_test.ts";
import "../../tests/connect_errno_test.ts";
import "../../tests/stream_errno_test.ts";
import "../../tests/poll_errno_test.ts";
import "../../tests/node_errno_test.ts";
import "../../tests/poll_test.ts";
import "../../tests/stream_test.ts";
import "../../tests/rma_test.ts";
import "../../tests/rma_errno_test.ts";
import "../../tests/fence_errno_test.ts";
import "../../tests/node_loss_test.ts";
import "../../tests/abort_test.ts";
import "../../tests/idioms_test.ts";
import "../../tests/node_events_test.ts";

setNodeWorkerScript(new URL("./node_worker.js", import.meta.url));

const out = document.getElementById("results")!;
const g = globalThis as unknown as { scifTestResults?: TestResult[]; scifTestError?: string };
if (!globalThis.crossOriginIsolated) {
  g.scifTestError = "the page is not cross-origin isolated";
  out.textContent = g.scifTestError;
} else {
  const filter = new URLSearchParams(location.search).get("filter") ?? "";
  run(filter, (r) => {
    const li = document.createElement("li");
    li.textContent = `${r.ok ? "ok  " : "FAIL"} ${r.name} (${r.ms.toFixed(0)} ms)${
      r.error ? `\n${r.error}` : ""
    }`;
    li.className = r.ok ? "ok" : "fail";
    out.append(li);
  }).then((results) => {
    g.scifTestResults = results;
    document.title = `${results.filter((r) => r.ok).length} passed, ${
      results.filter((r) => !r.ok).length
    } failed`;
  }, (e) => {
    g.scifTestError = String(e?.stack ?? e);
  });
}
