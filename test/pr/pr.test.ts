import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { bareOrigin, FakeGhPr } from "../support/fake-gh-pr.js";
import { git, makeRepo, snapshot } from "../support/repo.js";
import { stepEnv, tempDir } from "../support/shell.js";

const ID = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function world(opts: { token?: boolean; gh?: boolean; files?: Record<string, string> } = {}) {
  const tmp = tempDir("pr");
  cleanups.push(tmp.cleanup);
  const dir = makeRepo("example", { files: opts.files ?? {} });
  const bare = join(tmp.path, "remote.git");
  bareOrigin(dir, bare, "acme/hello-service");
  const bin = join(tmp.path, "bin");
  const gh = new FakeGhPr(tmp.path, bin);
  const env: NodeJS.ProcessEnv = { ...stepEnv(opts.gh === false ? join(tmp.path, "nobin") : bin, { ...gh.env(), ...ID, GH_TOKEN: opts.token === false ? undefined : "t0ken", GH_REPO: "acme/hello-service" }), CI: "true" };
  // runCli starts from process.env: unset what the step env leaves out (a developer's GH_TOKEN).
  const run = (...args: string[]) => runCli(args, { env: { ...env, GH_TOKEN: env.GH_TOKEN ?? undefined }, cwd: dir });
  const remoteLog = (ref: string) => execFileSync("git", ["--git-dir", bare, "log", "--format=%s", ref], { encoding: "utf8" }).trim().split("\n");
  const remoteShow = (ref: string, path: string) => execFileSync("git", ["--git-dir", bare, "show", `${ref}:${path}`], { encoding: "utf8" });
  return { dir, bare, gh, run, remoteLog, remoteShow };
}

