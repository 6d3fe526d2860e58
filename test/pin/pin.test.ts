/**
 * `relay-security pin` in-process against local bare repositories served through git's
 * `url.<file-url>.insteadOf=https://github.com/`: lightweight and annotated tags, a moved tag, a commit
 * only in a fork, an action in a subfolder, a reusable workflow, a composite action, dates for --update.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPins, type PinsData } from "../../src/pins.js";
import { runPin, type PinOptions } from "../../src/pin/index.js";
import { scriptedDeps } from "../support/deps.js";
import { DAY, Upstreams, type Upstream } from "./upstreams.js";

const NOW = new Date("2026-12-01T12:00:00Z");
const T = NOW.getTime() / 1000;
const ups = new Upstreams();
afterAll(() => rmSync(ups.root, { recursive: true, force: true }));

const sha: Record<string, string> = {};
let pins: PinsData;
let annotated: Upstream;

beforeAll(() => {
  const light = ups.repo("acme/light");
  sha["light 1.0.0"] = light.commit(T - 100 * DAY);
  light.tag("v1.0.0");
  sha["light 1.1.0"] = light.commit(T - 60 * DAY);
  light.tag("v1.1.0");
  light.tag("v1");
  sha["light 2.0.0"] = light.commit(T - 30 * DAY);
  light.tag("v2.0.0");
  sha["light 2.1.0"] = light.commit(T - 2 * DAY);
  light.tag("v2.1.0");
  light.tag("v2");
  light.tag("v2.2.0-rc.1");
  light.push();

  // Annotated tags: ls-remote lists the tag object; the pin must be the commit (the `^{}` line).
  annotated = ups.repo("acme/annotated");
  sha["annotated 3.0.0"] = annotated.commit(T - 90 * DAY);
  annotated.tag("v3.0.0", { annotated: true, at: T - 90 * DAY });
  // An old commit tagged only three days ago: its age is the tag's, not the commit's.
  sha["annotated 3.1.0"] = annotated.commit(T - 90 * DAY);
  annotated.tag("v3.1.0", { annotated: true, at: T - 3 * DAY });
  annotated.tag("v3", { annotated: true, at: T - 3 * DAY });
  annotated.push();

  // A tag that was moved after people pinned its first commit.
  const moved = ups.repo("acme/moved");
  sha["moved first"] = moved.commit();
  moved.tag("v1.0.0");
  moved.push();
  sha["moved second"] = moved.commit();
  moved.tag("v1.0.0");
  moved.push();

  // A commit that exists only in a fork: GitHub serves it under the upstream's name (refs/pull/N/head).
  const forked = ups.repo("acme/forked");
  sha["forked 1.0.0"] = forked.commit();
  forked.tag("v1.0.0");
  forked.push();
  forked.git("checkout", "-q", "-b", "evil");
  sha["forked evil"] = forked.commit();
  forked.git("push", "-q", forked.bare, "evil:refs/pull/7/head");
  forked.git("checkout", "-q", "main");
  forked.git("branch", "-q", "-D", "evil");
  // An untagged commit on main is the repository's own: not an impostor.
  sha["forked main"] = forked.commit();
  forked.push();

  const mono = ups.repo("acme/mono");
  sha["mono 2.0.0"] = mono.commit(undefined, "setup/action.yml");
  mono.tag("v2.0.0");
  mono.tag("v2");
  mono.push();

  const trivy = ups.repo("aquasecurity/trivy-action");
  sha["trivy 0.20.0"] = trivy.commit();
  trivy.tag("0.20.0");
  sha["trivy 0.36.0"] = trivy.commit();
  trivy.tag("v0.36.0");
  trivy.push();
  const real = loadPins();
  pins = { ...real, knownCompromised: { ...real.knownCompromised, trivyActionRecentTags: { "v0.36.0": { sha: sha["trivy 0.36.0"] as string, defaultTrivy: "v0.70.0" } } } };
});

function repoWith(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), "relay-pin-"));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

const deps = () => ({ ...scriptedDeps([], NOW).deps, exec: ups.exec() });
const pin = (dir: string, over: Partial<PinOptions> = {}) => runPin({ dir, check: false, dryRun: false, offline: false, update: false, minAgeDays: 7, ...over }, deps(), { pins });
const read = (dir: string, rel: string) => readFileSync(join(dir, rel), "utf8");
const s = (k: string) => sha[k] as string;

const CI = `name: CI
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: acme/light@v1
      - uses: 'acme/annotated@v3'   # keep: our fork
      - name: mono
        uses: "acme/mono/setup@v2"
        with:
          x: 1
      - uses: ./local-action
      - run: echo hi
  reuse:
    uses: acme/light/.github/workflows/r.yml@v1.0.0
`;
const COMPOSITE = `name: setup
runs:
  using: composite
  steps:
    - uses: acme/light@v1.0.0 # v1
      with:
        a: b
`;

describe("pin, against locally served repositories", () => {
  it("pins every uses: to its tag's commit with the most precise tag; nothing else changes; a second run is a no-op", async () => {
    const dir = repoWith({ ".github/workflows/ci.yml": CI, ".github/actions/setup/action.yml": COMPOSITE });
    const run = await pin(dir);
    expect(run.results.filter((r) => r.status !== "pinned")).toEqual([]);
    expect(read(dir, ".github/workflows/ci.yml")).toBe(
      CI.replace("acme/light@v1\n", `acme/light@${s("light 1.1.0")} # v1.1.0\n`)
        .replace("'acme/annotated@v3'   # keep: our fork", `'acme/annotated@${s("annotated 3.1.0")}'   # v3.1.0 keep: our fork`)
        .replace(`"acme/mono/setup@v2"`, `"acme/mono/setup@${s("mono 2.0.0")}" # v2.0.0`)
        .replace("r.yml@v1.0.0", `r.yml@${s("light 1.0.0")} # v1.0.0`),
    );
    expect(read(dir, ".github/actions/setup/action.yml")).toBe(COMPOSITE.replace("acme/light@v1.0.0 # v1", `acme/light@${s("light 1.0.0")} # v1.0.0`));
    expect(run.written).toEqual([".github/workflows/ci.yml", ".github/actions/setup/action.yml"]);
    // The commit, never the annotated tag object.
    expect(annotated.git("rev-parse", "refs/tags/v3.1.0")).not.toBe(s("annotated 3.1.0"));

    const again = await pin(dir);
    expect(again.written).toEqual([]);
    expect(again.results.every((r) => r.status === "unchanged")).toBe(true);
  });

  it("stays in the major by default; --update takes the newest release at least --min-age old, by the tag's date", async () => {
    const wf = "jobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: acme/light@v1.0.0\n      - uses: acme/annotated@v3.0.0\n";
    const dir = repoWith({ ".github/workflows/a.yml": wf });
    const run = await pin(dir, { update: true, dryRun: true });
    const [light, ann] = run.results;
    // v2.1.0 is two days old: skipped; v2.0.0 is thirty.
    expect(light?.to).toBe(`acme/light@${s("light 2.0.0")} # v2.0.0`);
    expect(light?.notes.join(" ")).toMatch(/skipped v2\.1\.0, younger than 7 days/);
    // v3.1.0's commit is ninety days old, but its tag three: too young.
    expect(ann?.to).toBe(`acme/annotated@${s("annotated 3.0.0")} # v3.0.0`);
    expect(ann?.notes.join(" ")).toMatch(/v3\.1\.0 is younger than 7 days/);
    expect(read(dir, ".github/workflows/a.yml")).toBe(wf);

    const young = await pin(dir, { update: true, minAgeDays: 1 });
    expect(young.results.map((r) => r.to)).toEqual([`acme/light@${s("light 2.1.0")} # v2.1.0`, `acme/annotated@${s("annotated 3.1.0")} # v3.1.0`]);
    const inMajor = await pin(repoWith({ ".github/workflows/a.yml": "jobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: acme/light@v1\n" }));
    expect(inMajor.results[0]?.to).toBe(`acme/light@${s("light 1.1.0")} # v1.1.0`);
  });

  it("does not pin a branch, a missing ref or a flow mapping, says why, and writes the rest", async () => {
    const wf = [
      "jobs:",
      "  a:",
      "    runs-on: x",
      "    steps:",
      "      - uses: acme/light@main",
      "      - uses: acme/light@v9",
      "      - uses: acme/nowhere@v1",
      "      - { uses: acme/light@v1, with: { a: b } }",
      "      - uses: acme/light@v2",
      "",
    ].join("\n");
    const dir = repoWith({ ".github/workflows/a.yml": wf });
    const run = await pin(dir);
    expect(run.results.map((r) => r.status)).toEqual(["unresolved", "unresolved", "unresolved", "unresolved", "pinned"]);
    expect(run.results[0]?.why).toMatch(/main is a branch of acme\/light/);
    expect(run.results[1]?.why).toMatch(/no tag or branch v9 in acme\/light/);
    expect(run.results[2]?.why).toMatch(/git ls-remote https:\/\/github.com\/acme\/nowhere/);
    expect(run.results[3]?.why).toMatch(/flow mapping.*pin it by hand: acme\/light@[0-9a-f]{40} # v1\.1\.0/);
    expect(read(dir, ".github/workflows/a.yml")).toBe(wf.replace("acme/light@v2\n", `acme/light@${s("light 2.1.0")} # v2.1.0\n`));
    // --update does pin a branch: to the newest release old enough.
    const upd = await pin(dir, { update: true, dryRun: true });
    expect(upd.results[0]?.to).toBe(`acme/light@${s("light 2.0.0")} # v2.0.0`);
  });

  it("refuses a known-compromised tag and moves to the newest clean release of that major", async () => {
    const dir = repoWith({ ".github/workflows/a.yml": "jobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: aquasecurity/trivy-action@0.20.0\n" });
    const run = await pin(dir);
    expect(run.results[0]?.to).toBe(`aquasecurity/trivy-action@${s("trivy 0.36.0")} # v0.36.0`);
    expect(run.results[0]?.notes.join(" ")).toMatch(/without a v prefix were force-pushed/);
  });

  it("fixes a SHA pin's comment that names another commit, and adds a missing one", async () => {
    const wf = `jobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: acme/light@${s("light 1.1.0")} # v1.0.0\n      - uses: acme/light@${s("light 2.0.0")}\n`;
    const dir = repoWith({ ".github/workflows/a.yml": wf });
    await pin(dir);
    expect(read(dir, ".github/workflows/a.yml")).toBe(wf.replace("# v1.0.0", "# v1.1.0").replace(`${s("light 2.0.0")}\n`, `${s("light 2.0.0")} # v2.0.0\n`));
  });

  it("never moves a SHA pin without --update (found on caddyserver/caddy: an offline run upgraded them)", async () => {
    const checkout = loadPins().actions["actions/checkout"] as { sha: string };
    const wf = [
      "jobs:",
      "  a:",
      "    runs-on: x",
      "    steps:",
      `      - uses: acme/light@${s("light 1.0.0")} # v1.0.0`,
      `      - uses: acme/forked@${s("forked main")} # v1.0.0`,
      `      - uses: actions/checkout@${"9".repeat(40)} # v7.0.0`,
      `      - uses: acme/light@${s("light 2.0.0")}`,
      "",
    ].join("\n");
    const dir = repoWith({ ".github/workflows/a.yml": wf });
    const online = await pin(dir, { dryRun: true });
    expect(online.results.map((r) => r.status)).toEqual(["unchanged", "unchanged", "unchanged", "pinned"]);
    expect(online.results[2]?.notes.join(" ")).toMatch(/git ls-remote https:\/\/github.com\/actions\/checkout/);
    expect(online.results[1]?.notes.join(" ")).toMatch(/no tag of acme\/forked points at/);
    const offline = await runPin({ dir, check: false, dryRun: false, offline: true, update: false, minAgeDays: 7 }, deps());
    // Offline, a SHA pin with its comment is pinned already (grype's workflows: 35 of them); one without
    // a comment cannot get one.
    expect(offline.results.map((r) => r.status)).toEqual(["unchanged", "unchanged", "unchanged", "unresolved"]);
    expect(read(dir, ".github/workflows/a.yml")).toBe(wf);
    // --update does move them, to the newest release old enough: offline, a release is as old as the
    // data that lists it (_refreshed 2026-11-27, four days before NOW).
    const young = await runPin({ dir, check: false, dryRun: true, offline: true, update: true, minAgeDays: 7 }, deps());
    expect(young.results[2]?.status).toBe("unchanged");
    const upd = await runPin({ dir, check: false, dryRun: true, offline: true, update: true, minAgeDays: 3 }, deps());
    expect(upd.results[2]?.to).toBe(`actions/checkout@${checkout.sha} # v7.0.1`);
  });

  it("asks each repository once a run, with no credentials", async () => {
    const calls: string[][] = [];
    const exec = ups.exec();
    const counting = { ...deps(), exec: ((file, args, o) => (calls.push(args), exec(file, args, o))) as typeof exec };
    const wf = "jobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: acme/light@v1\n      - uses: acme/light@v2\n      - uses: acme/light/sub@v1.0.0\n";
    const run = await runPin({ dir: repoWith({ ".github/workflows/a.yml": wf, ".github/workflows/b.yml": wf }), check: false, dryRun: true, offline: false, update: false, minAgeDays: 7 }, counting, { pins });
    expect(run.results.every((r) => r.status === "pinned")).toBe(true);
    const lsRemote = calls.filter((a) => a.includes("ls-remote"));
    expect(lsRemote).toHaveLength(1);
    expect(lsRemote[0]).toEqual(expect.arrayContaining(["credential.helper=", "core.askPass=true", "https://github.com/acme/light"]));
  });

  it("keeps CRLF, a BOM and bytes that are not UTF-8", async () => {
    const crlf = CI.replace(/\n/g, "\r\n");
    const bom = `\ufeff${COMPOSITE}`;
    const latin1 = Buffer.concat([Buffer.from("# caf"), Buffer.from([0xe9, 0xff]), Buffer.from(`\n${COMPOSITE}`)]);
    const dir = repoWith({ ".github/workflows/ci.yml": crlf, "action.yml": bom, "sub/action.yaml": latin1 });
    await pin(dir);
    const ci = read(dir, ".github/workflows/ci.yml");
    expect(/(^|[^\r])\n/.test(ci)).toBe(false);
    expect(ci).toContain(`acme/light@${s("light 1.1.0")} # v1.1.0\r\n`);
    const bytes = readFileSync(join(dir, "action.yml"));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString("utf8")).toBe(bom.replace("acme/light@v1.0.0 # v1", `acme/light@${s("light 1.0.0")} # v1.0.0`));
    const raw = readFileSync(join(dir, "sub/action.yaml"));
    expect(raw.equals(Buffer.from(latin1.toString("latin1").replace("acme/light@v1.0.0 # v1", `acme/light@${s("light 1.0.0")} # v1.0.0`), "latin1"))).toBe(true);
  });
});

describe("pin --check", () => {
  const check = async (files: Record<string, string>) => (await pin(repoWith(files), { check: true })).findings.map((f) => `${f.line} ${f.rule} ${f.severity}: ${f.message}`);
  const step = (uses: string) => `jobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: ${uses}\n`;

  it("passes pins whose comment is their commit's tag; an untagged commit of the action's own main is no impostor", async () => {
    expect(await check({ ".github/workflows/a.yml": step(`acme/light@${s("light 1.1.0")} # v1.1.0`), "action.yml": `runs:\n  using: composite\n  steps:\n    - uses: acme/forked@${s("forked main")} # v1.0.0\n` })).toEqual([
      expect.stringMatching(/^4 pin\/comment error: the comment says v1.0.0, but v1.0.0 points at [0-9a-f]{12}, not at [0-9a-f]{12} \(no tag points at it\)/),
    ]);
  });

  it("a tag pin, a moved tag, an impostor commit from a fork, a compromised ref", async () => {
    const found = await check({
      ".github/workflows/a.yml": [
        "jobs:",
        "  a:",
        "    runs-on: x",
        "    steps:",
        "      - uses: acme/light@v1",
        `      - uses: acme/moved@${s("moved first")} # v1.0.0`,
        `      - uses: acme/forked@${s("forked evil")} # v1.0.0`,
        `      - uses: aquasecurity/trivy-action@${s("trivy 0.20.0")} # 0.20.0`,
        `      - uses: acme/light@${s("light 2.0.0")}`,
        "",
      ].join("\n"),
    });
    expect(found).toEqual([
      "5 pin/unpinned error: acme/light@v1 is a tag or branch, which can be moved to other code; pin the commit",
      expect.stringMatching(/^6 pin\/comment error: the comment says v1.0.0, but v1.0.0 points at [0-9a-f]{12}, not at [0-9a-f]{12} \(no tag points at it\)/),
      expect.stringMatching(/^7 pin\/comment error: the comment says v1.0.0, but v1.0.0 points at/),
      expect.stringMatching(/^7 pin\/impostor error: [0-9a-f]{12} is on no branch or tag of acme\/forked: a commit from a fork/),
      expect.stringMatching(/^8 pin\/compromised error: .*0\.20\.0.*force-pushed/),
      expect.stringMatching(/^9 pin\/comment error: .*no "# vX.Y.Z" comment/),
    ]);
  });

  it("offline, checks what data/pins.json knows and says what it could not", async () => {
    const real = loadPins();
    const checkout = real.actions["actions/checkout"] as { sha: string; tag: string };
    const dir = repoWith({ ".github/workflows/a.yml": step(`actions/checkout@${checkout.sha} # ${checkout.tag}`) + `      - uses: acme/light@${s("light 1.1.0")} # v1.1.0\n` });
    const run = await runPin({ dir, check: true, dryRun: true, offline: true, update: false, minAgeDays: 7 }, deps());
    expect(run.findings.map((f) => `${f.line} ${f.rule} ${f.severity}`)).toEqual(["6 pin/unverified skipped"]);
    expect(run.findings[0]?.message).toMatch(/offline: acme\/light is not in data\/pins.json/);
  });
});
