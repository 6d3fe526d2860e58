import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasConflictMarkers, merge3, type MergeOptions } from "../../src/merge/threeway.js";

const text = (...lines: string[]) => lines.map((l) => `${l}\n`).join("");
const crlf = (s: string) => s.replaceAll("\n", "\r\n");

const BASE = [
  "name: relay-security",
  "on: [pull_request]",
  "jobs:",
  "  trivy:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - uses: actions/checkout@v4",
  "      - run: trivy fs .",
];
/** BASE with line `i` (0-based) replaced; `null` deletes it. */
const edit = (changes: Record<number, string | null>, lines = BASE) =>
  lines.flatMap((l, i) => (i in changes ? (changes[i] === null ? [] : [changes[i] as string]) : [l]));

const base = text(...BASE);
const userOn = "on: [pull_request, push]";
const userPin = "      - uses: actions/checkout@11bd7190 # v4.2.2";
const ourPin = "      - uses: actions/checkout@08c6903c # v5.0.0";
const conflictBlock = [
  "<<<<<<< yours",
  userPin,
  "||||||| base",
  "      - uses: actions/checkout@v4",
  "=======",
  ourPin,
  ">>>>>>> relay-security",
];

interface Case {
  name: string;
  base: string;
  ours: string;
  theirs: string;
  opts?: MergeOptions;
  want: string;
  conflicts?: number;
  clean?: boolean;
}

