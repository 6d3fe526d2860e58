import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { detectVisibility } from "../../src/detect/visibility.js";
import { runCli } from "../support/cli.js";
import { jsonStream } from "../support/govulncheck-json.js";
import { fixture, Runner } from "../support/lifecycle.js";
import { makeRepo, snapshot } from "../support/repo.js";
import { writeExecutable } from "../support/shell.js";
import { renderedSecurityScan, runScriptOf } from "../support/workflow.js";
import { upgrade } from "../upgrade/support.js";

// Issue 20 item 8: public repositories publish the deployed image's fixable CVEs in issues and artifacts.
type Step = { id?: string; name?: string; uses?: string; with?: Record<string, unknown> };
type Job = { permissions?: Record<string, string>; steps: Step[] };
const jobsOf = (text: string) => (parse(text) as { jobs: Record<string, Job> }).jobs;
const uses = (job: Job | undefined, action: string) => (job?.steps ?? []).filter((s) => s.uses?.startsWith(`${action}@`));

describe("--report code-scanning renders no issues job and no artifacts; the scanner jobs upload SARIF", () => {
  it("Trivy image job and govulncheck job each upload their own SARIF, with security-events: write", () => {
    const jobs = jobsOf(renderedSecurityScan({ report: "code-scanning" }));
    expect(Object.keys(jobs)).toEqual(["image", "govulncheck"]);
    for (const job of Object.values(jobs)) expect(uses(job, "actions/upload-artifact")).toEqual([]);
    expect(jobs["image"]?.permissions).toEqual({ contents: "read", "security-events": "write", actions: "read" });
    expect(jobs["govulncheck"]?.permissions).toEqual({ contents: "read", "security-events": "write", actions: "read" });
    expect(uses(jobs["image"], "github/codeql-action/upload-sarif").map((s) => s.with)).toEqual([{ sarif_file: "trivy-results.sarif", category: "relay-security-trivy-image" }]);
    // The SARIF scan keeps the gate's severities (trivy-action drops them for SARIF unless told).
    const sarifScan = jobs["image"]?.steps.find((s) => s.with?.["format"] === "sarif");
    expect(sarifScan?.with).toMatchObject({ severity: "CRITICAL,HIGH", "limit-severities-for-sarif": true, "ignore-unfixed": true, trivyignores: ".trivyignore" });
    expect(uses(jobs["govulncheck"], "github/codeql-action/upload-sarif").map((s) => s.with)).toEqual([{ sarif_file: "govulncheck.sarif", category: "relay-security-govulncheck" }]);
  });

  it("with --sarif as well there is still one upload per scanner, no artifact and no code-scanning job", () => {
    const jobs = jobsOf(renderedSecurityScan({ report: "code-scanning", sarif: true }));
    expect(Object.keys(jobs)).toEqual(["image", "govulncheck"]);
    expect(uses(jobs["image"], "github/codeql-action/upload-sarif")).toHaveLength(1);
  });

  it("govulncheck only (--no-image-scan): one job", () => {
    expect(Object.keys(jobsOf(renderedSecurityScan({ report: "code-scanning", imageScan: false, dockerfile: undefined })))).toEqual(["govulncheck"]);
  });

  it("control: the default (issues) keeps the issues job and the artifacts it reads", () => {
    const jobs = jobsOf(renderedSecurityScan({}));
    expect(Object.keys(jobs)).toEqual(["image", "govulncheck", "issues"]);
    expect(uses(jobs["govulncheck"], "actions/upload-artifact")).toHaveLength(1);
    expect(uses(jobs["govulncheck"], "github/codeql-action/upload-sarif")).toEqual([]);
  });
});

describe("govulncheck's SARIF is cut to what the scan counted", () => {
  let r: Runner;
  beforeEach(() => {
    r = new Runner();
  });
  afterEach(() => r.cleanup());

  const stream = fixture("govulncheck-called-and-imported.json");
  const called = [...new Set(jsonStream(stream).flatMap((o) => (o.finding && o.finding.trace.length >= 2 && o.finding.trace[0]?.function ? [o.finding.osv] : [])))].sort();
  const all = [...new Set(jsonStream(stream).flatMap((o) => (o.finding ? [o.finding.osv] : [])))].sort();
  const sarif = (ids: string[]) => JSON.stringify({ version: "2.1.0", runs: [{ tool: { driver: { name: "govulncheck", rules: ids.map((id) => ({ id })) } }, results: ids.map((id) => ({ ruleId: id, level: "error", message: { text: id } })) }] });
  const script = () => runScriptOf(renderedSecurityScan({ report: "code-scanning" }), "govulncheck", "sarif");
  const fake = () =>
    writeExecutable(r.bin, "govulncheck", ["#!/bin/sh", 'case " $* " in', `  *" -format sarif "*) cat '${join(r.root, "all.sarif")}' ;;`, "  *) exit 9 ;;", "esac", ""].join("\n"));

  it("keeps the called vulnerabilities, drops the imported-only and the accepted ones", () => {
    expect(called.length).toBeGreaterThan(0);
    expect(all.length).toBeGreaterThan(called.length); // the fixture has imported-only findings: the filter has work to do
    writeFileSync(join(r.root, "all.sarif"), sarif(all));
    fake();
    const out = join(r.cwd, "relay-security-results/govulncheck");
    mkdirSync(out, { recursive: true });
    // An accepted ID is gone from results.json (govulncheck-scan.sh removes its findings).
    const [accepted, ...kept] = called;
    writeFileSync(join(out, "results.json"), jsonStream(stream).filter((o) => o.finding?.osv !== accepted).map((o) => JSON.stringify(o)).join("\n"));
    const run = r.run(script(), { OUT_DIR: "relay-security-results/govulncheck" });
    expect(run.status, run.stderr).toBe(0);
    const got = JSON.parse(readFileSync(join(r.cwd, "govulncheck.sarif"), "utf8")) as { runs: { results: { ruleId: string }[] }[] };
    expect(got.runs[0]?.results.map((x) => x.ruleId).sort()).toEqual(kept);
    expect(run.stdout).toContain(`govulncheck: ${kept.length} result(s) for code scanning`);
  });

  it("no results.json (the scan did not finish): fails, uploads nothing", () => {
    writeFileSync(join(r.root, "all.sarif"), sarif(all));
    fake();
    const run = r.run(script(), { OUT_DIR: "relay-security-results/govulncheck" });
    expect(run.status).toBe(1);
    expect(run.stdout + run.stderr).toMatch(/results\.json is missing/);
  });
});

