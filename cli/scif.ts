/**
 * `scif`: the command-line tool of scif for Deno. Each command is a program on this machine's
 * SCIF network, on node 0 (the host) unless --node says otherwise: the hardware when
 * /dev/scif exists and --allow-ffi is given, else the emulated network shared by every
 * process (see README).
 *
 * ```sh
 * deno task scif nodes                      # the node table
 * deno task scif echo 2007                  # answer pings (and anything else) on port 2007
 * deno task scif ping 1 --count 1000        # round trips to node 1's echo port
 * deno task scif listen 3000 > out.bin      # one connection: the peer's bytes to stdout
 * deno task scif connect 0:3000 < in.bin    # stdin to the peer
 * deno task scif bench --quick              # the demo's chart and latency table
 * deno task scif key                        # the key of this machine's links, to copy to others
 * deno task scif stats --watch              # bytes and messages per node and program, refreshed
 * deno task scif node down 2                # take card 2 down (a reset) while programs run; up again
 * deno task scif faults set --seed 1 --dma-fail 0.1   # a fault plan for every program; faults clear
 * deno install -g -A -n scif cli/scif.ts    # then: scif nodes
 * ```
 *
 * Exit status: 0 on success; the Linux errno number when a SCIF call fails (the message names
 * it, e.g. 111 for ECONNREFUSED, 104 for ECONNRESET when the peer went away before `scif
 * connect` had sent all of stdin); 64 for a usage error (an unknown option too).
 *
 * @module
 */
import { ScifError } from "../mod.ts";
import { networkKey } from "../emu/machine.ts";
import { out, parse, UsageError } from "./_args.ts";
import { HELP } from "./_help.ts";
import { hotplug, nodes, stats } from "./_nodes.ts";
import { faults } from "./_faults.ts";
import { connect, echo, listen, ping } from "./_stream.ts";

const EX_USAGE = 64;

function key(): void {
  const { key, path } = networkKey();
  out(key);
  console.error(
    `scif key: from ${path}; give every machine of the network this key (SCIF_EMU_KEY=<key>, or a copy of the file)`,
  );
}

async function bench(argv: string[]): Promise<void> {
  const demo = new URL("../demo/main.ts", import.meta.url).href;
  // The demo's own config: its one npm package, not the tools' (deno installs every package
  // of the lock it runs with).
  const config = new URL("../demo/deno.json", import.meta.url);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...(config.protocol === "file:" ? ["--config", config.pathname] : []), demo, ...argv],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) Deno.exit(code);
}

/** Runs `scif` with `argv`; resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [command = "", ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help" || command === "") {
    out(HELP[""]);
    return command === "" ? EX_USAGE : 0;
  }
  if (!(command in HELP)) {
    console.error(`scif: unknown command "${command}"\n\n${HELP[""]}`);
    return EX_USAGE;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    out(HELP[command]);
    return 0;
  }
  try {
    if (command === "bench") {
      await bench(rest);
      return 0;
    }
    const { pos, opt } = parse(command, rest);
    const most = command === "nodes" || command === "key" || command === "stats"
      ? 0
      : command === "node"
      ? 2
      : 1;
    if (pos.length > most) throw new UsageError(`unexpected argument ${pos[most]}`);
    if (command === "nodes") await nodes(opt);
    else if (command === "key") key();
    else if (command === "stats") await stats(opt);
    else if (command === "echo") await echo(pos, opt);
    else if (command === "ping") await ping(pos, opt);
    else if (command === "listen") await listen(pos, opt);
    else if (command === "connect") await connect(pos, opt);
    else if (command === "node") await hotplug(pos);
    else if (command === "faults") await faults(pos, opt);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`scif ${command}: ${e.message}\n\n${HELP[command]}`);
      return EX_USAGE;
    }
    if (e instanceof ScifError) {
      console.error(`scif ${command}: ${e.message} (errno ${e.errno})`);
      return e.errno;
    }
    console.error(`scif ${command}: ${(e as Error).stack ?? e}`);
    return 70;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
