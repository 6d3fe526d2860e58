import JSON5 from "json5";
import { describe, expect, it } from "vitest";
import { Json5SyntaxError, member, parseJson5, toValue, type ObjectNode } from "../../src/renovate/json5-ast.js";

// Each input must parse to what the json5 package (the parser Renovate uses) makes of it.
const SAME_AS_JSON5 = [
  `{"a": 1, "b": [true, false, null], "c": {"d": "e"}}`,
  `// comment\n{ a: 1, /* block */ 'b': 'it\\'s', }`,
  `{ $key: 1, _k2: 2, ünï: 3 }`,
  `{ n: [0x1F, -0x10, .5, 5., +1, -Infinity, NaN, 1e3, -2.5E-2] }`,
  `{ s: "tab\\there \\u00e9 \\x41 \\0 \\/ \\q", t: 'line\\\ncontinued' }`,
  `[1, 2, 3,]`,
  `"just a string"`,
  `{ "__proto__": { "x": 1 } }`,
  `\ufeff{ "bom": true }`,
  `{ "dup": 1, "dup": 2 }`,
];

describe("parseJson5", () => {
  it.each(SAME_AS_JSON5)("agrees with the json5 package on %j", (text) => {
    const ours = toValue(parseJson5(text));
    const theirs: unknown = JSON5.parse(text);
    expect(Number.isNaN(theirs)).toBe(false);
    expect(JSON.stringify(ours, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v))).toBe(
      JSON.stringify(theirs, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v)),
    );
  });

  it.each([
    [`{ a: 1 b: 2 }`, 1, 8],
    [`{ "a": }`, 1, 8],
    [`{\n  "a": "unterminated\n}`, 2, 21],
    [`[1, 2`, 1, 6],
    [`{ a: 1 } extra`, 1, 10],
    [`/* never closed`, 1, 1],
  ])("rejects %j with a line and column", (text, line, column) => {
    expect(() => JSON5.parse(text)).toThrow();
    try {
      parseJson5(text);
      expect.fail("parsed");
    } catch (err) {
      expect(err).toBeInstanceOf(Json5SyntaxError);
      expect((err as Json5SyntaxError).line).toBe(line);
      expect((err as Json5SyntaxError).column).toBe(column);
    }
  });

  it("gives offsets that slice back to the source, and the comma after each item", () => {
    const text = `{\n  extends: ['a', "b",], // x\n  'labels': ["l"]\n}`;
    const root = parseJson5(text) as ObjectNode;
    const ext = member(root, "extends");
    expect(text.slice(ext?.keySpan.start, ext?.keySpan.end)).toBe("extends");
    expect(ext?.keySpan.quote).toBe("");
    expect(text.slice(ext?.value.start, ext?.value.end)).toBe(`['a', "b",]`);
    expect(ext?.value.kind === "array" && ext.value.items.map((i) => i.comma !== undefined)).toEqual([true, true]);
    expect(ext?.comma).toBe(text.indexOf("], //") + 1);
    const labels = member(root, "labels");
    expect(labels?.keySpan.quote).toBe("'");
    expect(labels?.comma).toBeUndefined();
    expect(text.slice(root.start, root.end)).toBe(text);
  });
});