describe("visibility, from what the tree says", () => {
  const MIT = "MIT License\n\nCopyright (c) 2026 Acme\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\n";
  const CASES: [string, Record<string, string | Buffer>, string][] = [
    ["MIT", { LICENSE: MIT }, "public:LICENSE is an open-source licence (MIT)"],
    ["MIT, CRLF", { LICENSE: MIT.replace(/\n/g, "\r\n") }, "public:LICENSE is an open-source licence (MIT)"],
    ["Apache, BOM, LICENSE.txt", { "LICENSE.txt": "\uFEFF                                 Apache License\n                           Version 2.0, January 2004\n" }, "public:LICENSE.txt is an open-source licence (Apache-2.0)"],
    ["BSD in Latin-1 (not UTF-8)", { COPYING: Buffer.from("Copyright \xa9 2026 J\xfcrgen\n\nRedistribution and use in source and binary forms, with or without\n", "latin1") }, "public:COPYING is an open-source licence (BSD)"],
    ["a proprietary notice", { LICENSE: "Copyright 2026 Acme Corp. All rights reserved. Internal use only.\n" }, "unknown"],
    ["no licence file", {}, "unknown"],
  ];
  for (const [name, files, want] of CASES) {
    it(name, () => {
      const v = detectVisibility((rel) => (files[rel] === undefined ? undefined : Buffer.from(files[rel]).toString("utf8")));
      expect(v.kind === "public" ? `public:${v.why}` : v.kind).toBe(want);
    });
  }
});

describe("the plan says what the reports expose", () => {
  it("an open-source licence: looks public, and names --report code-scanning", async () => {
    const dir = makeRepo("example", { files: { LICENSE: "MIT License\r\n\r\nPermission is hereby granted, free of charge, to any person\r\n" } });
    const { report } = await upgrade(dir, { dryRun: true });
    const note = report.plan.notes.find((n) => n.includes("7-day run artifacts"));
    expect(note).toMatch(/in a public repository, everyone sees the fixable CVEs of the image you deploy \(this repository looks public \(LICENSE is an open-source licence \(MIT\)\)\)\. If it is public, re-run with --report code-scanning/);
  });

  it("--no-image-scan: the reports list the code's vulnerabilities, not an image's", async () => {
    const { report } = await upgrade(makeRepo("example"), { dryRun: true, flags: { imageScan: false } });
    const note = report.plan.notes.find((n) => n.includes("7-day run artifacts"));
    expect(note).toMatch(/everyone sees the fixable CVEs of the code you ship \(/);
    expect(note).not.toMatch(/image/);
  });

  it("nothing to tell from: says it cannot tell", async () => {
    const { report } = await upgrade(makeRepo("example"), { dryRun: true });
    expect(report.plan.notes.join("\n")).toMatch(/\(relay-security cannot tell offline whether this repository is public\)\. If it is public, re-run with --report code-scanning/);
  });

  it("--report code-scanning: says where the findings go instead, and the state records the answer", async () => {
    const dir = makeRepo("example");
    const { exitCode, report } = await upgrade(dir, { flags: { report: "code-scanning" } });
    expect(exitCode).toBe(0);
    expect(report.plan.notes.join("\n")).toMatch(/--report code-scanning: .* only people with write access see; it files no issues and keeps no result artifacts/);
    expect(report.plan.notes.join("\n")).not.toMatch(/7-day run artifacts/);
    const state = JSON.parse(readFileSync(join(dir, ".github/relay-security.json"), "utf8")) as { answers: Record<string, unknown> };
    expect(state.answers["report"]).toBe("code-scanning");
    expect(Object.keys(jobsOf(readFileSync(join(dir, ".github/workflows/security-scan.yml"), "utf8")))).toEqual(["image", "govulncheck"]);
    expect((report.next ?? []).join("\n")).toMatch(/it uploads its findings to code scanning \(the Security tab/);
    expect((report.next ?? []).join("\n")).not.toMatch(/opens an issue/);
  });
});

describe("--report on the command line", () => {
  it("a value that is not issues or code-scanning: exit 2 naming the flag, nothing written", () => {
    const dir = makeRepo("example");
    const before = snapshot(dir);
    const r = runCli(["--yes", "--report", "slack", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--report: report must be issues or code-scanning/);
    expect(snapshot(dir)).toEqual(before);
  });

  it("with --scanner grype: refused, exit 2", () => {
    const r = runCli(["--yes", "--scanner", "grype", "--report", "code-scanning", makeRepo("example")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--report code-scanning is not available with --scanner grype/);
  });
});
