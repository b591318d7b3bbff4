// A side of the lab (lab/_side.ts) in a process of its own: its commands come as lines of
// JSON on stdin, its answers go as lines of JSON to stdout. It runs on the machine's emulated
// network (SCIF_EMU_DIR names the rendezvous directory).
import { type LabCommand, labCommand } from "./_side.ts";

const encoder = new TextEncoder();
const post = (m: unknown) => Deno.stdout.writeSync(encoder.encode(`${JSON.stringify(m)}\n`));

let rest = "";
for await (const text of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
  rest += text;
  let nl;
  while ((nl = rest.indexOf("\n")) >= 0) {
    const c = JSON.parse(rest.slice(0, nl)) as LabCommand;
    rest = rest.slice(nl + 1);
    // Commands run one at a time, in order, as in a Worker whose controller waits for each.
    await labCommand(c, post);
    if (c.cmd === "close") Deno.exit(0);
  }
}
