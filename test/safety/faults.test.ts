import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nodeWriteFs, type WriteFs } from "../../src/apply/fs.js";
import { JOURNAL } from "../../src/apply/journal.js";
import { UserError } from "../../src/errors.js";
import { runInit } from "../../src/run.js";
import { CLI } from "../support/cli.js";
import { initOptions, scriptedDeps } from "../support/deps.js";
import { makeRepo, snapshot } from "../support/repo.js";

/** Issue 11, faults: a full disk, a failed rename, a file changed under us, a kill at every point. */

const TEMP = /\.relay-security-[0-9a-f]{8}\.tmp$/;

/** A WriteFs that lets `ok` calls through, then runs `fault` on the next (and, if `frozen`, fails every later one). */
function faulty(ok: number, fault: (call: string, args: unknown[]) => void, frozen = false): { fs: WriteFs; calls: () => number } {
  let n = 0;
  const wrap =
    <A extends unknown[]>(name: keyof WriteFs, real: (...a: A) => void) =>
    (...a: A) => {
      n++;
      if (n === ok + 1) fault(name, a);
      else if (frozen && n > ok + 1) throw new Error("killed");
      real(...a);
    };
  const fs: WriteFs = {
    writeNew: wrap("writeNew", nodeWriteFs.writeNew),
    rename: wrap("rename", nodeWriteFs.rename),
    remove: wrap("remove", nodeWriteFs.remove),
    mkdir: wrap("mkdir", nodeWriteFs.mkdir),
    rmdir: wrap("rmdir", nodeWriteFs.rmdir),
  };
  return { fs, calls: () => n };
}

/** The number of writer calls before the `nth` (0-based) writeNew of the journal, from an undisturbed run. */
async function journalWriteIndex(nth: number): Promise<number> {
  const seen: string[] = [];
  const record = <A extends unknown[]>(name: keyof WriteFs, real: (...a: A) => void) => (...a: A) => {
    seen.push(name === "writeNew" && String(a[0]).includes(JOURNAL) ? "journal" : name);
    real(...a);
  };
  const fs: WriteFs = {
    writeNew: record("writeNew", nodeWriteFs.writeNew),
    rename: record("rename", nodeWriteFs.rename),
    remove: record("remove", nodeWriteFs.remove),
    mkdir: record("mkdir", nodeWriteFs.mkdir),
    rmdir: record("rmdir", nodeWriteFs.rmdir),
  };
  await runInit(initOptions(makeRepo("example")), { ...scriptedDeps([]).deps, fs });
  const at = seen.flatMap((c, i) => (c === "journal" ? [i] : []))[nth];
  if (at === undefined) throw new Error(`no journal write number ${nth} among ${seen.length} writer calls`);
  return at;
}

const enospc = () => Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });

/** What `--yes` writes on a fresh copy of the example, uninterrupted. */
async function reference() {
  const dir = makeRepo("example");
  const { deps } = scriptedDeps([]);
  await runInit(initOptions(dir), deps);
  return snapshot(dir);
}

