import { existsSync, statSync } from "node:fs";
import { dirname, relative, sep } from "node:path";
import { realpathSync } from "node:fs";
import { UserError } from "../errors.js";
import { readBytes, resolveInRepo, shown } from "../fsguard.js";
import type { FileChange } from "../types.js";
import { nodeWriteFs, type WriteFs } from "./fs.js";
import { JOURNAL, renderJournal, sha, type JournalEntry } from "./journal.js";

/**
 * The 8 hex digits of a temp's name (`TEMP_RE`). Unique is all they need to be, not secret: a temp we
 * write is opened with O_EXCL ("wx"), so a name that exists already, or a link planted under it, fails
 * the open instead of being written through. Not `crypto.randomBytes`: its first call seeds OpenSSL's
 * generator, 6 ms of a set-up (issue 19).
 */
const tempTag = (): string => Math.floor(Math.random() * 0x1_0000_0000).toString(16).padStart(8, "0");

/** The changes that write something (a deletion too: `--adopt` retiring a duplicate rescan, issue 20 item 6). */
export const writes = (changes: FileChange[]) =>
  changes.filter(
    (c) => ((c.action === "create" || c.action === "update" || c.action === "conflict") && c.after !== undefined && c.after !== c.before) || (c.action === "delete" && c.before !== undefined),
  );

/**
 * Check every target before anything is written: inside the repository, a regular file (or absent).
 * Returns a note for each edit that goes through a symbolic link (allowed only to a file inside).
 */
export function checkTargets(dir: string, changes: FileChange[]): string[] {
  const notes: string[] = [];
  for (const c of writes(changes)) {
    const r = resolveInRepo(dir, c.path);
    if (r.linkedTo) notes.push(`${c.path} is a symbolic link; relay-security edits its target ${r.linkedTo} and keeps the link`);
  }
  return notes;
}

interface Staged {
  path: string;
  real: string;
  temp: string;
  before?: Buffer;
  after: Buffer;
}

/**
 * The only code that writes the user's files. Name the temps in the journal, stage every file (fsynced)
 * next to its real target, mark the journal committed, rename them into place, delete the journal. A failure while staging removes every
 * temp and folder we made; a failed rename puts back what was there. A kill is finished by the next run
 * (`recoverInterrupted`). Afterwards each file is read again and must hold exactly what the plan said.
 */
