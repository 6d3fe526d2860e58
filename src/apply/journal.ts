import { createHash } from "node:crypto";
import { lstatSync, readdirSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { UserError } from "../errors.js";
import { readBytes, readRepoBytes, readRepoText, resolveInRepo, shown } from "../fsguard.js";
import type { WriteFs } from "./fs.js";

/**
 * The pending-apply journal (issue 11, item 8). A run writes it ("staging", naming every temp), stages
 * every file as a fsynced temp beside its real target, marks it "commit", renames the temps into place,
 * then deletes it. A SIGKILL while staging leaves temps and a staging journal (the repository untouched):
 * the next run deletes them and starts over. A SIGKILL after "commit" leaves the journal: the next run
 * first finishes those renames, so it ends on exactly what the uninterrupted run would have written.
 */
export const JOURNAL = ".relay-security-journal.json";

/** Our temp files: `<target>.relay-security-<8 hex>.tmp`, the journal's own included. */
export const TEMP_RE = /\.relay-security-[0-9a-f]{8}\.tmp$/;

export interface JournalEntry {
  /** Repo-relative path of the real target (links resolved). */
  target: string;
  /** Repo-relative path of the staged temp. */
  temp: string;
  /** sha256 of the target before (null: it did not exist) and of what we write. */
  before: string | null;
  after: string;
}

export const sha = (b: Buffer | undefined) => (b === undefined ? null : createHash("sha256").update(b).digest("hex"));

/** Folders our temps can be in: beside every file we manage (Renovate configs in .github/ and .gitlab/ too). */
const TEMP_DIRS = [".", ".github", ".github/workflows", ".gitlab"];

/**
 * Start of every writing run: finish an interrupted apply, then delete stale temps. Returns what was
 * done, one line each, for the report.
 */
export function recoverInterrupted(root: string, fs: WriteFs): string[] {
  const notes: string[] = [];
  const text = readRepoText(root, JOURNAL);
  const dirs = new Set(TEMP_DIRS);
  if (text !== undefined) {
    const { phase, entries } = parseJournal(text);
    const finished: string[] = [];
    for (const e of phase === "staging" ? [] : entries) {
      dirs.add(dirname(e.temp));
      const now = sha(readRepoBytes(root, e.target));
      const temp = resolveInRepo(root, e.temp);
      const staged = temp.exists ? sha(readBytes(e.temp, temp.real)) : undefined;
      if (now === e.after) continue;
      if (now === e.before && staged === e.after) {
        fs.rename(temp.real, resolveInRepo(root, e.target).real);
        finished.push(e.target);
        continue;
      }
      throw new UserError(
        `${JOURNAL}: an interrupted run of relay-security was writing ${shown(e.target)}, and it changed since (or its staged copy is gone); nothing was written. Check the file, then delete ${JOURNAL} and run again`,
      );
    }
    // Staging never finished: no target was touched; its temps (named here, wherever they are) go.
    if (phase === "staging") for (const e of entries) fs.remove(resolveInRepo(root, e.temp).real);
    fs.remove(resolveInRepo(root, JOURNAL).real);
    if (phase === "staging") notes.push("an interrupted run had not written anything yet; removed its temp files");
    else notes.push(finished.length ? `finished an interrupted run: wrote ${finished.join(", ")}` : "an interrupted run had written everything; removed its journal");
  }
  const removed = removeStaleTemps(root, [...dirs], fs);
  if (removed.length) notes.push(`removed ${removed.length} temp file(s) left by an interrupted run: ${removed.join(", ")}`);
  return notes;
}

function parseJournal(text: string): { phase: "staging" | "commit"; entries: JournalEntry[] } {
  try {
    const data = JSON.parse(text) as { phase?: unknown; entries?: unknown };
    const { phase, entries } = data;
    if ((phase === "staging" || phase === "commit") && Array.isArray(entries) && entries.every(isEntry)) return { phase, entries };
  } catch {
    /* reported below */
  }
  throw new UserError(`${JOURNAL}: not a journal this version of relay-security wrote; delete it (the files it names may be half-updated: check git diff) and run again`);
}

const isEntry = (e: unknown): e is JournalEntry => {
  const o = e as Record<string, unknown>;
  return typeof o?.["target"] === "string" && typeof o["temp"] === "string" && (o["before"] === null || typeof o["before"] === "string") && typeof o["after"] === "string";
};

/** Delete our temps in the given repo folders (only regular files named like ours, never through a link). */
export function removeStaleTemps(root: string, dirs: string[], fs: WriteFs): string[] {
  const removed: string[] = [];
  const rootReal = realpathSync(root);
  for (const d of dirs) {
    let names: string[];
    try {
      const real = realpathSync(join(root, d));
      if (real !== rootReal && !real.startsWith(`${rootReal}/`)) continue;
      names = readdirSync(real);
    } catch {
      continue;
    }
    for (const name of names.filter((n) => TEMP_RE.test(n))) {
      const rel = d === "." ? name : `${d}/${name}`;
      try {
        if (!lstatSync(join(root, rel)).isFile()) continue;
      } catch {
        continue;
      }
      fs.remove(join(root, rel));
      removed.push(rel);
    }
  }
  return removed;
}

export const renderJournal = (phase: "staging" | "commit", entries: JournalEntry[]) =>
  `${JSON.stringify({ $comment: "relay-security is (or was) writing these files; the next run finishes or cleans up. Do not commit.", phase, entries }, null, 2)}\n`;
