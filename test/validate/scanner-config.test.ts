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
import { renderedGateWith, renderedRescanWith, runTrivyStep, workspace } from "../scanners/helpers.js";

/** The gate step's inputs as a default set-up renders them: what it settles itself is read from them. */
const GATE = renderedGateWith();
const brief = (fs: { rule: string; line?: number; message: string }[]) => fs.map((f) => [f.rule, f.line, /`([^`]+)`/.exec(f.message)?.[1]]);

describe("lintTrivyConfig", () => {
  it.each([
    ["db.skip-update", "db:\n  skip-update: true\n", [["scanner-config/trivy", 2, "db.skip-update"]]],
    ["pkg.types without library", "pkg:\n  types: [os]\n", [["scanner-config/trivy", 2, "pkg.types"]]],
    ["skip-dirs (severity is the gate's own input)", "timeout: 10m\nscan:\n  skip-dirs:\n    - /app\nseverity: [CRITICAL]\n", [["scanner-config/trivy", 3, "scan.skip-dirs"]]],
    ["an unknown key is refused too", "future-option: 1\n", [["scanner-config/trivy", 1, "future-option"]]],
    ["only harmless keys", "timeout: 10m\ndebug: true\n", []],
    ["empty", "", []],
    ["CRLF", "timeout: 10m\r\ndb:\r\n  skip-update: true\r\n", [["scanner-config/trivy", 3, "db.skip-update"]]],
    ["BOM", "\uFEFFdb:\n  skip-update: true\n", [["scanner-config/trivy", 2, "db.skip-update"]]],
    ["non-UTF-8 bytes in a comment", Buffer.from([0x23, 0x20, 0xe9, 0x0a, ...Buffer.from("db:\n  skip-update: true\n")]).toString("utf8"), [["scanner-config/trivy", 3, "db.skip-update"]]],
    // gogs/gogs' trivy.yaml: what the gate sets itself, or sets to the same value, moves nothing; skip-files does.
    [
      "gogs' shape: only skip-files counts",
      'scan:\n  skip-files:\n    - "app/gogs/gogs"\nseverity:\n  - CRITICAL\n  - HIGH\nvulnerability:\n  ignore-unfixed: true\n  type:\n    - os\n    - library\nformat: "table"\n',
      [["scanner-config/trivy", 2, "scan.skip-files"]],
    ],
    ["what the gate sets itself", "exit-code: 0\nseverity: [LOW]\nscan:\n  scanners: [secret]\nvulnerability:\n  ignore-unfixed: false\nignorefile: other\n", []],
    ["a package-type list other than ours", "pkg:\n  types: os\nvulnerability:\n  type: [library, os]\n", [["scanner-config/trivy", 2, "pkg.types"]]],
  ])("%s", (_name, text, expected) => {
    expect(brief(lintTrivyConfig("trivy.yaml", text, [GATE]))).toEqual(expected);
    for (const f of lintTrivyConfig("trivy.yaml", text, [GATE])) expect(f.severity).toBe("error");
  });

  // trivy-action compares an input with its default as text: our CRITICAL,HIGH,MEDIUM,LOW,UNKNOWN is
  // exported like any other list; only the default's own spelling is not, and then the config counts.
  it("severity counts when the step's input is trivy-action's default, spelled as it spells it (the action then exports none)", () => {
    expect(brief(lintTrivyConfig("trivy.yaml", "severity: [CRITICAL]\n", [renderedGateWith({ severity: "CRITICAL,HIGH" })]))).toEqual([]);
    expect(brief(lintTrivyConfig("trivy.yaml", "severity: [CRITICAL]\n", [{ ...GATE, severity: "UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL" }]))).toEqual([["scanner-config/trivy", 1, "severity"]]);
  });

  // gogs/gogs gates with its own Trivy step: ours is only the rescan's, which settles the same keys.
  it("with no gate step of ours, the rescan's step decides what is settled; with no step of ours at all, every key counts", () => {
    const text = "severity: [CRITICAL]\nvulnerability:\n  ignore-unfixed: false\nscan:\n  skip-files: [app/svc]\n";
    expect(brief(lintTrivyConfig("trivy.yaml", text, [renderedRescanWith()]))).toEqual([["scanner-config/trivy", 5, "scan.skip-files"]]);
    expect(brief(lintTrivyConfig("trivy.yaml", text, [GATE, renderedRescanWith()]))).toEqual([["scanner-config/trivy", 5, "scan.skip-files"]]);
    expect(brief(lintTrivyConfig("trivy.yaml", text, [GATE, { ...renderedRescanWith(), "ignore-unfixed": "false" }]))).toEqual([["scanner-config/trivy", 3, "vulnerability.ignore-unfixed"], ["scanner-config/trivy", 5, "scan.skip-files"]]);
    expect(lintTrivyConfig("trivy.yaml", text, [])).toHaveLength(3);
  });

  it("invalid YAML is an error (Trivy stops on it)", () => {
    expect(lintTrivyConfig("trivy.yaml", "db: [\n", [GATE])[0]).toMatchObject({ rule: "scanner-config/trivy", severity: "error" });
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

  // ory/kratos' shape: a .grype.yaml of its own Grype job, entries without WHY or TODO, next to a Trivy gate.
  it.each([
    ["LF", (t: string) => Buffer.from(t)],
    ["CRLF", (t: string) => Buffer.from(t.replace(/\n/g, "\r\n"))],
    ["a BOM", (t: string) => Buffer.from(`\uFEFF${t}`)],
    ["non-UTF-8 bytes", (t: string) => Buffer.from(`# Ren\xe9\n${t}`, "latin1")],
  ])("a Trivy gate never reads .grype.yaml, so a set-up is not held to its rules (%s)", (_name, enc) => {
    const dir = makeRepo("example");
    writeFileSync(join(dir, ".grype.yaml"), enc("ignore:\n  - vulnerability: CVE-2023-2650\nexclude:\n  - /app\n"));
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "grype config");
    const r = runCli(["--yes", "--json", dir]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toMatch(/grype-ignore|scanner-config\/grype/);
  });

  it("a set-up next to gogs' trivy.yaml: only skip-files counts, and the last line says the file is one its scans read", () => {
    const dir = makeRepo("example");
    writeFileSync(join(dir, "trivy.yaml"), 'scan:\n  skip-files:\n    - "app/svc"\nseverity:\n  - CRITICAL\n  - HIGH\nvulnerability:\n  ignore-unfixed: true\n  type: [os, library]\nformat: "table"\n');
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "trivy config");
    const r = runCli(["--yes", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout.match(/scanner-config\/trivy/g)).toHaveLength(1);
    expect(r.stdout).toContain("Exit 1: 1 validation error(s) in what relay-security wrote or changed, or in a file its scans read (trivy.yaml:2).");
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
    expect(lintTrivyConfig("trivy.yaml", "pkg:\n  types: [os]\n", [GATE])).toHaveLength(1);
  });
  it("what the gate sets itself stays the gate's: severity, exit-code, scanners, ignore-unfixed in ./trivy.yaml change nothing (so they are no finding)", async () => {
    const control = await runTrivyStep(trivy ?? "", renderedGateWith(), { archive: fx.images.gobin, cacheDir: fx.cacheDir });
    const cwd = workspace();
    const config = "severity: [LOW]\nexit-code: 0\nscan:\n  scanners: [secret]\nvulnerability:\n  ignore-unfixed: false\n  type: [os, library]\n";
    writeFileSync(join(cwd, "trivy.yaml"), config);
    const same = await runTrivyStep(trivy ?? "", renderedGateWith(), { archive: fx.images.gobin, cacheDir: fx.cacheDir, cwd });
    expect([same.exitCode, same.vulns]).toEqual([control.exitCode, control.vulns]);
    expect(lintTrivyConfig("trivy.yaml", config, [renderedGateWith()])).toEqual([]);
  });
});
