// Maps a key path (["analyzers", 0, "slave"]) back to a place in the YAML text, so that schema
// and cross-field errors point at a line and column just like YAML syntax errors do.
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";

export type KeyPath = readonly PropertyKey[];

export interface Position {
  line: number;
  column: number;
}

/** `analyzers[0].channels.o3.code`; keys that are not plain names are quoted: `channels["pm2.5"]`. */
export function formatPath(path: KeyPath): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(seg))) out += out ? `.${String(seg)}` : String(seg);
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

export class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /**
   * Where the value at `path` is. With `key`, where its key is (for unknown keys). A path that does not
   * exist in the text (a missing key) points at the deepest mapping or list that does.
   */
  position(path: KeyPath, opts: { key?: boolean } = {}): Position {
    let node: unknown = this.doc.contents;
    let at = offsetOf(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
        if (!pair) break;
        const last = i === path.length - 1;
        // An empty value (`slave:`) has no node of its own; the key is the best place to point at.
        const target = (last && opts.key) || pair.value == null ? pair.key : pair.value;
        at = offsetOf(target) ?? at;
        node = pair.value;
        if (target === pair.key) break;
      } else if (isSeq(node) && typeof seg === "number" && node.items[seg] !== undefined) {
        node = node.items[seg];
        at = offsetOf(node) ?? at;
      } else {
        break;
      }
    }
    const { line, col } = this.lines.linePos(at);
    return { line, column: col };
  }

  /** "line 12", to refer to another place in the same file from an error text. */
  lineOf(path: KeyPath): string {
    return `line ${this.position(path).line}`;
  }
}

function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

function offsetOf(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}
