// The page in a real browser: Debian's headless Chromium opens it (through the token login),
// runs its script against the running agent, and the DOM it dumps must show every configured
// channel with its value and a drawn trend plot (a line, the flagged stretches shaded). A
// screenshot is kept in test-artifacts/web-page.png. Skipped with the reason where Chromium is missing.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../helpers/station.js";
import { startWebStation, type WebStation } from "./fixture.js";

const CHROMIUM = ["chromium", "chromium-browser"].find((c) => !spawnSync(c, ["--version"], { encoding: "utf8" }).error);
const skip = CHROMIUM ? false : "chromium not installed (apt-get install chromium)";
if (skip) console.log(`# browser tests skipped: ${skip}`);
const run = promisify(execFile);
const ARTIFACTS = join(import.meta.dirname, "../../../test-artifacts");
const TOKEN = "browser-test-token-0123456789";

let st: WebStation;
let profile: { dir: string; cleanup: () => void };

/**
 * One headless Chromium run; the page's first poll is done well inside the virtual time budget.
 * Asynchronous: the agent serving the page runs in this very process.
 */
async function chromium(url: string, ...args: string[]): Promise<string> {
  const args_ = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
    `--user-data-dir=${profile.dir}`, "--virtual-time-budget=4000", "--hide-scrollbars", ...args, url];
  try {
    const { stdout } = await run(CHROMIUM!, args_, { encoding: "utf8", timeout: 90_000, maxBuffer: 32 << 20 });
    return stdout;
  } catch (err) {
    assert.fail(`chromium failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`);
  }
}

before(async () => {
  if (skip) return;
  profile = tempDir("station-chromium-");
  st = await startWebStation({ token: TOKEN, historyHours: 24 });
});
after(async () => {
  await st?.stop();
  profile?.cleanup();
});

test("the page loads in Chromium and shows every configured channel with its value and a drawn trend", { skip }, async () => {
  const dom = await chromium(`${st.url}/?token=${TOKEN}`, "--dump-dom");
  assert.match(dom, /<body[^>]*data-ready="1"/, "the script ran");
  assert.doesNotMatch(dom, /Cannot reach the agent/);
  assert.match(dom, /<h1 id="station">Test station<\/h1>/);
  for (const ch of st.channels) {
    const card = new RegExp(`<article class="card" data-channel="${ch}">([\\s\\S]*?)</article>`).exec(dom);
    assert.ok(card, `a card for ${ch}`);
    assert.match(card[1], /<span class="value">-?\d/, `${ch} shows a value`);
    const points = Number(/data-points="(\d+)"/.exec(card[1])?.[1]);
    assert.ok(points > 1000, `${ch}: ${points} minute values plotted of the 24 h seeded`);
    assert.match(card[1], /<path class="line" d="M[\d.]+ [\d.]+L/, `${ch}: a line drawn`);
    for (const f of ["M", "C", "B"]) assert.match(card[1], new RegExp(`<rect class="shade s-${f}" data-flag="${f}"`), `${ch}: ${f} stretch shaded`);
  }
  assert.match(dom, /data-platform="local"[\s\S]*?connected/);
  assert.match(dom, /data-platform="ops"[\s\S]*?down/);
  assert.match(dom, /comms-lost th/);
  assert.match(dom, /maintenance\.on/);
});

test("a screenshot of the page is kept as a test artefact", { skip }, async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, "web-page.png");
  await chromium(`${st.url}/?token=${TOKEN}`, "--window-size=1280,1700", `--screenshot=${file}`);
  assert.deepEqual([...readFileSync(file).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "a PNG");
  assert.ok(statSync(file).size > 20_000, "with something drawn in it");
});
