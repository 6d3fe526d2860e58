import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { planGate } from "../../src/gate/index.js";
import { generated, render } from "./arbitraries.js";
import { requestForText } from "./helpers.js";

/** Every line of `before` appears in `after`, in order (line endings aside). */
export function keepsLinesInOrder(before: string, after: string): boolean {
  const want = before.split("\n").map((l) => l.replace(/\r$/, ""));
  const have = after.split("\n").map((l) => l.replace(/\r$/, ""));
  let j = 0;
  for (const line of want) {
    while (j < have.length && have[j] !== line) j++;
    if (j === have.length) return false;
    j++;
  }
  return true;
}

type Steps = { id?: string; uses?: string; name?: string }[];

describe("gate properties (generated workflows)", () => {
  it("inserts without losing a line, the result parses, and a second run is a no-op", () => {
    fc.assert(
      fc.property(generated, (g) => {
        const text = render(g);
        expect(parseDocument(text).errors).toEqual([]);
        const result = planGate(requestForText(text));
        expect(result.kind).toBe("edit");
        if (result.kind !== "edit") return;
        const after = result.after;
        expect(keepsLinesInOrder(text, after)).toBe(true);
        const doc = parseDocument(after);
        expect(doc.errors).toEqual([]);
        // Line endings and the final newline are the user's.
        if (g.style.crlf) expect(/(^|[^\r])\n/.test(after)).toBe(false);
        else expect(after.includes("\r")).toBe(false);
        expect(after.endsWith("\n")).toBe(text.endsWith("\n"));
        // Where the scan went: right after the build, or into our own job.
        const jobs = (doc.toJS() as { jobs: Record<string, { steps: Steps }> }).jobs;
        if (g.build) {
          const key = g.jobs[g.build.job]?.key as string;
          const steps = jobs[key]?.steps ?? [];
          // Right after the build come our steps only (the database's, then the scan).
          const at = steps.findIndex((s) => s.name === "Build the image");
          const ours = steps.slice(at + 1).findIndex((s) => !String(s.id ?? "").startsWith("relay-security-"));
          const block = steps.slice(at + 1, ours === -1 ? undefined : at + 1 + ours).map((s) => s.id);
          expect(block).toContain("relay-security-scan");
        } else {
          expect(Object.keys(jobs).at(-1)).toBe("image-scan");
        }
        expect(planGate(requestForText(after)).kind).toBe("unchanged");
      }),
      { numRuns: 300 },
    );
  });
});
