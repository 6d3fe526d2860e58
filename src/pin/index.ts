import { join, resolve } from "node:path";
import { applyPlan } from "../apply/index.js";
import { nodeWriteFs } from "../apply/fs.js";
import { recoverInterrupted } from "../apply/journal.js";
import type { Deps } from "../deps.js";
import { UserError } from "../errors.js";
import { loadPins, type PinsData } from "../pins.js";
import type { FileChange, Finding } from "../types.js";
import { checkSite } from "./check.js";
import { decideAction, type Decision } from "./decide.js";
import { registryDigests, type DigestLookup } from "./docker.js";
import { applyPins, newValue, verifyPins, type PinEdit } from "./edit.js";
import { findSources, type SourceFile } from "./files.js";
import { failed, gitSource, offlineSource, type RefSource } from "./remote.js";
import { SHA, findSites, type Site } from "./sites.js";

export interface PinOptions {
  dir: string;
  check: boolean;
  dryRun: boolean;
  offline: boolean;
  update: boolean;
  minAgeDays: number;
  /** Leave out files that do not parse instead of stopping (validate reports them itself). */
  skipBroken?: boolean;
}

/** One `uses:` and what became of it. */
export interface PinResult {
  file: string;
  line: number;
  from: string;
  to?: string;
  status: "pinned" | "unchanged" | "unresolved";
  why?: string;
  notes: string[];
}

export interface PinRun {
  results: PinResult[];
  files: { path: string; before: string; after: string }[];
  written: string[];
  findings: Finding[];
  /** What finishing an interrupted run did first (one line each), for the report. */
  recovered?: string[];
}

/** Injected for tests (a local registry); the CLI uses the real ones. */
export interface PinSources {
  refs?: RefSource;
  digests?: DigestLookup;
  pins?: PinsData;
}

/** The workflows and composite actions of `dir` with their remote `uses:`; a file that does not parse is exit 2. */
export function readSites(dir: string, opts: { skipBroken?: boolean | undefined } = {}): { file: SourceFile; sites: Site[] }[] {
  return findSources(resolve(dir)).flatMap((file) => {
    const { sites, errors } = findSites(file);
    const e = errors[0];
    if (e && opts.skipBroken) return [];
    if (e) throw new UserError(`${join(resolve(dir), file.path)}${e.line ? `:${e.line}` : ""}: does not parse as YAML (${e.message}); nothing was pinned`);
    return [{ file, sites }];
  });
}

/** The `uses:` that `pin` would change (not a full SHA, or an image without a digest), in files that parse. */
export function unpinned(dir: string): Site[] {
  return readSites(dir, { skipBroken: true }).flatMap((f) => f.sites.filter((s) => (s.target.kind === "docker" ? !s.target.digest : !SHA.test(s.target.ref))));
}

/** find uses -> resolve -> edit at source offsets -> verify -> write (unless --dry-run or --check). */
export async function runPin(opts: PinOptions, deps: Deps, over: PinSources = {}): Promise<PinRun> {
  const dir = resolve(opts.dir);
  const fs = deps.fs ?? nodeWriteFs;
  // A writing run finishes (or cleans up after) an interrupted one first, as set-up does.
  const recovered = opts.dryRun || opts.check ? [] : recoverInterrupted(dir, fs);
  const files = readSites(dir, { skipBroken: opts.skipBroken });
  const pins = over.pins ?? loadPins();
  const source = over.refs ?? (opts.offline ? offlineSource(pins) : gitSource(deps));
  const run: PinRun = { results: [], files: [], written: [], findings: [] };
  try {
    if (opts.check) {
      for (const f of files) for (const s of f.sites) run.findings.push(...(await checkSite(s, pins, source)));
      return run;
    }
    const digests = opts.offline ? undefined : (over.digests ?? registryDigests());
    // One decision per value and comment, all resolved together: each repository is asked once (cached).
    const decisions = new Map<string, Promise<Decision>>();
    const key = (s: Site) => `${s.value}#${s.version ?? ""}`;
    for (const f of files) {
      for (const s of f.sites) if (!decisions.has(key(s))) decisions.set(key(s), decide(s, { pins, source, update: opts.update, minAgeDays: opts.minAgeDays, now: deps.now() }, digests));
    }
    // Every file is edited and checked before the first is written: a failed check writes nothing.
    for (const f of files) {
      const edits: PinEdit[] = [];
      for (const s of f.sites) {
        const { result, edit } = resultOf(s, await (decisions.get(key(s)) as Promise<Decision>));
        if (edit) edits.push(edit);
        run.results.push(result);
      }
      if (edits.length === 0) continue;
      const after = applyPins(f.file.text, edits);
      verifyPins(f.file.text, after, edits);
      if (after !== f.file.text) run.files.push({ path: f.file.path, before: f.file.text, after });
    }
    if (!opts.dryRun) {
      // The journaled writer set-up uses: staged temps, a journal, renames; a link to outside, a directory
      // or a file changed since it was read is refused with nothing written, and a kill converges next run.
      const changes: FileChange[] = run.files.map((f) => {
        const encoding = files.find((x) => x.file.path === f.path)?.file.encoding ?? "utf8";
        return { path: f.path, action: "update", before: f.before, after: f.after, encoding };
      });
      run.written.push(...applyPlan(dir, changes, fs));
    }
    run.recovered = recovered;
    return run;
  } finally {
    source.dispose();
  }
}

/** What became of one `uses:`, and the edit when it is pinned. */
function resultOf(s: Site, d: Decision): { result: PinResult; edit?: PinEdit } {
  const base = { file: s.file, line: s.line, from: s.value };
  if (d.kind === "unresolved") return { result: { ...base, status: "unresolved", why: d.why, notes: [] } };
  if (d.kind === "keep") return { result: { ...base, status: "unchanged", notes: d.notes } };
  const edit: PinEdit = s.target.kind === "docker" ? { site: s, ref: d.sha } : { site: s, ref: d.sha, version: d.tag };
  const to = `${newValue(edit)}${edit.version ? ` # ${edit.version}` : ""}`;
  if (s.unsafe) return { result: { ...base, status: "unresolved", why: `${s.unsafe}; pin it by hand: ${to}`, notes: d.notes } };
  // A pin that changes nothing (the comment already said it) is no change.
  const same = s.value === newValue(edit) && (edit.version === undefined || s.version === edit.version);
  return same ? { result: { ...base, status: "unchanged", notes: d.notes } } : { result: { ...base, status: "pinned", to, notes: d.notes }, edit };
}

async function decide(s: Site, o: Parameters<typeof decideAction>[1], digests: DigestLookup | undefined): Promise<Decision> {
  const t = s.target;
  if (t.kind === "action") return decideAction(s as Site & { target: typeof t }, o);
  if (t.digest) return { kind: "keep", notes: [] };
  if (!digests) return { kind: "unresolved", why: `${s.value}: the registry was not asked (offline), so it is not pinned by digest` };
  const tag = t.tag ?? "latest";
  const digest = await digests(t.image, tag);
  if (failed(digest)) return { kind: "unresolved", why: `${s.value}: no digest from the registry (${digest.error})` };
  return { kind: "pin", sha: `${t.image}:${tag}@${digest}`, tag, notes: [] };
}
