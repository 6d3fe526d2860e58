/**
 * A small JSON5 parser that keeps source offsets, so a merge can splice text into a user's Renovate
 * config instead of re-serialising it. JSON5 is a superset of JSON and JSONC (comments, trailing
 * commas), so one parser serves renovate.json, .renovaterc, *.json5 and package.json.
 * `jsonc-parser` would keep offsets too but rejects unquoted keys and single-quoted strings, which
 * renovate.json5 files use (Renovate reads *.json5 with the `json5` package).
 * Spec: https://spec.json5.org/
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

interface Span {
  /** Offset of the first character. */
  start: number;
  /** Offset just past the last character. */
  end: number;
}

export interface ScalarNode extends Span {
  kind: "scalar";
  value: string | number | boolean | null;
  /** For strings: the quote used. */
  quote?: '"' | "'";
}

export interface Member {
  key: string;
  keySpan: Span & { quote: '"' | "'" | "" };
  value: Node;
  /** Offset of the comma after this member, when there is one. */
  comma?: number;
}

export interface ObjectNode extends Span {
  kind: "object";
  members: Member[];
}

export interface ArrayNode extends Span {
  kind: "array";
  items: { value: Node; comma?: number }[];
}

export type Node = ScalarNode | ObjectNode | ArrayNode;

export class Json5SyntaxError extends Error {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  constructor(message: string, offset: number, line: number, column: number) {
    super(`${message} at line ${line}, column ${column}`);
    this.name = "Json5SyntaxError";
    this.offset = offset;
    this.line = line;
    this.column = column;
  }
}

