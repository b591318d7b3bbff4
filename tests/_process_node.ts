// A node of tests/_processes.ts in a process of its own: it joins the machine's emulated
// network with openNode() (SCIF_EMU_DIR and the rest come from the environment) and serves the
// test's messages, one line of JSON each way on stdin and stdout. It exits once its node closed.
import { serveNode } from "./_node_worker_main.ts";

const encoder = new TextEncoder();

serveNode((module) => import(module), {
  post(m) {
    Deno.stdout.writeSync(encoder.encode(`${JSON.stringify(m)}\n`));
    if ((m as { type: string }).type === "closed") Deno.exit(0);
  },
  async listen(on) {
    let rest = "";
    for await (const text of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
      rest += text;
      let nl;
      while ((nl = rest.indexOf("\n")) >= 0) {
        on(JSON.parse(rest.slice(0, nl)));
        rest = rest.slice(nl + 1);
      }
    }
  },
});
