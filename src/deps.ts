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

/** Run a program with execa; the default `exec` of the real Deps. */
export async function execWithExeca(
  file: string,
  args: string[],
  opts: { cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<ExecResult> {
  const { execa } = await import("execa");
  try {
    const r = await execa(file, args, {
      cwd: opts.cwd,
      input: opts.input,
      timeout: opts.timeoutMs,
      reject: false,
      stripFinalNewline: false,
    });
    if (r.failed && r.exitCode === undefined) return { exitCode: -1, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? ""), failed: (r.shortMessage ?? "").split("\n").pop() || String(r.shortMessage) }; // "spawn trivy ENOENT", not execa's two lines
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? "") };
  } catch (error) {
    return { exitCode: -1, stdout: "", stderr: "", failed: (error as Error).message };
  }
}
