import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fleetFixtures } from "../../scripts/fleet-fixtures.mjs";
import { runCli } from "../support/cli.js";
import { git } from "../support/repo.js";
import { bareOrigin, FakeGhPr } from "../support/fake-gh-pr.js";
import { tempDir } from "../support/shell.js";

const fixtures = fleetFixtures(10);
const tmp = tempDir("fleet-cli");
afterAll(() => {
  tmp.cleanup();
  rmSync(fixtures.root, { recursive: true, force: true });
});

describe("relay-security fleet --local", () => {
  it("checks every clone in one process and prints the table, worst first in the count; exit 1 unless all are current", () => {
    const r = runCli(["fleet", "--local", ...fixtures.repos.map((f) => f.dir)]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("10 repositories: 2 error, 2 conflict, 2 drift, 2 not set up, 2 current");
    expect(lines.slice(2, 4)).toEqual(["| repository | state | PR | detail |", "|---|---|---|---|"]);
    for (const f of fixtures.repos) expect(r.stdout).toContain(`| acme/${f.name} | ${f.state} |`);
    expect(r.stderr).toMatch(/fleet: 10\/10 checked\n$/);
  });

  it("--json: one result per directory, in order", () => {
    const r = runCli(["fleet", "--local", "--json", ...fixtures.repos.map((f) => f.dir)]);
    const out = JSON.parse(r.stdout) as { exitCode: number; results: { repository: string; state: string }[] };
    expect(out.results.map((x) => x.state)).toEqual(fixtures.repos.map((f) => f.state));
    expect(r.stderr).toBe("");
  });

  it("exit 0 when every clone is current", () => {
    const current = fixtures.repos.filter((f) => f.state === "current").map((f) => f.dir);
    const r = runCli(["fleet", "--local", ...current]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^2 repositories: 2 current\n/);
  });

  it("without directories: exit 2", () => {
    const r = runCli(["fleet", "--local"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/fleet --local: give the clones to check/);
  });
});

describe("relay-security fleet --local --pr", () => {
  it("opens a PR in each clone in drift, leaves current ones alone, and a clone that cannot be set up is an error row", () => {
    const { root, repos } = fleetFixtures(4);
    const bin = join(tmp.path, "pr-bin");
    const gh = new FakeGhPr(tmp.path, bin);
    for (const f of repos) bareOrigin(f.dir, join(tmp.path, `${f.name}.git`), `acme/${f.name}`);
    // No image name in its CI either (a variable), so nothing names the image: an error row.
    const ci = join(repos[3]!.dir, ".github/workflows/ci.yml");
    writeFileSync(ci, readFileSync(ci, "utf8").replace("docker build -t ghcr.io/acme/hello-service:", 'docker build -t "$IMAGE":'));
    git(repos[3]!.dir, "commit", "-qam", "the image name in a variable");
    const r = runCli(["fleet", "--local", "--pr", ...repos.map((f) => f.dir)], {
      env: { ...gh.env(), PATH: `${bin}:${process.env.PATH}`, GH_TOKEN: "t0ken", GH_REPO: "acme/fleet", GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" },
    });
    rmSync(root, { recursive: true, force: true });
    const row = (name: string) => r.stdout.split("\n").find((l) => l.includes(name)) ?? "";
    expect(row(repos[0]!.name)).toMatch(/\| current \|  \|/);
    expect(row(repos[1]!.name)).toMatch(/\| drift \| https:\/\/github\.com\/acme\/fleet\/pull\/1 \|/);
    expect(row(repos[2]!.name)).toMatch(/\| conflict \|  \|/);
    // Its origin is rewritten to a local path here and CI names no image: an error row, the run goes on.
    expect(row(repos[3]!.name)).toMatch(/\| error \|  \| --image: missing/);
    expect(gh.prs().map((p) => p.headRefName)).toEqual(["relay-security/upgrade"]);
  });

  it("--pr without --local: exit 2", () => {
    expect(runCli(["fleet", "--pr", "--org", "acme", "--topic", "x", tmp.path]).code).toBe(2);
  });
});

describe("relay-security fleet (the workflow)", () => {
  const admin = (name: string) => {
    const dir = join(tmp.path, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };

  it("writes the workflow and the list; a re-run changes nothing", () => {
    const dir = admin("ok");
    const list = join(tmp.path, "repos.txt");
    writeFileSync(list, "\uFEFF# ours\r\nacme/a\r\nacme/b # the API\r\n\r\nacme/a\r\n");
    const r = runCli(["fleet", "--repos", list, "--max-parallel", "3", dir]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, ".github/relay-security-fleet.txt"), "utf8")).toMatch(/\nacme\/a\nacme\/b\n$/);
    const wf = readFileSync(join(dir, ".github/workflows/relay-security-fleet.yml"), "utf8");
    expect(wf).toMatch(/max-parallel: 3\n/);
    expect(wf).toMatch(/REPOS_FILE: '\.github\/relay-security-fleet\.txt'/);
    expect(runCli(["fleet", "--repos", list, "--max-parallel", "3", dir]).stdout).toMatch(/unchanged +\.github\/workflows\/relay-security-fleet\.yml/);
  });

  it("--org with --topic: the workflow lists the organisation", () => {
    const dir = admin("org");
    expect(runCli(["fleet", "--org", "acme", "--topic", "go-service", dir]).code).toBe(0);
    const wf = readFileSync(join(dir, ".github/workflows/relay-security-fleet.yml"), "utf8");
    expect(wf).toMatch(/ORG: 'acme'\n\s+TOPIC: 'go-service'/);
    expect(existsSync(join(dir, ".github/relay-security-fleet.txt"))).toBe(false);
  });

  it.each([
    ["a line that is not OWNER/NAME (CRLF file): file and line", "acme/a\r\nnot a repo\r\n", [], /repos\.txt:2: "not a repo" is not OWNER\/NAME/],
    ["a non-UTF-8 line", Buffer.from([0x61, 0x63, 0x6d, 0x65, 0x2f, 0xe9, 0x0a]), [], /repos\.txt:1: .* is not OWNER\/NAME/],
    ["an empty list", "# none\n", [], /no repositories listed/],
    ["--max-parallel 0", "acme/a\n", ["--max-parallel", "0"], /--max-parallel must be a number from 1 to 256, not "0"/],
  ] as const)("refuses %s: exit 2, nothing written", (_n, text, extra, message) => {
    const dir = admin(`bad-${Math.random().toString(36).slice(2)}`);
    const list = join(tmp.path, "repos.txt");
    writeFileSync(list, text);
    const r = runCli(["fleet", "--repos", list, ...extra, dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(dir, ".github"))).toBe(false);
  });

  it("refuses neither --repos nor --org/--topic, and a bad topic", () => {
    expect(runCli(["fleet", admin("none")]).stderr).toMatch(/name the repositories with --repos FILE/);
    const r = runCli(["fleet", "--org", "acme", "--topic", "Go Service", admin("topic")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--topic: "Go Service" is not a GitHub topic/);
  });
});
