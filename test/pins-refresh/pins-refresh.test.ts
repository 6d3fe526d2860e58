/**
 * `npm run pins:refresh` against local bare git repos (PINS_GIT_BASE), offline: lightweight and
 * annotated tags, a pre-release, an unprefixed trivy-action tag, a knownCompromised range, a moved tag.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/repo.js";

const SCRIPT = join(ROOT, "scripts", "pins-refresh.mjs");
const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
const git = (dir: string, ...args: string[]) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", env }).trim();

let root: string;
let base: string;
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A bare repo at base/owner/repo, built from a work tree where `tags` are made on successive commits. */
function upstream(repo: string, tags: { name: string; annotated?: boolean }[]): { work: string; commits: Record<string, string> } {
  const work = join(root, "work", repo);
  mkdirSync(work, { recursive: true });
  git(work, "init", "-q", "-b", "main");
  const commits: Record<string, string> = {};
  for (const t of tags) {
    writeFileSync(join(work, "action.yml"), `name: ${repo} ${t.name}\n`);
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", t.name);
    commits[t.name] = git(work, "rev-parse", "HEAD");
    if (t.annotated) git(work, "tag", "-a", t.name, "-m", `release ${t.name}`);
    else git(work, "tag", t.name);
  }
  const bare = join(base, repo);
  mkdirSync(bare, { recursive: true });
  execFileSync("git", ["init", "-q", "--bare", bare], { env });
  git(work, "push", "-q", bare, "--tags", "main");
  return { work, commits };
}

const run = (file: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [SCRIPT, "--file", file, "--date", "2026-12-01", ...args], { encoding: "utf8", env: { ...env, PINS_GIT_BASE: base } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

let light: ReturnType<typeof upstream>;
let annotated: ReturnType<typeof upstream>;
let trivy: ReturnType<typeof upstream>;
let setup: ReturnType<typeof upstream>;
let moved: ReturnType<typeof upstream>;

function pinsFile(): string {
  const file = join(root, `pins-${Math.random().toString(36).slice(2)}.json`);
  const pins = {
    _source: "old note",
    _refreshed: "2026-11-27",
    actions: {
      "acme/light": { tag: "v1.0.0", sha: light.commits["v1.0.0"] },
      "acme/annotated": { tag: "v3.0.0", sha: annotated.commits["v3.0.0"] },
      "acme/annotated/sub": { tag: "v3.0.0", sha: annotated.commits["v3.0.0"], note: "sub-action; same commit" },
      "aquasecurity/trivy-action": { tag: "0.35.0", sha: trivy.commits["0.35.0"] },
      "aquasecurity/setup-trivy": { tag: "v0.2.6", sha: setup.commits["v0.2.6"] },
    },
    tools: { trivy: { version: "v0.74.0" } },
    knownCompromised: {
      trivyVersions: ["v0.69.4"],
      refsThatNoLongerResolve: ["aquasecurity/trivy-action@0.x.y (unprefixed tags, except 0.35.0)", "aquasecurity/setup-trivy@v0.1.0 .. v0.2.5", "aquasecurity/setup-trivy@v0.2.9 (test: an exact ref)"],
      trivyActionRecentTags: { "v0.36.0": { sha: trivy.commits["v0.36.0"], defaultTrivy: "v0.70.0" } },
    },
  };
  writeFileSync(file, `${JSON.stringify(pins, null, 2)}\n`);
  return file;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "relay-pins-"));
  base = join(root, "remotes");
  light = upstream("acme/light", [{ name: "v1.0.0" }, { name: "v1.1.0" }, { name: "v1.2.0-rc.1" }, { name: "2.0.0" }, { name: "v2" }]);
  annotated = upstream("acme/annotated", [{ name: "v3.0.0", annotated: true }, { name: "v3.1.0", annotated: true }, { name: "v4.0.0-beta.1", annotated: true }]);
  trivy = upstream("aquasecurity/trivy-action", [{ name: "0.35.0" }, { name: "v0.36.0" }, { name: "v0.36.1", annotated: true }, { name: "0.99.0" }]);
  setup = upstream("aquasecurity/setup-trivy", [{ name: "v0.2.4" }, { name: "v0.2.6" }, { name: "v0.2.9" }]);
  moved = upstream("acme/moved", [{ name: "v1.0.0" }, { name: "v1.0.1" }]);
});

