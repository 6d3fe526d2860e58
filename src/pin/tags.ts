/**
 * What a repository's refs say, read from `git ls-remote` (issue 14; shared with `npm run pins:refresh`).
 * An annotated tag's `^{}` line gives the commit it points to, and that commit is what we pin, never the
 * tag object (PRODUCT.md, "Facts learned the hard way").
 */

/** Tags (peeled to their commits) and branch tips of one repository. */
export interface Refs {
  tags: Map<string, string>;
  heads: Map<string, string>;
}

/** `git ls-remote [--tags] [--heads]` output -> tags peeled through their `^{}` line, and branch tips. */
export function parseLsRemote(output: string): Refs {
  const direct = new Map<string, string>();
  const peeled = new Map<string, string>();
  const heads = new Map<string, string>();
  for (const line of output.split("\n")) {
    const m = /^([0-9a-f]{40})\trefs\/(tags|heads)\/(.+?)(\^\{\})?$/.exec(line.trim());
    if (!m?.[1] || !m[3]) continue;
    if (m[2] === "heads") heads.set(m[3], m[1]);
    else (m[4] ? peeled : direct).set(m[3], m[1]);
  }
  return { tags: new Map([...direct].map(([tag, sha]) => [tag, peeled.get(tag) ?? sha])), heads };
}

/** A version tag: `v4`, `v4.1`, `4.1.2`; pre-releases (`-rc.1`) are not releases we pin. */
export interface Version {
  prefix: "v" | "";
  parts: number[];
}

export function parseVersion(tag: string): Version | undefined {
  const m = /^(v?)(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(tag);
  if (!m) return undefined;
  return { prefix: m[1] === "v" ? "v" : "", parts: [m[2], m[3], m[4]].filter((p): p is string => p !== undefined).map(Number) };
}

/** A full release `vX.Y.Z` / `X.Y.Z`. */
export function parseRelease(tag: string): Version | undefined {
  const v = parseVersion(tag);
  return v && v.parts.length === 3 ? v : undefined;
}

export function compareParts(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The most precise version tag among `tags` (all at one commit): a full release before `vX.Y` before
 * `vX`, the ref's own prefix style first, the highest first.
 */
export function mostPrecise(tags: string[], prefix?: "v" | ""): string | undefined {
  const ranked = tags
    .map((tag) => ({ tag, v: parseVersion(tag) }))
    .filter((t): t is { tag: string; v: Version } => t.v !== undefined)
    .sort((a, b) => b.v.parts.length - a.v.parts.length || Number(b.v.prefix === prefix) - Number(a.v.prefix === prefix) || compareParts(b.v.parts, a.v.parts));
  return ranked[0]?.tag;
}

/** Every tag that points at `sha`. */
export function tagsAt(refs: Refs, sha: string): string[] {
  return [...refs.tags].filter(([, s]) => s === sha).map(([t]) => t);
}

/** The tag named by a version comment, in either spelling (`# 7.0.1` and `# v7.0.1` name one release). */
export function findTag(refs: Refs, version: string): string | undefined {
  if (refs.tags.has(version)) return version;
  const other = version.startsWith("v") ? version.slice(1) : `v${version}`;
  return refs.tags.has(other) ? other : undefined;
}
