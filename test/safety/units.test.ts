import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { modulePathProblem, parseGoMod } from "../../src/detect/gomod.js";
import { comparePaths, decodeText, listRepoDir, readRepoText, resolveInRepo, shown, walkRepoFiles } from "../../src/fsguard.js";
import { cronProblem, nextRunText } from "../../src/render/schedule.js";
import { flagsOf, renderHelp, COMMANDS } from "../../src/help.js";
import { runInit } from "../../src/run.js";
import { initOptions, scriptedDeps } from "../support/deps.js";
import { makeRepo } from "../support/repo.js";

describe("the guard", () => {
  const root = () => mkdtempSync(join(tmpdir(), "relay-guard-"));
  it("keeps a BOM and CRLF exactly", () => {
    const bytes = Buffer.from("\uFEFFon: push\r\njobs: {}\r\n", "utf8");
    expect(Buffer.from(decodeText("ci.yml", bytes), "utf8").equals(bytes)).toBe(true);
  });
  it("refuses Latin-1 and names the line", () => {
    expect(() => decodeText("ci.yml", Buffer.from([0x6f, 0x6e, 0x0a, 0x23, 0x20, 0xe9, 0x0a]))).toThrow(/ci\.yml: not UTF-8 \(byte 0xe9 on line 2\)/);
    // A lone continuation byte and a truncated sequence at the end too.
    expect(() => decodeText("x", Buffer.from([0x61, 0x80]))).toThrow(/byte 0x80 on line 1/);
    expect(() => decodeText("x", Buffer.from([0x61, 0x0a, 0x0a, 0xe2, 0x82]))).toThrow(/byte 0xe2 on line 3/);
  });
  it("a link inside the root resolves to its target; one outside is refused", () => {
    const r = root();
    mkdirSync(join(r, "a"));
    writeFileSync(join(r, "a/real.yml"), "x\n");
    symlinkSync("a/real.yml", join(r, "inside.yml"));
    symlinkSync("/etc/hostname", join(r, "outside.yml"));
    expect(resolveInRepo(r, "inside.yml")).toMatchObject({ exists: true, linkedTo: "a/real.yml" });
    expect(readRepoText(r, "inside.yml")).toBe("x\n");
    expect(() => readRepoText(r, "outside.yml")).toThrow(/outside\.yml: a symbolic link to \/etc\/hostname, outside the repository/);
  });
  it("a file to create below a linked folder is checked through the link", () => {
    const r = root();
    const out = root();
    symlinkSync(out, join(r, ".github"));
    expect(() => resolveInRepo(r, ".github/workflows/security-scan.yml")).toThrow(/^\.github: a symbolic link to .*outside the repository/);
  });
  it("refuses .. and absolute paths", () => {
    expect(() => resolveInRepo(root(), "../x")).toThrow(/not a path inside the repository/);
    expect(() => resolveInRepo(root(), "/etc/passwd")).toThrow(/not a path inside the repository/);
  });
  it("walks files in a fixed order, never through a link, within its depth and around skipped folders", () => {
    const r = root();
    const out = root();
    writeFileSync(join(out, "action.yml"), "x\n");
    for (const d of ["b/deep/er", "B2", "a", "node_modules/x", "c"]) mkdirSync(join(r, d), { recursive: true });
    for (const f of ["b/deep/er/action.yml", "B2/action.yaml", "a/action.yml", "node_modules/x/action.yml", "Zeta.yml", "alpha.yml"]) writeFileSync(join(r, f), "x\n");
    symlinkSync(out, join(r, "c/linked"));
    symlinkSync(join(out, "action.yml"), join(r, "c/action.yml"));
    const skip = (name: string) => name === "node_modules";
    expect(walkRepoFiles(r, ".", { maxDepth: 8, skip })).toEqual(["a/action.yml", "alpha.yml", "b/deep/er/action.yml", "B2/action.yaml", "Zeta.yml"]);
    expect(walkRepoFiles(r, ".", { maxDepth: 1, skip })).toEqual(["a/action.yml", "alpha.yml", "B2/action.yaml", "Zeta.yml"]);
    // The start is checked as listRepoDir checks it: a linked folder outside the repository is refused.
    expect(() => walkRepoFiles(r, "c/linked", { maxDepth: 8, skip })).toThrow(/outside the repository/);
  });
  it("leaves out names that are not UTF-8 (a Latin-1 folder and file), listing the rest", () => {
    const r = root();
    const latin1 = (rel: string) => Buffer.concat([Buffer.from(`${r}/`), Buffer.from(rel, "latin1")]);
    mkdirSync(join(r, ".github/workflows"), { recursive: true });
    mkdirSync(latin1("caf\u00e9"));
    writeFileSync(latin1("caf\u00e9/action.yml"), "x\n");
    writeFileSync(latin1("Dockerfile.caf\u00e9"), "FROM scratch\n");
    writeFileSync(latin1(".github/workflows/caf\u00e9.yml"), "on: push\n");
    writeFileSync(join(r, ".github/workflows/ci.yml"), "on: push\n");
    writeFileSync(join(r, "Dockerfile"), "FROM scratch\n");
    // Node would show each as U+FFFD and then fail to open it: no such name is returned.
    expect(walkRepoFiles(r, ".", { maxDepth: 8, skip: () => false })).toEqual([".github/workflows/ci.yml", "Dockerfile"]);
    expect(listRepoDir(r, ".github/workflows")).toEqual(["ci.yml"]);
  });
  it("orders paths the same in every locale: case-insensitive, then by code unit", () => {
    const names = ["b", "B", "a-b", "ab", "a_b", "Dockerfile", "dockerfile", "ä", "z", "10", "9"];
    expect([...names].sort(comparePaths)).toEqual(["10", "9", "a-b", "a_b", "ab", "B", "b", "Dockerfile", "dockerfile", "z", "ä"]);
  });
  it("shows foreign text bounded and escaped", () => {
    expect(shown("a\nb")).toBe('"a\\nb"');
    expect(shown("x".repeat(500)).length).toBeLessThan(130);
  });
});