// JSON5 white space: ES5 WhiteSpace and LineTerminator (https://spec.json5.org/#white-space).
const WHITESPACE = /[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/u;
const ID_START = /[$_\p{ID_Start}]/u;
const ID_PART = /[$_\u200c\u200d\p{ID_Continue}]/u;
const NUMBER = /^[+-]?(?:Infinity|NaN|0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/;
const SIMPLE_ESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", 0: "\0" };

/** Parse JSON5 text into nodes with offsets. Throws Json5SyntaxError with a line and column. */
export function parseJson5(text: string): Node {
  let pos = 0;

  const fail = (message: string, at = pos): never => {
    const before = text.slice(0, at).split(/\r\n|\r|\n/);
    throw new Json5SyntaxError(message, at, before.length, (before.at(-1)?.length ?? 0) + 1);
  };

  /** Skip white space and comments. */
  const skip = () => {
    while (pos < text.length) {
      const c = text[pos] as string;
      if (WHITESPACE.test(c)) pos++;
      else if (text.startsWith("//", pos)) {
        const nl = text.slice(pos).search(/[\n\r\u2028\u2029]/);
        pos = nl < 0 ? text.length : pos + nl;
      } else if (text.startsWith("/*", pos)) {
        const close = text.indexOf("*/", pos + 2);
        if (close < 0) fail("unterminated comment");
        pos = close + 2;
      } else return;
    }
  };

  const string = (): { value: string; quote: '"' | "'" } => {
    const quote = text[pos] as '"' | "'";
    let out = "";
    pos++;
    for (;;) {
      const c = text[pos];
      if (c === undefined || c === "\n" || c === "\r") fail("unterminated string");
      pos++;
      if (c === quote) return { value: out, quote };
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = text[pos++];
      if (e === undefined) fail("unterminated string");
      else if (e in SIMPLE_ESCAPES && !(e === "0" && /\d/.test(text[pos] ?? ""))) out += SIMPLE_ESCAPES[e];
      else if (e === "x" || e === "u") {
        const n = e === "x" ? 2 : 4;
        const hex = text.slice(pos, pos + n);
        if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) fail(`bad \\${e} escape`);
        out += String.fromCharCode(parseInt(hex, 16));
        pos += n;
      } else if (e === "\r") pos += text[pos] === "\n" ? 1 : 0; // line continuation
      else if (e === "\n" || e === "\u2028" || e === "\u2029") continue;
      else if (/[1-9]/.test(e)) fail("digits cannot be escaped");
      else out += e;
    }
  };

  const identifier = (): string => {
    const start = pos;
    if (!ID_START.test(text[pos] ?? "")) fail(`unexpected ${JSON.stringify(text[pos] ?? "end of input")}`);
    pos++;
    while (pos < text.length && ID_PART.test(text[pos] as string)) pos++;
    return text.slice(start, pos);
  };

  const value = (): Node => {
    skip();
    const start = pos;
    const c = text[pos];
    if (c === "{") return object();
    if (c === "[") return array();
    if (c === '"' || c === "'") {
      const s = string();
      return { kind: "scalar", value: s.value, quote: s.quote, start, end: pos };
    }
    const num = NUMBER.exec(text.slice(pos));
    if (num && !ID_PART.test(text[pos + num[0].length] ?? "")) {
      pos += num[0].length;
      const raw = num[0].replace(/^\+/, "");
      const n = /^-?0[xX]/.test(raw) ? (raw.startsWith("-") ? -1 : 1) * parseInt(raw.replace(/^-/, ""), 16) : Number(raw);
      return { kind: "scalar", value: n, start, end: pos };
    }
    const word = identifier();
    if (word === "true" || word === "false") return { kind: "scalar", value: word === "true", start, end: pos };
    if (word === "null") return { kind: "scalar", value: null, start, end: pos };
    return fail(`unexpected ${JSON.stringify(word)}`, start);
  };

  /** After an item: a comma (returned), or the closing bracket (left in place). */
  const separator = (close: string): number | undefined => {
    skip();
    if (text[pos] === ",") return pos++;
    if (text[pos] !== close) fail(`expected "," or "${close}"`);
    return undefined;
  };

  const object = (): ObjectNode => {
    const node: ObjectNode = { kind: "object", members: [], start: pos, end: pos };
    pos++;
    for (;;) {
      skip();
      if (text[pos] === "}") break;
      const keyStart = pos;
      const quoted = text[pos] === '"' || text[pos] === "'";
      const key = quoted ? string().value : identifier();
      const keySpan = { start: keyStart, end: pos, quote: quoted ? (text[keyStart] as '"' | "'") : ("" as const) };
      skip();
      if (text[pos] !== ":") fail('expected ":"');
      pos++;
      const member: Member = { key, keySpan, value: value() };
      node.members.push(member);
      const comma = separator("}");
      if (comma === undefined) break;
      member.comma = comma;
    }
    skip();
    pos++;
    node.end = pos;
    return node;
  };

  const array = (): ArrayNode => {
    const node: ArrayNode = { kind: "array", items: [], start: pos, end: pos };
    pos++;
    for (;;) {
      skip();
      if (text[pos] === "]") break;
      const item: ArrayNode["items"][number] = { value: value() };
      node.items.push(item);
      const comma = separator("]");
      if (comma === undefined) break;
      item.comma = comma;
    }
    skip();
    pos++;
    node.end = pos;
    return node;
  };

  const root = value();
  skip();
  if (pos < text.length) fail("unexpected text after the end of the document");
  return root;
}

/** The plain value of a node (a duplicate key keeps the last value, as JSON.parse does). */
export function toValue(node: Node): Json {
  if (node.kind === "scalar") return node.value;
  if (node.kind === "array") return node.items.map((i) => toValue(i.value));
  const out: { [key: string]: Json } = {};
  for (const m of node.members) {
    // defineProperty: a "__proto__" key is data, not the prototype.
    Object.defineProperty(out, m.key, { value: toValue(m.value), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The last member called `key` (the one that wins, as in JSON.parse). */
export function member(node: ObjectNode, key: string): Member | undefined {
  let found: Member | undefined;
  for (const m of node.members) if (m.key === key) found = m;
  return found;
}
