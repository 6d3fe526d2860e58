import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { planGate } from "../../src/gate/index.js";
import { PATHS, renderDbAction } from "../../src/render/index.js";
import { viewWith } from "../support/answers.js";
import { findTool, requireTool } from "../support/tools.js";
import { generated, render } from "./arbitraries.js";
import { loadCases, requestFor, requestForText } from "./helpers.js";

/**
 * actionlint (the real binary, with shellcheck on run: scripts) on every output the gate produces: it may
 * report nothing that it did not already report on the user's input. Findings are compared by kind and
 * message (lines move when we insert), as multisets.
 */
const actionlint = requireTool("actionlint");
const shellcheck = requireTool("shellcheck") ?? findTool("shellcheck");
const work = mkdtempSync(join(tmpdir(), "gate-actionlint-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Finding {
  kind: string;
  message: string;
}

let n = 0;
/** Lint `text` as `.github/workflows/<name>` in a fresh repo that also holds `others`. */
function lint(name: string, text: string, others: { path: string; text: string }[] = []): string[] {
  const repo = join(work, String(n++));
  mkdirSync(join(repo, ".github/workflows"), { recursive: true });
  for (const o of others) writeFileSync(join(repo, o.path), o.text);
  writeFileSync(join(repo, ".github/workflows", name), text);
  // Our database action, as a set-up writes it next to the gate: actionlint checks the inputs passed to it.
  mkdirSync(join(repo, dirname(PATHS.dbAction)), { recursive: true });
  writeFileSync(join(repo, PATHS.dbAction), renderDbAction(viewWith(/depName=anchore\/grype/.test(text) ? { scanner: "grype", sarif: false } : {})));
  const run = spawnSync(actionlint as string, ["-format", "{{json .}}", `-shellcheck=${shellcheck}`, `.github/workflows/${name}`], { cwd: repo, encoding: "utf8" });
  if (run.status !== 0 && run.status !== 1) throw new Error(`actionlint failed: ${run.stderr}`);
  return (JSON.parse(run.stdout || "[]") as Finding[]).map((f) => `${f.kind}: ${f.message}`);
}

/** Findings in `after` that `before` did not have (as many times). */
function newFindings(before: string[], after: string[]): string[] {
  const left = [...before];
  return after.filter((f) => {
    const i = left.indexOf(f);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

describe.skipIf(!actionlint || !shellcheck)("actionlint on the gate's output", () => {
  it("really runs, with shellcheck on run: scripts", () => {
    expect(execFileSync(shellcheck as string, ["--version"], { encoding: "utf8" })).toMatch(/version:/);
    const bad = "on: pull_request\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo $1 $FOO\n";
    expect(lint("bad.yml", bad).some((f) => f.startsWith("shellcheck:"))).toBe(true);
  });

  for (const c of loadCases()) {
    const expected = join(c.dir, "expected.yml");
    if (!existsSync(expected)) continue;
    it(`${c.name}: no new finding`, () => {
      const req = requestFor(c);
      const others = req.workflows.slice(1);
      const name = c.path.split("/").pop() as string;
      expect(newFindings(lint(name, c.input, others), lint(name, readFileSync(expected, "utf8"), others))).toEqual([]);
    });
  }

  it("generated workflows: no new finding", () => {
    fc.assert(
      fc.property(generated, (g) => {
        const text = render(g);
        const result = planGate(requestForText(text));
        if (result.kind !== "edit") throw new Error(`expected an edit, got ${result.kind}`);
        expect(newFindings(lint("ci.yml", text), lint("ci.yml", result.after))).toEqual([]);
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