describe("pins-refresh", () => {
  it("pins the newest stable tag's commit: lightweight and annotated (never the tag object)", () => {
    const file = pinsFile();
    const r = run(file);
    expect(r.code, r.err).toBe(0);
    const pins = JSON.parse(readFileSync(file, "utf8"));
    // Pre-releases, the floating v2 and the unprefixed 2.0.0 are skipped.
    expect(pins.actions["acme/light"]).toEqual({ tag: "v1.1.0", sha: light.commits["v1.1.0"] });
    const tagObject = git(annotated.work, "rev-parse", "v3.1.0");
    expect(tagObject).not.toBe(annotated.commits["v3.1.0"]);
    expect(pins.actions["acme/annotated"]).toEqual({ tag: "v3.1.0", sha: annotated.commits["v3.1.0"] });
    expect(pins.actions["acme/annotated/sub"]).toEqual({ tag: "v3.1.0", sha: annotated.commits["v3.1.0"], note: "sub-action; same commit" });
    expect(readFileSync(file, "utf8")).not.toContain(tagObject);
    // trivy-action: from an unprefixed pin to the newest v-prefixed tag (never 0.99.0), peeled to its commit.
    expect(pins.actions["aquasecurity/trivy-action"]).toEqual({ tag: "v0.36.1", sha: trivy.commits["v0.36.1"] });
    // setup-trivy v0.2.9 is listed in knownCompromised (v0.2.4 is in its range and older anyway): kept on v0.2.6.
    expect(pins.actions["aquasecurity/setup-trivy"]).toEqual({ tag: "v0.2.6", sha: setup.commits["v0.2.6"] });
    expect(r.out).toMatch(/refused v0\.2\.9 \(listed in knownCompromised/);
  });

  it("refuses a trivy-action tag whose commit is not the verified one in knownCompromised", () => {
    const file = pinsFile();
    const pins = JSON.parse(readFileSync(file, "utf8"));
    pins.knownCompromised.trivyActionRecentTags["v0.36.1"] = { sha: "f".repeat(40), defaultTrivy: "v0.70.0" };
    writeFileSync(file, `${JSON.stringify(pins, null, 2)}\n`);
    const r = run(file);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8")).actions["aquasecurity/trivy-action"]).toEqual({ tag: "v0.36.0", sha: trivy.commits["v0.36.0"] });
    expect(r.out).toMatch(/refused v0\.36\.1 \(v0\.36\.1 points to [0-9a-f]{40}, not to its verified commit f{40}\)/);
  });

  it("keeps the file's shape and dates the source note", () => {
    const file = pinsFile();
    const before = JSON.parse(readFileSync(file, "utf8"));
    run(file);
    const after = JSON.parse(readFileSync(file, "utf8"));
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(after._refreshed).toBe("2026-12-01");
    expect(after._source).toMatch(/on 2026-12-01; every sha is the commit its tag points to \(tag\^\{commit\}\)/);
    expect(after.tools).toEqual(before.tools);
    expect(after.knownCompromised).toEqual(before.knownCompromised);
    expect(readFileSync(file, "utf8")).toBe(`${JSON.stringify(after, null, 2)}\n`);
  });

  it("--check writes nothing and exits 1 when stale, 0 once refreshed", () => {
    const file = pinsFile();
    const text = readFileSync(file, "utf8");
    const stale = run(file, "--check");
    expect(stale.code).toBe(1);
    expect(stale.out).toMatch(/stale: acme\/light: v1\.0\.0 \S+ -> v1\.1\.0/);
    expect(readFileSync(file, "utf8")).toBe(text);
    expect(run(file).code).toBe(0);
    const fresh = run(file, "--check");
    expect(fresh.code, fresh.out + fresh.err).toBe(0);
    expect(fresh.out).toMatch(/5 action pins and the tool versions are current/);
  });

  it("refuses a moved tag: that pin stays, the run fails and says why", () => {
    const file = pinsFile();
    const pins = JSON.parse(readFileSync(file, "utf8"));
    pins.actions["acme/moved"] = { tag: "v1.0.0", sha: moved.commits["v1.0.0"] };
    writeFileSync(file, `${JSON.stringify(pins, null, 2)}\n`);
    // Force-push v1.0.0 to a new commit, as the March 2026 attackers did.
    writeFileSync(join(moved.work, "action.yml"), "name: evil\n");
    git(moved.work, "commit", "-q", "-am", "evil");
    git(moved.work, "tag", "-f", "v1.0.0");
    git(moved.work, "push", "-q", "-f", join(base, "acme/moved"), "refs/tags/v1.0.0");
    const r = run(file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/REFUSED: acme\/moved: tag v1\.0\.0 now points to [0-9a-f]{40}, not to the pinned [0-9a-f]{40}: the tag was moved/);
    const after = JSON.parse(readFileSync(file, "utf8"));
    expect(after.actions["acme/moved"]).toEqual({ tag: "v1.0.0", sha: moved.commits["v1.0.0"] });
    // The others were still refreshed.
    expect(after.actions["acme/light"].tag).toBe("v1.1.0");
  });

  it("fails with exit 2 when a repository cannot be read", () => {
    const file = pinsFile();
    const pins = JSON.parse(readFileSync(file, "utf8"));
    pins.actions["acme/missing"] = { tag: "v1.0.0", sha: "0".repeat(40) };
    writeFileSync(file, `${JSON.stringify(pins, null, 2)}\n`);
    const r = run(file, "--check");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/git ls-remote acme\/missing failed/);
  });
});

