// The door contact puts the station in maintenance (M) while open, audited; closing the door ends
// only the maintenance the door started. The pins are a stand-in: no GPIO exists off a Pi.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Agent } from "../../../agent/main.js";
import { silentLogger } from "../../../agent/log.js";
import type { GpioClass, GpioPin } from "../../../agent/health/gpio.js";
import { demoLikeConfig, freePort, tempDir, waitFor } from "../../helpers/station.js";

const pins = new Map<number, FakePin>();
class FakePin implements GpioPin {
  value: 0 | 1 = 0;
  watcher: ((err: Error | null | undefined, v: 0 | 1) => void) | null = null;
  constructor(readonly pin: number) {
    pins.set(pin, this);
  }
  readSync() {
    return this.value;
  }
  writeSync(v: 0 | 1) {
    this.value = v;
  }
  watch(cb: (err: Error | null | undefined, v: 0 | 1) => void) {
    this.watcher = cb;
  }
  unexport() {}
  static accessible = true;
}

test("door open → station maintenance (audited); door closed → ends it, unless a technician started it", { timeout: 30_000 }, async () => {
  const { dir, cleanup } = tempDir();
  const loaded = demoLikeConfig({ dir, simPort: await freePort(), platformPort: await freePort() });
  loaded.config.gpio = { door: { pin: 17, open_level: 1, debounce_ms: 0 }, relays: [] };
  const agent = new Agent(loaded, { log: silentLogger, control: false, loadGpio: async () => FakePin as unknown as GpioClass });
  const door = () => pins.get(17)!;
  const open = () => agent.qc.store.windows({ kind: "maintenance", open: true });
  try {
    await agent.start();
    assert.deepEqual(open(), [], "door closed at start: no maintenance");
    door().watcher!(null, 1);
    await waitFor(() => open().length === 1, 2000, "maintenance on");
    assert.equal(open()[0].analyzer, null, "the whole station");
    assert.equal(open()[0].actor, "door-contact");
    door().watcher!(null, 0);
    await waitFor(() => open().length === 0, 2000, "maintenance off");
    const actions = agent.audit.list().map((e) => `${e.action}:${e.actor}`);
    assert.ok(actions.includes("maintenance.on:door-contact") && actions.includes("maintenance.off:door-contact"), actions.join(" "));

    // A technician's maintenance is not ended by the door.
    const { maintenanceOn } = await import("../../../agent/qc/actions.js");
    maintenanceOn({ db: agent.readings.database, qc: agent.qc.store, audit: agent.audit, analyzers: ["o3"], markDirty: () => {} }, { analyzer: null, reason: "lamp change", actor: "alice" });
    door().watcher!(null, 1);
    door().watcher!(null, 0);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(open().length, 1);
    assert.equal(open()[0].actor, "alice");
  } finally {
    await agent.stop();
    cleanup();
  }
});