const cases: Case[] = [
  {
    name: "untouched file takes the new render",
    base,
    ours: base,
    theirs: text(...edit({ 6: ourPin })),
    want: text(...edit({ 6: ourPin })),
  },
  {
    name: "user-only edit is kept",
    base,
    ours: text(...edit({ 1: userOn })),
    theirs: base,
    want: text(...edit({ 1: userOn })),
  },
  {
    name: "template-only change is applied next to an untouched user file",
    base,
    ours: base,
    theirs: text(...BASE, "      - run: trivy image app"),
    want: text(...BASE, "      - run: trivy image app"),
  },
  {
    name: "non-overlapping edits on both sides both survive",
    base,
    ours: text(...edit({ 1: userOn }), "# my note"),
    theirs: text(...edit({ 6: ourPin })),
    want: text(...edit({ 1: userOn, 6: ourPin }), "# my note"),
  },
  {
    name: "overlapping edits give diff3 markers",
    base,
    ours: text(...edit({ 1: userOn, 6: userPin })),
    theirs: text(...edit({ 6: ourPin })),
    want: text(...edit({ 1: userOn }).slice(0, 6), ...conflictBlock, BASE[7] as string),
    conflicts: 1,
    clean: false,
  },
  {
    name: "identical change on both sides is not a conflict",
    base,
    ours: text(...edit({ 1: userOn, 6: ourPin })),
    theirs: text(...edit({ 6: ourPin })),
    want: text(...edit({ 1: userOn, 6: ourPin })),
  },
  {
    name: "CRLF user file: render lines and result come back CRLF",
    base,
    ours: crlf(text(...edit({ 1: userOn }))),
    theirs: text(...edit({ 6: ourPin })),
    want: crlf(text(...edit({ 1: userOn, 6: ourPin }))),
  },
  {
    name: "CRLF user file: conflict markers are CRLF too",
    base,
    ours: crlf(text(...edit({ 6: userPin }))),
    theirs: text(...edit({ 6: ourPin })),
    want: crlf(text(...BASE.slice(0, 6), ...conflictBlock, BASE[7] as string)),
    conflicts: 1,
    clean: false,
  },
  {
    name: "user removed the final newline: stays removed",
    base,
    ours: text(...edit({ 1: userOn })).slice(0, -1),
    theirs: text(...edit({ 6: ourPin }), "      - run: trivy image app"),
    want: text(...edit({ 1: userOn, 6: ourPin }), "      - run: trivy image app").slice(0, -1),
  },
  {
    name: "render removed the final newline, user did not touch it: removed",
    base,
    ours: text(...edit({ 1: userOn })),
    theirs: text(...edit({ 6: ourPin })).slice(0, -1),
    want: text(...edit({ 1: userOn, 6: ourPin })).slice(0, -1),
  },
  {
    name: "user deleted a block we changed: conflict with an empty yours side",
    base,
    ours: text(...edit({ 6: null, 7: null })),
    theirs: text(...edit({ 6: ourPin })),
    want: text(...BASE.slice(0, 6), "<<<<<<< yours", "||||||| base", ...BASE.slice(6), "=======", ourPin, BASE[7] as string, ">>>>>>> relay-security"),
    conflicts: 1,
    clean: false,
  },
  {
    name: "user deleted a block we did not change: stays deleted",
    base,
    ours: text(...edit({ 6: null, 7: null })),
    theirs: text(...edit({ 1: userOn })),
    want: text(...edit({ 1: userOn, 6: null, 7: null })),
  },
  {
    name: "edits on directly adjacent lines conflict, as in git",
    base,
    ours: text(...edit({ 5: "    steps: # pinned" })),
    theirs: text(...edit({ 6: ourPin })),
    want: text(...BASE.slice(0, 5), "<<<<<<< yours", "    steps: # pinned", BASE[6] as string, "||||||| base", BASE[5] as string, BASE[6] as string, "=======", BASE[5] as string, ourPin, ">>>>>>> relay-security", BASE[7] as string),
    conflicts: 1,
    clean: false,
  },
  {
    name: "one untouched line between two edits is enough",
    base,
    ours: text(...edit({ 4: "    runs-on: ubuntu-24.04" })),
    theirs: text(...edit({ 6: ourPin })),
    want: text(...edit({ 4: "    runs-on: ubuntu-24.04", 6: ourPin })),
  },
  {
    name: "strategy ours keeps the user's side of a conflict",
    base,
    ours: text(...edit({ 1: userOn, 6: userPin })),
    theirs: text(...edit({ 6: ourPin, 7: "      - run: trivy fs --exit-code 1 ." })),
    opts: { strategy: "ours" },
    want: text(...edit({ 1: userOn, 6: userPin })),
    conflicts: 1,
    clean: true,
  },
  {
    name: "strategy theirs takes the render's side of a conflict, keeps other user edits",
    base,
    ours: text(...edit({ 1: userOn, 6: userPin })),
    theirs: text(...edit({ 6: ourPin })),
    opts: { strategy: "theirs" },
    want: text(...edit({ 1: userOn, 6: ourPin })),
    conflicts: 1,
    clean: true,
  },
  {
    name: "strategy fail returns the markers and clean=false",
    base,
    ours: text(...edit({ 6: userPin })),
    theirs: text(...edit({ 6: ourPin })),
    opts: { strategy: "fail" },
    want: text(...BASE.slice(0, 6), ...conflictBlock, BASE[7] as string),
    conflicts: 1,
    clean: false,
  },
  {
    name: "labels are overridable",
    base,
    ours: text(...edit({ 6: userPin })),
    theirs: text(...edit({ 6: ourPin })),
    opts: { labels: { ours: "your edits", base: "last generated by relay-security", theirs: "relay-security 0.2.0" } },
    want: text(...BASE.slice(0, 6), "<<<<<<< your edits", userPin, "||||||| last generated by relay-security", BASE[6] as string, "=======", ourPin, ">>>>>>> relay-security 0.2.0", BASE[7] as string),
    conflicts: 1,
    clean: false,
  },
  {
    name: "different lines appended at the end by both sides conflict",
    base: text("a"),
    ours: text("a", "mine"),
    theirs: text("a", "new"),
    want: text("a", "<<<<<<< yours", "mine", "||||||| base", "=======", "new", ">>>>>>> relay-security"),
    conflicts: 1,
    clean: false,
  },
];

describe("merge3", () => {
  it.each(cases)("$name", ({ base, ours, theirs, opts, want, conflicts = 0, clean = true }) => {
    const result = merge3(base, ours, theirs, opts);
    expect(result.text).toBe(want);
    expect(result.conflicts).toBe(conflicts);
    expect(result.clean).toBe(clean);
  });
});

