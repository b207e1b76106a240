// The Node-RED side of the side-by-side benchmark, as data: a station config turned into the flow a
// do-it-yourself station would build with node-red-contrib-modbus, and the settings.js it runs with.
// Pure (no I/O), so the flow can be checked without Node-RED installed.
//
// Each analyzer is read the way our poller reads it: agent/bus/readings.ts plans the requests
// (for a T400, FC02 9..26 and FC04 0..23 and 38..45), and every request becomes one modbus-read
// node polling at the analyzer's interval, all on one modbus-client (one TCP connection to the
// gateway, as a station with one Modbus TCP gateway has). The contrib's defaults are kept, except
// the timeout, which is set to the bus's timeout_ms so both sides wait as long for a silent slave.
// A function node decodes the floats (what any flow must do before using a value) and counts, per
// request, good reads and values decoded; GET /bench/counts returns the counts.
import type { StationConfig } from "../config/schema.js";
import { getModbusDriver } from "../drivers/index.js";
import { planAnalyzer } from "../agent/bus/readings.js";

/** Per request topic (`analyzer:fc:address`): the register offsets of the float32 values it carries. */
export type FloatOffsets = Record<string, number[]>;

export interface NodeRedFlow {
  flows: object[];
  /** Every read node's topic, with its analyzer. */
  reads: Array<{ topic: string; analyzer: string }>;
  floats: FloatOffsets;
}

const DATA_TYPE = { 1: "Coil", 2: "Input", 3: "HoldingRegister", 4: "InputRegister" } as const;

/** What the counting function node runs (Node-RED function body; `FLOATS` is substituted). */
const DECODE_AND_COUNT = `
const offsets = FLOATS[msg.topic] || [];
const words = msg.payload;
const buf = Buffer.alloc(words.length * 2);
for (let i = 0; i < words.length; i++) buf.writeUInt16BE(words[i] & 0xffff, i * 2);
msg.payload = offsets.map((o) => buf.readFloatBE(o * 2));
const counts = flow.get("counts") || {};
const c = counts[msg.topic] || (counts[msg.topic] = { reads: 0, values: 0 });
c.reads += 1;
c.values += offsets.length;
flow.set("counts", counts);
return msg;`;

export function nodeRedFlow(config: StationConfig, busId: string): NodeRedFlow {
  const bus = config.buses.find((b) => b.id === busId);
  if (!bus || bus.type !== "tcp") throw new Error(`bus ${busId}: the Node-RED benchmark needs a Modbus TCP bus`);
  let next = 1;
  const id = () => (next++).toString(16).padStart(16, "0");
  const tab = id();
  const client = id();
  const decode = id();
  const httpIn = id();
  const answer = id();
  const httpOut = id();
  const reads: NodeRedFlow["reads"] = [];
  const floats: FloatOffsets = {};
  const readNodes: object[] = [];
  for (const a of config.analyzers.filter((x) => x.bus === busId && x.enabled !== false)) {
    const driver = getModbusDriver(a.driver);
    if (!driver) throw new Error(`analyzer ${a.id}: the Node-RED benchmark needs a Modbus driver, not "${a.driver}"`);
    for (const r of planAnalyzer(a, driver).requests) {
      const topic = `${a.id}:${r.fc}:${r.address}`;
      reads.push({ topic, analyzer: a.id });
      floats[topic] = r.items.flatMap((it) => (it.kind === "field" && it.field.type === "float32" ? [it.address - r.address] : []));
      readNodes.push({
        id: id(), type: "modbus-read", z: tab, name: topic, topic, unitid: String(a.slave), dataType: DATA_TYPE[r.fc],
        adr: String(r.address), quantity: String(r.count), rate: String(a.interval_s), rateUnit: "s",
        delayOnStart: false, startDelayTime: "", server: client, useIOFile: false, ioFile: "", useIOForPayload: false,
        emptyMsgOnFail: false, showStatusActivities: false, logIOActivities: false, showErrors: false, showWarnings: true,
        enableDeformedMessages: false, x: 150, y: 40 + 40 * readNodes.length, wires: [[decode], []],
      });
    }
  }
  const flows = [
    { id: tab, type: "tab", label: "station", disabled: false },
    {
      id: client, type: "modbus-client", name: "gateway", clienttype: "tcp", bufferCommands: true, stateLogEnabled: false,
      queueLogEnabled: false, failureLogEnabled: true, tcpHost: bus.host, tcpPort: String(bus.port), tcpType: "DEFAULT",
      serialPort: "/dev/ttyUSB", serialType: "RTU-BUFFERD", serialBaudrate: "9600", serialDatabits: "8", serialStopbits: "1",
      serialParity: "none", serialConnectionDelay: "100", serialAsciiResponseStartDelimiter: "0x3A", unit_id: "1",
      commandDelay: "1", clientTimeout: String(bus.timeout_ms), reconnectOnTimeout: true, reconnectTimeout: "2000",
      parallelUnitIdsAllowed: true, showErrors: false, showWarnings: true, showLogs: true,
    },
    ...readNodes,
    {
      id: decode, type: "function", z: tab, name: "decode and count", func: DECODE_AND_COUNT.replace("FLOATS", JSON.stringify(floats)),
      outputs: 1, timeout: 0, noerr: 0, initialize: "", finalize: "", libs: [], x: 450, y: 40, wires: [[]],
    },
    { id: httpIn, type: "http in", z: tab, name: "", url: "/bench/counts", method: "get", upload: false, swaggerDoc: "", x: 150, y: 20, wires: [[answer]] },
    { id: answer, type: "function", z: tab, name: "counts", func: 'msg.payload = flow.get("counts") || {};\nreturn msg;', outputs: 1, x: 350, y: 20, wires: [[httpOut]] },
    { id: httpOut, type: "http response", z: tab, name: "", statusCode: "", headers: {}, x: 550, y: 20, wires: [] },
  ];
  return { flows, reads, floats };
}

/** settings.js for a headless run: loopback only, no editor or admin API, nothing fetched from outside. */
export function nodeRedSettings(port: number): string {
  const settings = {
    uiHost: "127.0.0.1",
    uiPort: port,
    httpAdminRoot: false,
    httpNodeRoot: "/",
    flowFile: "flows.json",
    credentialSecret: false,
    logging: { console: { level: "warn", metrics: false, audit: false } },
    diagnostics: { enabled: false },
    runtimeState: { enabled: false },
    telemetry: { enabled: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
    editorTheme: { projects: { enabled: false } },
  };
  return `module.exports = ${JSON.stringify(settings, null, 2)};\n`;
}
