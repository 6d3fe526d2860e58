import { describe, expect, it } from "vitest";
import type { ConflictStrategy } from "../../src/merge/threeway.js";
import { planOwnedFile, type OwnedInput } from "../../src/plan/owned.js";

/** Base (our last render), the new render, and files a user might have. YAML, one key a line. */
const BASE = "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\n";
const NEXT = "a: 1\nb: 2\nc: 3\nd: 4\ne: 6\n"; // we changed e
const plan = (over: Partial<OwnedInput>) => planOwnedFile({ path: "f.yml", next: NEXT, generated: BASE, restore: false, onConflict: "markers", ...over });

/** [case, input, action, reason pattern, what is written (undefined: nothing)] */
const CASES: [string, Partial<OwnedInput>, string, RegExp, string | undefined][] = [
  ["new", { current: undefined, generated: undefined }, "create", /^new$/, NEXT],
  ["deleted by the user", { current: undefined }, "skip", /you deleted it after an earlier run; left deleted \(--restore brings it back\)/, undefined],
  ["deleted, --restore", { current: undefined, restore: true }, "create", /restored/, NEXT],
  ["already the new render", { current: NEXT }, "unchanged", /.*/, undefined],
  ["untouched since we wrote it", { current: BASE }, "update", /not edited since the last run; replaced/, NEXT],
  ["edited apart from our change", { current: "a: 0\nb: 2\nc: 3\nd: 4\ne: 5\n" }, "update", /merged the new version with your edits$/, "a: 0\nb: 2\nc: 3\nd: 4\ne: 6\n"],
  ["edited where we did not change anything new", { current: "a: 0\nb: 2\nc: 3\nd: 4\ne: 5\n", next: BASE }, "unchanged", /your edits kept/, undefined],
  ["overlap, markers", { current: "a: 1\nb: 2\nc: 3\nd: 4\ne: 7\n" }, "conflict", /overlap in 1 place\(s\); conflict markers written/, "a: 1\nb: 2\nc: 3\nd: 4\n<<<<<<< yours\ne: 7\n||||||| base\ne: 5\n=======\ne: 6\n>>>>>>> relay-security\n"],
  ["overlap, fail", { current: "a: 1\nb: 2\nc: 3\nd: 4\ne: 7\n", onConflict: "fail" }, "conflict", /left as it is \(--on-conflict fail\)/, undefined],
  ["overlap, ours", { current: "a: 1\nb: 2\nc: 3\nd: 4\ne: 7\n", onConflict: "ours" }, "unchanged", /your lines kept where ours overlap them \(--on-conflict ours\)/, undefined],
  ["overlap, ours, and more of ours", { current: "a: 1\nb: 2\nc: 3\nd: 4\ne: 7\n", next: "a: 0\nb: 2\nc: 3\nd: 4\ne: 6\n", onConflict: "ours" }, "update", /1 overlapping place\(s\) resolved with --on-conflict ours \(your lines kept\)/, "a: 0\nb: 2\nc: 3\nd: 4\ne: 7\n"],
  ["overlap, theirs", { current: "a: 1\nb: 2\nc: 3\nd: 4\ne: 7\n", onConflict: "theirs" }, "update", /resolved with --on-conflict theirs \(our lines taken\)/, NEXT],
  ["markers from an earlier upgrade", { current: "a: 1\n<<<<<<< yours\nb: 0\n=======\nb: 2\n>>>>>>> relay-security\nc: 3\n" }, "conflict", /still has conflict markers from an earlier upgrade \(line 2, 4, 6\); left as it is/, undefined],
  // Each side adds `x` in a different place: a clean line merge, but a duplicate key in YAML.
  ["a clean merge that does not parse", { current: "x: 0\na: 1\nb: 2\nc: 3\nd: 4\ne: 5\n", next: "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nx: 9\n" }, "conflict", /gives a file that does not parse \(.*unique.*\); left as it is/, undefined],
  ["hand-written (not ours)", { current: "name: mine\n", generated: undefined, handWritten: ["finds its issue by title (line 3)"] }, "conflict", /^hand-written \(not in the state file\); finds its issue by title \(line 3\); left as it is: .*--adopt replaces it$/, undefined],
  ["hand-written, --adopt", { current: "name: mine\n", generated: undefined, adopt: true }, "update", /hand-written .*replaced by relay-security's version \(--adopt\)/, NEXT],
  ["hand-written, --on-conflict theirs is not --adopt", { current: "name: mine\n", generated: undefined, onConflict: "theirs" as ConflictStrategy }, "conflict", /--adopt replaces it/, undefined],
];

describe("planOwnedFile: what happens to one file we manage", () => {
  it.each(CASES)("%s", (_name, over, action, reason, written) => {
    const c = plan(over);
    expect(c.action).toBe(action);
    expect(c.reason ?? "").toMatch(reason);
    const writes = c.after !== undefined && c.after !== c.before && action !== "skip";
    expect(writes ? c.after : undefined).toBe(written);
  });

  it("a JSON merge that no longer parses is shown, not written", () => {
    const base = '{\n  "a": 1,\n  "b": 2,\n  "c": 3,\n  "d": 4\n}\n';
    const c = planOwnedFile({ path: "r.json", generated: base, current: base.replace('"d": 4\n', '"d": 4,\n  "e": 5\n'), next: base.replace('"d": 4\n}', '"d": 4\n}\n{}'), restore: false, onConflict: "markers" });
    expect(c.action).toBe("conflict");
    expect(c.after).toBe(c.before);
    expect(c.notes?.[0]).toContain('"e": 5');
  });

  it("a file that did not parse before is merged as usual (it was already the user's to fix)", () => {
    const c = plan({ current: "x: [\na: 1\nb: 2\nc: 3\nd: 4\ne: 5\n" });
    expect(c.action).toBe("update");
    expect(c.after).toBe("x: [\na: 1\nb: 2\nc: 3\nd: 4\ne: 6\n");
  });
});
