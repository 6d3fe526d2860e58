import type { PinsData } from "../pins.js";
import { compromised } from "./compromised.js";
import { failed, type RefSource } from "./remote.js";
import { SHA, type Site } from "./sites.js";
import { compareParts, findTag, mostPrecise, parseRelease, parseVersion, tagsAt, type Refs, type Version } from "./tags.js";

/** What to do with one action `uses:`: write `sha` with `# tag`, keep it, or say why it cannot be pinned. */
export type Decision = { kind: "pin"; sha: string; tag: string; notes: string[] } | { kind: "keep"; notes: string[] } | { kind: "unresolved"; why: string };

export interface DecideOptions {
  pins: PinsData;
  source: RefSource;
  /** `--update`: the newest release at least `minAgeDays` old, across majors. */
  update: boolean;
  minAgeDays: number;
  now: Date;
}

/**
 * Pin to the commit the ref points to today, with the most precise version tag of that commit. A ref
 * with no release at its commit, or a compromised one, falls back to the newest clean release of the
 * same major (`@v4` stays v4: issue 14). `--update` then moves to the newest release that is old enough.
 */
export async function decideAction(site: Site & { target: { kind: "action" } }, o: DecideOptions): Promise<Decision> {
  const { repo, ref } = site.target;
  const refs = await o.source.refs(repo);
  // A SHA pin with its version comment is pinned already: what cannot be read is `pin --check`'s to report.
  if (failed(refs)) return SHA.test(ref) && site.version ? { kind: "keep", notes: o.source.complete ? [refs.error] : [] } : { kind: "unresolved", why: refs.error };
  const bad = (tag: string, sha: string) => compromised(o.pins, repo, tag, sha);
  const notes: string[] = [];
  const isSha = SHA.test(ref);
  let base: { sha: string; tag: string } | undefined;
  let major: Version | undefined = parseVersion(isSha ? (site.version ?? "") : ref);

  const commit = isSha ? ref : refs.tags.get(ref);
  if (commit && !(!isSha && bad(ref, commit))) {
    const here = tagsAt(refs, commit);
    const clean = here.filter((t) => !bad(t, commit));
    // A SHA pin is never moved without --update; a compromised one is reported.
    if (isSha && here.length > 0 && clean.length === 0 && !o.update) {
      return { kind: "unresolved", why: `${ref.slice(0, 12)} is ${here.join(" / ")}: ${bad(here[0] as string, commit)}; --update moves to the newest clean release` };
    }
    const tag = mostPrecise(clean.filter((t) => parseRelease(t)), major?.prefix) ?? mostPrecise(clean, major?.prefix) ?? (!isSha && !parseVersion(ref) ? ref : undefined);
    if (tag) base = { sha: commit, tag };
  } else if (commit) notes.push(`${repo}@${ref}: ${bad(ref, commit)}`);
  if (!base && !isSha && refs.heads.has(ref) && !o.update) {
    return { kind: "unresolved", why: `${ref} is a branch of ${repo}; pin a release by hand, or let --update take the newest` };
  }
  if (!base && major && !isSha) {
    const inMajor = major.parts[0];
    const newest = newestReleases(refs, repo, o.pins, major.prefix, (v) => v.parts[0] === inMajor)[0];
    if (newest) {
      const why = commit ? `${ref} has no clean release at its commit` : o.source.complete ? `there is no tag ${ref}` : `where ${ref} points was not checked (offline)`;
      notes.push(`${why}; took ${newest.tag}, the newest ${major.prefix}${major.parts[0]} release${o.source.complete ? "" : " data/pins.json knows"}`);
      base = newest;
    }
  }
  if (base) major = parseVersion(base.tag) ?? major;

  if (o.update) {
    const floor = parseRelease(base?.tag ?? site.version ?? "");
    const newer = newestReleases(refs, repo, o.pins, major?.prefix, (v) => !floor || compareParts(v.parts, floor.parts) > 0);
    const picked = await oldEnough(repo, newer, o, notes);
    if (picked) base = picked;
  }
  if (!base) {
    if (isSha && site.version) {
      // Offline that is most SHA pins (the data knows one release an action): `pin --check --offline` lists them.
      if (o.source.complete) notes.push(`no tag of ${repo} points at ${ref.slice(0, 12)}; kept as it is (relay-security pin --check says more)`);
      return { kind: "keep", notes };
    }
    if (isSha) return { kind: "unresolved", why: `no tag of ${repo}${o.source.complete ? "" : " in data/pins.json"} points at ${ref.slice(0, 12)}, so there is no version to put in its comment` };
    return { kind: "unresolved", why: o.source.complete ? `no tag or branch ${ref} in ${repo}` : `${repo}@${ref} is not in data/pins.json (offline)` };
  }
  const commentOk = site.version !== undefined && findTag(refs, site.version) !== undefined && refs.tags.get(findTag(refs, site.version) as string) === base.sha;
  if (isSha && base.sha === ref && commentOk && (site.version === base.tag || parseRelease(site.version ?? "") !== undefined)) return { kind: "keep", notes };
  return { kind: "pin", sha: base.sha, tag: base.tag, notes };
}

/**
 * Clean full releases matching `keep`, newest first; of two spellings of one release, the ref's own
 * first (trivy-action's unprefixed tags are refused, so its `0.x` pins move to `v0.x`).
 */
function newestReleases(refs: Refs, repo: string, pins: PinsData, prefix: Version["prefix"] | undefined, keep: (v: Version) => boolean): { sha: string; tag: string; v: Version }[] {
  return [...refs.tags]
    .map(([tag, sha]) => ({ tag, sha, v: parseRelease(tag) }))
    .filter((t): t is { tag: string; sha: string; v: Version } => t.v !== undefined && keep(t.v) && !compromised(pins, repo, t.tag, t.sha))
    .sort((a, b) => compareParts(b.v.parts, a.v.parts) || Number(b.v.prefix === prefix) - Number(a.v.prefix === prefix));
}

/** The first of `candidates` (newest first) made at least `minAgeDays` ago; dated a few at a time. */
async function oldEnough(repo: string, candidates: { sha: string; tag: string }[], o: DecideOptions, notes: string[]): Promise<{ sha: string; tag: string } | undefined> {
  const cutoff = o.now.getTime() / 1000 - o.minAgeDays * 86_400;
  const young: string[] = [];
  for (let i = 0; i < candidates.length; i += 5) {
    const batch = candidates.slice(i, i + 5);
    const dates = await o.source.dates(repo, batch.map((c) => c.tag));
    if (failed(dates)) {
      notes.push(`${repo}: could not date ${batch[0]?.tag} and newer releases, so --update kept the current one (${dates.error})`);
      return undefined;
    }
    for (const c of batch) {
      const at = dates.get(c.tag);
      if (at !== undefined && at <= cutoff) {
        if (young.length) notes.push(`${repo}: skipped ${young.join(", ")}, younger than ${o.minAgeDays} days`);
        return c;
      }
      young.push(c.tag);
    }
  }
  if (young.length) notes.push(`${repo}: ${young.join(", ")} ${young.length > 1 ? "are" : "is"} younger than ${o.minAgeDays} days; kept the current release`);
  return undefined;
}
