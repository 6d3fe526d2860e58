import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runCli } from "../support/cli.js";
import { git, makeRepo, snapshot } from "../support/repo.js";

const MANAGED = [".github/workflows/security-scan.yml", ".trivyignore", "renovate.json", ".github/relay-security.json"];

describe("create-relay-security on the example service", () => {
  it("--help answers fast without loading the pipeline", () => {
    const r = runCli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("create-relay-security [dir]");
    expect(r.stdout).toContain("--no-image-scan");
  });

  it("--yes sets it up, the second run changes no byte", () => {
    const dir = makeRepo("example");
    const before = snapshot(dir);
    const r = runCli(["--yes", dir]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const f of MANAGED) expect(existsSync(join(dir, f)), f).toBe(true);
    const after = snapshot(dir);
    // The user's ci.yml gained exactly our step, right after the build.
    const ci = after.get(".github/workflows/ci.yml")!;
    const original = before.get(".github/workflows/ci.yml")!;
    expect(ci.startsWith(original.trimEnd())).toBe(true);
    expect(ci).toContain("id: relay-security-scan");
    expect(ci).toContain("image-ref: 'ghcr.io/acme/hello-service:${{ github.sha }}'");
    for (const [path, text] of after) if (/\.ya?ml$|\.json$/.test(path)) expect(() => (path.endsWith(".json") ? JSON.parse(text) : parse(text)), path).not.toThrow();
    // Files we did not mention are untouched.
    for (const [path, text] of before) if (path !== ".github/workflows/ci.yml") expect(after.get(path), path).toBe(text);
    expect(r.stdout).toContain("Next steps:");

    const second = runCli(["--yes", dir]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("Nothing to do");
    expect(snapshot(dir)).toEqual(after);
  });

  it("--dry-run prints the plan and diffs and writes nothing", () => {
    const dir = makeRepo("example");
    const before = snapshot(dir);
    const r = runCli(["--yes", "--dry-run", dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("dry run");
    expect(r.stdout).toContain("+++ b/.github/workflows/security-scan.yml");
    expect(r.stdout).toMatch(/^\+ +id: relay-security-scan$/m);
    expect(snapshot(dir)).toEqual(before);
  });

  it("--json prints a report a script can read", () => {
    const dir = makeRepo("example");
    const r = runCli(["--yes", "--json", "--dry-run", dir]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { exitCode: number; files: { path: string; action: string; added: number }[]; findings: unknown[] };
    expect(report.exitCode).toBe(0);
    expect(report.files.map((f) => [f.path, f.action])).toEqual(
      expect.arrayContaining([
        [".github/workflows/security-scan.yml", "create"],
        [".github/workflows/ci.yml", "update"],
        [".trivyignore", "create"],
        ["renovate.json", "create"],
        [".github/relay-security.json", "create"],
      ]),
    );
    expect(Array.isArray(report.findings)).toBe(true);
  });

  it("without a TTY and without --yes it exits 2 at once, naming the flags", () => {
    const dir = makeRepo("example");
    const before = snapshot(dir);
    const r = runCli([dir], { env: { CI: undefined } });
    expect(r.code).toBe(2);
    expect(r.ms).toBeLessThan(15_000);
    expect(r.stderr).toMatch(/--yes/);
    expect(r.stderr).toMatch(/--image/);
    expect(snapshot(dir)).toEqual(before);
  });

  it("every answer can come from flags alone, without --yes", () => {
    const dir = makeRepo("example", { remote: null });
    const r = runCli([dir, "--image", "ghcr.io/acme/x", "--dockerfile", "Dockerfile", "--branch", "main", "--schedule", "weekly", "--severity", "CRITICAL", "--updater", "renovate"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, ".github/workflows/security-scan.yml"), "utf8")).toMatch(/cron: '\d+ \d+ \* \* 1'/);
  });

  it("an answers file carries them all", () => {
    const dir = makeRepo("example", { remote: null });
    const file = join(dir, "..", `answers-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify({ image: "ghcr.io/acme/y", dockerfile: "Dockerfile", branch: "main", schedule: "17 5 * * *", severity: "CRITICAL,HIGH", updater: "dependabot" }));
    const r = runCli([dir, "--answers", file]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, ".github/dependabot.yml"))).toBe(true);
    expect(readFileSync(join(dir, ".github/workflows/security-scan.yml"), "utf8")).toContain("cron: '17 5 * * *'");
  });
});

describe("bad input: a clear message, exit 2, nothing written", () => {
  const refuses = (setup: (dir: string) => string[], message: RegExp, repo = "example", opts: { remote?: string | null } = {}) => {
    const dir = makeRepo(repo, opts);
    const args = setup(dir);
    const before = snapshot(dir);
    const r = runCli(args);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(snapshot(dir)).toEqual(before);
  };
  it("not a Go module", () => refuses((d) => (rmSync(join(d, "go.mod")), ["--yes", d]), /go\.mod: not found/));
  it("no Dockerfile: explains and offers --no-image-scan", () => refuses((d) => (rmSync(join(d, "Dockerfile")), ["--yes", d]), /needs one.*--no-image-scan/));
  it("a cron at minute 0", () => refuses((d) => ["--yes", "--schedule", "0 4 * * *", d], /--schedule: .*minute "0"/));
  it("an unknown severity", () => refuses((d) => ["--yes", "--severity", "SEVERE", d], /--severity: severity must be/));
  it("an image name with an expression", () => refuses((d) => ["--yes", "--image", "ghcr.io/a/${{ github.token }}", d], /--image: .*GitHub expression/));
  it("an unknown flag", () => refuses((d) => ["--yes", "--imge", "x", d], /Unknown option '--imge'/));
  it("a directory that does not exist", () => {
    const r = runCli(["--yes", "/nonexistent/relay"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/nonexistent\/relay: no such directory/);
  });
  // CI's `docker build -t ghcr.io/acme/hello-service:…` would name the image; a name in a variable does not.
  it("a non-GitHub remote, no image name in CI, and no --image", () =>
    refuses(
      (d) => {
        const ci = join(d, ".github/workflows/ci.yml");
        writeFileSync(ci, readFileSync(ci, "utf8").replace("docker build -t ghcr.io/acme/hello-service:", 'docker build -t "$IMAGE":'));
        git(d, "commit", "-qam", "the name in a variable");
        return ["--yes", d];
      },
      /--image/,
      "example",
      { remote: "git@gitlab.com:acme/x.git" },
    ));
  it("a workflow that does not parse: file and line", () =>
    refuses((d) => (writeFileSync(join(d, ".github/workflows/ci.yml"), "on: [pull_request]\njobs:\n  build:\n    steps: [\n"), ["--yes", d]), /ci\.yml.*line \d+/));
  it("an unwritable target", () =>
    refuses((d) => {
      rmSync(join(d, ".github"), { recursive: true });
      writeFileSync(join(d, ".github"), "a file where a directory should be\n");
      return ["--yes", d];
    }, /not writable|not a directory/i));
  it("a state file from a newer version", () =>
    refuses((d) => {
      writeFileSync(join(d, ".github/relay-security.json"), JSON.stringify({ tool: "create-relay-security", version: "99.0.0", schema: 1, answers: {}, files: {} }));
      return ["--yes", d];
    }, /99\.0\.0, newer than this/));
  void chmodSync;
});
