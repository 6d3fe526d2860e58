import { isMap, isScalar, isSeq, type Document, type Node, type YAMLMap, type YAMLSeq } from "yaml";
import { dashesOf } from "../yaml-once.js";

/**
 * Text edits at source offsets (STYLE.md principle 7): we never serialise the user's file, we only
 * insert or replace whole lines at offsets the parser gave us, in the file's own line endings and
 * indentation.
 */

export interface Splice {
  start: number;
  end: number;
  text: string;
}

/** Apply splices; ones at the same offset land in list order. */
export function applySplices(text: string, splices: Splice[]): string {
  const sorted = splices.map((s, i) => ({ s, i })).sort((a, b) => a.s.start - b.s.start || a.i - b.i);
  let out = "";
  let pos = 0;
  for (const { s } of sorted) {
    if (s.start < pos) throw new Error("internal: overlapping splices");
    out += text.slice(pos, s.start) + s.text;
    pos = s.end;
  }
  return out + text.slice(pos);
}

/** The file's line ending: CRLF when most lines end that way. */
export function eolOf(text: string): "\n" | "\r\n" {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length;
  return crlf > 0 && crlf * 2 >= lf ? "\r\n" : "\n";
}

/**
 * A splice that puts `lines` on their own lines at `offset`, which is a line start or the end of the
 * file. At the end of a file without a final newline the file still ends without one.
 */
export function insertLines(text: string, offset: number, lines: string[], eol: string): Splice {
  const atOpenEnd = offset === text.length && text.length > 0 && !text.endsWith("\n");
  const body = lines.join(eol);
  return { start: offset, end: offset, text: atOpenEnd ? eol + body : body + eol };
}

export const lineStart = (text: string, offset: number) => text.lastIndexOf("\n", offset - 1) + 1;
export const columnOf = (text: string, offset: number) => offset - lineStart(text, offset);

/** The offset just after the line that holds `offset` (after its line break, or the end of the file). */
export function afterLine(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  return nl < 0 ? text.length : nl + 1;
}

/**
 * Where the lines of `node` end: after its last content line and after any comment lines indented
 * deeper than `ownerColumn` that follow it (they belong to it). Blank lines after a block scalar are
 * not part of it unless the scalar keeps them (`|+`).
 */
export function blockEnd(text: string, node: Node, ownerColumn: number): number {
  const valueEnd = node.range?.[1] ?? 0;
  let p = valueEnd;
  if (!keepsTrailingLines(text, node)) while (p > 0 && /\s/.test(text[p - 1] ?? "")) p--;
  let end = afterLine(text, Math.max(0, p - 1));
  for (let q = end; q < text.length; ) {
    const next = afterLine(text, q);
    const line = text.slice(q, next).replace(/\r?\n$/, "");
    if (line.trim() === "") q = next;
    else if (/^ *#/.test(line) && line.length - line.trimStart().length > ownerColumn) end = q = next;
    else break;
  }
  return end;
}

function keepsTrailingLines(text: string, node: Node): boolean {
  let last: unknown = node;
  for (;;) {
    if (isMap(last)) last = last.items.at(-1)?.value;
    else if (isSeq(last)) last = last.items.at(-1);
    else break;
  }
  return isScalar(last) && /^[|>](\d?\+|\+\d?)/.test(text.slice(last.range?.[0] ?? 0));
}

/** Offsets of the `-` of each item of a block sequence. */
export function dashOffsets(doc: Document, seq: YAMLSeq): number[] {
  const dashes = dashesOf(doc, seq);
  if (!dashes) throw new Error("internal: no dashes recorded for a block sequence (not from parseYamlOnce, or a flow sequence)");
  if (dashes.length !== seq.items.length) throw new Error("internal: sequence items and their dashes disagree");
  return dashes;
}

/** How the user indents: nested mappings, a sequence under its key, and the gap after `-`. */
export interface Style {
  mapIndent: number;
  seqIndent: number;
  itemOffset: number;
}

/** The indentation of the children of the first block mapping value inside `map`. */
export function nestedIndent(text: string, map: YAMLMap): number | undefined {
  for (const pair of map.items) {
    const v = pair.value;
    const key = pair.key as Node | null;
    if (isMap(v) && !v.flow && v.items.length > 0 && key?.range) {
      const child = v.items[0]?.key as Node | null;
      if (child?.range) return columnOf(text, child.range[0]) - columnOf(text, key.range[0]);
    }
  }
  return undefined;
}

/**
 * Re-indent our text (rendered at column 0 with two-space indentation) to start at `base`, in the
 * user's style. Returns its lines without line breaks; blank lines stay empty.
 */
export function reindent(text: string, base: number, style: Style): string[] {
  const lines = text.replace(/\r?\n$/, "").split(/\r?\n/);
  const cols = new Map<number, number>([[0, base]]);
  const indentOf = (l: string) => l.length - l.trimStart().length;
  // Inside a block scalar (`run: |`) every line moves with its key, so the script keeps its own indentation.
  let block: { keyCol: number; delta: number } | undefined;
  return lines.map((line, i) => {
    if (line.trim() === "") return "";
    const s = indentOf(line);
    if (block && s > block.keyCol) return " ".repeat(s + block.delta) + line.slice(s);
    block = undefined;
    const col = cols.get(s);
    if (col === undefined) throw new Error(`internal: cannot re-indent line ${i + 1} of our text`);
    let content = line.slice(s);
    let keyCol = s;
    let newKeyCol = col;
    if (content.startsWith("- ")) {
      content = `-${" ".repeat(style.itemOffset - 1)}${content.slice(2)}`;
      keyCol = s + 2;
      newKeyCol = col + style.itemOffset;
      cols.set(keyCol, newKeyCol);
    }
    if (/^[A-Za-z0-9_-]+:\s*[|>][-+0-9]*\s*(#.*)?$/.test(line.slice(keyCol))) block = { keyCol, delta: newKeyCol - keyCol };
    else if (/^[A-Za-z0-9_-]+:\s*(#.*)?$/.test(line.slice(keyCol))) {
      const next = lines.slice(i + 1).find((l) => l.trim() !== "" && !l.trimStart().startsWith("#"));
      if (next !== undefined && indentOf(next) > keyCol) {
        cols.set(indentOf(next), newKeyCol + (next.trimStart().startsWith("- ") ? style.seqIndent : style.mapIndent));
      }
    }
    return " ".repeat(col) + content;
  });
}
