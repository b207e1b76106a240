// GPIO: the real `onoff` on this machine (no GPIO: the feature must switch itself off cleanly),
// and a stand-in for the pins, the one part that cannot exist off a Raspberry Pi.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BLINK, ledPattern, shouldPowerCycle, StationGpio, type GpioClass, type GpioPin } from "../../../agent/health/gpio.js";
import { createLogger } from "../../../agent/log.js";
import { gpioSchema } from "../../../config/schema-field.js";
import { waitFor } from "../../helpers/station.js";

const cfg = gpioSchema.parse({ door: { pin: 17 }, led: { pin: 27 }, relays: [{ analyzer: "o3", pin: 22, after_min: 1, off_s: 1 }] });

function capture() {
  const lines: string[] = [];
  return { lines, log: createLogger({ level: "debug", write: (l) => lines.push(l) }) };
}

test("without GPIO hardware: one clear log line, feature off, nothing else happens", async () => {
  const { Gpio } = await import("onoff");
  if (Gpio.accessible) return; // on a real Pi this path cannot be shown
  const { lines, log } = capture();
  let doors = 0;
  const g = new StationGpio(cfg, { log, onDoor: () => doors++ });
  await g.start();
  assert.equal(g.available, false);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /no GPIO on this machine.*door contact, status LED and relays are off/);
  assert.equal(doors, 0);
  g.stop();
});

test("no gpio section: GPIO is not even loaded", async () => {
  const { lines, log } = capture();
  const g = new StationGpio(undefined, { log }, async () => {
    throw new Error("must not load");
  });
  await g.start();
  assert.deepEqual(lines, []);
});

test("LED pattern: uplink down beats a silent analyzer; every pattern is on/off pairs", () => {
  assert.equal(ledPattern({ analyzersFailing: 0, platformsDown: 0 }), "ok");
  assert.equal(ledPattern({ analyzersFailing: 2, platformsDown: 0 }), "comms-fault");
  assert.equal(ledPattern({ analyzersFailing: 2, platformsDown: 1 }), "uplink-down");
  for (const seq of Object.values(BLINK)) assert.equal(seq.length % 2, 0);
});

const MIN = 60_000;
for (const [name, lastOk, lastCycle, now, want] of [
  ["answered lately", 9 * MIN, null, 10 * MIN, false],
  ["silent for the limit", 0, null, 10 * MIN, true],
  ["never answered since start", null, null, 10 * MIN, true],
  ["cycled recently: wait", 0, 5 * MIN, 10 * MIN, false],
  ["cycled long ago and still silent", 0, 0, 10 * MIN, true],
] as const) {
  test(`power cycle decision: ${name}`, () => assert.equal(shouldPowerCycle(lastOk, lastCycle, 0, 10, now), want));
}

test("with GPIO (stand-in pins): door events, LED output, relay power cycle", async () => {
  const pins = new Map<number, FakePin>();
  class FakePin implements GpioPin {
    value: 0 | 1 = 0;
    writes: (0 | 1)[] = [];
    watcher: ((err: Error | null | undefined, v: 0 | 1) => void) | null = null;
    constructor(readonly pin: number, dir: string) {
      pins.set(pin, this);
      if (dir === "high") this.value = 1;
    }
    readSync() {
      return this.value;
    }
    writeSync(v: 0 | 1) {
      this.value = v;
      this.writes.push(v);
    }
    watch(cb: (err: Error | null | undefined, v: 0 | 1) => void) {
      this.watcher = cb;
    }
    unexport() {}
    static accessible = true;
  }
  const doors: boolean[] = [];
  const cycles: string[] = [];
  const { log } = capture();
  const g = new StationGpio(
    cfg,
    { log, onDoor: (o) => doors.push(o), onPowerCycle: (a) => cycles.push(a), lastOk: () => null, pattern: () => "comms-fault", relayCheckMs: 50 },
    async () => FakePin as unknown as GpioClass,
  );
  await g.start(Date.now() - 2 * MIN);
  try {
    assert.equal(g.available, true);
    assert.deepEqual(doors, [false], "initial state read: closed");
    pins.get(17)!.watcher!(null, 1);
    pins.get(17)!.watcher!(null, 1); // bounce: same level, one event
    pins.get(17)!.watcher!(null, 0);
    assert.deepEqual(doors, [false, true, false]);
    await waitFor(() => pins.get(27)!.writes.length >= 3, 2000, "LED blinking");
    assert.deepEqual(pins.get(27)!.writes.slice(0, 3), [1, 0, 1]);
    // Silent for 2 minutes with a 1-minute limit: one power cycle, power back after off_s.
    await waitFor(() => cycles.length === 1 && pins.get(22)!.value === 0, 2000, "power off");
    await waitFor(() => pins.get(22)!.value === 1, 3000, "power back on");
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(cycles, ["o3"], "not cycled again before the limit passes once more");
  } finally {
    g.stop();
  }
});