describe("--pr on a set-up", () => {
  it("commits our files on relay-security/setup, pushes them and opens a PR whose body is the plan; the user's tree is as before", () => {
    const w = world();
    const before = snapshot(w.dir);
    const r = w.run("--yes", "--pr", "--image", "ghcr.io/acme/hello-service", ".");
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/--pr: created https:\/\/github\.com\/acme\/hello-service\/pull\/1 \(branch relay-security\/setup/);
    expect(w.remoteLog("relay-security/setup")).toEqual(["Add relay-security supply-chain scans", "fixture"]);
    expect(w.remoteShow("relay-security/setup", ".github/workflows/security-scan.yml")).toMatch(/^# Managed by relay-security/);
    expect(git(w.dir, "symbolic-ref", "--short", "HEAD").trim()).toBe("main");
    expect(snapshot(w.dir)).toEqual(before);
    const [pr] = w.gh.prs();
    expect(pr).toMatchObject({ number: 1, title: "Add relay-security supply-chain scans", headRefName: "relay-security/setup", baseRefName: "main", state: "OPEN" });
    expect(pr!.body).toMatch(/\| `\.github\/workflows\/security-scan\.yml` \| create \(\+\d+ -0\) \| the scheduled rescan/);
    expect(pr!.body).toMatch(/## The pull-request gate\n\nIn `\.github\/workflows\/ci\.yml`: /);
    expect(pr!.body).toMatch(/## Findings in your files\n/);
    expect(pr!.body).toMatch(/## Next steps\n\n1\. Enable Renovate/);
    expect(pr!.body).not.toMatch(/Review and commit/);
  });

  it("a re-run updates the same branch and edits the same PR instead of opening another", () => {
    const w = world();
    expect(w.run("--yes", "--pr", "--image", "ghcr.io/acme/hello-service", ".").code).toBe(0);
    const first = w.gh.prs()[0]!.headSha;
    const r = w.run("--yes", "--pr", "--image", "ghcr.io/acme/hello-service", "--severity", "CRITICAL", ".");
    expect(r.stdout).toMatch(/--pr: updated https:\/\/github\.com\/acme\/hello-service\/pull\/1/);
    const prs = w.gh.prs();
    expect(prs).toHaveLength(1);
    expect(prs[0]!.headSha).not.toBe(first);
    expect(w.remoteLog("relay-security/setup")).toEqual(["Add relay-security supply-chain scans", "fixture"]);
    expect(w.remoteShow("relay-security/setup", ".github/relay-security.json")).toMatch(/"severity": "CRITICAL"/);
    expect(w.gh.calls().map((a) => a.slice(0, 2).join(" "))).toEqual(["auth status", "pr list", "pr create", "auth status", "pr list", "pr edit"]);
  });

  it("after the set-up is merged, an upgrade goes to relay-security/upgrade", () => {
    const w = world();
    w.run("--yes", "--pr", "--image", "ghcr.io/acme/hello-service", ".");
    git(w.dir, "merge", "-q", "--ff-only", "relay-security/setup");
    git(w.dir, "push", "-q", "origin", "main");
    const r = w.run("--yes", "--pr", "--image", "ghcr.io/acme/hello-service", "--severity", "CRITICAL", ".");
    expect(r.stdout).toMatch(/--pr: created .*\/pull\/2 \(branch relay-security\/upgrade/);
    expect(w.gh.prs()[1]).toMatchObject({ title: "Upgrade relay-security files", headRefName: "relay-security/upgrade" });
  });

  it("refuses a dirty tree before writing anything (exit 2)", () => {
    const w = world();
    writeFileSync(join(w.dir, "notes.txt"), "mine\n");
    const before = snapshot(w.dir);
    const r = w.run("--yes", "--pr", "--image", "ghcr.io/acme/hello-service", ".");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--pr: refusing, the working tree has uncommitted changes \(notes\.txt\)/);
    expect(snapshot(w.dir)).toEqual(before);
    expect(w.gh.calls()).toEqual([]);
  });

  it("without gh's login: the branch is pushed and committed, and the output says exactly what to run (exit 1)", () => {
    const w = world({ token: false });
    const r = w.run("--yes", "--pr", "--image", "ghcr.io/acme/hello-service", ".");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/--pr: committed [0-9a-f]{12} on relay-security\/setup, but gh is not logged in \(You are not logged into any GitHub hosts/);
    const cmd = /cd \S+ && (gh pr create .*)$/m.exec(r.stdout)![1]!;
    expect(cmd).toMatch(/^gh pr create --base main --head relay-security\/setup --title 'Add relay-security supply-chain scans' --body-file \S+relay-security-pr-setup\.md$/);
    expect(w.remoteLog("relay-security/setup")[0]).toBe("Add relay-security supply-chain scans");
    // The printed command works as it stands once gh is logged in.
    const file = /--body-file (\S+)$/.exec(cmd)![1]!;
    expect(readFileSync(file, "utf8")).toMatch(/^This pull request was opened by `relay-security`/);
    expect(w.gh.prs()).toEqual([]);
  });

  it("without gh at all: the same, naming gh as missing", () => {
    const w = world({ gh: false });
    const r = w.run("--yes", "--pr", "--image", "ghcr.io/acme/hello-service", ".");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/but gh is not installed/);
    expect(git(w.dir, "log", "-1", "--format=%s", "relay-security/setup").trim()).toBe("Add relay-security supply-chain scans");
  });

  // mccutchen/go-httpbin ignores `.*` and tracks .github by hand: our new files there are ignored.
  it("commits our files even when a broad .gitignore covers them", () => {
    const w = world({ files: { ".gitignore": ".*\n" } });
    const r = w.run("--yes", "--pr", "--image", "ghcr.io/acme/hello-service", ".");
    expect(r.stdout).toMatch(/--pr: created /);
    expect(w.remoteShow("relay-security/setup", ".trivyignore")).toMatch(/^#/);
    expect(w.remoteShow("relay-security/setup", ".github/relay-security.json")).toMatch(/"answers"/);
  });

  it("refuses --pr with --dry-run (exit 2, nothing written)", () => {
    const w = world();
    const r = w.run("--yes", "--pr", "--image", "ghcr.io/acme/hello-service", "--dry-run", ".");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--pr and --dry-run do not go together/);
  });
});

describe("pin --pr", () => {
  it("commits the pinned workflows on relay-security/pin and opens a PR listing each pin", () => {
    const w = world();
    writeFileSync(join(w.dir, ".github/workflows/lint.yml"), "name: lint\non: push\njobs:\n  l:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v7.0.1\n");
    git(w.dir, "add", "-A");
    git(w.dir, "commit", "-q", "-m", "lint");
    const r = w.run("pin", "--offline", "--pr", ".");
    expect(r.stdout).toMatch(/--pr: created .*\/pull\/1 \(branch relay-security\/pin/);
    expect(w.remoteShow("relay-security/pin", ".github/workflows/lint.yml")).toMatch(/uses: actions\/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7\.0\.1/);
    expect(w.gh.prs()[0]!.body).toMatch(/`actions\/checkout@v7\.0\.1` -> `actions\/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7\.0\.1`/);
  });
});
