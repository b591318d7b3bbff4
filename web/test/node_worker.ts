/// <reference lib="deno.worker" />
// A node Worker of the browser suite (built to node_worker.js): the scenario modules are part
// of the build, found by the file name of the URL the test asks for.
import "./_polyfills.ts";
import { serveNode } from "../../tests/_node_worker_main.ts";
import * as scenarios from "../../tests/_scenarios.ts";
import * as streamScenarios from "../../tests/_stream_scenarios.ts";
import * as connectErrnoScenarios from "../../tests/_connect_errno_scenarios.ts";
import * as streamErrnoScenarios from "../../tests/_stream_errno_scenarios.ts";
import * as pollErrnoScenarios from "../../tests/_poll_errno_scenarios.ts";
import * as nodeErrnoScenarios from "../../tests/_node_errno_scenarios.ts";
import * as rmaScenarios from "../../tests/_rma_scenarios.ts";
import * as rmaOrderScenarios from "../../tests/_rma_order_scenarios.ts";
import * as machineScenarios from "../../tests/_machine_scenarios.ts";
import * as hostileScenarios from "../../tests/_hostile_scenarios.ts";
import * as abortScenarios from "../../tests/_abort_scenarios.ts";
import * as idiomsScenarios from "../../tests/_idioms_scenarios.ts";

const modules: Record<string, Record<string, unknown>> = {
  "_scenarios.ts": scenarios,
  "_stream_scenarios.ts": streamScenarios,
  "_connect_errno_scenarios.ts": connectErrnoScenarios,
  "_stream_errno_scenarios.ts": streamErrnoScenarios,
  "_poll_errno_scenarios.ts": pollErrnoScenarios,
  "_node_errno_scenarios.ts": nodeErrnoScenarios,
  "_rma_scenarios.ts": rmaScenarios,
  "_rma_order_scenarios.ts": rmaOrderScenarios,
  "_machine_scenarios.ts": machineScenarios,
  "_hostile_scenarios.ts": hostileScenarios,
  "_abort_scenarios.ts": abortScenarios,
  "_idioms_scenarios.ts": idiomsScenarios,
};

serveNode((url) => {
  const m = modules[url.slice(url.lastIndexOf("/") + 1)];
  return m ? Promise.resolve(m) : Promise.reject(new Error(`no scenario module ${url} in the browser build`));
});
