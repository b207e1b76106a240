// Errors of the station configuration. They carry where the problem is (file, line, column, key path)
// and what was expected, so the CLI and tests never parse messages. Exit code 78 is EX_CONFIG
// (sysexits.h): systemd units can use RestartPreventExitStatus=78 to stop retrying a broken config.

/** Process exit code for an invalid or unreadable configuration (EX_CONFIG). */
export const EXIT_CONFIG = 78;

export interface ConfigProblem {
  /** The config file, as the user named it. */
  file: string;
  /** 1-based line and column of the offending node, when the problem has a place in the file. */
  line?: number;
  column?: number;
  /** Key path such as `analyzers[0].slave`; "" for the file as a whole. */
  path: string;
  /** What was wrong, said as what was expected and what was found: `expected a number, got string "abc"`. */
  expected: string;
}

/** One problem in a config file. `message` reads `station.yaml:14:5: analyzers[0].slave: expected …`. */
export class ConfigError extends Error implements ConfigProblem {
  readonly configError = true as const;
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly path: string;
  readonly expected: string;

  constructor(problem: ConfigProblem, options?: { cause?: unknown }) {
    super(formatProblem(problem), options);
    this.name = "ConfigError";
    this.file = problem.file;
    this.line = problem.line;
    this.column = problem.column;
    this.path = problem.path;
    this.expected = problem.expected;
  }

  toJSON(): ConfigProblem & { message: string } {
    const { file, line, column, path, expected, message } = this;
    return { file, line, column, path, expected, message };
  }
}

/**
 * Every problem found in one config file, first one first (by position in the file). It is itself a
 * ConfigError describing the first problem, so a caller that only checks `configError` still gets a
 * place to point at; `errors` holds them all and `message` has one line per problem.
 */
export class ConfigErrors extends ConfigError {
  readonly configErrors = true as const;
  readonly errors: readonly ConfigError[];

  constructor(errors: readonly ConfigError[], options?: { cause?: unknown }) {
    if (errors.length === 0) throw new RangeError("ConfigErrors needs at least one error");
    super(errors[0], options);
    this.name = "ConfigErrors";
    this.errors = errors;
    this.message = errors.map((e) => e.message).join("\n");
  }
}

/** `file:line:col: path: expected`, leaving out the parts that are unknown or empty. */
export function formatProblem(p: ConfigProblem): string {
  let where = p.file;
  if (p.line !== undefined) where += `:${p.line}`;
  if (p.line !== undefined && p.column !== undefined) where += `:${p.column}`;
  return p.path ? `${where}: ${p.path}: ${p.expected}` : `${where}: ${p.expected}`;
}

export function isConfigError(err: unknown): err is ConfigError {
  return typeof err === "object" && err !== null && (err as { configError?: unknown }).configError === true;
}

/** The individual problems of a ConfigError or ConfigErrors. */
export function configProblems(err: ConfigError): readonly ConfigError[] {
  return err instanceof ConfigErrors ? err.errors : [err];
}
