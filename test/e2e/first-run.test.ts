import { execSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { git, makeRepo, snapshot } from "../support/repo.js";
import { TEXT_VARIANTS } from "../support/encodings.js";

/** Issue 10, section 4: shapes seen on real repositories, each on a first `--yes` run. */
const commitLine = (out: string) => /Review and commit: (.*) && git commit -m/.exec(out)?.[1] ?? "";

describe("the first --yes run", () => {
  it("in a repository without any workflow writes the final state: a second run changes no byte, before or after a commit", () => {
    const dir = makeRepo("example");
    rmSync(join(dir, ".github"), { recursive: true });
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "no workflows");
    expect(runCli(["--yes", dir]).code).toBe(0);
    const first = snapshot(dir);
    const again = runCli(["--yes", dir]); // not committed yet: nothing to change, so nothing refused
    expect(again.stderr).toBe("");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Nothing to do");
    expect(snapshot(dir)).toEqual(first);
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "relay-security");
    expect(runCli(["--yes", dir]).stdout).toContain("Nothing to do");
    expect(snapshot(dir)).toEqual(first);
    expect(runCli(["check", dir]).code).toBe(0);
  });

  it("prints `git add -f` for the paths the repository's .gitignore hides, and that command works", () => {
    // A `.*` rule (with exceptions), added after ci.yml was committed, as some repositories have: it
    // hides .github and .trivyignore from `git add`, but not the tracked ci.yml.
    const dir = makeRepo("example");
    writeFileSync(join(dir, ".gitignore"), ".*\n!.gitignore\n");
    git(dir, "add", ".gitignore");
    git(dir, "commit", "-qm", "ignore dot files");
    const r = runCli(["--yes", dir]);
    expect(r.code).toBe(0);
    const add = commitLine(r.stdout);
    // ci.yml is tracked, but under the ignored .github: `git add` refuses it without -f all the same.
    const [plain, forced] = add.split(" && ");
    // Only the hidden paths get -f: every dot path, none of the others.
    expect(plain?.replace(/^git add /, "").split(" ").sort()).toEqual(["docs/security-scanning.md", "renovate.json"]);
    const hidden = forced?.replace(/^git add -f /, "").split(" ") ?? [];
    expect(hidden).toEqual(expect.arrayContaining([".github/workflows/security-scan.yml", ".trivyignore", ".govulncheckignore", ".github/workflows/ci.yml", ".github/relay-security.json"]));
    expect(hidden.every((p) => p.startsWith("."))).toBe(true);
    execSync(add, { cwd: dir, stdio: "pipe" });
    expect(git(dir, "status", "--porcelain", "--untracked-files=all")).not.toMatch(/^\?\?/m);
  });

  it("a plain `git add` when nothing is ignored", () => {
    const dir = makeRepo("example");
    const add = commitLine(runCli(["--yes", dir]).stdout);
    expect(add).toMatch(/^git add \S+( \S+)+$/);
    expect(add).not.toContain("-f");
  });

  it("next steps name the Dependabot file that is there (.yaml)", () => {
    const dir = makeRepo("example", {
      files: { ".github/dependabot.yaml": "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n    schedule:\n      interval: weekly\n" },
    });
    const r = runCli(["--yes", "--updater", "dependabot", dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Dependabot goes on reading .github/dependabot.yaml, which relay-security left as it was (see the plan's note).");
    expect(r.stdout).not.toContain(".github/dependabot.yml");
  });

  // The shape of nats-io/nats-server's and coredns/coredns's: gomod and github-actions, no docker entry.
  it.each([
    ["LF", (t: string) => t],
    ["CRLF", (t: string) => t.replace(/\n/g, "\r\n")],
    ["a BOM", (t: string) => `\uFEFF${t}`],
    ["non-UTF-8 bytes (it is only read, never edited)", (t: string) => t.replace("version: 2\n", "version: 2\n# caf\xe9\n")],
  ])("an existing dependabot.yml (%s): the plan says what it leaves out", (_name, enc) => {
    const text = "version: 2\nupdates:\n  - package-ecosystem: gomod\n    directory: /\n    schedule:\n      interval: weekly\n    cooldown:\n      default-days: 5\n  - package-ecosystem: github-actions\n    directory: /\n    schedule:\n      interval: weekly\n";
    const dir = makeRepo("example");
    writeFileSync(join(dir, ".github/dependabot.yml"), Buffer.from(enc(text), _name.startsWith("non-UTF-8") ? "latin1" : "utf8"));
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "dependabot");
    const r = runCli(["--yes", "--dry-run", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      "note: .github/dependabot.yml: kept as it is; it has no docker entry (the Dockerfile's base images, the builder's Go among them); no cooldown on github-actions (an update the day it is released, before a hijacked release is found out); no /.github/actions/relay-security-db in its github-actions directories (the pins in relay-security's database action stay as written). Dependabot does not read the `# renovate:` markers, so the Trivy and govulncheck versions in relay-security's files move when you re-run relay-security.",
    );
  });

  // The shape of cloudflare/cloudflared's renovate.json: Renovate narrowed to one base image on purpose.
  it.each(TEXT_VARIANTS)("a Renovate config that leaves our rules idle (%s): the plan and the next step say so, and it is not widened", (_name, enc) => {
    const text = '{\n  "enabledManagers": ["dockerfile"],\n  "packageRules": [\n    { "matchPackageNames": ["*"], "enabled": false },\n    { "matchManagers": ["dockerfile"], "matchPackageNames": ["gcr.io/distroless/**"], "enabled": true }\n  ]\n}\n';
    const dir = makeRepo("example", { files: { "renovate.json": enc(text) } });
    const r = runCli(["--yes", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/note: renovate\.json: relay-security added its rules, but as you set Renovate up they do nothing: enabledManagers lists "dockerfile" and not "github-actions", "gomod", "custom\.regex"/);
    expect(r.stdout).toContain("renovate.json keeps Renovate away from relay-security's pins and scanner versions, as you set it up (see the plan's note): re-run relay-security to move them, or widen that config.");
    expect(r.stdout).not.toContain("Enable Renovate");
    const after = readFileSync(join(dir, "renovate.json"), "utf8");
    expect(after.startsWith(enc("{").slice(0, -1))).toBe(true);
    const lf = after.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n");
    expect(lf).toContain('  "enabledManagers": ["dockerfile"],\n');
    expect(lf).toContain('{ "matchPackageNames": ["*"], "enabled": false },');
    expect(after.includes("\r\n")).toBe(enc("\n") === "\r\n");
  });

  it("a renovate.json that is not UTF-8 stops the run, naming it (it would be edited)", () => {
    const dir = makeRepo("example");
    writeFileSync(join(dir, "renovate.json"), Buffer.from('{\n  // caf\xe9\n  "extends": []\n}\n', "latin1"));
    const before = snapshot(dir);
    const r = runCli(["--yes", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/renovate\.json/);
    expect(snapshot(dir)).toEqual(before);
  });

  it("every command it prints names this package (never `npx relay-security`)", () => {
    const r = runCli(["--yes", makeRepo("example")]);
    expect(r.stdout).toContain("npx create-relay-security check");
    expect(r.stdout).not.toMatch(/npx relay-security/);
  });
});

