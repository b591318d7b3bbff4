/**
 * A small file server for the web page (`deno task serve`): serves the repository on
 * 127.0.0.1 with the two headers that make a page cross-origin isolated, which
 * SharedArrayBuffer (the emulated network's memory) needs:
 * `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`.
 * `.ts` files go out as TypeScript, so `deno run http://127.0.0.1:PORT/...` can import the
 * library by URL from it.
 *
 * ```sh
 * deno task serve                 # http://127.0.0.1:8000/web/
 * deno run --allow-net=127.0.0.1 --allow-read web/serve.ts --port 0 --no-isolation
 * ```
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  ts: "application/typescript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  wasm: "application/wasm",
  svg: "image/svg+xml",
  png: "image/png",
  md: "text/markdown; charset=utf-8",
};

/** Options of serveRepository. */
export interface ServeOptions {
  /** Directory served (default: the repository). */
  root?: string;
  /** Port on 127.0.0.1; 0 picks a free one (default 8000). */
  port?: number;
  /** Send the cross-origin isolation headers (default true; false shows the page's warning). */
  isolation?: boolean;
  /** Called once listening, with the port. */
  onListen?: (port: number) => void;
}

/** Serves `root` over HTTP on 127.0.0.1. Shut it down with `server.shutdown()`. */
export function serveRepository(options: ServeOptions = {}): Deno.HttpServer<Deno.NetAddr> {
  const root = (options.root ?? new URL("../", import.meta.url).pathname).replace(/\/$/, "");
  const isolation = options.isolation ?? true;
  return Deno.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 8000,
    onListen: ({ port }) => options.onListen?.(port),
  }, async (req) => {
    const headers = new Headers({ "cache-control": "no-store" });
    if (isolation) {
      headers.set("cross-origin-opener-policy", "same-origin");
      headers.set("cross-origin-embedder-policy", "require-corp");
      headers.set("cross-origin-resource-policy", "same-origin");
    }
    const path = decodeURIComponent(new URL(req.url).pathname);
    if (path === "/") return Response.redirect(new URL("/web/", req.url), 302);
    if (path.split("/").includes("..")) return new Response("bad path", { status: 400, headers });
    let file = `${root}${path}`;
    try {
      if ((await Deno.stat(file)).isDirectory) {
        // Relative URLs in the page resolve against the directory only with its slash.
        if (!path.endsWith("/")) return Response.redirect(new URL(`${path}/`, req.url), 301);
        file = `${file}index.html`;
      }
      const body = await Deno.readFile(file);
      headers.set("content-type", TYPES[file.slice(file.lastIndexOf(".") + 1)] ?? "application/octet-stream");
      return new Response(body, { headers });
    } catch {
      return new Response("not found", { status: 404, headers });
    }
  });
}

if (import.meta.main) {
  const args = parseArgs(Deno.args, {
    string: ["port"],
    boolean: ["isolation"],
    default: { port: "8000", isolation: true },
    negatable: ["isolation"],
  });
  serveRepository({
    port: Number(args.port),
    isolation: args.isolation,
    onListen: (port) => {
      console.log(
        `scif: http://127.0.0.1:${port}/web/ (the demo page)${args.isolation ? "" : " without isolation"}`,
      );
    },
  });
}
