/**
 * `--reachability` and `.govulncheckignore` through the whole pipeline (issue 17), in-process on the
 * example service: what is written, what the plan says, a second run, turning the option off, and the
 * answers it is refused with.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { renderInitReport } from "../../src/report/init.js";
import { runInit } from "../../src/run.js";
import { initOptions, scriptedDeps } from "../support/deps.js";
import { makeRepo, snapshot } from "../support/repo.js";

const yes = (dir: string, flags: Record<string, unknown>) => runInit(initOptions(dir, { flags, allowDirty: true }), scriptedDeps([]).deps);

describe("--reachability through the pipeline", () => {
  it("writes the VEX steps before the gate and .govulncheckignore, says what it does, and a second run is a no-op", async () => {
    const dir = makeRepo("example");
    const { exitCode, report } = await yes(dir, { reachability: true });
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report.plan.notes.join("\n")).toMatch(/--reachability: before the gate's Trivy step, govulncheck checks which Go module vulnerabilities .* never calls/);
    expect(renderInitReport(report)).toContain("--reachability:");
    const gateFile = report.plan.changes.find((c) => c.after?.includes("id: relay-security-scan"))?.path ?? "";
    const gate = readFileSync(join(dir, gateFile), "utf8");
    const order = ["id: relay-security-setup-go", "id: relay-security-govulncheck", "id: relay-security-vex", "id: relay-security-scan"].map((s) => gate.indexOf(s));
    expect(order.every((at, i) => at > 0 && (i === 0 || at > (order[i - 1] ?? 0)))).toBe(true);
    expect(gate).toContain("TRIVY_VEX: relay-security.vex.json");
    expect(readFileSync(join(dir, ".govulncheckignore"), "utf8")).toContain("# .govulncheckignore: Go vulnerabilities the scheduled rescan");
    expect(readFileSync(join(dir, ".github/workflows/security-scan.yml"), "utf8")).toContain("VEX_FILE: relay-security-results/govulncheck/vex.json");
    const state = JSON.parse(readFileSync(join(dir, ".github/relay-security.json"), "utf8")) as { answers: Record<string, unknown> };
    expect(state.answers.reachability).toBe(true);

    const before = snapshot(dir);
    const again = await yes(dir, {});
    expect(again.report.plan.changes.every((c) => c.action === "unchanged" || c.action === "skip")).toBe(true);
    expect(snapshot(dir)).toEqual(before);
    // Nothing of ours is mistaken for a hand-written govulncheck gate that decides nothing.
    expect(again.report.plan.notes.join("\n")).not.toMatch(/govulncheck with JSON|nothing decides/);
  });

  it("turned off (answers file), the companion steps go and the gate is the plain one", async () => {
    const on = makeRepo("example");
    await yes(on, { reachability: true });
    writeFileSync(join(on, "answers.json"), JSON.stringify({ reachability: false }));
    await runInit(initOptions(on, { answersFile: join(on, "answers.json"), allowDirty: true }), scriptedDeps([]).deps);
    const plain = makeRepo("example");
    await yes(plain, {});
    const ci = (d: string) => readFileSync(join(d, ".github/workflows/ci.yml"), "utf8");
    expect(ci(on)).toBe(ci(plain));
    expect(ci(on)).not.toContain("relay-security-vex");
  });

  it("a user's edit inside a companion step is kept like one inside our step: quietly, or as a conflict when we have something new", async () => {
    const dir = makeRepo("example");
    await yes(dir, { reachability: true });
    const ci = join(dir, ".github/workflows/ci.yml");
    // The maintainer gives the govulncheck install a private proxy, inside our companion step.
    const edited = readFileSync(ci, "utf8").replace("          GOVULNCHECK_VERSION: v", "          GOPROXY: https://proxy.example.com\n          GOVULNCHECK_VERSION: v");
    expect(edited).toContain("GOPROXY: https://proxy.example.com");
    writeFileSync(ci, edited);
    // Kept, and said (exit 1, as check says it: issue 20.3), since our step is the policy the repository promises.
    const same = await yes(dir, {});
    expect([same.exitCode, readFileSync(ci, "utf8")]).toEqual([1, edited]);
    expect(same.report.plan.changes.find((c) => c.path === ".github/workflows/ci.yml")?.keptEdit).toBeDefined();
    const newer = await yes(dir, { severity: "CRITICAL" });
    expect(newer.exitCode).toBe(1);
    expect(newer.report.plan.changes.find((c) => c.path === ".github/workflows/ci.yml")?.action).toBe("conflict");
    expect(readFileSync(ci, "utf8")).toBe(edited);
  });

  it.each([
    [{ reachability: true, scanner: "grype" }, /--reachability is available with --scanner trivy only/],
    [{ reachability: true, imageScan: false }, /--reachability quiets the image gate, and --no-image-scan has none/],
  ])("refused with %o: a UserError naming the flag, nothing written", async (flags, message) => {
    const dir = makeRepo("example");
    const before = snapshot(dir);
    await expect(yes(dir, flags)).rejects.toThrow(UserError);
    await expect(yes(dir, flags)).rejects.toThrow(message);
    expect(snapshot(dir)).toEqual(before);
  });

  it("an existing .govulncheckignore is the user's: kept as it is, and validated", async () => {
    const dir = makeRepo("example");
    writeFileSync(join(dir, ".govulncheckignore"), "# mine\r\nGO-2026-4321 exp:2020-01-01\r\n");
    const { exitCode, report } = await yes(dir, {});
    expect(readFileSync(join(dir, ".govulncheckignore"), "utf8")).toBe("# mine\r\nGO-2026-4321 exp:2020-01-01\r\n");
    expect(report.plan.notes.join("\n")).toContain(".govulncheckignore: kept as it is");
    expect(report.findings.filter((f) => f.file === ".govulncheckignore").map((f) => f.rule).sort()).toEqual(["govulncheckignore/expired", "govulncheckignore/todo", "govulncheckignore/why"]);
    expect(exitCode).toBe(1);
  });
});

describe("relay-security validate on .govulncheckignore (the built CLI)", () => {
  it("exit 0 with a valid entry (CRLF, BOM), exit 1 naming file and line once it has expired", async () => {
    const { runCli } = await import("../support/cli.js");
    const dir = makeRepo("example");
    await yes(dir, {});
    const file = join(dir, ".govulncheckignore");
    const header = readFileSync(file, "utf8");
    const entry = (exp: string) => `\ufeff${header}\r\n# WHY: only our own templates\r\n# TODO(2099-01-01): bump x/net\r\nGO-2026-4321 exp:${exp}\r\n`;
    writeFileSync(file, entry("2099-12-31"));
    const ok = runCli(["validate", "--offline", dir], { timeoutMs: 120_000 });
    expect(ok.stdout + ok.stderr).not.toContain(".govulncheckignore");
    writeFileSync(file, entry("2020-01-01"));
    const bad = runCli(["validate", "--offline", dir], { timeoutMs: 120_000 });
    expect(bad.code).toBe(1);
    const line = header.split("\n").length + 3;
    expect(bad.stdout).toMatch(new RegExp(`\\.govulncheckignore:${line} .*GO-2026-4321: expired 2020-01-01`));
  }, 300_000);
});
