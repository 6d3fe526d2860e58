import { diffLines } from "diff";
import { describe, expect, it } from "vitest";
import { differingLines, lineCounts } from "../../src/report/plan.js";

/** The counts of a plain diffLines over the whole texts: what lineCounts must keep giving. */
function plainCounts(before: string, after: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const part of diffLines(before, after)) {
    if (part.added) added += part.count ?? 0;
    if (part.removed) removed += part.count ?? 0;
  }
  return { added, removed };
}

/** A small deterministic generator, so a failure names its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const LINES = ["a", "b", "", "  - run: x", "- uses: y", "\uFEFFbom", "caf\u00e9", "\u00ff\u00fe", "b "];

function text(r: () => number, eol: string): string {
  const n = Math.floor(r() * 12);
  const lines = Array.from({ length: n }, () => LINES[Math.floor(r() * LINES.length)] ?? "a");
  const final = r() < 0.7;
  return lines.join(eol) + (final && n > 0 ? eol : "");
}

function edit(r: () => number, t: string, eol: string): string {
  const lines = t.split(eol);
  const k = Math.floor(r() * 4);
  for (let e = 0; e < k; e++) {
    const at = Math.floor(r() * (lines.length + 1));
    const what = r();
    if (what < 0.4) lines.splice(at, 0, LINES[Math.floor(r() * LINES.length)] ?? "a");
    else if (what < 0.7) lines.splice(at, 1);
    else lines[at] = `${lines[at] ?? ""}z`;
  }
  let out = lines.join(eol);
  if (r() < 0.15) out = out.endsWith(eol) ? out.slice(0, -eol.length) : out + eol;
  return out;
}

describe("lineCounts", () => {
  it("counts as a diff of the whole texts does, on random edits (LF, CRLF, a BOM, non-ASCII, no final newline)", () => {
    for (let seed = 1; seed <= 5000; seed++) {
      const r = rng(seed);
      const eol = r() < 0.5 ? "\n" : "\r\n";
      const before = text(r, eol);
      const after = r() < 0.1 ? text(r, eol) : edit(r, before, eol);
      expect({ seed, ...lineCounts(before, after) }).toEqual({ seed, ...plainCounts(before, after) });
      expect({ seed, ...lineCounts(after, before) }).toEqual({ seed, ...plainCounts(after, before) });
    }
  });

  it("diffs only the lines between the shared start and end", () => {
    const head = Array.from({ length: 5000 }, (_, i) => `      - run: step ${i}\n`).join("");
    expect(differingLines(`${head}tail\n`, `${head}  - ours\ntail\n`)).toEqual(["", "  - ours\n"]);
    expect(differingLines("a\nb\n", "a\nb")).toEqual(["b\n", "b"]);
    expect(differingLines("x\r\ny\r\n", "x\r\nq\r\ny\r\n")).toEqual(["", "q\r\n"]);
    // The shared tail "b\nc\n" starts inside the line "ab": only the whole lines after it are dropped.
    expect(differingLines("ab\nc\n", "b\nc\n")).toEqual(["ab\n", "b\n"]);
    expect(differingLines("same\n", "same\n")).toEqual(["", ""]);
    // Texts that differ at their first character keep their first line (a leading blank line too).
    expect(differingLines("\nz\n", "")).toEqual(["\nz\n", ""]);
    expect(lineCounts("", "a\nb\n")).toEqual({ added: 2, removed: 0 });
  });
});
