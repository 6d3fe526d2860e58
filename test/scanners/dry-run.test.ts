/**
 * `validate`'s dry-run Trivy scan reports exactly what the gate fails on: both run the real Trivy with the
 * policy of the step we render (the gate through trivy-action's TRIVY_* variables, the dry run through
 * the equivalent flags) on the same fixture archives.
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { execProgram } from "../../src/deps.js";
import { dryRunTrivy, type DryRunTrivyOptions } from "../../src/validate/trivy.js";
import type { Finding } from "../../src/types.js";
import { trivyFixtures, VULN, type ImageName, type TrivyFixtures } from "../support/scanner-fixtures.js";
import { ROOT } from "../support/repo.js";
import { requireTool } from "../support/tools.js";
import { renderedGateWith, runTrivyStep, workspace } from "./helpers.js";

const trivy = requireTool("trivy");
// The fixtures are built with Go (the DB writer in test/tools/trivydb, the Go binary in an image).
const go = requireTool("go");
const idsOf = (fs: Finding[]) => fs.filter((f) => f.severity === "error").map((f) => /^(\S+) in (\S+)/.exec(f.message)?.slice(1).join(" ")).sort();
const FIXTURES = join(ROOT, "test", "fixtures", "scanners");
const FUTURE_IGNORE = `\n# WHY: fixture\n# TODO(2099-01-01): fixture\n${VULN.openssl} exp:2099-12-31\n`;

describe("dryRunTrivy without Trivy", () => {
  it("is skipped, with how to install the version the gate uses", async () => {
    const findings = await dryRunTrivy({
      dir: workspace(), gate: renderedGateWith(), offline: true, exec: execProgram, trivyPath: "/nonexistent/trivy", imageArchive: "app.tar",
    });
    expect(findings).toEqual([expect.objectContaining({ severity: "skipped", rule: "trivy-gate", file: "app.tar" })]);
    expect(findings[0]?.hint).toContain("go install github.com/aquasecurity/trivy/cmd/trivy@v0.74.0");
  });
});

describe.skipIf(!trivy || !go)("dryRunTrivy with the real Trivy", () => {
  let fx: TrivyFixtures;
  beforeAll(() => {
    fx = trivyFixtures();
  });
  const dryRun = (over: Partial<DryRunTrivyOptions> & { dir: string }) =>
    dryRunTrivy({ gate: renderedGateWith(), offline: true, exec: execProgram, trivyPath: trivy, cacheDir: fx.cacheDir, ...over });

  // The rendered policy and the controls that flip it, so "same as the gate" is never just "both empty".
  it.each([
    ["openssl", {}, [VULN.openssl]],
    ["zlib", {}, []],
    ["zlib", { "ignore-unfixed": false }, [VULN.zlib]],
    ["musl", {}, []],
    ["musl", { severity: "MEDIUM" }, [VULN.musl]],
    ["gobin", {}, [VULN.stdlib]],
  ] as [ImageName, Record<string, unknown>, string[]][])("%s %j: reports exactly what the gate fails on", async (image, over, expected) => {
    const policy = { ...renderedGateWith(), ...over };
    const gate = await runTrivyStep(trivy ?? "", policy, { archive: fx.images[image], cacheDir: fx.cacheDir });
    const findings = await dryRun({ dir: workspace(), gate: policy, imageArchive: fx.images[image] });
    expect(gate.vulns.map((v) => v.split(" ")[0])).toEqual(expected);
    expect(idsOf(findings)).toEqual(gate.vulns);
    expect(findings.filter((f) => f.severity === "skipped")).toEqual([]);
    for (const f of findings.filter((x) => x.severity === "error")) expect(f).toMatchObject({ file: fx.images[image], rule: "trivy-gate" });
  });

  it("names the package, the installed and fixed versions and the severity", async () => {
    const findings = await dryRun({ dir: workspace(), imageArchive: fx.images.openssl });
    expect(findings.filter((f) => f.severity === "error").map((f) => f.message)).toEqual([
      `${VULN.openssl} in libcrypto3 3.5.4-r0 -> 3.5.5-r0 (CRITICAL): the PR gate would fail on it`,
    ]);
  });

  it("reports the ignore entry that matched, at its line, instead of the finding", async () => {
    const dir = workspace(FUTURE_IGNORE);
    const findings = await dryRun({ dir, imageArchive: fx.images.openssl });
    expect(findings.filter((f) => f.severity === "error")).toEqual([]);
    const lines = readFileSync(join(dir, ".trivyignore"), "utf8").split("\n");
    const info = findings.find((f) => f.rule === "trivy-gate/ignored");
    expect(info).toMatchObject({ file: ".trivyignore", severity: "info" });
    expect(lines[(info?.line ?? 0) - 1]).toBe(`${VULN.openssl} exp:2099-12-31`);
    expect(info?.message).toContain(`${VULN.openssl} in libcrypto3`);
  });

  it("says the gate step would stop when trivyignores names a missing file", async () => {
    const findings = await dryRun({ dir: workspace(), gate: { ...renderedGateWith(), trivyignores: ".trivyignore,missing.txt" }, imageArchive: fx.images.openssl });
    expect(findings).toEqual([expect.objectContaining({ file: "missing.txt", severity: "error", message: expect.stringContaining("cannot find ignorefile 'missing.txt'") })]);
  });

  it("is skipped with a hint when --offline has no cached DB", async () => {
    const findings = await dryRun({ dir: workspace(), imageArchive: fx.images.openssl, cacheDir: workspace() });
    expect(findings).toEqual([expect.objectContaining({ severity: "skipped", rule: "trivy-gate", hint: expect.stringContaining("without --offline") })]);
  });

  it("without an archive scans the module with trivy fs and says what that misses", async () => {
    const dir = workspace();
    cpSync(join(FIXTURES, "gomod-dep"), dir, { recursive: true });
    const findings = await dryRun({ dir, finalBaseImage: "scratch" });
    expect(findings.filter((f) => f.severity === "error")).toEqual([
      expect.objectContaining({ file: "go.mod", rule: "trivy-gate", message: expect.stringContaining(`${VULN.xtext} in golang.org/x/text`) }),
    ]);
    const coverage = findings.find((f) => f.rule === "trivy-gate/coverage");
    expect(coverage?.message).toMatch(/Go standard library of the compiled binary.*RUN/);
    expect(findings.filter((f) => f.severity === "skipped")).toEqual([]);
  });

  it("checks the Dockerfile with trivy config (embedded checks, offline), with line numbers", async () => {
    const dir = workspace();
    writeFileSync(join(dir, "Dockerfile"), "FROM alpine:3.22\nRUN apk add curl\nUSER root\nCMD [\"sh\"]\n");
    const findings = await dryRun({ dir, imageArchive: fx.images.musl, dockerfile: "Dockerfile" });
    const config = findings.filter((f) => f.rule.startsWith("trivy-config"));
    expect(config).toEqual(expect.arrayContaining([
      expect.objectContaining({ file: "Dockerfile", line: 3, severity: "warning", rule: "trivy-config/DS-0002" }),
      expect.objectContaining({ file: "Dockerfile", line: 2, severity: "warning", rule: "trivy-config/DS-0025" }),
    ]));
  });
});
