import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh temp directory; `cleanup()` removes it. */
export function tempDir(prefix: string): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), `relay-${prefix}-`));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** An executable file `bin/<name>` with `text` (a `#!/bin/sh` shim). */
export function writeExecutable(binDir: string, name: string, text: string): string {
  mkdirSync(binDir, { recursive: true });
  const file = join(binDir, name);
  writeFileSync(file, text);
  chmodSync(file, 0o755);
  return file;
}

/** The environment a step sees: nothing from ours (no stray GH_TOKEN), PATH with `binDir` first. */
export function stepEnv(binDir: string, env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {
    PATH: `${binDir}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    HOME: process.env.HOME ?? "/tmp",
    LANG: "C.UTF-8",
  };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Run `script` the way GitHub runs a `run:` block with the default shell: `bash -e <file>` with the
 * script text in a file, in `cwd`.
 */
export function runStep(script: string, opts: { cwd: string; scriptDir: string; env: NodeJS.ProcessEnv }): ScriptRun {
  mkdirSync(opts.scriptDir, { recursive: true });
  const file = join(opts.scriptDir, `step-${Date.now()}-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(file, script);
  const r = spawnSync("bash", ["-e", file], { cwd: opts.cwd, env: opts.env, encoding: "utf8", timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
