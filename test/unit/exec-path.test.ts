import * as childProcess from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { execProgram } from "../../src/deps.js";

// spawn, counted: the point is which calls start a process at all.
vi.mock("node:child_process", async (importOriginal) => {
  const real = await importOriginal<typeof childProcess>();
  return { ...real, spawn: vi.fn(real.spawn) };
});
const spawn = vi.mocked(childProcess.spawn);

describe("execProgram: a program on no folder of PATH is not started (issue 19)", () => {
  const saved = process.env["PATH"];
  afterEach(() => {
    process.env["PATH"] = saved;
    spawn.mockClear();
  });
  const dir = mkdtempSync(join(tmpdir(), "relay-path-"));
  writeFileSync(join(dir, "not-executable-tool"), "#!/bin/sh\n", { mode: 0o644 });

  it("absolute folders without it: no process, and the answer spawn itself gives", async () => {
    process.env["PATH"] = `relative-dir:${dir}:/usr/bin:/bin`;
    const fromSpawn = await execProgram("no-such-tool-here", ["--version"]);
    expect(spawn).toHaveBeenCalledTimes(1); // a relative folder is searched from the child's directory: spawn decides
    process.env["PATH"] = `${dir}:/usr/bin:/bin`;
    const answered = await execProgram("no-such-tool-here", ["--version"]);
    expect(spawn).toHaveBeenCalledTimes(1);
    expect(answered).toEqual({ exitCode: -1, stdout: "", stderr: "", failed: "spawn no-such-tool-here ENOENT" });
    expect(answered).toEqual(fromSpawn);
  });

  it("anything less certain goes to spawn: a file of that name that cannot run, a path, an empty PATH entry", async () => {
    process.env["PATH"] = `${dir}:/usr/bin:/bin`;
    expect((await execProgram("not-executable-tool", [])).failed).toMatch(/EACCES/);
    expect((await execProgram("sh", ["-c", "echo ok"])).stdout).toBe("ok\n");
    expect((await execProgram("./no-such-tool-here", [])).failed).toMatch(/ENOENT/);
    process.env["PATH"] = `:${dir}:/usr/bin:/bin`;
    expect((await execProgram("no-such-tool-here", [])).failed).toMatch(/ENOENT/);
    expect(spawn).toHaveBeenCalledTimes(4);
  });
});
