/// <reference lib="deno.worker" />
// A node Worker of tests/_cluster.ts in Deno: scenario modules are imported by their URL.
import { serveNode } from "./_node_worker_main.ts";

serveNode((module) => import(module));