export function applyPlan(dir: string, changes: FileChange[], fs: WriteFs = nodeWriteFs): string[] {
  const all = writes(changes);
  if (all.length === 0) return [];
  const todo = all.filter((c) => c.action !== "delete");
  const deletes = all.filter((c) => c.action === "delete");
  const rootReal = realpathSync(dir);
  const rel = (p: string) => relative(rootReal, p).split(sep).join("/");
  const staged: Staged[] = [];
  const madeDirs: string[] = [];
  let journalTemp: string | undefined;
  let journalWritten = false;
  const undoStaging = () => {
    for (const s of staged) fs.remove(s.temp);
    if (journalTemp) fs.remove(journalTemp);
    if (journalWritten) fs.remove(resolveInRepo(dir, JOURNAL).real);
    for (const d of madeDirs.reverse()) {
      try {
        fs.rmdir(d);
      } catch {
        /* not empty: something else is in it now, leave it */
      }
    }
  };
  // The state file goes last: until it is in place, nothing claims the other files as ours.
  const ordered = [...todo.filter((c) => !c.path.endsWith("relay-security.json")), ...todo.filter((c) => c.path.endsWith("relay-security.json"))];
  let current = "";
  const journal = resolveInRepo(dir, JOURNAL);
  // The journal in two phases: "staging" names the temps before they exist (so a kill leaves none that
  // the next run cannot find, even beside a linked target), "commit" says they are all complete.
  const writeJournal = (phase: "staging" | "commit") => {
    current = JOURNAL;
    journalTemp = `${journal.real}.relay-security-${tempTag()}.tmp`;
    const entries: JournalEntry[] = staged.map((s) => ({ target: rel(s.real), temp: rel(s.temp), before: sha(s.before), after: sha(s.after) ?? "" }));
    fs.writeNew(journalTemp, Buffer.from(renderJournal(phase, entries), "utf8"));
    fs.rename(journalTemp, journal.real);
    journalTemp = undefined;
  };
  try {
    if (journal.exists) throw new UserError(`${JOURNAL}: left by an interrupted run that was not finished; run again to finish it`);
    for (const change of ordered) {
      current = change.path;
      const r = resolveInRepo(dir, change.path);
      const encoding = change.encoding ?? "utf8";
      const before = change.before === undefined ? undefined : Buffer.from(change.before, encoding);
      if (!sameBytes(r, before)) throw new UserError(`${shown(change.path)}: changed between the plan and the write; nothing was written, run again`);
      const temp = `${r.real}.relay-security-${tempTag()}.tmp`;
      staged.push({ path: change.path, real: r.real, temp, after: Buffer.from(change.after ?? "", encoding), ...(before ? { before } : {}) });
    }
    writeJournal("staging");
    journalWritten = true;
    for (const s of staged) {
      current = s.path;
      const created: string[] = [];
      for (let d = dirname(s.real); !existsSync(d); d = dirname(d)) created.unshift(d);
      for (const d of created) {
        fs.mkdir(d);
        madeDirs.push(d);
      }
      fs.writeNew(s.temp, s.after, s.before ? statSync(s.real).mode & 0o7777 : undefined);
    }
    // Once more, just before the point of no return: a file saved while we staged is not overwritten
    // (nor one we are to delete).
    for (const s of staged) {
      current = s.path;
      if (!sameBytes(resolveInRepo(dir, s.path), s.before)) throw new UserError(`${shown(s.path)}: changed between the plan and the write; nothing was written, run again`);
    }
    // A file to delete is compared as the plan read it (a workflow that is not UTF-8 was decoded with
    // U+FFFD for its stray bytes, and is deleted whole, so no byte of it is rewritten).
    for (const d of deletes) {
      current = d.path;
      const r = resolveInRepo(dir, d.path);
      if (!r.exists || readBytes(d.path, r.real).toString("utf8") !== d.before) throw new UserError(`${shown(d.path)}: changed between the plan and the write; nothing was written, run again`);
    }
    writeJournal("commit");
  } catch (error) {
    undoStaging();
    throw asWriteError(error, current);
  }
  const done: Staged[] = [];
  // A file to delete is first moved aside under a temp name, its bytes untouched, so a failure can put it
  // back; a kill after that leaves only a stale temp, which the next run removes (the deletion completes).
  const moved: { real: string; aside: string }[] = [];
  try {
    for (const s of staged) {
      current = s.path;
      fs.rename(s.temp, s.real);
      done.push(s);
    }
    for (const d of deletes) {
      current = d.path;
      const real = resolveInRepo(dir, d.path).real;
      const aside = `${real}.relay-security-${tempTag()}.tmp`;
      fs.rename(real, aside);
      moved.push({ real, aside });
    }
  } catch (error) {
    for (const m of moved.reverse()) fs.rename(m.aside, m.real);
    for (const s of done.reverse()) {
      if (s.before === undefined) fs.remove(s.real);
      else {
        const back = `${s.real}.relay-security-${tempTag()}.tmp`;
        fs.writeNew(back, s.before);
        fs.rename(back, s.real);
      }
    }
    undoStaging();
    throw asWriteError(error, current);
  }
  for (const m of moved) fs.remove(m.aside);
  fs.remove(resolveInRepo(dir, JOURNAL).real);
  for (const s of staged) {
    if (!readBytes(s.path, s.real).equals(s.after)) throw new Error(`internal: ${s.path} does not hold what was written`);
  }
  return all.map((c) => c.path);
}

/** Whether the file holds exactly `bytes` (undefined: that it does not exist). */
function sameBytes(r: { rel: string; real: string; exists: boolean }, bytes: Buffer | undefined): boolean {
  if (!r.exists || bytes === undefined) return !r.exists && bytes === undefined;
  return readBytes(r.rel, r.real).equals(bytes);
}

function asWriteError(error: unknown, path: string): Error {
  if (error instanceof UserError) return error;
  const e = error as NodeJS.ErrnoException;
  if (e.code === "ENOSPC" || e.code === "EDQUOT") return new UserError(`disk full while writing ${shown(path)} (${e.code}); nothing was written, every temp file removed`);
  if (["EACCES", "EPERM", "EROFS", "ENOTDIR", "EISDIR", "EEXIST", "EBUSY", "ETXTBSY"].includes(e.code ?? "")) {
    return new UserError(`${shown(path)}: not writable (${e.code}${e.code === "ENOTDIR" ? ": a file stands where a directory should be" : ""}); nothing was written`);
  }
  return e;
}
