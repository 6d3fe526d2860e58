import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, realpathSync, statSync, type Stats } from "node:fs";
import { isUtf8 } from "node:buffer";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { UserError } from "./errors.js";

/**
 * Every read and write of a repository path goes through here (issue 11): the path must resolve
 * (realpath, so through any symbolic link) to a place inside the repository root, must be a regular file
 * when it exists, and must be UTF-8 text without NUL bytes. A pull request can add a link such as
 * `.trivyignore -> /proc/self/environ`; `check` runs on pull requests, so nothing outside is ever opened.
 */

/** Larger than any workflow or config we handle (a 5 MB workflow folder works); stops /dev/zero-like reads. */
export const MAX_BYTES = 16 * 1024 * 1024;

/** A path or a line of someone else's file, shown in a message: control characters escaped, length bounded. */
export function shown(text: string, max = 120): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(cut) ? JSON.stringify(cut) : cut;
}

export interface Resolved {
  /** The repo-relative path as asked for. */
  rel: string;
  /** Where it really is (links followed): what is opened or replaced. */
  real: string;
  exists: boolean;
  /** Set when `rel` goes through a symbolic link: the repo-relative real path (always inside the root). */
  linkedTo?: string;
}

const kindOf = (s: Stats) =>
  s.isDirectory() ? "a directory" : s.isFIFO() ? "a named pipe (FIFO)" : s.isSocket() ? "a socket" : s.isCharacterDevice() || s.isBlockDevice() ? "a device" : "not a regular file";

const inside = (rootReal: string, real: string) => real === rootReal || real.startsWith(rootReal.endsWith(sep) ? rootReal : rootReal + sep);

