/**
 * `pin` inside a set-up: an interactive run asks "Pin N actions ...?" listing them, `--pin` pins with
 * `--yes`, and otherwise the tag pins in the user's files are findings with `pin` as the fix.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runInit } from "../../src/run.js";
import { initOptions, scriptedDeps } from "../support/deps.js";
import { makeRepo } from "../support/repo.js";
import { Upstreams } from "./upstreams.js";

const ups = new Upstreams();
let sha = "";
afterAll(() => rmSync(ups.root, { recursive: true, force: true }));
beforeAll(() => {
  const u = ups.repo("acme/light");
  sha = u.commit();
  u.tag("v1.4.2");
  u.tag("v1");
  u.push();
});

const LINT = "name: Lint\non: push\npermissions: {}\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/light@v1\n      - run: make lint\n";
const ANSWERS = ["ghcr.io/acme/hello-service", "Dockerfile", "daily", "CRITICAL,HIGH", "renovate", "write"];
const repo = () => makeRepo("example", { files: { ".github/workflows/lint.yml": LINT } });
const lint = (dir: string) => readFileSync(join(dir, ".github/workflows/lint.yml"), "utf8");
const pinned = () => LINT.replace("acme/light@v1", `acme/light@${sha} # v1.4.2`);

describe("pin in set-up", () => {
  it("interactive: asks, listing them, and pins on yes", async () => {
    const dir = repo();
    const s = scriptedDeps([...ANSWERS, true]);
    const { exitCode, report } = await runInit(initOptions(dir, { mode: "interactive" }), { ...s.deps, exec: ups.exec() });
    expect(s.asked.at(-1)).toMatchObject({ kind: "confirm", message: "Pin 1 action in your workflows to commit SHAs?" });
    expect(s.out.join("\n")).toContain(".github/workflows/lint.yml:8  acme/light@v1");
    expect(lint(dir)).toBe(pinned());
    expect(report.written).toContain(".github/workflows/lint.yml");
    expect(report.plan.notes.join("\n")).toContain(`pinned .github/workflows/lint.yml:8 acme/light@v1 -> acme/light@${sha} # v1.4.2`);
    expect(exitCode).toBe(0);
  });

  it("interactive: no leaves the file and lists the finding", async () => {
    const dir = repo();
    const s = scriptedDeps([...ANSWERS, false]);
    const { report } = await runInit(initOptions(dir, { mode: "interactive" }), { ...s.deps, exec: ups.exec() });
    expect(lint(dir)).toBe(LINT);
    expect(report.findings.filter((f) => f.rule === "pins/sha")).toHaveLength(1);
  });

  it("--pin with --yes pins without asking", async () => {
    const dir = repo();
    const s = scriptedDeps([]);
    const { exitCode } = await runInit(initOptions(dir, { pin: true }), { ...s.deps, exec: ups.exec() });
    expect(exitCode).toBe(0);
    expect(lint(dir)).toBe(pinned());
  });

  it("--yes alone: a finding in the user's file with `pin` as the fix; the exit code is not ours to change", async () => {
    const dir = repo();
    const { exitCode, report } = await runInit(initOptions(dir), { ...scriptedDeps([]).deps, exec: ups.exec() });
    expect(lint(dir)).toBe(LINT);
    expect(report.findings.filter((f) => f.rule.startsWith("pin"))).toEqual([
      { file: ".github/workflows/lint.yml", line: 8, rule: "pins/sha", severity: "error", owner: "you", message: "acme/light@v1 is a tag or branch, which can be moved to other code; pin the full 40-character commit SHA", hint: "npx create-relay-security pin" },
    ]);
    expect(exitCode).toBe(0);
  });
});
