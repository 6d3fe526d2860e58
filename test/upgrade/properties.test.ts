import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { parseError } from "../../src/plan/owned.js";
import { PATHS } from "../../src/render/index.js";
import { makeRepo, snapshot } from "../support/repo.js";
import { planAndApply, randomEdits, type EditPlan } from "./random-edits.js";
import { setupPreviousRelease, upgrade } from "./support.js";

const IMAGE = "ghcr.io/acme/hello-service";
const FILES = { [PATHS.securityScan]: "yaml", [PATHS.securityDb]: "yaml", [PATHS.dbAction]: "yaml", [PATHS.trivyignore]: "text", [PATHS.renovate]: "json" } as const;
const FLAGS = [{}, { schedule: "weekly" }, { severity: "CRITICAL" }] as const;

let previous: Map<string, string>;
const today = new Map<number, Map<string, string>>();

beforeAll(async () => {
  const dir = makeRepo("example");
  await setupPreviousRelease(dir);
  previous = snapshot(dir);
  for (const [i, flags] of FLAGS.entries()) {
    const fresh = makeRepo("example");
    await upgrade(fresh, { flags });
    today.set(i, snapshot(fresh));
  }
});

const lines = (t: string) => t.split("\n").map((l) => l.replace(/\r$/, ""));
const count = (all: string[], line: string) => all.filter((l) => l === line).length;
/** Our step in the user's ci.yml, comment included (it is ours to replace). */
// An earlier release's single step ends at `exit-code: '1'`; the 150-line block at the note step's `exit 1`;
// today's (the action call and the scan) at the scan's `cache-dir:`.
const withoutStep = (t: string) =>
  t.replace(/\n +# Added by relay-security[^]*?(?:id: relay-security-no-db[^]*?\n +exit 1\n|exit-code: '1'\n(?! +skip-setup-trivy)|cache-dir: \$\{\{ runner\.temp \}\}\/relay-security\/trivy\n)/, "\n<step>\n");

describe("upgrade properties: random maintainer edits to the files we manage", () => {
  it("keeps every user line outside what we changed, leaves every file parsing or listed as conflicted, touches nothing else", async () => {
    const edits = fc.record({
      flags: fc.nat({ max: FLAGS.length - 1 }),
      files: fc.record(Object.fromEntries(Object.entries(FILES).map(([path, kind]) => [path, randomEdits(kind)])) as Record<string, fc.Arbitrary<EditPlan>>),
    });
    await fc.assert(
      fc.asyncProperty(edits, async ({ flags, files }) => {
        const dir = mkdtempSync(join(tmpdir(), "relay-prop-"));
        for (const [path, text] of previous) {
          mkdirSync(dirname(join(dir, path)), { recursive: true });
          writeFileSync(join(dir, path), text);
        }
        const user = new Map<string, { text: string; tokens: string[] }>();
        for (const [path, plan] of Object.entries(files)) {
          const edited = plan.apply(previous.get(path) ?? "", path);
          user.set(path, edited);
          writeFileSync(join(dir, path), edited.text);
        }
        const before = snapshot(dir);
        const plan = await planAndApply(dir, { ...FLAGS[flags], image: IMAGE });
        const after = snapshot(dir);
        const next = today.get(flags) as Map<string, string>;
        const conflicted = new Set(plan.changes.filter((c) => c.action === "conflict").map((c) => c.path));

        for (const [path, { text, tokens }] of user) {
          const result = lines(after.get(path) ?? "");
          // Every line the user wrote is still there (merged, or on their side of the markers).
          for (const token of tokens) expect(result.some((l) => l.includes(token)), `${path}: ${token}`).toBe(true);
          // Every line that neither side touched is still there.
          const [b, u, n] = [lines(previous.get(path) ?? ""), lines(text), lines(next.get(path) ?? "")];
          for (const line of b) {
            if (count(b, line) === 1 && count(u, line) === 1 && count(n, line) === 1) expect(result, `${path}: ${line}`).toContain(line);
          }
          // It parses, or it is listed as conflicted (a user's file that did not parse is theirs to fix).
          if (parseError(path, text) === undefined && !conflicted.has(path)) expect(parseError(path, after.get(path) ?? ""), path).toBeUndefined();
        }
        // Nothing we do not manage changed; in ci.yml only our own step did.
        for (const [path, text] of before) {
          // relay-security-check.yml, security-db.yml and the maintainers' page are ours too: an upgrade
          // moves them to the new version (the page names the pinned scanner versions).
          if (path in FILES || path === PATHS.state || path === PATHS.checkWorkflow || path === PATHS.securityDb || path === PATHS.docs) continue;
          if (path === PATHS.ci) expect(withoutStep(after.get(path) ?? "")).toBe(withoutStep(text));
          else expect(after.get(path), path).toBe(text);
        }
        // A second upgrade changes no byte.
        await planAndApply(dir, { ...FLAGS[flags], image: IMAGE });
        expect(snapshot(dir)).toEqual(after);
      }),
      { numRuns: 40 },
    );
  });
});