describe("a full disk", () => {
  it("part-way through a temp file: exit 2 naming the file, nothing written, every temp removed", async () => {
    const dir = makeRepo("example");
    const before = snapshot(dir);
    // The third write runs out of space after half its bytes, as a real ENOSPC leaves a partial file.
    const { fs } = faulty(2, (call, args) => {
      if (call !== "writeNew") throw new Error(`expected a write, got ${call}`);
      const [path, data] = args as [string, Buffer];
      writeFileSync(path, data.subarray(0, data.length >> 1));
      throw enospc();
    });
    const { deps } = scriptedDeps([]);
    const error = await runInit(initOptions(dir), { ...deps, fs }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as UserError).message).toMatch(/^disk full while writing \S+ \(ENOSPC\); nothing was written, every temp file removed$/);
    expect(snapshot(dir)).toEqual(before);
  });

  // The journal is written twice: naming the temps (call 1), then marking them complete (after the temps).
  it.each(["staging", "commit"])("while writing the %s journal: the same", async (phase) => {
    const ok = phase === "staging" ? 0 : await journalWriteIndex(1);
    const dir = makeRepo("example");
    const before = snapshot(dir);
    const { fs } = faulty(ok, (call, args) => {
      expect(call).toBe("writeNew");
      expect(String(args[0])).toContain(JOURNAL);
      throw enospc();
    });
    const { deps } = scriptedDeps([]);
    await expect(runInit(initOptions(dir), { ...deps, fs })).rejects.toThrow(/disk full while writing \.relay-security-journal\.json/);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe("a rename that fails part-way", () => {
  it("puts back every file already renamed", async () => {
    const dir = makeRepo("example");
    const before = snapshot(dir);
    // Up to the journal's "commit" write (the journal, every temp and the folders new files need), the
    // journal again (write, rename), the first target rename; then the second fails.
    const { fs } = faulty((await journalWriteIndex(1)) + 3, (call) => {
      expect(call).toBe("rename");
      throw Object.assign(new Error("EBUSY"), { code: "EBUSY" });
    });
    const { deps } = scriptedDeps([]);
    await expect(runInit(initOptions(dir), { ...deps, fs })).rejects.toThrow(/not writable \(EBUSY\); nothing was written/);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe("a file that changes between the plan and the write", () => {
  it("is not overwritten: exit 2 naming it", async () => {
    const dir = makeRepo("example");
    const ci = join(dir, ".github/workflows/ci.yml");
    // The user saves ci.yml while we stage: after the first temp is written, before ci.yml is checked.
    const { fs } = faulty(0, () => writeFileSync(ci, `${readFileSync(ci, "utf8")}# saved in the editor\n`));
    const { deps } = scriptedDeps([]);
    const error = await runInit(initOptions(dir), { ...deps, fs }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/\.github\/workflows\/ci\.yml: changed between the plan and the write; nothing was written/);
    const after = snapshot(dir);
    expect(after.get(".github/workflows/ci.yml")).toMatch(/# saved in the editor\n$/);
    expect([...after.keys()].filter((p) => TEMP.test(p) || p.includes("security-scan") || p.endsWith(JOURNAL))).toEqual([]);
  });
});

describe("a kill at every point of the write converges", () => {
  it("the next run ends on exactly what an uninterrupted run writes, no temp or journal left", async () => {
    const want = await reference();
    // Count the writer's calls on an uninterrupted run, then kill at each one in turn.
    const probe = makeRepo("example");
    const counter = faulty(Number.MAX_SAFE_INTEGER, () => undefined);
    await runInit(initOptions(probe), { ...scriptedDeps([]).deps, fs: counter.fs });
    const total = counter.calls();
    expect(total).toBeGreaterThan(8);
    for (let k = 0; k < total; k++) {
      const dir = makeRepo("example");
      // Call k is cut off (a write leaves half its bytes) and the process is gone: no later call runs.
      const { fs } = faulty(
        k,
        (call, args) => {
          if (call === "writeNew") writeFileSync(args[0] as string, (args[1] as Buffer).subarray(0, 7));
          throw new Error("killed");
        },
        true,
      );
      await expect(runInit(initOptions(dir), { ...scriptedDeps([]).deps, fs })).rejects.toThrow();
      const { deps, out } = scriptedDeps([]);
      const { exitCode } = await runInit(initOptions(dir), deps);
      expect(exitCode, `kill at call ${k}: ${out.join("\n")}`).toBe(0);
      expect(snapshot(dir), `kill at call ${k}`).toEqual(want);
    }
  }, 300_000);

  it("a kill while staging beside a linked target: the next run finds and removes that temp too", async () => {
    const dir = makeRepo("example");
    const { mkdirSync, renameSync, symlinkSync } = await import("node:fs");
    const { git } = await import("../support/repo.js");
    mkdirSync(join(dir, "ci"));
    renameSync(join(dir, ".github/workflows/ci.yml"), join(dir, "ci/main.yml"));
    symlinkSync("../../ci/main.yml", join(dir, ".github/workflows/ci.yml"));
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "link");
    // Kill once every temp is staged (journal written and renamed, one temp a file, the folders new
    // files need), at the journal's "commit" write.
    const { fs } = faulty(await journalWriteIndex(1), () => {
      throw new Error("killed");
    }, true);
    await expect(runInit(initOptions(dir), { ...scriptedDeps([]).deps, fs })).rejects.toThrow("killed");
    expect(readdirSync(join(dir, "ci")).filter((n) => TEMP.test(n))).toHaveLength(1);
    const { deps } = scriptedDeps([]);
    const { exitCode, report } = await runInit(initOptions(dir), deps);
    expect(exitCode).toBe(0);
    expect(report.plan.notes).toContain("an interrupted run had not written anything yet; removed its temp files");
    expect(readdirSync(join(dir, "ci")).filter((n) => TEMP.test(n))).toEqual([]);
    expect([...snapshot(dir).keys()].filter((p) => TEMP.test(p) || p === JOURNAL)).toEqual([]);
  });

  it("real SIGKILLs at random points (bounded): the re-run converges", async () => {
    const want = await reference();
    for (let i = 0; i < 6; i++) {
      const dir = makeRepo("example");
      const child = spawn(process.execPath, [CLI, "--yes", dir], { env: { ...process.env, CI: "true" }, stdio: "ignore" });
      // Kill while the files appear: poll for the first of them (or a temp), then a random short delay.
      const started = Date.now();
      await new Promise<void>((done) => {
        const tick = () => {
          const seen = existsSync(join(dir, ".trivyignore")) || readdirSync(join(dir, ".github/workflows")).some((n) => TEMP.test(n)) || existsSync(join(dir, JOURNAL));
          if (seen || Date.now() - started > 20_000 || child.exitCode !== null) {
            setTimeout(() => {
              child.kill("SIGKILL");
              done();
            }, Math.floor(Math.random() * 3 * i));
          } else setImmediate(tick);
        };
        tick();
      });
      await new Promise((r) => child.once("close", r));
      const { deps } = scriptedDeps([]);
      const { exitCode } = await runInit(initOptions(dir), deps);
      expect(exitCode).toBe(0);
      expect(snapshot(dir), `kill ${i}`).toEqual(want);
    }
  }, 300_000);
});

describe("Ctrl-C during validation, after the write", () => {
  it("says which files were written, exit 130", async () => {
    const dir = makeRepo("example");
    // A slow actionlint keeps the run in validation long enough to interrupt it there.
    const bin = mkdtempSync(join(tmpdir(), "relay-slow-"));
    writeFileSync(join(bin, "actionlint"), "#!/bin/sh\nsleep 8\n");
    chmodSync(join(bin, "actionlint"), 0o755);
    const child = spawn(process.execPath, [CLI, "--yes", dir], { env: { ...process.env, CI: "true", PATH: `${bin}:${process.env.PATH}` } });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const started = Date.now();
    while (!existsSync(join(dir, ".github/relay-security.json")) && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    child.kill("SIGINT");
    const code = await new Promise((r) => child.once("close", r));
    expect(code).toBe(130);
    expect(stderr).toMatch(/Cancelled during validation; these files were already written \(each complete\): .*\.github\/relay-security\.json/);
    expect(stderr).not.toContain("nothing was written");
  }, 60_000);
});
