import { renderInitReport } from "../../src/report/init.js";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CANCEL } from "../../src/deps.js";
import { Cancelled } from "../../src/errors.js";
import { runInit, type InitOptions } from "../../src/run.js";
import { initOptions, scriptedDeps } from "../support/deps.js";
import { makeRepo, snapshot } from "../support/repo.js";
import { TEXT_VARIANTS } from "../support/encodings.js";

const options = (dir: string, over: Partial<InitOptions> = {}): InitOptions => initOptions(dir, { mode: "interactive", ...over });

describe("the interactive pipeline with scripted prompts", () => {
  it("asks each question pre-filled from detection, shows the plan, writes on confirmation", async () => {
    const dir = makeRepo("example");
    // image, dockerfile, branch, schedule, severity, updater, then the confirmation (diff first, then write)
    const { deps, asked, out } = scriptedDeps(["ghcr.io/acme/hello-service", "Dockerfile", "weekly", "CRITICAL", "renovate", "diff", "write"]);
    const { exitCode, report } = await runInit(options(dir), deps);
    expect(exitCode).toBe(0);
    expect(asked.map((q) => q.initial)).toEqual(["ghcr.io/acme/hello-service", "Dockerfile", "daily", "CRITICAL,HIGH", "renovate", "write", "write"]);
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
    const { deps, asked } = scriptedDeps(["ghcr.io/acme/hello-service", "Dockerfile", "daily", "renovate", "write"]);
    await runInit(options(dir, { flags: { severity: "CRITICAL" } }), deps);
    expect(asked.some((q) => /severity/.test(q.message))).toBe(false);
  });

  it("Ctrl-C at any prompt: cancelled, nothing written", async () => {
    for (let at = 0; at < 6; at++) {
      const dir = makeRepo("example");
      const before = snapshot(dir);
      const script: (string | typeof CANCEL)[] = ["ghcr.io/acme/hello-service", "Dockerfile", "daily", "CRITICAL,HIGH", "renovate", "write"];
      script[at] = CANCEL;
      const { deps } = scriptedDeps(script);
      await expect(runInit(options(dir), deps)).rejects.toBeInstanceOf(Cancelled);
      expect(snapshot(dir)).toEqual(before);
    }
  });

  it("answering Cancel at the confirmation writes nothing", async () => {
    const dir = makeRepo("example");
    const before = snapshot(dir);
    const { deps } = scriptedDeps(["ghcr.io/acme/hello-service", "Dockerfile", "daily", "CRITICAL,HIGH", "renovate", "cancel"]);
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

describe("the user's edits inside our gate step", () => {
  const setUp = async () => {
    const dir = makeRepo("example");
    await runInit(options(dir, { mode: "yes" }), scriptedDeps([]).deps);
    const { git } = await import("../support/repo.js");
    const ci = join(dir, ".github/workflows/ci.yml");
    const { writeFileSync } = await import("node:fs");
    // The maintainer gives the scan a timeout, inside our step, and commits it.
    writeFileSync(ci, readFileSync(ci, "utf8").replace("          exit-code: '1'\n", "          exit-code: '1'\n          timeout: 10m\n"));
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "setup + timeout");
    return { dir, ci };
  };

  it("an upgrade that would replace the step leaves it alone and says why (exit 1)", async () => {
    const { dir, ci } = await setUp();
    const before = readFileSync(ci, "utf8");
    const { exitCode, report } = await runInit(options(dir, { mode: "yes", flags: { severity: "CRITICAL" } }), scriptedDeps([]).deps);
    expect(exitCode).toBe(1);
    const change = report.plan.changes.find((c) => c.path === ".github/workflows/ci.yml");
    expect(change?.action).toBe("conflict");
    expect(change?.reason).toMatch(/you edited the relay-security step/);
    expect(readFileSync(ci, "utf8")).toBe(before);
  });

  it("--on-conflict theirs replaces it; ours keeps it", async () => {
    const { dir, ci } = await setUp();
    const ours = await runInit(options(dir, { mode: "yes", flags: { severity: "CRITICAL" }, onConflict: "ours" }), scriptedDeps([]).deps);
    expect(ours.exitCode).toBe(0);
    expect(readFileSync(ci, "utf8")).toContain("timeout: 10m");
    const theirs = await runInit(options(dir, { mode: "yes", flags: { severity: "CRITICAL" }, onConflict: "theirs", allowDirty: true }), scriptedDeps([]).deps);
    expect(theirs.exitCode).toBe(0);
    expect(readFileSync(ci, "utf8")).not.toContain("timeout: 10m");
    expect(readFileSync(ci, "utf8")).toContain("severity: CRITICAL\n");
  });

  it("a re-run with nothing new for the step keeps the user's edit, and says what check says: exit 1, with the way out (issue 20.3)", async () => {
    const { dir, ci } = await setUp();
    const before = readFileSync(ci, "utf8");
    const { exitCode, report } = await runInit(options(dir, { mode: "yes" }), scriptedDeps([]).deps);
    expect(readFileSync(ci, "utf8")).toBe(before);
    expect(report.plan.changes.find((c) => c.path === ".github/workflows/ci.yml")?.action).toBe("unchanged");
    expect(exitCode).toBe(1);
    expect(renderInitReport(report)).toContain("--on-conflict theirs");
  });
});

describe("several pull-request workflows build the image", () => {
  const build = (name: string) =>
    `name: ${name}\non: pull_request\npermissions:\n  contents: read\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n        with:\n          persist-credentials: false\n      - run: docker build -t ghcr.io/acme/hello-service:pr .\n`;
  const repo = () => {
    const dir = makeRepo("example", { files: { ".github/workflows/ci.yml": "name: CI\non: push\njobs: {}\n", ".github/workflows/a.yml": build("A"), ".github/workflows/b.yml": build("B") } });
    return dir;
  };

  it("interactive: asks which one, then gates that one", async () => {
    const dir = repo();
    const { deps, asked } = scriptedDeps([".github/workflows/b.yml", "write"]);
    const { exitCode } = await runInit(options(dir, { mode: "interactive", flags: { image: "ghcr.io/acme/hello-service", dockerfile: "Dockerfile", branch: "main", schedule: "daily", severity: "CRITICAL,HIGH", updater: "renovate" } }), deps);
    expect(exitCode).toBe(0);
    expect(asked[0]?.message).toMatch(/Which pull-request workflow/);
    expect(readFileSync(join(dir, ".github/workflows/b.yml"), "utf8")).toContain("relay-security-scan");
    expect(readFileSync(join(dir, ".github/workflows/a.yml"), "utf8")).not.toContain("relay-security-scan");
    const state = JSON.parse(readFileSync(join(dir, ".github/relay-security.json"), "utf8")) as { answers: { workflow?: string } };
    expect(state.answers.workflow).toBe(".github/workflows/b.yml");
  });

  it("--yes: the first by path when no name decides, said in the plan with the way to the other, and recorded", async () => {
    const dir = repo();
    const { exitCode, report } = await runInit(options(dir, { mode: "yes" }), scriptedDeps([]).deps);
    expect(exitCode).toBe(0);
    expect(readFileSync(join(dir, ".github/workflows/a.yml"), "utf8")).toContain("relay-security-scan");
    expect(readFileSync(join(dir, ".github/workflows/b.yml"), "utf8")).not.toContain("relay-security-scan");
    expect(report.plan.notes[0]).toMatch(/^several pull-request workflows could carry the gate \(\.github\/workflows\/a\.yml: builds the Dockerfile .*; \.github\/workflows\/b\.yml: builds the Dockerfile .*\): it goes into \.github\/workflows\/a\.yml, the first by path \(no name among ci, build, test, check decides\); it gates every pull request there as it would in \.github\/workflows\/b\.yml; --workflow FILE for another$/);
    const state = JSON.parse(readFileSync(join(dir, ".github/relay-security.json"), "utf8")) as { answers: { workflow?: string } };
    expect(state.answers.workflow).toBe(".github/workflows/a.yml");
  });

  // The shape of binwiederhier/ntfy: build.yaml and test.yaml both set up Go and run make targets.
  it.each(TEXT_VARIANTS)("--yes: of build.yaml and test.yaml, build.yaml by its name; a second run keeps it quietly (%s)", async (_name, enc) => {
    const wf = (name: string, target: string) => `name: ${name}\non: [ push, pull_request ]\njobs:\n  ${name}:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v3\n      - uses: actions/setup-go@v4\n        with:\n          go-version: '1.24.x'\n      - run: make ${target}\n`;
    const dir = makeRepo("example", { files: { ".github/workflows/ci.yml": "name: CI\non: push\njobs: {}\n", ".github/workflows/build.yaml": enc(wf("build", "build")), ".github/workflows/test.yaml": enc(wf("test", "check")) } });
    const first = await runInit(options(dir, { mode: "yes" }), scriptedDeps([]).deps);
    expect(first.exitCode).toBe(0);
    expect(readFileSync(join(dir, ".github/workflows/build.yaml"), "utf8")).toContain("image-scan:");
    expect(readFileSync(join(dir, ".github/workflows/test.yaml"), "utf8")).toBe(enc(wf("test", "check")));
    expect(first.report.plan.notes.join("\n")).toContain("it goes into .github/workflows/build.yaml, the first by its name");
    const { git } = await import("../support/repo.js");
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "set up");
    const before = snapshot(dir);
    const second = await runInit(options(dir, { mode: "yes" }), scriptedDeps([]).deps);
    expect(second.exitCode).toBe(0);
    expect(second.report.plan.notes.join("\n")).not.toContain("several pull-request workflows");
    expect(snapshot(dir)).toEqual(before);
  });
});

describe("our rules inside the user's own Renovate config", () => {
  it("an upgrade keeps a rule of ours the user edited, and updates the ones they did not", async () => {
    const dir = makeRepo("example", { files: { "renovate.json5": "// team config\n{\n  extends: ['config:recommended'],\n}\n" } });
    expect((await runInit(options(dir, { mode: "yes" }), scriptedDeps([]).deps)).exitCode).toBe(0);
    const path = join(dir, "renovate.json5");
    const merged = readFileSync(path, "utf8");
    expect(merged.startsWith("// team config\n{\n  extends: ['config:recommended'")).toBe(true);
    const { writeFileSync } = await import("node:fs");
    const { git } = await import("../support/repo.js");
    // The team decides Go modules may wait longer: they edit our gomod rule.
    const edited = merged.replace(/('relay-security: Go modules',[\s\S]*?)minimumReleaseAge: '7 days',/, "$1minimumReleaseAge: '14 days',");
    expect(edited).not.toBe(merged);
    writeFileSync(path, edited);
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "team edit");
    const { exitCode } = await runInit(options(dir, { mode: "yes", flags: { label: "deps" } }), scriptedDeps([]).deps);
    expect(exitCode).toBe(0);
    const after = readFileSync(path, "utf8");
    expect(after).toContain("minimumReleaseAge: '14 days'");
    // The new label goes to the rules the user did not edit; the edited one keeps the first run's label.
    expect(after).toContain("addLabels: ['deps']");
    expect(after).toMatch(/minimumReleaseAge: '14 days',\s+addLabels: \['security'\]/);
    expect(after).not.toMatch(/^  labels:/m);
    expect(after.startsWith("// team config\n")).toBe(true);
  });
});