describe("pins-refresh: scanner versions from the Go module proxy", () => {
  /** A `go` that answers `go list -m -versions MODULE` as the proxy would, and logs what it was asked. */
  function fakeGo(dir: string, lists: Record<string, string>): string {
    const file = join(dir, "go");
    const cases = Object.entries(lists).map(([m, v]) => `  "${m}") echo "${m} ${v}" ;;`).join("\n");
    writeFileSync(file, `#!/bin/sh\necho "$*" >>"${join(dir, "go.log")}"\ncase "$4" in\n${cases}\n  *) echo "go: module $4: not found" >&2; exit 1 ;;\nesac\n`, { mode: 0o755 });
    return file;
  }

  /** data/pins.json with tool versions, and scripts/tools.sh beside it as in this repository. */
  function layout(): { dir: string; file: string; toolsSh: string } {
    const dir = mkdtempSync(join(root, "layout-"));
    mkdirSync(join(dir, "data"));
    mkdirSync(join(dir, "scripts"));
    const file = pinsFile();
    const pins = JSON.parse(readFileSync(file, "utf8"));
    pins.tools = {
      trivy: { version: "v0.74.0", module: "github.com/aquasecurity/trivy/cmd/trivy" },
      grype: { version: "v0.110.0", module: "github.com/anchore/grype/cmd/grype" },
      govulncheck: { version: "v1.9.0", module: "golang.org/x/vuln" },
    };
    pins.knownCompromised.trivyVersions = ["v0.69.4", "v0.75.0"];
    const target = join(dir, "data", "pins.json");
    writeFileSync(target, `${JSON.stringify(pins, null, 2)}\n`);
    const toolsSh = join(dir, "scripts", "tools.sh");
    writeFileSync(toolsSh, "# renovate: datasource=github-releases depName=aquasecurity/trivy\nTRIVY_VERSION=v0.74.0\nGOVULNCHECK_VERSION=v1.9.0\n");
    return { dir, file: target, toolsSh };
  }

  const runWith = (file: string, goBin: string, ...args: string[]) => {
    const r = spawnSync(process.execPath, [SCRIPT, "--file", file, "--date", "2026-12-01", ...args], { encoding: "utf8", env: { ...env, PINS_GIT_BASE: base, PINS_GO: goBin } });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it("moves each tool to the newest stable version the proxy lists, never a pre-release or a compromised one, and tools.sh with it", () => {
    const { dir, file, toolsSh } = layout();
    const goBin = fakeGo(dir, {
      "github.com/aquasecurity/trivy": "v0.69.4 v0.74.0 v0.75.0 v0.76.0-rc.1",
      "github.com/anchore/grype": "v0.110.0 v0.121.3 v0.122.0 v0.123.0-beta.1",
      "golang.org/x/vuln": "v1.8.0 v1.9.0 v1.10.0",
    });
    const r = runWith(file, goBin);
    expect(r.err).not.toMatch(/failed/);
    const after = JSON.parse(readFileSync(file, "utf8"));
    expect([after.tools.trivy.version, after.tools.grype.version, after.tools.govulncheck.version]).toEqual(["v0.74.0", "v0.122.0", "v1.10.0"]);
    expect(r.out).toContain("updated: grype (tool): v0.110.0 -> v0.122.0");
    expect(readFileSync(toolsSh, "utf8")).toBe("# renovate: datasource=github-releases depName=aquasecurity/trivy\nTRIVY_VERSION=v0.74.0\nGOVULNCHECK_VERSION=v1.10.0\n");
    // The module that holds the command, not the command's package path.
    expect(readFileSync(join(dir, "go.log"), "utf8")).toContain("list -m -versions github.com/anchore/grype\n");
  });

  it("--check reports a stale tool version (exit 1) and writes nothing", () => {
    const { dir, file } = layout();
    const before = readFileSync(file, "utf8");
    const goBin = fakeGo(dir, { "github.com/aquasecurity/trivy": "v0.74.0", "github.com/anchore/grype": "v0.110.0 v0.122.0", "golang.org/x/vuln": "v1.9.0" });
    // The actions are stale too in this fixture; the tool line is what this test is about.
    const r = runWith(file, goBin, "--check");
    expect(r.code).toBe(1);
    expect(r.out).toContain("stale: grype (tool): v0.110.0 -> v0.122.0");
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("exit 2 when the proxy cannot be asked", () => {
    const { dir, file } = layout();
    const r = runWith(file, fakeGo(dir, {}), "--check");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/go list -m -versions github\.com\/aquasecurity\/trivy failed/);
  });
});
