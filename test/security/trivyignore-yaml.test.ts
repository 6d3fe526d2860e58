/**
 * Issue 13, item 7: Trivy's YAML ignore file as a first-class choice. A repository that keeps
 * `.trivyignore.yaml` (and no `.trivyignore`) gets a gate and a rescan that read it, and `validate`
 * holds its entries to the rule (`statement` is the WHY, `expired_at` the expiry, a TODO date).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runInit } from "../../src/run.js";
import { renderTrivyignoreYaml } from "../../src/render/index.js";
import { lintTrivyignoreYaml } from "../../src/validate/trivyignore-yaml.js";
import { viewWith } from "../support/answers.js";
import { runCli } from "../support/cli.js";
import { initOptions, scriptedDeps } from "../support/deps.js";
import { git, makeRepo } from "../support/repo.js";
import { trivyFixtures, VULN, type TrivyFixtures } from "../support/scanner-fixtures.js";
import { requireTool } from "../support/tools.js";
import { renderedGateWith, runTrivyStep } from "../scanners/helpers.js";

const GOOD = `vulnerabilities:
  - id: CVE-2026-1234
    statement: "only in the debug subcommand. TODO(2026-12-15): check golang:1.26.9"
    expired_at: 2099-01-31
`;

type Step = { id?: string; uses?: string; with?: Record<string, unknown> };
const stepsOf = (text: string) => Object.values((parse(text) as { jobs: Record<string, { steps: Step[] }> }).jobs).flatMap((j) => j.steps ?? []);
const trivyignores = (text: string) => stepsOf(text).filter((s) => s.uses?.startsWith("aquasecurity/trivy-action@")).map((s) => s.with?.["trivyignores"]);

describe("a repository that keeps .trivyignore.yaml", () => {
  it("gets a gate and a rescan that read it, and no .trivyignore", async () => {
    const dir = makeRepo("example", { files: { ".trivyignore.yaml": GOOD } });
    const { exitCode } = await runInit(initOptions(dir), scriptedDeps([]).deps);
    expect(exitCode).toBe(0);
    expect(trivyignores(readFileSync(join(dir, ".github/workflows/ci.yml"), "utf8"))).toEqual([".trivyignore.yaml"]);
    expect(trivyignores(readFileSync(join(dir, ".github/workflows/security-scan.yml"), "utf8"))).toEqual([".trivyignore.yaml"]);
    expect(existsSync(join(dir, ".trivyignore"))).toBe(false);
    expect(readFileSync(join(dir, ".trivyignore.yaml"), "utf8")).toBe(GOOD);
    const state = JSON.parse(readFileSync(join(dir, ".github/relay-security.json"), "utf8")) as { answers: Record<string, unknown> };
    expect(state.answers["trivyignore"]).toBe(".trivyignore.yaml");
  });

  it("validate fails on an entry without a statement or past its expired_at, naming the line", async () => {
    const dir = makeRepo("example", { files: { ".trivyignore.yaml": GOOD } });
    await runInit(initOptions(dir), scriptedDeps([]).deps);
    writeFileSync(join(dir, ".trivyignore.yaml"), `${GOOD}  - id: CVE-2026-9999\n    expired_at: 2020-01-01\n`);
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "accept a risk");
    const r = runCli(["validate", "--offline", "--json", dir]);
    expect(r.code).toBe(1);
    const findings = (JSON.parse(r.stdout) as { findings: { file: string; line?: number; severity: string }[] }).findings;
    expect(findings.filter((f) => f.file === ".trivyignore.yaml" && f.severity === "error").map((f) => f.line)).toContain(5);
  });
});

describe("--trivyignore .trivyignore.yaml on a repository with neither file", () => {
  it("writes our commented YAML file, which the rule accepts and Trivy's format allows", async () => {
    const dir = makeRepo("example");
    const { exitCode } = await runInit(initOptions(dir, { flags: { trivyignore: ".trivyignore.yaml" } }), scriptedDeps([]).deps);
    expect(exitCode).toBe(0);
    const text = readFileSync(join(dir, ".trivyignore.yaml"), "utf8");
    expect(text).toBe(renderTrivyignoreYaml(viewWith({ trivyignore: ".trivyignore.yaml" })));
    expect(parse(text)).toEqual({ vulnerabilities: [] });
    expect(lintTrivyignoreYaml(".trivyignore.yaml", text, new Date())).toEqual([]);
    expect(existsSync(join(dir, ".trivyignore"))).toBe(false);
    // A second run changes nothing.
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "set up");
    const again = await runInit(initOptions(dir), scriptedDeps([]).deps);
    expect(again.report.plan.changes.filter((c) => c.action !== "unchanged").map((c) => c.path)).toEqual([]);
  });

  it("refuses another file name, naming the flag", () => {
    const dir = makeRepo("example");
    const r = runCli(["--yes", "--trivyignore", "ignore.txt", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--trivyignore: the Trivy ignore file must be \.trivyignore or \.trivyignore\.yaml/);
  });
});

const trivy = requireTool("trivy");
const go = requireTool("go");

describe.skipIf(!trivy || !go)("the real Trivy reads .trivyignore.yaml the way the gate passes it", () => {
  let fx: TrivyFixtures;
  beforeAll(() => {
    fx = trivyFixtures();
  });
  const entry = (exp: string) => `vulnerabilities:\n  # TODO(2099-01-01): fixture\n  - id: ${VULN.openssl}\n    statement: fixture\n    expired_at: ${exp}\n`;
  const gateIn = async (yaml: string) => {
    const cwd = makeRepo("example", { files: { ".trivyignore.yaml": yaml } });
    return runTrivyStep(trivy ?? "", renderedGateWith({ trivyignore: ".trivyignore.yaml" }), { archive: fx.images.openssl, cacheDir: fx.cacheDir, cwd });
  };

  it("an entry with a future expired_at suppresses the fixable CRITICAL; control: an expired one does not", async () => {
    expect(renderedGateWith({ trivyignore: ".trivyignore.yaml" })["trivyignores"]).toBe(".trivyignore.yaml");
    const ignored = await gateIn(entry("2099-12-31"));
    expect([ignored.exitCode, ignored.vulns]).toEqual([0, []]);
    const expired = await gateIn(entry("2020-01-01"));
    expect([expired.exitCode, expired.vulns]).toEqual([1, [`${VULN.openssl} libcrypto3`]]);
  });
});
