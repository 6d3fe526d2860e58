import { describe, expect, it } from "vitest";
import type { Deps } from "../../src/deps.js";
import { dryRunTrivy } from "../../src/validate/trivy.js";
import { renderedGateWith, workspace } from "../scanners/helpers.js";

/**
 * Issue 10, section 4: one validation line said the base image was scanned and the next that it was
 * not. The coverage note is written from what did scan. Trivy is faked: the registry is unreachable for
 * the base image, the module scans clean.
 */
const fakeTrivy = (baseScans: boolean): Deps["exec"] => async (cmd, args) => {
  const ok = (stdout: string) => ({ exitCode: 0, stdout, stderr: "" });
  if (cmd === "docker") return { exitCode: 1, stdout: "", stderr: "", failed: "no docker" };
  if (args[0] === "--version") return ok("Version: 0.74.0\n");
  if (args[0] === "image" && !baseScans) return { exitCode: 1, stdout: "", stderr: "FATAL unable to reach the registry" };
  if (args[0] === "image" || args[0] === "fs") return ok(JSON.stringify({ SchemaVersion: 2, Results: [] }));
  return ok("{}");
};

describe("the dry-run preview says what it scanned, once", () => {
  it("a base image that could not be scanned is never called scanned", async () => {
    const findings = await dryRunTrivy({ dir: workspace(), gate: renderedGateWith(), offline: true, exec: fakeTrivy(false), finalBaseImage: "alpine:3.22" });
    expect(findings.find((f) => f.severity === "skipped")?.message).toMatch(/could not scan alpine:3\.22/);
    const coverage = findings.find((f) => f.rule === "trivy-gate/coverage")?.message ?? "";
    expect(coverage).toMatch(/^No image archive: scanned the Go module's dependencies \(trivy fs\)\./);
    expect(coverage).not.toMatch(/scanned the final stage's base image/);
    expect(coverage).toContain("nor the base image alpine:3.22 (not scanned, see above)");
  });

  it("a base image that scanned is said to have been scanned", async () => {
    const findings = await dryRunTrivy({ dir: workspace(), gate: renderedGateWith(), offline: true, exec: fakeTrivy(true), finalBaseImage: "alpine:3.22" });
    expect(findings.filter((f) => f.severity === "skipped")).toEqual([]);
    expect(findings.find((f) => f.rule === "trivy-gate/coverage")?.message).toMatch(/^No image archive: scanned the final stage's base image alpine:3\.22 \(from the registry\) and the Go module's/);
  });
});

describe("Trivy's DS-0002 (image user should not be root)", () => {
  const report = JSON.stringify({
    SchemaVersion: 2,
    Results: [{ Target: "Dockerfile", Misconfigurations: [{ ID: "DS-0002", Title: "Image user should not be 'root'", Message: "Specify at least 1 USER command in Dockerfile with non-root user as argument", Severity: "HIGH", Status: "FAIL" }] }],
  });
  const exec: Deps["exec"] = async (cmd, args) => {
    if (cmd === "docker") return { exitCode: 1, stdout: "", stderr: "", failed: "no docker" };
    if (args[0] === "--version") return { exitCode: 0, stdout: "Version: 0.74.0\n", stderr: "" };
    if (args[0] === "config") return { exitCode: 0, stdout: report, stderr: "" };
    return { exitCode: 0, stdout: JSON.stringify({ SchemaVersion: 2, Results: [] }), stderr: "" };
  };
  const ds = async (finalBaseImage: string) => {
    const dir = workspace();
    const { writeFileSync } = await import("node:fs");
    writeFileSync(`${dir}/Dockerfile`, `FROM golang:1.26 AS build\nFROM ${finalBaseImage}\n`);
    const findings = await dryRunTrivy({ dir, gate: renderedGateWith(), offline: true, exec, dockerfile: "Dockerfile", finalBaseImage });
    return findings.find((f) => f.rule === "trivy-config/DS-0002");
  };

  it.each(["gcr.io/distroless/static-debian12:nonroot", "gcr.io/distroless/base:debug-nonroot", "gcr.io/distroless/static:nonroot@sha256:" + "a".repeat(64)])("on a :nonroot base (%s) it is explained, as info", async (image) => {
    const f = await ds(image);
    expect(f?.severity).toBe("info");
    expect(f?.message).toContain(`${image} runs as a non-root user`);
  });

  it("on any other base it stays a warning, with the fix", async () => {
    const f = await ds("alpine:3.22");
    expect(f?.severity).toBe("warning");
    expect(f?.hint).toContain("USER 65532:65532");
  });
});
