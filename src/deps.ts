import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import type { WriteFs } from "./apply/fs.js";

/**
 * Everything the pipeline needs from the outside world, passed in once. `cli.ts` builds the real one;
 * tests build their own (scripted prompts, a fixed clock) instead of mocking our modules.
 */
export interface Deps {
  /** Run a program; never throws for a non-zero exit. */
  exec(file: string, args: string[], opts?: { cwd?: string; input?: string; timeoutMs?: number }): Promise<ExecResult>;
  prompts: Prompter;
  now(): Date;
  env: Record<string, string | undefined>;
  /** Where progress and the plan are printed (stdout in the CLI). */
  out(text: string): void;
  /** Where warnings go (stderr in the CLI). */
  err(text: string): void;
  /** How `out` text is drawn (colour, marks, width); plain when absent. */
  style?: import("./report/style.js").Style;
  /** A spinner while long work runs (interactive only): started with what runs, stopped with the outcome. */
  progress?(label: string): { stop(text: string): void };
  /** Long text the user asked to read (the diffs): paged in a terminal; `out` when absent. */
  page?(text: string): Promise<void>;
  /** HTTP, for the registries `--pin-base-images` asks for digests (default: the global fetch). */
  fetch?: typeof globalThis.fetch;
  /** The writer's file-system calls (default: node:fs); tests inject faults such as a full disk. */
  fs?: WriteFs;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started (ENOENT and the like). */
  failed?: string;
}

/** The questions we ask. Each returns the answer or CANCEL; the adapter in `answers/prompt.ts` uses clack. */
export interface Prompter {
  text(q: { message: string; initialValue?: string; validate?: (v: string) => string | undefined }): Promise<string | typeof CANCEL>;
  select<T extends string>(q: { message: string; options: { value: T; label?: string; hint?: string }[]; initialValue?: T }): Promise<T | typeof CANCEL>;
  confirm(q: { message: string; initialValue?: boolean }): Promise<boolean | typeof CANCEL>;
  intro?(title: string): void;
  outro?(text: string): void;
}

export const CANCEL: unique symbol = Symbol("cancel");

/**
 * Run a program with node:child_process; the default `exec` of the real Deps. Not execa: loading it
 * cost 77 ms and 12 spawns 1.6x the time of these few lines (docs/architecture.md, Performance).
 * Output is decoded once at the end (no split UTF-8), stdin always ends (so no child waits on it),
 * and a failure to start or a timeout is one line (`spawn trivy ENOENT`), which toolFailure() names.
 */
export function execProgram(
  file: string,
  args: string[],
  opts: { cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<ExecResult> {
  if (nowhereOnPath(file)) return Promise.resolve({ exitCode: -1, stdout: "", stderr: "", failed: `spawn ${file} ENOENT` });
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const text = () => ({ stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") });
    let failed: string | undefined;
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(file, args, { cwd: opts.cwd, stdio: "pipe" });
    } catch (error) {
      resolve({ exitCode: -1, stdout: "", stderr: "", failed: (error as Error).message.split("\n")[0] });
      return;
    }
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => {
      failed = `${file} timed out after ${opts.timeoutMs} ms`;
      child.kill("SIGTERM");
    }, opts.timeoutMs);
    child.stdout.on("data", (b: Buffer) => stdout.push(b));
    child.stderr.on("data", (b: Buffer) => stderr.push(b));
    child.stdin.on("error", () => {}); // a child that exits without reading its input: EPIPE is not our failure
    child.stdin.end(opts.input);
    child.on("error", (error) => (failed ??= error.message));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (failed === undefined && code === null) failed = `${file} was killed by ${signal}`;
      resolve(failed === undefined ? { exitCode: code ?? -1, ...text() } : { exitCode: -1, ...text(), failed });
    });
  });
}

/**
 * True when `file` is a bare name that no folder of PATH holds, so starting it can only fail with ENOENT.
 * A set-up without the tools probes four of them (actionlint, shellcheck, Trivy twice); each failed start
 * still forks this 110 MiB process first, 6-10 ms each (issue 19). Only the certain case is answered
 * here, with the message spawn gives: a PATH that is unset, or has an empty or relative folder (searched
 * from the child's directory), or a Windows one, or any entry of that name at all, goes to spawn.
 */
function nowhereOnPath(file: string): boolean {
  const path = process.env["PATH"];
  if (process.platform === "win32" || !path || file.includes("/")) return false;
  const dirs = path.split(":");
  return dirs.every((d) => isAbsolute(d)) && !dirs.some((d) => existsSync(join(d, file)));
}
