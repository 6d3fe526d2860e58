/**
 * The built CLI on a real-shape fixture (test/fixtures/pin/real-shape: CRLF release workflow, quoted and
 * commented uses:, a sub-action, a composite action; the BOM case is in pin.test.ts, since zizmor 1.32
 * cannot parse a file that starts with one), online against locally served
 * repositories (git's url.insteadOf through GIT_CONFIG_* in the environment) and offline from
 * data/pins.json. Every workflow ends pinned, nothing but uses: lines changes, zizmor's unpinned-uses
 * is clean, and `pin --check` and `validate` agree.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPins } from "../../src/pins.js";
import { runCli } from "../support/cli.js";
import { makeRepo, ROOT, snapshot } from "../support/repo.js";
import { requireTool } from "../support/tools.js";
import { Upstreams } from "./upstreams.js";

const FIXTURE = join(ROOT, "test", "fixtures", "pin", "real-shape");
const FILES = [".github/workflows/ci.yml", ".github/workflows/release.yml", ".github/actions/go-cache/action.yml"];
const zizmorBin = requireTool("zizmor");
const ups = new Upstreams();
const served: Record<string, { sha: string; tag: string }> = {};
afterAll(() => rmSync(ups.root, { recursive: true, force: true }));

beforeAll(() => {
  // Each action the fixture uses, with the release data/pins.json names and its moving major tag.
  for (const [action, pin] of Object.entries(loadPins().actions)) {
    const repo = action.split("/").slice(0, 2).join("/");
    if (repo !== action) continue;
    const u = ups.repo(repo);
    const major = pin.tag.replace(/\..*$/, "");
    u.commit();
    if (`${major}.0.0` !== pin.tag) u.tag(`${major}.0.0`);
    const sha = u.commit();
    u.tag(pin.tag, { annotated: repo === "actions/checkout" });
    u.tag(major, { annotated: repo === "actions/checkout" });
    u.push();
    served[repo] = { sha, tag: pin.tag };
  }
});

/** zizmor's unpinned-uses and ref-version-mismatch findings on the workflows and the composite action, offline. */
function zizmorPins(dir: string): string[] {
  const r = spawnSync(zizmorBin as string, ["--offline", "--persona=pedantic", "--format=json", ".github/workflows", ".github/actions"], { cwd: dir, encoding: "utf8" });
  if (r.stdout.trim() === "") throw new Error(`zizmor failed (${r.status}): ${r.stderr}`);
  const found = JSON.parse(r.stdout) as { ident: string; locations: { symbolic: { key: { Local?: { given_path: string } } }; concrete: { location: { start_point: { row: number } } } }[] }[];
  return found.filter((f) => f.ident === "unpinned-uses" || f.ident === "ref-version-mismatch").map((f) => `${f.locations[0]?.symbolic.key.Local?.given_path}:${(f.locations[0]?.concrete.location.start_point.row ?? -2) + 1} ${f.ident}`);
}

function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), "relay-pin-cli-"));
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}
const read = (dir: string, rel: string) => readFileSync(join(dir, rel), "utf8");

/** Every line but the uses: lines is the same; each uses: line now holds `want(action)` and its tag. */
function expectPinned(before: string, after: string, want: (repo: string) => { sha: string; tag: string }) {
  const [x, y] = [before.split("\n"), after.split("\n")];
  expect(y.length).toBe(x.length);
  x.forEach((raw, i) => {
    const cr = raw.endsWith("\r") ? "\r" : "";
    const line = raw.slice(0, raw.length - cr.length);
    const m = /^(\s*(?:- )?uses: ['"]?)([\w-]+\/[\w-]+)(\/[\w/-]+)?@([^\s'"]+)(['"]?)(.*)$/.exec(line);
    if (!m) return expect(y[i]).toBe(raw);
    const w = want(m[2] as string);
    const [, lead, repo, sub = "", , close, rest = ""] = m;
    const comment = /#/.test(rest) ? rest.replace(/#\s*v\d+/, `# ${w.tag}`).replace(/#(?! v\d)\s*/, `# ${w.tag} `) : ` # ${w.tag}${rest}`;
    expect(y[i]).toBe(`${lead}${repo}${sub}@${w.sha}${close}${comment}${cr}`);
  });
}