describe("hasConflictMarkers", () => {
  it("finds git's marker lines, CRLF included", () => {
    const merged = merge3(base, crlf(text(...edit({ 6: userPin }))), text(...edit({ 6: ourPin }))).text;
    expect(hasConflictMarkers(merged)).toEqual([{ line: 7 }, { line: 9 }, { line: 11 }, { line: 13 }]);
  });

  it("ignores look-alikes", () => {
    const lines = ["========", "<<<<<<<< x", "  <<<<<<< x", "======= x", ">>>>>>>x", "# ======="];
    expect(hasConflictMarkers(text(...lines))).toEqual([]);
    expect(hasConflictMarkers(base)).toEqual([]);
  });
});

// ---- properties -------------------------------------------------------------------------------

type Op = "keep" | "delete" | "change";
interface Edit {
  op: Op;
  insertBefore: number;
}
interface BaseLine {
  text: string;
  user: Edit;
  tmpl: Edit;
}
interface Model {
  lines: BaseLine[];
  userTail: number;
  tmplTail: number;
  crlf: boolean;
  dropFinalNewline: boolean;
}

const KEEP: Edit = { op: "keep", insertBefore: 0 };
const kindArb = fc.constantFrom("key", "item", "comment", "blank");
const editArb = fc.record({ op: fc.constantFrom<Op>("keep", "keep", "delete", "change"), insertBefore: fc.nat(2) });

// Non-blank base lines are unique, as in a real workflow; blank lines repeat.
const render = (kind: string, i: number) =>
  kind === "key" ? `key_${i}: value` : kind === "item" ? `  - run: step ${i}` : kind === "comment" ? `# note ${i}` : "";

// New lines are unique per side and position; the user's are a mix of comments and changed settings.
const added = (side: "user" | "tmpl", i: number, k: number) =>
  side === "user" ? (k % 2 ? `# user note ${i}.${k}` : `user_${i}_${k}: mine`) : `tmpl_${i}_${k}: v2`;
const changed = (side: "user" | "tmpl", i: number) => (side === "user" ? `user_${i}: changed` : `tmpl_${i}: v2`);

/** Apply one side's edits (or both, for the expected result of a disjoint merge); returns lines and the new ones. */
function apply(model: Model, sides: ("user" | "tmpl")[]) {
  const out: string[] = [];
  const authored: string[] = [];
  const push = (line: string) => (out.push(line), authored.push(line));
  const n = model.lines.length;
  model.lines.forEach((line, i) => {
    for (const side of sides) for (let k = 0; k < line[side].insertBefore; k++) push(added(side, i, k));
    const side = sides.find((s) => line[s].op !== "keep");
    if (!side) out.push(line.text);
    else if (line[side].op === "change") push(changed(side, i));
  });
  for (const side of sides) for (let k = 0; k < model[`${side}Tail`]; k++) push(added(side, n, k));
  return { out, authored };
}

const join = (lines: string[], eol: string, finalNewline: boolean) =>
  lines.length === 0 ? "" : lines.join(eol) + (finalNewline ? eol : "");

function texts(model: Model) {
  const user = apply(model, ["user"]);
  const tmpl = apply(model, ["tmpl"]);
  // Dropping the newline after a blank last line would drop the line itself; don't model that.
  const userFinalNewline = !(model.dropFinalNewline && user.out.at(-1));
  return {
    base: join(model.lines.map((l) => l.text), "\n", true),
    ours: join(user.out, model.crlf ? "\r\n" : "\n", userFinalNewline),
    theirs: join(tmpl.out, "\n", true),
    user,
    tmpl,
  };
}

const outputLines = (s: string) => s.split(/\r?\n/);
function isSubsequence(needles: string[], hay: string[]) {
  let i = 0;
  for (const line of hay) if (i < needles.length && line === needles[i]) i++;
  return i === needles.length;
}

/**
 * Edits in disjoint regions: the base is chunks separated by unique anchor lines that nobody touches,
 * and each chunk is edited by at most one side (one untouched non-blank line between the two sides' edits).
 */
