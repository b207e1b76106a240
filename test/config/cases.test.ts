// Regression cases are folders: test/cases/<what>/station.yaml, with an error.txt when the config
// is invalid. Each line of error.txt must appear in the error message, in that order (problems are
// reported first one first). A folder without error.txt holds a config that must load.
// Adding a case is adding a folder.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { EXIT_CONFIG, isConfigError } from "../../config/errors.js";
import { loadConfig } from "../../config/load.js";

const CASES = join(import.meta.dirname, "..", "cases");

const folders = readdirSync(CASES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(CASES, d.name, "station.yaml")))
  .map((d) => d.name)
  .sort();

test("there are regression cases", () => assert.ok(folders.length >= 12));

for (const name of folders) {
  const dir = join(CASES, name);
  const file = relative(process.cwd(), join(dir, "station.yaml"));
  const errorFile = join(dir, "error.txt");

  if (!existsSync(errorFile)) {
    test(`${name}: loads`, () => {
      loadConfig(file);
    });
    continue;
  }

  test(`${name}: fails with the expected message`, () => {
    const expected = readFileSync(errorFile, "utf8").split("\n").filter((l) => l.trim() !== "");
    let caught: unknown;
    try {
      loadConfig(file);
    } catch (err) {
      caught = err;
    }
    assert.ok(isConfigError(caught), `${file} should be rejected with a ConfigError`);
    let from = 0;
    for (const line of expected) {
      const at = caught.message.indexOf(line, from);
      assert.ok(at >= 0, `message should contain (after what came before):\n  ${line}\ngot:\n  ${caught.message.replaceAll("\n", "\n  ")}`);
      from = at + line.length;
    }
    // The first problem is the error's own place, so callers that look at one problem get the first.
    assert.equal(caught.file, file);
    assert.ok(caught.line !== undefined && caught.line >= 1);
  });
}

test("EX_CONFIG is 78", () => assert.equal(EXIT_CONFIG, 78));
