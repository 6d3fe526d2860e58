import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fleetFixtures, STATES } from "../../scripts/fleet-fixtures.mjs";
import { renderFleetWorkflow } from "../../src/fleet/workflow.js";
import { CLI } from "../support/cli.js";
import { bareOrigin, FakeGhPr } from "../support/fake-gh-pr.js";
import { runScriptOf } from "../support/workflow.js";
import { runStep, stepEnv, tempDir } from "../support/shell.js";

// The scripts exactly as the rendered workflow carries them (job `repo`, step `run`; job `summary`, step `table`).
const workflow = renderFleetWorkflow({ source: { kind: "file", repos: ["acme/x"] }, maxParallel: 4 });
const repoScript = runScriptOf(workflow, "repo", "run");
const summaryScript = runScriptOf(workflow, "summary", "table");
const listScript = runScriptOf(workflow, "list", "list");

const fixtures = fleetFixtures(5);
const tmp = tempDir("fleet-job");
afterAll(() => {
  tmp.cleanup();
  rmSync(fixtures.root, { recursive: true, force: true });
});
const ID = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
const bin = join(tmp.path, "bin");
const gh = new FakeGhPr(tmp.path, bin);

function job(name: string, target: string, env: Record<string, string> = {}) {
  const result = join(tmp.path, "results", name, "result.json");
  const r = runStep(repoScript, {
    cwd: tmp.path,
    scriptDir: join(tmp.path, "steps"),
    env: { ...stepEnv(bin, { ...gh.env(), ...ID, REPO: `acme/${name}`, MODE: "check", TARGET: target, ANSWERS_DIR: "admin/.github/relay-security-fleet", RESULT: result, RELAY_SECURITY: `${process.execPath} ${CLI}`, ...env }), CI: "true" },
  });
  return { ...r, result: existsSync(result) ? (JSON.parse(readFileSync(result, "utf8")) as { repository: string; state: string; pr: string; detail: string }) : undefined };
}

describe("the per-repository job script, mode check", () => {
  it.each(STATES.map((s) => [s]))("reports a repository in state %s", (state) => {
    const fx = fixtures.repos.find((r) => r.state === state)!;
    const r = job(fx.name, fx.dir);
    expect(r.result).toMatchObject({ repository: `acme/${fx.name}`, state, pr: "" });
    // Only an error fails the job; the table reports the rest.
    expect(r.status).toBe(state === "error" ? 1 : 0);
    expect(r.stdout).toContain(`acme/${fx.name}: ${state}`);
  });

  it("a target that is not there is an error, with a result for the table", () => {
    const r = job("gone", join(tmp.path, "nowhere"));
    expect(r.status).toBe(1);
    expect(r.result).toMatchObject({ state: "error", detail: expect.stringMatching(/no such directory/) });
  });
});

