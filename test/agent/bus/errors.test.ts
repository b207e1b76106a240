// agent/bus/errors.ts: typed errors with markers and context, and open failures that say what to do.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BusClosedError, DeviceTimeoutError, ModbusExceptionError, PortOpenError, classifyOpenError } from "../../../agent/bus/errors.js";
import { createTransport } from "../../../agent/bus/transport.js";
import { openPtyPair, socatMissing } from "../../helpers/pty.js";

test("errors carry a marker field and where they happened", () => {
  const t = new DeviceTimeoutError({ bus: "rs485", slave: 3, fc: 4, address: 18, timeoutMs: 500 });
  assert.equal(t.timeout, true);
  assert.deepEqual([t.bus, t.slave, t.fc, t.address], ["rs485", 3, 4, 18]);
  assert.match(t.message, /bus rs485 slave 3 FC4 @18 within 500 ms/);
  const x = new ModbusExceptionError({ bus: "rs485", slave: 3, code: 2 });
  assert.equal(x.exception, true);
  assert.equal(x.code, 2);
  assert.equal(x.retryable, false);
  assert.equal(new ModbusExceptionError({ bus: "b", slave: 1, code: 6 }).retryable, true);
  assert.match(x.message, /illegal data address/);
  const c = new BusClosedError({ bus: "tcp1" }, { cause: new Error("x") });
  assert.equal(c.closed, true);
  assert.ok(c.cause instanceof Error);
});

// Messages as node-serialport (bindings-cpp) and node:net produce them.
const classified: Array<[unknown, string]> = [
  [new Error("Error: Permission denied, cannot open /dev/ttyUSB0"), "permission"],
  [Object.assign(new Error("x"), { code: "EACCES" }), "permission"],
  [new Error("Error Resource temporarily unavailable Cannot lock port"), "busy"],
  [new Error("Error: No such file or directory, cannot open /dev/ttyUSB9"), "missing"],
  [Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }), "refused"],
  [new Error("something else"), "other"],
];
for (const [err, reason] of classified)
  test(`classifyOpenError: ${(err as Error).message} → ${reason}`, () => assert.equal(classifyOpenError(err), reason));

test("permission denied tells the installer about the dialout group", () => {
  const e = new PortOpenError({ bus: "rs485", target: "/dev/ttyUSB0", reason: "permission" });
  assert.equal(e.portOpen, true);
  assert.match(e.message, /dialout/);
});

test("a missing serial device is a PortOpenError, and the transport keeps trying until closed", async () => {
  const t = createTransport({ id: "rs485", type: "rtu", path: "/dev/does-not-exist-station-agent", baud: 9600, parity: "none", data_bits: 8, stop_bits: 1, timeout_ms: 100 });
  await assert.rejects(t.open(), (e: unknown) => e instanceof PortOpenError && e.reason === "missing" && e.bus === "rs485");
  await assert.rejects(t.read(1, 4, 0, 1, 100), (e: unknown) => e instanceof BusClosedError);
  await t.close();
});

test("a refused TCP connection is a PortOpenError", async () => {
  const t = createTransport({ id: "tcp1", type: "tcp", host: "127.0.0.1", port: 1, timeout_ms: 100 });
  await assert.rejects(t.open(), (e: unknown) => e instanceof PortOpenError && e.reason === "refused");
  await t.close();
});

test("a serial port already in use is reported as busy", { skip: socatMissing() ?? false }, async () => {
  const pty = await openPtyPair();
  const bus = { id: "rs485", type: "rtu", path: pty.b, baud: 9600, parity: "none", data_bits: 8, stop_bits: 1, timeout_ms: 100 } as const;
  const first = createTransport(bus);
  const second = createTransport(bus);
  try {
    await first.open();
    await assert.rejects(second.open(), (e: unknown) => e instanceof PortOpenError && e.reason === "busy" && /in use/.test(e.message));
  } finally {
    await second.close();
    await first.close();
    await pty.close();
  }
});

test("close() ends a request in flight at once with BusClosedError", async () => {
  const { SimulatedDevice, serveTcp } = await import("../../../drivers/simulate.js");
  const { getModbusDriver } = await import("../../../drivers/index.js");
  const dead = new SimulatedDevice(getModbusDriver("teledyne-t400")!);
  dead.dead(true);
  const server = await serveTcp(new Map([[1, dead]]), { host: "127.0.0.1", port: 0 });
  const t = createTransport({ id: "tcp1", type: "tcp", host: "127.0.0.1", port: server.port, timeout_ms: 100 });
  try {
    await t.open();
    const started = Date.now();
    const pending = t.read(1, 4, 18, 2, 5000);
    setTimeout(() => void t.close(), 50);
    await assert.rejects(pending, (e: unknown) => e instanceof BusClosedError && e.closed);
    assert.ok(Date.now() - started < 1000);
  } finally {
    await t.close();
    await server.close();
  }
});