describe("relay-security pin (built CLI)", () => {
  it("online: pins every workflow and the composite action, nothing else changes, a second run changes nothing", () => {
    const dir = copy();
    const before = FILES.map((f) => read(dir, f));
    // zizmor sees every tag pin before (ref-version-mismatch needs a GitHub token, so offline it cannot run).
    if (zizmorBin) expect(zizmorPins(dir)).toHaveLength(12);
    const r = runCli(["pin", dir], { env: ups.env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("pinned  .github/workflows/ci.yml:17  actions/checkout@v7 -> actions/checkout@");
    FILES.forEach((f, i) => expectPinned(before[i] as string, read(dir, f), (repo) => served[repo] as { sha: string; tag: string }));
    expect(read(dir, ".github/workflows/ci.yml")).toContain(`      - uses: actions/checkout@${served["actions/checkout"]?.sha}    # v7.0.1 full history is not needed\n`);
    expect(read(dir, ".github/workflows/release.yml").split("\r\n").length).toBe(before[1]?.split("\r\n").length);

    const files = snapshot(dir);
    const again = runCli(["pin", dir], { env: ups.env });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Nothing to do: all 12 remote uses: are pinned/);
    expect(snapshot(dir)).toEqual(files);
    const check = runCli(["pin", "--check", dir], { env: ups.env });
    expect(check.stdout).toMatch(/^pin --check: every action is pinned/);
    expect(check.code).toBe(0);
    if (zizmorBin) expect(zizmorPins(dir)).toEqual([]);
  });

  it("offline: pins from data/pins.json alone, and --check --offline passes", () => {
    const dir = copy();
    const before = FILES.map((f) => read(dir, f));
    const r = runCli(["pin", "--offline", dir]);
    expect(r.code).toBe(0);
    const pins = loadPins().actions;
    FILES.forEach((f, i) => expectPinned(before[i] as string, read(dir, f), (repo) => pins[repo] as { sha: string; tag: string }));
    expect(runCli(["pin", "--check", "--offline", dir]).code).toBe(0);
    if (zizmorBin) expect(zizmorPins(dir)).toEqual([]);
  });

  it("offline: says what it could not resolve, exit 1", () => {
    const dir = copy();
    writeFileSync(join(dir, ".github/workflows/extra.yml"), "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: docker://alpine:3.20\n");
    const r = runCli(["pin", "--offline", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Not resolved offline");
    expect(r.stdout).toContain("extra.yml:6  actions/checkout@v4: actions/checkout@v4 is not in data/pins.json (offline)");
    expect(r.stdout).toContain("extra.yml:7  docker://alpine:3.20: docker://alpine:3.20: the registry was not asked (offline)");
  });

  it("--dry-run shows the diff and writes nothing; --json lists every uses:", () => {
    const dir = copy();
    const files = snapshot(dir);
    const dry = runCli(["pin", "--dry-run", dir], { env: ups.env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("--- a/.github/workflows/ci.yml");
    expect(dry.stdout).toContain(`+      - uses: actions/checkout@${served["actions/checkout"]?.sha}    # v7.0.1 full history is not needed`);
    expect(snapshot(dir)).toEqual(files);
    const json = JSON.parse(runCli(["pin", "--json", "--dry-run", dir], { env: ups.env }).stdout) as { exitCode: number; uses: { file: string; line: number; status: string; to: string }[] };
    expect(json.exitCode).toBe(0);
    expect(json.uses).toHaveLength(12);
    expect(json.uses[0]).toMatchObject({ file: ".github/workflows/ci.yml", line: 17, status: "pinned", from: "actions/checkout@v7" });
    expect(snapshot(dir)).toEqual(files);
  });

  it("--check: exit 1 listing each tag pin; validate adds what only the repositories can tell (a fork's commit)", () => {
    const dir = copy();
    const check = runCli(["pin", "--check", dir], { env: ups.env });
    expect(check.code).toBe(1);
    expect(check.stdout.match(/pin\/unpinned/g)).toHaveLength(12);
    const u = ups.repo("acme/forky");
    u.commit();
    u.tag("v1.0.0");
    u.push();
    u.git("checkout", "-q", "-b", "pr");
    const evil = u.commit();
    u.git("push", "-q", u.bare, "pr:refs/pull/1/head");
    writeFileSync(join(dir, ".github/workflows/ci.yml"), `on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/forky@${evil} # v1.0.0\n`);
    rmSync(join(dir, ".github/workflows/release.yml"));
    const v = runCli(["validate", dir], { env: ups.env });
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/ci\.yml:7 {2}pin\/impostor: [0-9a-f]{12} is on no branch or tag of acme\/forky/);
    expect(runCli(["validate", "--offline", dir], { env: ups.env }).stdout).not.toContain("pin/impostor");
  });

  it("set-up with --yes --pin pins the user's own workflows too", () => {
    const lint = "name: Lint\non: push\npermissions: {}\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v7\n        with:\n          persist-credentials: false\n";
    const dir = makeRepo("example", { files: { ".github/workflows/lint.yml": lint } });
    const r = runCli(["--yes", "--pin", dir], { env: ups.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("note: pinned .github/workflows/lint.yml:8 actions/checkout@v7 -> actions/checkout@");
    expect(read(dir, ".github/workflows/lint.yml")).toBe(lint.replace("actions/checkout@v7", `actions/checkout@${served["actions/checkout"]?.sha} # v7.0.1`));
  });

  it("bad input: a workflow that does not parse or a bad --min-age is exit 2, nothing written", () => {
    const dir = copy();
    writeFileSync(join(dir, ".github/workflows/broken.yml"), "jobs:\n  a: [\n");
    const files = snapshot(dir);
    const r = runCli(["pin", dir], { env: ups.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.yml:\d+: does not parse as YAML/);
    expect(snapshot(dir)).toEqual(files);
    const age = runCli(["pin", "--update", "--min-age", "a week", dir]);
    expect(age.code).toBe(2);
    expect(age.stderr).toContain('--min-age must be a number of days such as 7 or 7d, not "a week"');
  });
});
