import { describe, expect, it } from "vitest";
import { execProgram } from "../../src/deps.js";
import { toolFailure } from "../../src/validate/tool-error.js";
import { dryRunTrivy } from "../../src/validate/trivy.js";

describe("tool errors in one line (issue 15.3)", () => {
  it("a program that is not there: one line naming it, not execa's two", async () => {
    const r = await execProgram("no-such-trivy-here", ["--version"]);
    expect(r.failed).not.toContain("\n");
    expect(toolFailure("trivy", r)).toBe("trivy: not found (not installed, or not on PATH)");
  });

  it("Trivy's timestamped, tabbed FATAL log line: the message alone", () => {
    const stderr = "2026-12-01T23:19:26Z\tINFO\tNeed to update DB\n2026-12-01T23:19:27Z\tFATAL\tFatal error\trun error: init error: DB error: failed to download vulnerability DB: OCI artifact error:\n\tget image: GET https://ghcr.io/v2/: dial tcp: lookup ghcr.io: no such host\n";
    const why = toolFailure("trivy", { exitCode: 1, stdout: "", stderr });
    expect(why).toBe("run error: init error: DB error: failed to download vulnerability DB: OCI artifact error: get image: GET https://ghcr.io/v2/: dial tcp: lookup ghcr.io: no such host");
    expect(toolFailure("trivy", { exitCode: 1, stdout: "", stderr: "2026-12-01T23:19:27+01:00 FATAL  something broke" })).toBe("something broke");
    expect(toolFailure("trivy", { exitCode: 3, stdout: "", stderr: "" })).toBe("trivy: exit code 3");
  });

  it("the gate preview says so in one line, with what to do", async () => {
    const findings = await dryRunTrivy({
      dir: "/tmp",
      gate: { severity: "CRITICAL,HIGH" } as never,
      trivyPath: "no-such-trivy-here",
      exec: execProgram,
    } as never);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toMatch(/^Trivy is not installed \(no-such-trivy-here: not found \(not installed, or not on PATH\)\)/);
    expect(findings[0]?.message).not.toContain("\n");
    expect(findings[0]?.hint).toBeTruthy();
  });
});
