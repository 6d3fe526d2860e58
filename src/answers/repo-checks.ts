import { statSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.js";
import { listRepoDir, readRepoText, readRepoTextForAnalysis, shown } from "../fsguard.js";
import { FLAG_OF } from "./resolve.js";
import type { AnswerKey, Answers } from "./schema.js";

/**
 * Answers the schema cannot judge alone (issue 11, item 11): they need the repository, or they are
 * valid one by one but not together. Each problem names the flag (or file) the value came from.
 */
export function checkAnswersAgainstRepo(dir: string, a: Answers, origin: Partial<Record<AnswerKey, string>>): void {
  const from = (k: AnswerKey) => {
    const o = origin[k];
    return o === undefined || o === "detected" ? FLAG_OF[k] : o;
  };
  // The gate is there to stop a CRITICAL: a list without it (LOW, UNKNOWN) would let one through. Refused,
  // not warned: a warning scrolls by in CI, and the gate would then silently pass what it exists to fail.
  if (!a.severity.split(",").includes("CRITICAL")) {
    throw new UserError(`${from("severity")}: "${a.severity}" does not include CRITICAL, so the gate would pass a critical vulnerability; list CRITICAL too (e.g. CRITICAL,HIGH)`);
  }
  if (a.sarif && !a.imageScan) {
    throw new UserError(`${from("sarif")}: --sarif uploads the image scan's findings, and --no-image-scan turns that scan off; drop one of them`);
  }
  if (a.imageScan && a.dockerfile !== undefined) {
    const problem = dockerfileProblem(dir, a.dockerfile);
    if (problem) throw new UserError(`${from("dockerfile")} ${shown(a.dockerfile)}: ${problem}`);
  }
  if (a.imageScan) {
    const where = `${from("context")} ${shown(a.context)}`;
    if (a.context !== ".") {
      try {
        statSync(join(dir, a.context));
      } catch {
        throw new UserError(`${where}: no such directory in ${dir}`);
      }
      // Inside the repository (links followed) and a folder: the guard's directory listing checks both.
      guarded(where, () => listRepoDir(dir, a.context));
    }
  }
}

/** Why `path` is not a usable Dockerfile in the repository, or undefined (also the interactive prompt's check). */
export function dockerfileProblem(dir: string, path: string): string | undefined {
  let text: string | undefined;
  try {
    // Read, never written: a Latin-1 comment in it is no reason to refuse (see readRepoTextForAnalysis).
    text = readRepoTextForAnalysis(dir, path);
  } catch (error) {
    if (error instanceof UserError) return error.message;
    throw error;
  }
  if (text === undefined) return `no such file in ${dir}`;
  // A Dockerfile has a FROM instruction (after comments, ARGs and parser directives); main.go does not.
  return /^\s*FROM\s+\S/im.test(text) ? undefined : "not a Dockerfile (no FROM instruction)";
}

/** Run a guard check, prefixing its message with the flag that named the path. */
function guarded<T>(where: string, f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`${where}: ${error.message}`);
    throw error;
  }
}
