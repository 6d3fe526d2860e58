/**
 * Property tests over generated workflows (the gate's generator, test/gate/arbitraries.ts, with every
 * `uses:` line written in a random style: quoted or not, with or without a comment, trailing spaces):
 * only the `uses:` values and their comments change, the result parses, a second run is a no-op.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { runPin } from "../../src/pin/index.js";
import type { RefSource } from "../../src/pin/remote.js";
import { loadPins } from "../../src/pins.js";
import { generated, render } from "../gate/arbitraries.js";
import { scriptedDeps } from "../support/deps.js";

const fakeSha = (s: string) => createHash("sha1").update(s).digest("hex");

/** Every repository has `vN` and `vN.1.2` on one commit for N in 1..9. */
const source: RefSource = {
  complete: true,
  async refs(repo) {
    const tags = new Map<string, string>();
    for (let n = 1; n < 10; n++) {
      tags.set(`v${n}`, fakeSha(`${repo} ${n}`));
      tags.set(`v${n}.1.2`, fakeSha(`${repo} ${n}`));
    }
    return { tags, heads: new Map() };
  },
  dates: async () => ({ error: "not used" }),
  reachable: async () => true,
  dispose() {},
};

const style = fc.record({ quote: fc.constantFrom("", "'", '"'), comment: fc.constantFrom(undefined, "# v3", "#keep this", "# v3.0.1 pinned by hand", "#"), trailing: fc.constantFrom("", "  ") });

const USES = /^(\s*(?:-\s+)?uses: )(\S+)(\r?)$/;

type UsesStyle = { quote: string; comment: string | undefined; trailing: string };

function restyle(text: string, styles: UsesStyle[]): string {
  let i = 0;
  return text
    .split("\n")
    .map((line) => {
      const m = USES.exec(line);
      const st = styles[i++ % Math.max(styles.length, 1)];
      if (!m || !st) return line;
      return `${m[1]}${st.quote}${m[2]}${st.quote}${st.comment ? ` ${st.comment}` : ""}${st.trailing}${m[3]}`;
    })
    .join("\n");
}

type Doc = { jobs: Record<string, { steps: { uses?: string }[] }> };
const withoutUses = (d: Doc) => JSON.stringify(d, (k, v) => (k === "uses" ? "<uses>" : v));

describe("pin properties (generated workflows)", () => {
  it("changes only uses: values and their comments, the result parses, a second run is a no-op", async () => {
    const pins = loadPins();
    const deps = scriptedDeps([]).deps;
    await fc.assert(
      fc.asyncProperty(generated, fc.array(style, { minLength: 1, maxLength: 6 }), async (g, styles) => {
        const text = restyle(render(g), styles);
        const dir = mkdtempSync(join(tmpdir(), "relay-pin-prop-"));
        try {
          mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
          const file = join(dir, ".github", "workflows", "ci.yml");
          writeFileSync(file, text);
          const run = await runPin({ dir, check: false, dryRun: false, offline: false, update: false, minAgeDays: 7 }, deps, { refs: source, pins });
          const after = readFileSync(file, "utf8");
          const doc = parseDocument(after);
          expect(doc.errors).toEqual([]);
          const [a, b] = [parseDocument(text).toJS() as Doc, doc.toJS() as Doc];
          expect(withoutUses(b)).toBe(withoutUses(a));
          for (const job of Object.values(b.jobs)) for (const st of job.steps) if (st.uses) expect(st.uses).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
          const [x, y] = [text.split("\n"), after.split("\n")];
          expect(y.length).toBe(x.length);
          x.forEach((line, i) => {
            const m = USES.exec(line) ?? /^(\s*(?:-\s+)?uses: )/.exec(line);
            if (!m) expect(y[i]).toBe(line);
            else {
              expect(y[i]?.startsWith(m[1] as string)).toBe(true);
              expect(y[i]).toMatch(/@[0-9a-f]{40}['"]? # v\d\.1\.2(?: |\r|$)/);
              expect(y[i]?.endsWith("\r")).toBe(line.endsWith("\r"));
            }
          });
          expect(run.results.every((r) => r.status === "pinned")).toBe(true);
          const again = await runPin({ dir, check: false, dryRun: false, offline: false, update: false, minAgeDays: 7 }, deps, { refs: source, pins });
          expect(again.written).toEqual([]);
          expect(readFileSync(file, "utf8")).toBe(after);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 150 },
    );
  });
});
