/**
 * Text edits on a JSON/JSON5 document that keep the user's bytes: new items are spliced in at
 * offsets, written in the document's own style (indentation, quotes, key quoting, trailing commas,
 * line endings). Nothing is re-serialised except the values we insert.
 */
import type { ArrayNode, Json, Node, ObjectNode } from "./json5-ast.js";

export interface Edit {
  at: number;
  /** Characters replaced from `at` (0 for an insertion). */
  remove: number;
  insert: string;
}

export interface Style {
  indent: string;
  eol: "\n" | "\r\n";
  quote: '"' | "'";
  /** Write identifier keys without quotes (json5 files whose keys are unquoted). */
  bareKeys: boolean;
  /** A trailing comma after the last item of a multi-line container (json5 files that use them). */
  trailingCommas: boolean;
}

/** Plain 2-space JSON, as our own renovate.json is written. */
export const JSON_STYLE: Style = { indent: "  ", eol: "\n", quote: '"', bareKeys: false, trailingCommas: false };

/** The style of a document: strict JSON unless the file is JSON5, then whatever it mostly does. */
export function detectStyle(text: string, root: Node, json5: boolean): Style {
  // The indentation most lines use: one tab-indented line (a pasted comment, a line continued in
  // a string) does not make a two-space file a tab file (issue 13, item 8). Comment lines are left
  // out, since ` * text` inside a block comment is no indentation step.
  const indents = [...text.matchAll(/^([ \t]+)([^\s*/])/gm)].map((m) => m[1] as string);
  const tabs = indents.filter((i) => i.startsWith("\t")).length;
  const widths = indents.filter((i) => !i.includes("\t")).map((i) => i.length);
  const tab = tabs > widths.length;
  const indent = tab ? "\t" : " ".repeat(widths.length ? Math.min(...widths) : 2);
  const style: Style = { indent, eol: text.includes("\r\n") ? "\r\n" : "\n", quote: '"', bareKeys: false, trailingCommas: false };
  if (!json5) return style;
  let keys = 0;
  let bare = 0;
  let single = 0;
  let double = 0;
  let trailing = 0;
  let multiLine = 0;
  const walk = (n: Node) => {
    if (n.kind === "scalar") {
      if (n.quote === "'") single++;
      if (n.quote === '"') double++;
      return;
    }
    const items = n.kind === "object" ? n.members : n.items;
    if (items.length && /[\n\r]/.test(text.slice(n.start, n.end))) {
      multiLine++;
      if (items.at(-1)?.comma !== undefined) trailing++;
    }
    if (n.kind === "object") {
      for (const m of n.members) {
        keys++;
        if (m.keySpan.quote === "") bare++;
        else if (m.keySpan.quote === "'") single++;
        else double++;
        walk(m.value);
      }
    } else for (const i of n.items) walk(i.value);
  };
  walk(root);
  return { ...style, quote: single > double ? "'" : '"', bareKeys: bare * 2 > keys, trailingCommas: trailing * 2 > multiLine };
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const INLINE_MAX = 80;

function quoteString(s: string, quote: '"' | "'"): string {
  const json = JSON.stringify(s);
  if (quote === '"') return json;
  return `'${json.slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

/** A value in the document's style, first line unindented, later lines indented from `base`. */
export function serialize(value: Json, style: Style, base: string): string {
  if (value === null || typeof value !== "object") return typeof value === "string" ? quoteString(value, style.quote) : JSON.stringify(value);
  const inner = base + style.indent;
  const tail = style.trailingCommas ? "," : "";
  const lines = Array.isArray(value)
    ? value.map((v) => serialize(v, style, inner))
    : Object.entries(value).map(([k, v]) => `${style.bareKeys && IDENTIFIER.test(k) ? k : quoteString(k, style.quote)}: ${serialize(v, style, inner)}`);
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  if (!lines.length) return open + close;
  // A short list of plain values reads best on one line, as people write `"matchManagers": ["gomod"]`.
  const inline = `[${lines.join(", ")}]`;
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== "object") && inline.length <= INLINE_MAX) return inline;
  return `${open}${style.eol}${lines.map((l) => inner + l).join(`,${style.eol}`)}${tail}${style.eol}${base}${close}`;
}

/** The white space at the start of the line that holds `offset`. */
export function lineIndent(text: string, offset: number): string {
  const lineStart = Math.max(text.lastIndexOf("\n", offset - 1), text.lastIndexOf("\r", offset - 1)) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? "";
}

const startsLine = (text: string, offset: number) => /(^|[\n\r])[ \t]*$/.test(text.slice(0, offset));

/**
 * Edits that append `items` (each a value, or for objects a `[key, value]` pair) to a container.
 * A one-line container stays on one line; a multi-line one gets one item per line after the last
 * item's line (after any comment that ends it), with that item's indentation.
 */
export function appendItems(text: string, node: ObjectNode | ArrayNode, items: (Json | [string, Json])[], style: Style): Edit[] {
  if (!items.length) return [];
  const isObject = node.kind === "object";
  const entries = isObject ? node.members.map((m) => ({ start: m.keySpan.start, end: m.value.end, comma: m.comma })) : node.items.map((i) => ({ start: i.value.start, end: i.value.end, comma: i.comma }));
  const last = entries.at(-1);
  const ownIndent = lineIndent(text, node.start);
  const childIndent = last && startsLine(text, last.start) ? lineIndent(text, last.start) : ownIndent + style.indent;
  const render = (item: Json | [string, Json]) => {
    if (!isObject) return serialize(item as Json, style, childIndent);
    const [k, v] = item as [string, Json];
    return `${style.bareKeys && IDENTIFIER.test(k) ? k : quoteString(k, style.quote)}: ${serialize(v, style, childIndent)}`;
  };
  const rendered = items.map(render);
  const oneLine = !/[\n\r]/.test(text.slice(node.start, node.end)) && rendered.every((r) => !/[\n\r]/.test(r));

  if (!last) {
    const close = node.end - 1;
    const open = node.start + 1;
    if (oneLine && !isObject) return [{ at: open, remove: close - open, insert: rendered.join(", ") }];
    const body = rendered.map((r) => style.eol + childIndent + r).join(",") + (style.trailingCommas ? "," : "");
    // Keep anything between the brackets (a comment) after our items.
    const between = text.slice(open, close);
    const keep = /\S/.test(between) ? between.replace(/^[ \t]*/, style.eol + childIndent).replace(/\s*$/, "") : "";
    return [{ at: open, remove: close - open, insert: body + keep + style.eol + ownIndent }];
  }

  const trailing = last.comma !== undefined;
  const afterLast = trailing ? (last.comma as number) + 1 : last.end;
  if (oneLine) return [{ at: afterLast, remove: 0, insert: (trailing ? " " : ", ") + rendered.join(", ") + (trailing ? "," : "") }];
  const body = rendered.map((r) => style.eol + childIndent + r).join(",") + (trailing ? "," : "");
  const comma = trailing ? [] : [{ at: last.end, remove: 0, insert: "," }];
  const close = node.end - 1;
  if (!/[\n\r]/.test(text.slice(node.start, node.end)) && !/\S/.test(text.slice(afterLast, close))) {
    // A one-line container receiving multi-line items: the closing bracket moves to its own line.
    return [...comma, { at: afterLast, remove: close - afterLast, insert: body + style.eol + ownIndent }];
  }
  // Our items go at the end of the last item's line, after a comment that ends it.
  let at = afterLast;
  for (let m; (m = /^[ \t]*(?:\/\/[^\n\r]*|\/\*(?:(?!\*\/)[^\n\r])*\*\/)/.exec(text.slice(at))); ) at += m[0].length;
  return [...comma, { at, remove: 0, insert: body }];
}

/** Apply non-overlapping edits; two insertions at one offset land in list order. */
export function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  const order = edits.map((e, i) => ({ e, i })).sort((a, b) => b.e.at - a.e.at || b.i - a.i);
  for (const { e } of order) {
    out = out.slice(0, e.at) + e.insert + out.slice(e.at + e.remove);
  }
  return out;
}