/** The first component of `rel` that is a symbolic link, for the message. */
function firstLink(root: string, rel: string): string | undefined {
  const parts = rel.split("/");
  for (let i = 1; i <= parts.length; i++) {
    const sub = parts.slice(0, i).join("/");
    try {
      if (lstatSync(join(root, sub)).isSymbolicLink()) return sub;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** realpath of `p`, or of its nearest existing ancestor with the rest appended (for a file we will create). */
function realOrPlanned(p: string, label: string): { real: string; exists: boolean } {
  const rest: string[] = [];
  for (let cur = p; ; cur = dirname(cur)) {
    try {
      const real = realpathSync(cur);
      if (rest.length && !statSync(real).isDirectory()) throw new UserError(`${shown(label)}: ${shown(cur)} is not a directory (a file stands where a folder should be); nothing was written`);
      return { real: rest.length ? join(real, ...rest.reverse()) : real, exists: rest.length === 0 };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOENT for a missing part; a dangling link lstat()s fine but has no realpath: say which.
      if (code === "ENOENT" && isDangling(cur)) throw new UserError(`${shown(label)}: a symbolic link to something that does not exist; remove it or point it inside the repository`);
      if (code !== "ENOENT" && code !== "ENOTDIR") throw error;
      if (dirname(cur) === cur) throw error;
      rest.push(cur.slice(dirname(cur).length).replace(/^[\\/]/, ""));
    }
  }
}

function isDangling(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function outside(root: string, rootReal: string, link: string): UserError {
  let target = "a place";
  try {
    target = readlinkSync(join(root, link));
  } catch {
    /* not a link itself: a parent folder is (already named by firstLink when it could be) */
  }
  return new UserError(`${shown(link)}: a symbolic link to ${shown(target)}, outside the repository; relay-security reads and writes only inside ${rootReal}. Nothing was written`);
}

/** Resolve a repo-relative path and refuse one that leaves the root or is not a regular file. */
export function resolveInRepo(root: string, rel: string): Resolved {
  if (/[\u0000\r\n]/.test(rel)) throw new UserError(`${shown(rel)}: a path with a newline or NUL byte; rename it (workflows and configs cannot be named so)`);
  if (isAbsolute(rel) || rel.split("/").includes("..")) throw new UserError(`${shown(rel)}: not a path inside the repository`);
  const rootReal = realpathSync(root);
  const abs = join(root, rel);
  const found = realOrPlanned(abs, rel);
  const link = firstLink(root, rel);
  if (!inside(rootReal, found.real)) throw outside(root, rootReal, link ?? rel);
  if (found.exists) {
    const s = statSync(found.real);
    if (!s.isFile()) throw new UserError(`${shown(rel)}: ${kindOf(s)} where a file is expected; nothing was written`);
  }
  const linkedTo = link ? relative(rootReal, found.real).split(sep).join("/") : undefined;
  return { rel, real: found.real, exists: found.exists, ...(linkedTo && linkedTo !== rel ? { linkedTo } : {}) };
}

/** Decode UTF-8 strictly (a BOM is kept as U+FEFF, so edits keep it); refuse anything else, naming the line. */
export function decodeText(label: string, bytes: Buffer): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new UserError(`${shown(label)}: contains a NUL byte (line ${lineAt(bytes, nul)}); not a text file, nothing was written`);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const at = firstInvalid(bytes);
    throw new UserError(
      `${shown(label)}: not UTF-8 (byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, "0")} on line ${lineAt(bytes, at)}); relay-security edits UTF-8 text only, so it would mangle it. Convert it (iconv -f latin1 -t utf-8) and run again; nothing was written`,
    );
  }
}

const lineAt = (bytes: Buffer, offset: number) => bytes.subarray(0, offset).filter((b) => b === 0x0a).length + 1;

function firstInvalid(bytes: Buffer): number {
  const d = new TextDecoder("utf-8", { fatal: true });
  let lo = 0;
  let hi = bytes.length;
  // The longest valid prefix (a cut inside a valid sequence also fails, so step back at most 3 bytes).
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    let ok = false;
    for (let back = 0; back < 4 && mid - back >= lo && !ok; back++) {
      try {
        d.decode(bytes.subarray(0, mid - back));
        ok = mid - back === mid;
      } catch {
        /* keep looking */
      }
    }
    if (ok) lo = mid;
    else hi = mid - 1;
  }
  return Math.min(lo, bytes.length - 1);
}

/** Read a regular file's bytes without ever blocking on a FIFO that was swapped in after the check. */
export function readBytes(label: string, real: string): Buffer {
  const fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const s = fstatSync(fd);
    if (!s.isFile()) throw new UserError(`${shown(label)}: ${kindOf(s)} where a file is expected; nothing was written`);
    if (s.size > MAX_BYTES) throw new UserError(`${shown(label)}: ${s.size} bytes, larger than the ${MAX_BYTES} relay-security reads; nothing was written`);
    const buf = Buffer.alloc(s.size);
    let off = 0;
    while (off < s.size) {
      const n = readSync(fd, buf, off, s.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}

/** A repository file's text, or undefined when it does not exist. */
export function readRepoText(root: string, rel: string): string | undefined {
  const r = resolveInRepo(root, rel);
  return r.exists ? decodeText(rel, readBytes(rel, r.real)) : undefined;
}

/**
 * A repository file read only to understand it, never written back (a Dockerfile): through the guard like
 * every read, but bytes that are not UTF-8 (a Latin-1 comment) become U+FFFD instead of a refusal, since
 * nothing of the user's can be mangled by reading.
 */
export function readRepoTextForAnalysis(root: string, rel: string): string | undefined {
  const r = resolveInRepo(root, rel);
  return r.exists ? readBytes(rel, r.real).toString("utf8") : undefined;
}

/**
 * readRepoTextForAnalysis for a file that is only evidence (a Dockerfile candidate, a build file, a
 * GoReleaser config): what the guard refuses (a link out of the repository, a FIFO) reads as absent
 * instead of stopping the run.
 */
export function readEvidence(root: string, rel: string): string | undefined {
  try {
    return readRepoTextForAnalysis(root, rel);
  } catch (error) {
    if (error instanceof UserError) return undefined;
    throw error;
  }
}

/** A repository file's raw bytes, or undefined when it does not exist (apply compares these). */
export function readRepoBytes(root: string, rel: string): Buffer | undefined {
  const r = resolveInRepo(root, rel);
  return r.exists ? readBytes(rel, r.real) : undefined;
}

/** Whether a repository path names an existing file (refusing, like a read, what is not one). */
export const repoFileExists = (root: string, rel: string) => resolveInRepo(root, rel).exists;

/** Where a repository folder really is, or undefined when it does not exist; it must resolve inside the root. */
function realRepoDir(root: string, rel: string): string | undefined {
  const rootReal = realpathSync(root);
  let real: string;
  try {
    real = realpathSync(join(root, rel));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ENOTDIR") resolveInRepo(root, `${rel}/.probe`); // throws, naming the file that stands in the way
    throw error;
  }
  if (!inside(rootReal, real)) throw outside(root, rootReal, firstLink(root, rel) ?? rel);
  if (!statSync(real).isDirectory()) throw new UserError(`${shown(rel)}: not a directory; nothing was written`);
  return real;
}

/**
 * A folder's entries whose names are UTF-8. A name that is not (`caf\xe9/`, made on a Latin-1 system)
 * cannot be named in a workflow, whose YAML is UTF-8, nor opened again from a JS string: Node would
 * decode it to U+FFFD and find no such file. So it is left out, as what it is: nothing a workflow, an
 * action or a build file can refer to.
 */
function entriesOf(real: string): { name: string; dir: boolean; file: boolean }[] {
  return readdirSync(real, { withFileTypes: true, encoding: "buffer" }).flatMap((e) => (isUtf8(e.name) ? [{ name: e.name.toString(), dir: e.isDirectory(), file: e.isFile() }] : []));
}

/** The UTF-8 names in a repository folder, or [] when it does not exist; the folder must resolve inside the root. */
export function listRepoDir(root: string, rel: string): string[] {
  const real = realRepoDir(root, rel);
  return real === undefined ? [] : entriesOf(real).map((e) => e.name);
}

/**
 * The order paths are listed and chosen in: case-insensitive, then by code unit. Not `localeCompare`: its
 * order follows the user's locale (Danish sorts `B` before `b`, Swedish `ä` after `z`), so which of several
 * Dockerfiles came first could differ between a maintainer's machine and CI; and its first call starts
 * ICU's collator, 11 ms of a set-up (issue 19).
 */
export function comparePaths(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Every file below `rel` (a folder inside the repository), as repo-relative paths in a stable order,
 * descending at most `maxDepth` folders and not into those `skip` names; [] when `rel` does not exist.
 * A name that is not UTF-8 is left out (see entriesOf).
 * A symbolic link is neither followed nor listed, so the walk never leaves the folder it started in:
 * the start is checked once, as `listRepoDir` checks it, and the folders below are read from their
 * entries' types (no `realpath` and `lstat` per entry: on a repository of 150 folders that was
 * 20-35 ms of a set-up, issue 19).
 */
export function walkRepoFiles(root: string, rel: string, opts: { maxDepth: number; skip: (name: string, rel: string) => boolean }): string[] {
  const files: string[] = [];
  const walk = (real: string, at: string, depth: number) => {
    const entries = entriesOf(real).sort((a, b) => comparePaths(a.name, b.name));
    for (const e of entries) {
      const r = at === "." ? e.name : `${at}/${e.name}`;
      if (e.dir) {
        if (depth < opts.maxDepth && !opts.skip(e.name, r)) walk(join(real, e.name), r, depth + 1);
      } else if (e.file) files.push(r);
    }
  };
  const real = realRepoDir(root, rel);
  if (real !== undefined) walk(real, rel, 0);
  return files;
}

/** A file the user names on the command line (`--answers FILE`): anywhere, but a regular UTF-8 file. */
export function readUserFile(flag: string, path: string): string {
  let s: Stats;
  try {
    s = statSync(path);
  } catch {
    throw new UserError(`${flag} ${shown(path)}: no such file`);
  }
  if (!s.isFile()) throw new UserError(`${flag} ${shown(path)}: ${kindOf(s)}, not a file`);
  return decodeText(`${flag} ${path}`, readBytes(`${flag} ${path}`, path));
}
