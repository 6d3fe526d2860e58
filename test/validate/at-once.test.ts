import { describe, expect, it } from "vitest";
import { runCommand } from "../../src/commands.js";
import { execProgram, type Deps } from "../../src/deps.js";
import { boundedExec } from "../../src/validate/at-once.js";
import { makeRepo } from "../support/repo.js";
import { json, osReport, vuln } from "../support/trivy-report.js";
import { commitAll, quietDeps, upgrade } from "../upgrade/support.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("boundedExec: tools side by side, never more than the limit", () => {
  it("runs at most `limit` at once and gives each caller its own result", async () => {
    let running = 0;
    let most = 0;
    const exec: Deps["exec"] = async (file, args) => {
      most = Math.max(most, ++running);
      await sleep(Number(args[0]));
      running--;
      return { exitCode: 0, stdout: `${file} ${args[0]}`, stderr: "" };
    };
    const bounded = boundedExec(exec, 2);
    const delays = [40, 5, 30, 1, 20, 10];
    const out = await Promise.all(delays.map((d, i) => bounded(`t${i}`, [String(d)])));
    expect(out.map((r) => r.stdout)).toEqual(delays.map((d, i) => `t${i} ${d}`));
    expect(most).toBe(2);
  });
});

/**
 * Two tools that both report findings, faked so that each finishes first in one of the runs: the
 * findings (and so the printed report) come out in the same order either way, and they did overlap.
 */
describe("validate: actionlint and Trivy run concurrently, findings in a stable order (issue 19)", () => {
  const actionlintError = JSON.stringify([{ message: "property \"foo\" is not defined", filepath: ".github/workflows/ci.yml", line: 3, column: 5, kind: "expression" }]);
  const configReport = JSON.stringify({
    SchemaVersion: 2,
    Results: [{ Target: "Dockerfile", Misconfigurations: [{ ID: "DS-0026", Title: "No HEALTHCHECK defined", Message: "Add HEALTHCHECK instruction in your Dockerfile", Severity: "LOW", Status: "FAIL" }] }],
  });

  function fakeTools(slow: "actionlint" | "trivy") {
    let running = 0;
    let most = 0;
    const exec: Deps["exec"] = async (file, args, opts) => {
      if (file === "git") return execProgram(file, args, opts);
      most = Math.max(most, ++running);
      try {
        await sleep(file === slow && args[0] !== "--version" && args[0] !== "-version" ? 400 : 5);
        if (file === "actionlint") return args[0] === "-version" ? { exitCode: 0, stdout: "1.7.12\n", stderr: "" } : { exitCode: 1, stdout: actionlintError, stderr: "" };
        if (file === "trivy") {
          if (args[0] === "--version") return { exitCode: 0, stdout: "Version: 0.74.0\n", stderr: "" };
          if (args[0] === "config") return { exitCode: 0, stdout: configReport, stderr: "" };
          const id = args[0] === "image" ? "CVE-2026-0001" : "CVE-2026-0002";
          return { exitCode: 0, stdout: json(osReport([vuln({ VulnerabilityID: id, Severity: "CRITICAL" })])), stderr: "" };
        }
        return { exitCode: -1, stdout: "", stderr: "", failed: `spawn ${file} ENOENT` };
      } finally {
        running--;
      }
    };
    return { exec, most: () => most };
  }

  it("the same findings in the same order whichever tool finishes first", async () => {
    const dir = makeRepo("example");
    expect((await upgrade(dir)).exitCode).toBe(0);
    commitAll(dir, "relay-security");
    const reports: { findings: { rule: string; message: string }[] }[] = [];
    for (const slow of ["actionlint", "trivy"] as const) {
      const tools = fakeTools(slow);
      const { output } = await runCommand("validate", { dir, json: true, offline: true }, { ...quietDeps(), exec: tools.exec });
      reports.push(JSON.parse(output) as (typeof reports)[number]);
      expect(tools.most()).toBe(2);
    }
    const [first, second] = reports;
    const rules = first?.findings.map((f) => f.rule) ?? [];
    // Both tools' findings are there, actionlint's first, then the preview's scans, then `trivy config`.
    const at = (rule: string) => rules.findIndex((r) => r.startsWith(rule));
    expect(at("actionlint/expression")).toBeGreaterThanOrEqual(0);
    expect(at("actionlint/expression")).toBeLessThan(at("trivy-gate"));
    expect(at("trivy-gate")).toBeLessThan(at("trivy-config"));
    expect(first?.findings.map((f) => f.message).join("\n")).toContain("CVE-2026-0001");
    expect(second?.findings).toEqual(first?.findings);
  }, 120_000);

  it("`trivy config`, the longest run, is asked for first: with the version probe, before actionlint and shellcheck queue", async () => {
    const dir = makeRepo("example");
    expect((await upgrade(dir)).exitCode).toBe(0);
    commitAll(dir, "relay-security");
    const asked: string[] = [];
    let probeAnswered = false;
    let configBeforeProbe = false;
    const base = fakeTools("trivy").exec;
    const exec: Deps["exec"] = async (file, args, opts) => {
      if (file !== "git") asked.push(`${file} ${args[0]}`);
      if (file === "trivy" && args[0] === "config") configBeforeProbe = !probeAnswered;
      const r = await base(file, args, opts);
      if (file === "trivy" && args[0] === "--version") probeAnswered = true;
      return r;
    };
    const { output } = await runCommand("validate", { dir, json: true, offline: true }, { ...quietDeps(), exec });
    expect(configBeforeProbe).toBe(true);
    expect(asked.slice(0, 2)).toEqual(["trivy --version", "trivy config"]);
    expect(asked.indexOf("trivy config")).toBeLessThan(asked.indexOf("actionlint -version"));
    // Without Trivy the config run fails to start too, and only the one "not installed" finding says so.
    const noTrivy: Deps["exec"] = (file, args, opts) => (file === "trivy" ? Promise.resolve({ exitCode: -1, stdout: "", stderr: "", failed: "spawn trivy ENOENT" }) : base(file, args, opts));
    const without = JSON.parse((await runCommand("validate", { dir, json: true, offline: true }, { ...quietDeps(), exec: noTrivy })).output) as { findings: { rule: string }[] };
    expect(without.findings.filter((f) => f.rule.startsWith("trivy")).map((f) => f.rule)).toEqual(["trivy-gate"]);
    expect(JSON.parse(output).findings.some((f: { rule: string }) => f.rule.startsWith("trivy-config"))).toBe(true);
  }, 120_000);
});
