// `station-agent drivers`: the drivers this agent ships, with their channels (unit, default HJ 212
// code), the states they recognise and the flag each gives, and the commands they can send.
// The JSON output is a contract (installers' tools read it):
//   [{id, version, protocol, models, description, channels: [{name, unit, code, description?}],
//     states: [{name, flag}], commands: [{name, kind, …, description?}], fromConfig?}]
import type { Command } from "commander";
import { listDrivers } from "../../drivers/index.js";
import type { CommandDef, Driver } from "../../drivers/types.js";
import { printJson, table } from "./format.js";

export interface DriverCommandInfo {
  name: string;
  /** coil: ON starts, OFF ends (FC05); register: one write (FC06, or FC16 with params); line: a text line. */
  kind: "coil" | "register" | "line";
  fc?: 5 | 6 | 16;
  address?: number;
  value?: number;
  params?: "clock";
  send?: string;
  description?: string;
}

export interface DriverInfo {
  id: string;
  version: number;
  protocol: Driver["protocol"];
  models: string[];
  description: string;
  channels: Array<{ name: string; unit: string; code: string; description?: string }>;
  states: Array<{ name: string; flag: string }>;
  commands: DriverCommandInfo[];
  /** The channels and states come from each analyzer's config (generic-modbus). */
  fromConfig?: boolean;
}

function modbusCommand(name: string, c: CommandDef): DriverCommandInfo {
  if (c.kind === "coil") return { name, kind: "coil", fc: 5, address: c.address, description: c.description };
  return { name, kind: "register", fc: c.params ? 16 : 6, address: c.address, value: c.value, ...(c.params ? { params: c.params } : {}), description: c.description };
}

export function driverInfo(d: Driver): DriverInfo {
  // A state may be signalled at several places (T400 alarm limits 1 and 2): listed once per name and flag.
  const states = [...new Map(d.states.map((s) => [`${s.state}\0${s.flag}`, { name: s.state, flag: s.flag }])).values()];
  const commands =
    d.protocol === "modbus"
      ? Object.entries(d.commands).map(([name, c]) => modbusCommand(name, c))
      : Object.entries(d.commands).map(([name, c]): DriverCommandInfo => ({ name, kind: "line", send: c.send, description: c.description }));
  return {
    id: d.id,
    version: d.version,
    protocol: d.protocol,
    models: d.models,
    description: d.description,
    channels: d.channels.map((c) => ({ name: c.name, unit: c.unit, code: c.code, ...(c.description ? { description: c.description } : {}) })),
    states,
    commands,
    ...(d.protocol === "modbus" && d.fromConfig ? { fromConfig: true } : {}),
  };
}

/** Addresses as the maps write them: small ones in decimal, table addresses in hex (0x1200). */
const addr = (a = 0) => (a >= 0x100 ? `0x${a.toString(16).toUpperCase()}` : String(a));

function describeCommand(c: DriverCommandInfo): string {
  if (c.kind === "line") return `${c.name} (sends ${JSON.stringify(c.send)})`;
  if (c.kind === "coil") return `${c.name} (coil ${addr(c.address)})`;
  return `${c.name} (${addr(c.address)} ← ${c.value}${c.params ? ` + ${c.params}` : ""})`;
}

export function registerDrivers(program: Command): void {
  program
    .command("drivers")
    .description("the instrument drivers: channels, units, codes, states and commands")
    .option("--json", "JSON output")
    .action((opts: { json?: boolean }) => {
      const infos = listDrivers().map(driverInfo);
      if (opts.json) return printJson(infos);
      for (const d of infos) {
        console.log(`${d.id} v${d.version} (${d.protocol}): ${d.description}`);
        console.log(`  models: ${d.models.join(", ")}`);
        if (d.fromConfig) console.log("  channels and states: from the analyzer's registers and states keys");
        else if (d.protocol === "hj212") console.log("  channels: the codes the instrument sends, each with its own flag");
        else
          console.log(
            table(["channel", "unit", "code", "description"], d.channels.map((c) => [c.name, c.unit || null, c.code || null, c.description]))
              .replace(/^/gm, "  "),
          );
        if (d.states.length) console.log(`  states: ${d.states.map((s) => `${s.name} → ${s.flag}`).join(", ")}`);
        if (d.commands.length) console.log(`  commands: ${d.commands.map(describeCommand).join(", ")}`);
        console.log("");
      }
    });
}