const chunkArb = fc.record({
  owner: fc.constantFrom<"none" | "user" | "tmpl">("none", "user", "tmpl"),
  lines: fc.array(fc.record({ kind: kindArb, edit: editArb }), { maxLength: 5 }),
  insertAtEnd: fc.nat(2),
});
const disjointArb = fc
  .record({ chunks: fc.array(chunkArb, { minLength: 1, maxLength: 6 }), crlf: fc.boolean(), dropFinalNewline: fc.boolean() })
  .map(({ chunks, crlf, dropFinalNewline }): Model => {
    const lines: BaseLine[] = [];
    const model: Model = { lines, userTail: 0, tmplTail: 0, crlf, dropFinalNewline };
    const owned = (owner: string, side: "user" | "tmpl", e: Edit) => (owner === side ? e : KEEP);
    chunks.forEach((chunk, c) => {
      for (const { kind, edit } of chunk.lines) {
        lines.push({ text: render(kind, lines.length), user: owned(chunk.owner, "user", edit), tmpl: owned(chunk.owner, "tmpl", edit) });
      }
      const end = { op: "keep" as const, insertBefore: chunk.insertAtEnd };
      if (c < chunks.length - 1) {
        lines.push({ text: `section_${c}:`, user: owned(chunk.owner, "user", end), tmpl: owned(chunk.owner, "tmpl", end) });
      } else if (chunk.owner !== "none") model[`${chunk.owner}Tail`] = chunk.insertAtEnd;
    });
    return model;
  });

// Sparse, so that clean merges and conflicts both come up often.
const sparseEditArb = fc.oneof({ arbitrary: fc.constant(KEEP), weight: 6 }, { arbitrary: editArb, weight: 1 });
const anyArb = fc
  .record({
    lines: fc.array(fc.record({ kind: kindArb, user: sparseEditArb, tmpl: sparseEditArb }), { maxLength: 16 }),
    userTail: fc.nat(2),
    tmplTail: fc.nat(2),
    crlf: fc.boolean(),
    dropFinalNewline: fc.boolean(),
  })
  .map((m): Model => ({ ...m, lines: m.lines.map((l, i) => ({ text: render(l.kind, i), user: l.user, tmpl: l.tmpl })) }));

describe("merge3 properties", () => {
  it("disjoint edits merge cleanly, keep both sides' lines, and a second upgrade is a no-op", () => {
    fc.assert(
      fc.property(disjointArb, (model) => {
        const { base, ours, theirs, user, tmpl } = texts(model);
        const result = merge3(base, ours, theirs);
        expect(result).toMatchObject({ conflicts: 0, clean: true });

        const lines = outputLines(result.text);
        expect(isSubsequence(user.authored, lines)).toBe(true);
        expect(isSubsequence(tmpl.authored, lines)).toBe(true);

        // Exactly both edit sets applied, in the user's line ending and final-newline choice.
        const endsNl = (s: string) => s.endsWith("\n");
        const finalNewline = endsNl(ours) !== endsNl(base) ? endsNl(ours) : endsNl(theirs);
        const eol = model.crlf && ours.includes("\n") ? "\r\n" : "\n";
        expect(result.text).toBe(join(apply(model, ["user", "tmpl"]).out, eol, finalNewline));

        expect(merge3(theirs, result.text, theirs).text).toBe(result.text);
      }),
      { numRuns: 500 },
    );
  });

  it("arbitrary edits: clean, or conflicts reported and nothing of the user's is lost", () => {
    fc.assert(
      fc.property(anyArb, (model) => {
        const { base, ours, theirs, user, tmpl } = texts(model);
        const result = merge3(base, ours, theirs);
        const lines = outputLines(result.text);
        expect(result.clean).toBe(result.conflicts === 0);
        expect(hasConflictMarkers(result.text)).toHaveLength(4 * result.conflicts);
        expect(isSubsequence(user.authored, lines)).toBe(true);
        if (result.clean) expect(isSubsequence(tmpl.authored, lines)).toBe(true);

        const mine = merge3(base, ours, theirs, { strategy: "ours" });
        expect(mine).toMatchObject({ conflicts: result.conflicts, clean: true });
        expect(hasConflictMarkers(mine.text)).toEqual([]);
        expect(isSubsequence(user.authored, outputLines(mine.text))).toBe(true);

        const next = merge3(base, ours, theirs, { strategy: "theirs" });
        expect(hasConflictMarkers(next.text)).toEqual([]);
        expect(isSubsequence(tmpl.authored, outputLines(next.text))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
