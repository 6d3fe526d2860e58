import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { UserError } from "../errors.js";
import type { FileChange } from "../types.js";

/** The changes that write something (a deletion too: `--adopt` retiring a duplicate rescan, issue 20 item 6). */
export const writes = (changes: FileChange[]) =>
  changes.filter((c) => ((c.action === "create" || c.action === "update" || c.action === "conflict") && c.after !== undefined && c.after !== c.before) || (c.action === "delete" && c.before !== undefined));

/**
 * The only code that writes the user's files. Stage every file next to its target, then rename them into
 * place; if anything fails part-way, put back what was there. Afterwards read each file again and check it
 * holds exactly what the plan said.
 */
export function applyPlan(dir: string, changes: FileChange[]): string[] {
  const all = writes(changes);
  const todo = all.filter((c) => c.action !== "delete");
  const deletes = all.filter((c) => c.action === "delete");
  const staged: { target: string; temp: string; before?: string; mode?: number }[] = [];
  const madeDirs: string[] = [];
  const removeMadeDirs = () => {
    for (const d of madeDirs.reverse()) rmSync(d, { recursive: true, force: true });
  };
  try {
    for (const change of todo) {
      const target = join(dir, change.path);
      const created: string[] = [];
      for (let d = dirname(target); !existsSync(d); d = dirname(d)) created.unshift(d);
      for (const d of created) {
        mkdirSync(d);
        madeDirs.push(d);
      }
      const before = existsSync(target) ? readFileSync(target, "utf8") : undefined;
      if (before !== change.before) throw new UserError(`${change.path}: changed while we were planning; nothing written, run again`);
      const temp = `${target}.relay-security-${randomBytes(4).toString("hex")}.tmp`;
      const mode = before === undefined ? undefined : statSync(target).mode;
      writeFileSync(temp, change.after ?? "", { mode });
      staged.push({ target, temp, before, mode });
    }
    for (const change of deletes) {
      const target = join(dir, change.path);
      if (!existsSync(target) || readFileSync(target, "utf8") !== change.before) throw new UserError(`${change.path}: changed while we were planning; nothing written, run again`);
    }
  } catch (error) {
    for (const s of staged) rmSync(s.temp, { force: true });
    removeMadeDirs();
    throw asWriteError(error);
  }
  const done: typeof staged = [];
  // A deleted file is first moved aside, its bytes untouched, so a failure can put it back exactly.
  const moved: { target: string; aside: string }[] = [];
  try {
    for (const s of staged) {
      renameSync(s.temp, s.target);
      done.push(s);
    }
    for (const change of deletes) {
      const target = join(dir, change.path);
      const aside = `${target}.relay-security-${randomBytes(4).toString("hex")}.deleted`;
      renameSync(target, aside);
      moved.push({ target, aside });
    }
  } catch (error) {
    for (const m of moved.reverse()) renameSync(m.aside, m.target);
    for (const s of done.reverse()) {
      if (s.before === undefined) rmSync(s.target, { force: true });
      else writeFileSync(s.target, s.before, { mode: s.mode });
    }
    for (const s of staged) rmSync(s.temp, { force: true });
    removeMadeDirs();
    throw asWriteError(error);
  }
  for (const m of moved) rmSync(m.aside, { force: true });
  for (const change of todo) {
    if (readFileSync(join(dir, change.path), "utf8") !== change.after) throw new Error(`internal: ${change.path} does not hold what was written`);
  }
  return all.map((c) => c.path);
}

function asWriteError(error: unknown): Error {
  if (error instanceof UserError) return error;
  const e = error as NodeJS.ErrnoException;
  if (["EACCES", "EPERM", "EROFS", "ENOTDIR", "EISDIR", "EEXIST"].includes(e.code ?? "")) {
    return new UserError(`${e.path ?? "a target"}: not writable (${e.code}${e.code === "ENOTDIR" ? ": a file stands where a directory should be" : ""}); nothing was written`);
  }
  return e;
}