describe("the per-repository job script, mode upgrade", () => {
  const env = { MODE: "upgrade", GH_TOKEN: "t0ken" };
  it("a repository in drift gets a pull request on relay-security/upgrade; its link is in the result", () => {
    const [fx] = fleetFixtures(1, { only: "drift" }).repos;
    bareOrigin(fx!.dir, join(tmp.path, "drift.git"), `acme/${fx!.name}`);
    const r = job(fx!.name, fx!.dir, { ...env, GH_REPO: `acme/${fx!.name}` });
    expect(r.stderr).not.toMatch(/relay-security: /);
    expect(r.status).toBe(0);
    expect(r.result).toMatchObject({ state: "drift", pr: `https://github.com/acme/${fx!.name}/pull/1` });
    expect(gh.prs().find((p) => p.repo === `acme/${fx!.name}`)).toMatchObject({ headRefName: "relay-security/upgrade", title: "Upgrade relay-security files" });
  });

  it("a repository not set up is set up with its answers from the admin repository, as a PR on relay-security/setup", () => {
    const [fx] = fleetFixtures(1, { only: "not set up" }).repos;
    bareOrigin(fx!.dir, join(tmp.path, "new.git"), `acme/${fx!.name}`);
    const answers = join(tmp.path, "admin/.github/relay-security-fleet/acme", `${fx!.name}.json`);
    mkdirSync(join(answers, ".."), { recursive: true });
    writeFileSync(answers, JSON.stringify({ image: `ghcr.io/acme/${fx!.name}`, severity: "CRITICAL" }));
    const r = job(fx!.name, fx!.dir, { ...env, GH_REPO: `acme/${fx!.name}` });
    expect(r.status).toBe(0);
    expect(r.result).toMatchObject({ state: "not set up", pr: `https://github.com/acme/${fx!.name}/pull/1` });
    const pr = gh.prs().find((p) => p.repo === `acme/${fx!.name}`)!;
    expect(pr).toMatchObject({ headRefName: "relay-security/setup" });
    // The recorded answers came from the admin repository's file.
    const state = execFileSync("git", ["--git-dir", join(tmp.path, "new.git"), "show", "relay-security/setup:.github/relay-security.json"], { encoding: "utf8" });
    expect(JSON.parse(state).answers).toMatchObject({ image: `ghcr.io/acme/${fx!.name}`, severity: "CRITICAL" });
  });

  it("without a token the push goes nowhere and the job is an error naming why", () => {
    const [fx] = fleetFixtures(1, { only: "drift" }).repos;
    bareOrigin(fx!.dir, join(tmp.path, "notoken.git"), `acme/${fx!.name}`);
    const r = job(fx!.name, fx!.dir, { MODE: "upgrade", GH_REPO: `acme/${fx!.name}` });
    expect(r.status).toBe(1);
    expect(r.result).toMatchObject({ state: "error", detail: expect.stringMatching(/gh is not logged in/) });
  });

  it("current and conflict repositories are left alone in upgrade mode", () => {
    for (const state of ["current", "conflict"] as const) {
      const fx = fixtures.repos.find((r) => r.state === state)!;
      const before = gh.calls().length;
      const r = job(fx.name, fx.dir, env);
      expect(r.result).toMatchObject({ state, pr: "" });
      expect(gh.calls().length).toBe(before);
    }
  });
});

describe("the summary job", () => {
  it("tables every repository of the matrix, a missing result as an error, and fails on errors", () => {
    const results = join(tmp.path, "summary");
    const rows = [
      { repository: "acme/a", state: "current", pr: "", detail: "" },
      { repository: "acme/b", state: "drift", pr: "https://github.com/acme/b/pull/3", detail: "ci.yml | x" },
    ];
    rows.forEach((row, i) => {
      mkdirSync(join(results, `fleet-result-${i}`), { recursive: true });
      writeFileSync(join(results, `fleet-result-${i}`, "result.json"), JSON.stringify(row));
    });
    const summary = join(tmp.path, "summary.md");
    const run = (repos: string[]) =>
      runStep(summaryScript, { cwd: tmp.path, scriptDir: join(tmp.path, "steps"), env: stepEnv(bin, { REPOS: JSON.stringify(repos), RESULTS: results, GITHUB_STEP_SUMMARY: summary }) });
    const r = run(["acme/a", "acme/b", "acme/c"]);
    expect(r.status).toBe(1);
    expect(readFileSync(summary, "utf8")).toBe(
      [
        "3 repositories: 1 error, 1 drift, 1 current",
        "",
        "| repository | state | PR | detail |",
        "|---|---|---|---|",
        "| acme/a | current |  |  |",
        "| acme/b | drift | https://github.com/acme/b/pull/3 | ci.yml \\| x |",
        "| acme/c | error |  | the job wrote no result (see its log) |",
        "",
      ].join("\n"),
    );
    rmSync(summary);
    expect(run(["acme/a", "acme/b"]).status).toBe(0);
  });
});

describe("the list job (a list file)", () => {
  const list = (text: string) => {
    const file = join(tmp.path, "list.txt");
    const out = join(tmp.path, "list-output");
    writeFileSync(file, text);
    writeFileSync(out, "");
    const r = runStep(listScript, { cwd: tmp.path, scriptDir: join(tmp.path, "steps"), env: stepEnv(bin, { REPOS_FILE: file, GITHUB_OUTPUT: out }) });
    return { ...r, output: readFileSync(out, "utf8") };
  };
  it("gives the matrix a JSON array, without comments, blanks or repeats", () => {
    const r = list("# fleet\nacme/b\n\nacme/a   # the API\nacme/b\n");
    expect(r.status).toBe(0);
    expect(r.output).toBe('repos=["acme/a","acme/b"]\n');
  });
  it("fails on a line that is not OWNER/NAME, naming it", () => {
    const r = list("acme/a\nnot/a/repo\n");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/::error::not OWNER\/NAME: not\/a\/repo/);
  });
});
