import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCommand } from "../../src/commands.js";
import { runInit, type InitOptions } from "../../src/run.js";
import { scriptedDeps } from "../support/deps.js";
import { git, makeRepo, snapshot } from "../support/repo.js";
import { initOptions } from "../support/deps.js";

const options = (dir: string, over: Partial<InitOptions> = {}): InitOptions => initOptions(dir, { ...over, flags: { scanner: "grype", ...over.flags } });

type Step = { id?: string; name?: string; uses?: string; run?: string; with?: Record<string, unknown> };
const stepsOf = (text: string, job: string) => (parse(text) as { jobs: Record<string, { steps: Step[] }> }).jobs[job]!.steps;
const read = (dir: string, rel: string) => readFileSync(join(dir, rel), "utf8");
const SCAN_ACTION = "anchore/scan-action@e1165082ffb1fe366ebaf02d8526e7c4989ea9d2";

describe("--scanner grype, end to end in process", () => {
  it("writes .grype.yaml (no .trivyignore), the scan-action gate in ci.yml and a Grype rescan; a second run changes nothing", async () => {
    const dir = makeRepo("example");
    const ciBefore = read(dir, ".github/workflows/ci.yml");
    const { exitCode, report } = await runInit(options(dir), scriptedDeps([]).deps);
    expect(exitCode).toBe(0);
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);

    expect(report.written).toContain(".grype.yaml");
    expect(existsSync(join(dir, ".trivyignore"))).toBe(false);
    const ignore = read(dir, ".grype.yaml");
    expect(parse(ignore)).toEqual({ ignore: [] });
    expect(ignore).toMatch(/# WHY:[\s\S]*# TODO\(YYYY-MM-DD\):[\s\S]*no expiry/);

    // The gate: one step, right after the build, with our id; nothing else in ci.yml changed.
    const ci = read(dir, ".github/workflows/ci.yml");
    const steps = stepsOf(ci, "build");
    const at = steps.findIndex((s) => s.id === "relay-security-scan");
    // Right after the build: our database action (Grype and its database from the cache, go install, the database), then the scan.
    expect(steps.slice(at - 2, at).map((s) => s.id ?? s.name)).toEqual(["Build image", "relay-security-db"]);
    expect(steps[at - 1]?.uses).toBe("./.github/actions/relay-security-db");
    expect(read(dir, ".github/actions/relay-security-db/action.yml")).toMatch(/name: Install Grype/);
    expect(steps[at]).toMatchObject({
      uses: SCAN_ACTION,
      with: { image: "ghcr.io/acme/hello-service:${{ github.sha }}", "only-fixed": true, "severity-cutoff": "high", "fail-build": true, "grype-version": "v0.122.0", config: ".grype.yaml" },
    });
    expect(ci).toContain(`uses: ${SCAN_ACTION} # v7.4.0\n`);
    expect(ci).toContain("# renovate: datasource=github-releases depName=anchore/grype\n          grype-version: v0.122.0\n");
    expect(ci).not.toMatch(/trivy/i);
    expect(ci.startsWith(ciBefore.slice(0, ciBefore.indexOf("      # The image every pull request builds.")))).toBe(true);

    const scan = read(dir, ".github/workflows/security-scan.yml");
    const image = stepsOf(scan, "image");
    expect(image.find((s) => s.uses?.startsWith("anchore/scan-action"))?.with).toMatchObject({ "output-format": "json", "output-file": "grype-results.json", "fail-build": false });
    expect(scan).not.toContain("aquasecurity/trivy-action");
    expect(scan).toContain("TARGETS: 'grype-image govulncheck'");

    const state = JSON.parse(read(dir, ".github/relay-security.json")) as { answers: Record<string, unknown>; files: Record<string, unknown> };
    expect(state.answers).toMatchObject({ scanner: "grype", severity: "CRITICAL,HIGH", sarif: false });
    expect(Object.keys(state.files)).toContain(".grype.yaml");
    expect(Object.keys(state.files)).not.toContain(".trivyignore");

    // Re-run with the recorded answers (no flags): the same scanner, and no byte changes.
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "relay-security");
    const before = snapshot(dir);
    const again = await runInit(options(dir, { flags: {} }), scriptedDeps([]).deps);
    expect(again.exitCode).toBe(0);
    expect(again.report.written).toEqual([]);
    expect(snapshot(dir)).toEqual(before);
  });

  it("validate enforces the TODO date as the expiry of a .grype.yaml entry", async () => {
    const dir = makeRepo("example");
    await runInit(options(dir), scriptedDeps([]).deps);
    const entry = (date: string) =>
      ["ignore:", "  # WHY: only the CLI reaches it", `  # TODO(${date}): drop with the next base image`, "  - vulnerability: CVE-2026-1234", ""].join("\n");
    writeFileSync(join(dir, ".grype.yaml"), entry("2027-01-31"));
    const ok = await runCommand("validate", { dir, json: false, offline: true }, scriptedDeps([]).deps);
    expect(ok.output).not.toContain("grype-ignore/");
    writeFileSync(join(dir, ".grype.yaml"), entry("2026-11-01"));
    const expired = await runCommand("validate", { dir, json: false, offline: true }, scriptedDeps([]).deps);
    expect(expired.exitCode).toBe(1);
    expect(expired.output).toMatch(/\.grype\.yaml.*CVE-2026-1234: its TODO date 2026-11-01 has passed/);
  });

  it("switching an existing Trivy setup to Grype replaces our step in place and keeps the user's .trivyignore", async () => {
    const dir = makeRepo("example");
    expect((await runInit(initOptions(dir), scriptedDeps([]).deps)).exitCode).toBe(0);
    expect(stepsOf(read(dir, ".github/workflows/ci.yml"), "build").find((s) => s.id === "relay-security-scan")?.uses).toMatch(/^aquasecurity\/trivy-action@/);
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "-m", "trivy");
    const { exitCode } = await runInit(options(dir), scriptedDeps([]).deps);
    expect(exitCode).toBe(0);
    const steps = stepsOf(read(dir, ".github/workflows/ci.yml"), "build");
    expect(steps.filter((s) => s.id === "relay-security-scan").map((s) => s.uses)).toEqual([SCAN_ACTION]);
    expect(steps.filter((s) => s.uses?.startsWith("aquasecurity/"))).toEqual([]);
    expect(existsSync(join(dir, ".grype.yaml"))).toBe(true);
    expect(existsSync(join(dir, ".trivyignore"))).toBe(true);
  });

  it("refuses a severity list Grype cannot express, naming --severity, before writing anything", async () => {
    const dir = makeRepo("example");
    const before = snapshot(dir);
    await expect(runInit(options(dir, { flags: { scanner: "grype", severity: "CRITICAL,MEDIUM" } }), scriptedDeps([]).deps)).rejects.toThrow(
      /^--severity: "CRITICAL,MEDIUM" cannot be used with --scanner grype/,
    );
    expect(snapshot(dir)).toEqual(before);
  });
});
