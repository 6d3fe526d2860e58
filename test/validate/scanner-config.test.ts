/**
 * Issue 13, item 3: configuration the scanners load by themselves. A root `trivy.yaml` and the keys of
 * `.grype.yaml` other than `ignore:` change what the gate decides without the gate step changing, so
 * `validate` and `check` fail on them. The real Trivy shows the file matters (with a control).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { renderGrypeIgnore } from "../../src/render/index.js";
import { lintGrypeConfig, lintTrivyConfig } from "../../src/validate/scanner-config.js";
import { viewWith } from "../support/answers.js";
import { runCli } from "../support/cli.js";
import { initOptions, scriptedDeps } from "../support/deps.js";
import { git, makeRepo } from "../support/repo.js";
import { trivyFixtures, VULN, type TrivyFixtures } from "../support/scanner-fixtures.js";
import { requireTool } from "../support/tools.js";
import { runInit } from "../../src/run.js";
import { renderedGateWith, runTrivyStep, workspace } from "../scanners/helpers.js";

const brief = (fs: { rule: string; line?: number; message: string }[]) => fs.map((f) => [f.rule, f.line, /`([^`]+)`/.exec(f.message)?.[1]]);

describe("lintTrivyConfig", () => {
  it.each([
    ["db.skip-update", "db:\n  skip-update: true\n", [["scanner-config/trivy", 2, "db.skip-update"]]],
    ["pkg.types without library", "pkg:\n  types: [os]\n", [["scanner-config/trivy", 2, "pkg.types"]]],
    ["skip-dirs and severity", "timeout: 10m\nscan:\n  skip-dirs:\n    - /app\nseverity: [CRITICAL]\n", [["scanner-config/trivy", 3, "scan.skip-dirs"], ["scanner-config/trivy", 5, "severity"]]],
    ["an unknown key is refused too", "future-option: 1\n", [["scanner-config/trivy", 1, "future-option"]]],
    ["only harmless keys", "timeout: 10m\ndebug: true\n", []],
    ["empty", "", []],
    ["CRLF", "timeout: 10m\r\ndb:\r\n  skip-update: true\r\n", [["scanner-config/trivy", 3, "db.skip-update"]]],
    ["BOM", "\uFEFFdb:\n  skip-update: true\n", [["scanner-config/trivy", 2, "db.skip-update"]]],
    ["non-UTF-8 bytes in a comment", Buffer.from([0x23, 0x20, 0xe9, 0x0a, ...Buffer.from("exit-code: 0\n")]).toString("utf8"), [["scanner-config/trivy", 2, "exit-code"]]],
  ])("%s", (_name, text, expected) => {
    expect(brief(lintTrivyConfig("trivy.yaml", text))).toEqual(expected);
    for (const f of lintTrivyConfig("trivy.yaml", text)) expect(f.severity).toBe("error");
  });

  it("invalid YAML is an error (Trivy stops on it)", () => {
    expect(lintTrivyConfig("trivy.yaml", "db: [\n")[0]).toMatchObject({ rule: "scanner-config/trivy", severity: "error" });
  });
});

describe("lintGrypeConfig: .grype.yaml holds ignore: only", () => {
  it.each([
    ["exclude", "exclude:\n  - /app\nignore: []\n", [["scanner-config/grype", 1, "exclude"]]],
    ["db.auto-update", "ignore: []\ndb:\n  auto-update: false\n", [["scanner-config/grype", 2, "db"]]],
    ["CRLF", "ignore: []\r\nonly-fixed: false\r\n", [["scanner-config/grype", 2, "only-fixed"]]],
    ["BOM", "\uFEFFexclude: [/app]\n", [["scanner-config/grype", 1, "exclude"]]],
    ["non-UTF-8", Buffer.from([0x23, 0xff, 0x0a, ...Buffer.from("fail-on-severity: critical\n")]).toString("utf8"), [["scanner-config/grype", 2, "fail-on-severity"]]],
    ["ignore only", "ignore:\n  - vulnerability: CVE-2026-1\n", []],
  ])("%s", (_name, text, expected) => {
    expect(brief(lintGrypeConfig(".grype.yaml", text))).toEqual(expected);
  });

  it("our own template passes", () => {
    expect(lintGrypeConfig(".grype.yaml", renderGrypeIgnore(viewWith({ scanner: "grype" })))).toEqual([]);
  });
});

describe("check and validate on a set-up repository", () => {
  const setUp = async (flags: Record<string, unknown> = {}) => {
    const dir = makeRepo("example");
    expect((await runInit(initOptions(dir, { flags }), scriptedDeps([]).deps)).exitCode).toBe(0);
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "set up");
    return dir;
  };
  const commit = (dir: string, path: string, text: string) => {
    writeFileSync(join(dir, path), text);
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", `add ${path}`);
  };

  it("a root trivy.yaml with db.skip-update fails check, naming the file and the line; control: without it, green", async () => {
    const dir = await setUp();
    expect(runCli(["check", "--offline", dir]).code).toBe(0);
    commit(dir, "trivy.yaml", "# speeds up CI\ndb:\n  skip-update: true\n");
    const r = runCli(["check", "--offline", "--json", dir]);
    expect(r.code).toBe(1);
    const findings = (JSON.parse(r.stdout) as { findings: { file: string; line?: number; rule: string }[] }).findings;
    expect(findings).toContainEqual(expect.objectContaining({ file: "trivy.yaml", line: 3, rule: "scanner-config/trivy" }));
    expect(runCli(["validate", "--offline", dir]).code).toBe(1);
  });

  it("--scanner grype: .grype.yaml with exclude fails validate", async () => {
    const dir = await setUp({ scanner: "grype" });
    commit(dir, ".grype.yaml", "exclude:\n  - /app\nignore: []\n");
    const r = runCli(["validate", "--offline", "--json", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("scanner-config/grype");
  });
});

const trivy = requireTool("trivy");
const go = requireTool("go");

describe.skipIf(!trivy || !go)("the real Trivy reads ./trivy.yaml behind the gate's back", () => {
  let fx: TrivyFixtures;
  beforeAll(() => {
    fx = trivyFixtures();
  });
  it("pkg.types: [os] in ./trivy.yaml passes a Go binary the gate fails on (control: without it, exit 1)", async () => {
    const control = await runTrivyStep(trivy ?? "", renderedGateWith(), { archive: fx.images.gobin, cacheDir: fx.cacheDir });
    expect([control.exitCode, control.vulns]).toEqual([1, [`${VULN.stdlib} stdlib`]]);
    const cwd = workspace();
    writeFileSync(join(cwd, "trivy.yaml"), "pkg:\n  types: [os]\n");
    const weakened = await runTrivyStep(trivy ?? "", renderedGateWith(), { archive: fx.images.gobin, cacheDir: fx.cacheDir, cwd });
    expect([weakened.exitCode, weakened.vulns]).toEqual([0, []]);
    expect(lintTrivyConfig("trivy.yaml", "pkg:\n  types: [os]\n")).toHaveLength(1);
  });
});
