// Config text → validated StationConfig, or ConfigErrors naming every problem with its line and column.
// No file system access here: load.ts reads the file and resolves paths.
import { LineCounter, parseDocument } from "yaml";
import { crossChecks, type DriverCatalog } from "./checks.js";
import { ConfigError, ConfigErrors } from "./errors.js";
import { describeIssues, type Problem } from "./issues.js";
import { formatPath, Locator } from "./locate.js";
import { configSchema, type StationConfig } from "./schema.js";

/** `file` is only used in messages. Throws ConfigErrors (all problems, in file order). */
export function parseConfig(text: string, file: string, drivers: DriverCatalog): StationConfig {
  const lineCounter = new LineCounter();
  // prettyErrors off: we format positions ourselves and do not want the source excerpt in the message.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigErrors(
      doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return new ConfigError({ file, line, column: col, path: "", expected: `invalid YAML: ${e.message}` }, { cause: e });
      }),
    );
  }

  let data: unknown;
  try {
    data = doc.toJS();
  } catch (e) {
    // Resolving aliases can still fail (yaml's guard against alias bombs throws a ReferenceError):
    // a config problem like any other, not a crash with a stack trace.
    throw new ConfigErrors([new ConfigError({ file, path: "", expected: `invalid YAML: ${(e as Error).message}` }, { cause: e })]);
  }
  const locator = new Locator(doc, lineCounter);
  const result = configSchema.safeParse(data, { reportInput: true });
  const problems: Problem[] = [
    ...(result.success ? [] : describeIssues(result.error.issues, configSchema, data)),
    ...crossChecks(data, drivers, (path) => locator.lineOf(path)),
  ];
  if (!result.success && problems.length === 0) problems.push({ path: [], expected: result.error.message });
  if (problems.length > 0 || !result.success) {
    const errors = problems.map((p) => {
      const { line, column } = locator.position(p.path, { key: p.key });
      return new ConfigError({ file, line, column, path: formatPath(p.path), expected: p.expected });
    });
    throw new ConfigErrors(sortByPosition(errors));
  }
  return result.data;
}

function sortByPosition(errors: ConfigError[]): ConfigError[] {
  // Array.prototype.sort is stable, so problems at one place keep the order they were found in.
  return [...errors].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
