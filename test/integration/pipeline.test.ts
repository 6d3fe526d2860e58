import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CANCEL } from "../../src/deps.js";
import { Cancelled } from "../../src/errors.js";
import { runInit, type InitOptions } from "../../src/run.js";
import { scriptedDeps } from "../support/deps.js";
import { makeRepo, snapshot } from "../support/repo.js";

const options = (dir: string, over: Partial<InitOptions> = {}): InitOptions => ({
  dir,
  mode: "interactive",
  flags: {},
  dryRun: false,
  json: false,
  diff: false,
  restore: false,
  onConflict: "markers",
  allowDirty: false,
  ...over,
});

describe("the interactive pipeline with scripted prompts", () => {
  it("asks each question pre-filled from detection, shows the plan, writes on confirmation", async () => {
    const dir = makeRepo("example");
    // image, dockerfile, branch, schedule, severity, updater, then the confirmation (diff first, then write)
    const { deps, asked, out } = scriptedDeps(["ghcr.io/acme/hello-service", "Dockerfile", "main", "weekly", "CRITICAL", "renovate", "diff", "write"]);
    const { exitCode, report } = await runInit(options(dir), deps);
    expect(exitCode).toBe(0);
    expect(asked.map((q) => q.initial)).toEqual(["ghcr.io/acme/hello-service", "Dockerfile", "main", "daily", "CRITICAL,HIGH", "renovate", "write", "write"]);
    expect(out.join("\n")).toContain("+++ b/.github/workflows/security-scan.yml");
    expect(report.written).toContain(".github/workflows/security-scan.yml");
    const scan = readFileSync(join(dir, ".github/workflows/security-scan.yml"), "utf8");
    expect(scan).toMatch(/cron: '\d+ \d+ \* \* 1'/);
    expect(scan).toContain("severity: CRITICAL\n");
    const state = JSON.parse(readFileSync(join(dir, ".github/relay-security.json"), "utf8")) as { answers: Record<string, unknown> };
    expect(state.answers).toMatchObject({ schedule: "weekly", severity: "CRITICAL" });
  });

  it("a flag is not asked again", async () => {
    const dir = makeRepo("example");
    const { deps, asked } = scriptedDeps(["ghcr.io/acme/hello-service", "Dockerfile", "main", "daily", "renovate", "write"]);
    await runInit(options(dir, { flags: { severity: "CRITICAL" } }), deps);
    expect(asked.some((q) => /severity/.test(q.message))).toBe(false);
  });

  it("Ctrl-C at any prompt: cancelled, nothing written", async () => {
    for (let at = 0; at < 7; at++) {
      const dir = makeRepo("example");
      const before = snapshot(dir);
      const script: (string | typeof CANCEL)[] = ["ghcr.io/acme/hello-service", "Dockerfile", "main", "daily", "CRITICAL,HIGH", "renovate", "write"];
      script[at] = CANCEL;
      const { deps } = scriptedDeps(script);
      await expect(runInit(options(dir), deps)).rejects.toBeInstanceOf(Cancelled);
      expect(snapshot(dir)).toEqual(before);
    }
  });

  it("answering Cancel at the confirmation writes nothing", async () => {
    const dir = makeRepo("example");
    const before = snapshot(dir);
    const { deps } = scriptedDeps(["ghcr.io/acme/hello-service", "Dockerfile", "main", "daily", "CRITICAL,HIGH", "renovate", "cancel"]);
    await expect(runInit(options(dir), deps)).rejects.toBeInstanceOf(Cancelled);
    expect(snapshot(dir)).toEqual(before);
  });

  it("--no-image-scan sets up govulncheck only, without a Dockerfile", async () => {
    const dir = makeRepo("example");
    const { deps } = scriptedDeps([]);
    const { exitCode, report } = await runInit(options(dir, { mode: "yes", flags: { imageScan: false } }), deps);
    expect(exitCode).toBe(0);
    expect(report.written).not.toContain(".trivyignore");
    expect(readFileSync(join(dir, ".github/workflows/ci.yml"), "utf8")).not.toContain("relay-security-scan");
    expect(readFileSync(join(dir, ".github/workflows/security-scan.yml"), "utf8")).not.toContain("trivy-action");
  });

  it("creates ci.yml when there is no workflow at all", async () => {
    const dir = makeRepo("example");
    const { rmSync } = await import("node:fs");
    rmSync(join(dir, ".github"), { recursive: true });
    const { deps } = scriptedDeps([]);
    const { exitCode } = await runInit(options(dir, { mode: "yes" }), deps);
    expect(exitCode).toBe(0);
    const ci = readFileSync(join(dir, ".github/workflows/ci.yml"), "utf8");
    expect(ci).toContain("image-scan:");
    expect(ci).toContain("go test ./...");
    expect(existsSync(join(dir, ".github/relay-security.json"))).toBe(true);
  });

  it("refuses to change a file with uncommitted edits unless --allow-dirty", async () => {
    const dir = makeRepo("example");
    const { appendFileSync } = await import("node:fs");
    appendFileSync(join(dir, ".github/workflows/ci.yml"), "# local edit\n");
    const before = snapshot(dir);
    await expect(runInit(options(dir, { mode: "yes" }), scriptedDeps([]).deps)).rejects.toThrow(/uncommitted changes.*ci\.yml.*--allow-dirty/);
    expect(snapshot(dir)).toEqual(before);
    const { exitCode } = await runInit(options(dir, { mode: "yes", allowDirty: true }), scriptedDeps([]).deps);
    expect(exitCode).toBe(0);
    expect(readFileSync(join(dir, ".github/workflows/ci.yml"), "utf8")).toContain("# local edit\n");
  });
});
