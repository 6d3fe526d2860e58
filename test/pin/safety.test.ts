import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nodeWriteFs, type WriteFs } from "../../src/apply/fs.js";
import { JOURNAL } from "../../src/apply/journal.js";
import { runPin } from "../../src/pin/index.js";
import { runCli } from "../support/cli.js";
import { scriptedDeps } from "../support/deps.js";
import { git, makeRepo, snapshot } from "../support/repo.js";
import { tree } from "../support/tree.js";

/**
 * Issue 11 for `relay-security pin`: it reads through the guard and writes through the journaled
 * writer set-up uses, so a link to outside, a directory where a workflow should be, or a kill part-way
 * behaves as it does for set-up: exit 2 naming the path with nothing written, or a next run that converges.
 */
const tagged = (name: string) =>
  `name: ${name}\non: push\npermissions:\n  contents: read\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v7.0.1\n      - uses: actions/setup-go@v7.0.0\n`;
const pinnedCheckout = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1";

function repo(): string {
  const dir = makeRepo("example", { files: { ".github/workflows/ci.yml": tagged("CI"), ".github/workflows/lint.yml": tagged("Lint") } });
  return dir;
}

function refuses(dir: string, outside: string, message: RegExp) {
  const before = tree(dir);
  const outBefore = tree(outside);
  const r = runCli(["pin", "--offline", dir]);
  expect(r.stderr, r.stdout).toMatch(message);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).not.toMatch(/internal error|    at /);
  expect(tree(dir)).toEqual(before);
  expect(tree(outside)).toEqual(outBefore);
}

describe("pin: outside the repository, and a directory where a file is expected", () => {
  it("a control: pin --offline pins both workflows", () => {
    const dir = repo();
    const r = runCli(["pin", "--offline", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, ".github/workflows/ci.yml"), "utf8")).toContain(pinnedCheckout);
    expect(readFileSync(join(dir, ".github/workflows/lint.yml"), "utf8")).toContain(pinnedCheckout);
  });

  it(".github/workflows linked to a folder outside: exit 2 naming the link, the outside workflow untouched", () => {
    const dir = repo();
    const outside = mkdtempSync(join(tmpdir(), "relay-outside-"));
    writeFileSync(join(outside, "ci.yml"), tagged("Outside"));
    rmSync(join(dir, ".github/workflows"), { recursive: true });
    symlinkSync(outside, join(dir, ".github/workflows"));
    refuses(dir, outside, /\.github\/workflows: a symbolic link to .*outside the repository/);
  });

  it("ci.yml linked to a file outside: exit 2, the link kept, nothing written in or out", () => {
    const dir = repo();
    const outside = mkdtempSync(join(tmpdir(), "relay-outside-"));
    writeFileSync(join(outside, "ci.yml"), tagged("Outside"));
    rmSync(join(dir, ".github/workflows/ci.yml"));
    symlinkSync(join(outside, "ci.yml"), join(dir, ".github/workflows/ci.yml"));
    refuses(dir, outside, /\.github\/workflows\/ci\.yml: a symbolic link to .*outside the repository/);
  });

  it("a directory named like a workflow: exit 2 naming it, as set-up does", () => {
    const dir = repo();
    mkdirSync(join(dir, ".github/workflows/deploy.yml"));
    const outside = mkdtempSync(join(tmpdir(), "relay-outside-"));
    refuses(dir, outside, /\.github\/workflows\/deploy\.yml: a directory where a file is expected/);
  });
});

/** A WriteFs that lets `ok` calls through; the next one is cut off (half its bytes) and every later one fails: a kill. */
function killedAt(ok: number): { fs: WriteFs; calls: () => number } {
  let n = 0;
  const wrap =
    <A extends unknown[]>(name: keyof WriteFs, real: (...a: A) => void) =>
    (...a: A) => {
      n++;
      if (n > ok) {
        if (n === ok + 1 && name === "writeNew") writeFileSync(a[0] as string, (a[1] as Buffer).subarray(0, 7));
        throw new Error("killed");
      }
      real(...a);
    };
  return {
    fs: { writeNew: wrap("writeNew", nodeWriteFs.writeNew), rename: wrap("rename", nodeWriteFs.rename), remove: wrap("remove", nodeWriteFs.remove), mkdir: wrap("mkdir", nodeWriteFs.mkdir), rmdir: wrap("rmdir", nodeWriteFs.rmdir) },
    calls: () => n,
  };
}

const pinOpts = (dir: string) => ({ dir, check: false, dryRun: false, offline: true, update: false, minAgeDays: 0 });

describe("pin: a kill at every point of the write converges", () => {
  it("the next pin ends on exactly what an uninterrupted one writes, no temp or journal left", async () => {
    const reference = repo();
    const counter = killedAt(Number.MAX_SAFE_INTEGER);
    await runPin(pinOpts(reference), { ...scriptedDeps([]).deps, fs: counter.fs });
    const want = snapshot(reference);
    expect(want.get(".github/workflows/ci.yml")).toContain(pinnedCheckout);
    const total = counter.calls();
    expect(total).toBeGreaterThanOrEqual(6); // two journals, two temps, two renames at least
    for (let k = 0; k < total; k++) {
      const dir = repo();
      await expect(runPin(pinOpts(dir), { ...scriptedDeps([]).deps, fs: killedAt(k).fs })).rejects.toThrow();
      // Never a half-written workflow, whatever the point of the kill.
      for (const f of ["ci.yml", "lint.yml"]) expect([tagged(f === "ci.yml" ? "CI" : "Lint"), want.get(`.github/workflows/${f}`)]).toContain(readFileSync(join(dir, ".github/workflows", f), "utf8"));
      await runPin(pinOpts(dir), scriptedDeps([]).deps);
      expect(snapshot(dir), `kill at call ${k}`).toEqual(want);
      expect(lstatSync(join(dir, JOURNAL), { throwIfNoEntry: false }), `kill at call ${k}`).toBeUndefined();
    }
  }, 120_000);

  it("a Latin-1 comment keeps its byte through the journaled write", async () => {
    const dir = repo();
    const bytes = Buffer.concat([Buffer.from("# caf"), Buffer.from([0xe9]), Buffer.from("\n"), Buffer.from(tagged("CI"))]);
    writeFileSync(join(dir, ".github/workflows/ci.yml"), bytes);
    git(dir, "commit", "-qam", "latin-1");
    const run = await runPin(pinOpts(dir), scriptedDeps([]).deps);
    expect(run.written).toContain(".github/workflows/ci.yml");
    const after = readFileSync(join(dir, ".github/workflows/ci.yml"));
    expect(after.subarray(0, 7)).toEqual(bytes.subarray(0, 7));
    expect(after.toString("latin1")).toContain(pinnedCheckout);
  });
});