describe("go.mod module path (Go's import path rules)", () => {
  it.each([
    ["github.com/acme/hello-service", undefined],
    ["example", undefined],
    ["gopkg.in/yaml.v3", undefined],
    ["example.com/a~b/c_d", undefined],
    ["github.com/a/${{ github.token }}", /invalid character "\$"/],
    ["github.com/a b", /invalid character " "/],
    ["github.com//a", /double slash/],
    ["/abs", /leading/],
    ["github.com/a/", /trailing/],
    ["github.com/.hidden", /starts or ends with a dot/],
    ["example.com/con", /reserved name on Windows/],
    ["example.com/abc~1", /short name/],
    ["-flag/x", /starts with a dash/],
    ["example.com/é", /invalid character "é"/],
  ])("%s", (path, problem) => {
    const got = modulePathProblem(path);
    if (problem) expect(got).toMatch(problem);
    else expect(got).toBeUndefined();
  });
  it("quoted and commented module lines, BOM and CRLF", () => {
    expect(parseGoMod('\uFEFFmodule "example.com/q" // comment\r\n\r\ngo 1.24\r\n')).toMatchObject({ modulePath: "example.com/q", goVersion: "1.24" });
    expect(parseGoMod("module `example.com/raw`\n")).toMatchObject({ modulePath: "example.com/raw" });
    expect(parseGoMod("go 1.24\n").moduleProblem).toBe("no `module` line");
    expect(parseGoMod("// x\nmodule bad path\n").moduleProblem).toMatch(/^line 2: module path "bad path"/);
  });
});

describe("cron lines (croner)", () => {
  it.each([
    ["17 4 * * *", undefined],
    ["17 4 * * 1-5", undefined],
    ["17 4 29 2 *", undefined],
    ["17 4 30 2 1", undefined], // day-of-month OR weekday, as GitHub's POSIX cron: fires on Mondays
    ["61 3 * * *", /Invalid value for minute: 61/],
    ["17 25 * * *", /Invalid value for hour: 25/],
    ["17 4 32 * *", /Invalid value for day/],
    ["17 4 * 13 *", /Invalid value for month/],
    ["17 4 31 2 *", /never fires/],
    ["17 4 30 2 *", /never fires/],
  ])("%s", (cron, problem) => {
    const got = cronProblem(cron);
    if (problem) expect(got).toMatch(problem);
    else expect(got).toBeUndefined();
  });
  it("the next run time", () => {
    expect(nextRunText("17 4 * * 1", new Date("2026-11-27T12:00:00Z"))).toBe("2026-11-30 04:17 UTC");
  });
});

describe("the command table", () => {
  it("every command's help lists exactly its flags", () => {
    for (const c of Object.keys(COMMANDS) as (keyof typeof COMMANDS)[]) {
      const help = renderHelp(c);
      for (const f of flagsOf(c)) expect(help, `${c} --${f}`).toMatch(new RegExp(`--${f}\\b`));
      const others = new Set(Object.values(COMMANDS).flatMap((x) => x.groups.flatMap((g) => [...g.flags])));
      for (const f of others) if (!flagsOf(c).includes(f)) expect(help, `${c} lists --${f}`).not.toMatch(new RegExp(`--${f}(\\s|$)`, "m"));
    }
  });
});

describe("interactive runs check dirtiness before the first question", () => {
  it("a dirty ci.yml is refused with no prompt asked", async () => {
    const dir = makeRepo("example");
    writeFileSync(join(dir, ".github/workflows/ci.yml"), `${readFileSync(join(dir, ".github/workflows/ci.yml"), "utf8")}# wip\n`);
    const { deps, asked } = scriptedDeps(["ghcr.io/acme/x"]);
    await expect(runInit(initOptions(dir, { mode: "interactive" }), deps)).rejects.toThrow(/uncommitted changes in files this would change: \.github\/workflows\/ci\.yml/);
    expect(asked).toEqual([]);
  });
});

describe("the gate preview reads ignore files only inside the repository", () => {
  it("trivyignores: /etc/passwd is a finding, never read or passed to Trivy", async () => {
    const { dryRunTrivy } = await import("../../src/validate/trivy.js");
    const { renderedGateWith, workspace } = await import("../scanners/helpers.js");
    const calls: string[][] = [];
    const exec = async (_f: string, args: string[]) => {
      calls.push(args);
      return { exitCode: 0, stdout: args[0] === "--version" ? "Version: 0.74.0\n" : '{"Results":[]}', stderr: "" };
    };
    for (const path of ["/etc/passwd", "../outside", "link"]) {
      const dir = workspace();
      if (path === "link") symlinkSync("/etc/passwd", join(dir, "link"));
      const findings = await dryRunTrivy({ dir, gate: { ...renderedGateWith(), trivyignores: path }, offline: true, exec, imageArchive: "app.tar" });
      expect(findings, path).toContainEqual(expect.objectContaining({ severity: "error", file: path, message: expect.stringMatching(/the gate step would stop before scanning: .*(not a path inside the repository|outside the repository)/) }));
      expect(JSON.stringify(findings)).not.toContain("root:");
    }
    expect(calls.filter((a) => a[0] !== "--version" && a.join(" ").includes("passwd"))).toEqual([]);
  });
});

describe("the plan", () => {
  it("shows the rescan's next run time", async () => {
    const dir = makeRepo("example");
    const { deps } = scriptedDeps([]);
    const { report } = await runInit(initOptions(dir, { dryRun: true, flags: { schedule: "17 4 * * 1" } }), deps);
    expect(report.plan.notes).toContain('the rescan runs on the cron schedule "17 4 * * 1" (UTC); next run 2026-11-30 04:17 UTC');
  });
});

describe("the interactive Dockerfile question", () => {
  it("refuses a file that is not a Dockerfile while asking, not after", async () => {
    const { dockerfileProblem } = await import("../../src/answers/repo-checks.js");
    const dir = makeRepo("example");
    expect(dockerfileProblem(dir, "Dockerfile")).toBeUndefined();
    expect(dockerfileProblem(dir, "main.go")).toBe("not a Dockerfile (no FROM instruction)");
    expect(dockerfileProblem(dir, "nope")).toMatch(/^no such file in /);
    const { ask } = await import("../../src/answers/resolve.js");
    const seen: (string | undefined)[] = [];
    const prompts = {
      text: async (q: { message: string; validate?: (v: string) => string | undefined }) => {
        if (q.message === "Dockerfile") seen.push(q.validate?.("main.go"), q.validate?.("Dockerfile"));
        return q.message === "Dockerfile" ? "Dockerfile" : "x";
      },
      select: async (q: { initialValue?: unknown }) => q.initialValue as never,
      confirm: async () => true,
    };
    await ask(prompts as never, {}, new Set(), { dockerfiles: ["Dockerfile"], isDockerfile: (p) => dockerfileProblem(dir, p) });
    expect(seen).toEqual(["not a Dockerfile (no FROM instruction)", undefined]);
  });
});
