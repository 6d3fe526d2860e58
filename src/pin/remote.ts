import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Deps } from "../deps.js";
import type { PinsData } from "../pins.js";
import { parseLsRemote, type Refs } from "./tags.js";

export type Failed = { error: string };
export const failed = (x: unknown): x is Failed => typeof x === "object" && x !== null && "error" in x;

/** Where tags, their dates and the history of an action's repository come from. */
export interface RefSource {
  /** False for `--offline`: the refs are only what data/pins.json knows, so "not found" means "not known". */
  complete: boolean;
  refs(repo: string): Promise<Refs | Failed>;
  /** When each tag was made (unix seconds): the tagger date of an annotated tag, else its commit's committer date. */
  dates(repo: string, tags: string[]): Promise<Map<string, number> | Failed>;
  /** Is `sha` in the history of a branch or tag of `repo` itself (not only reachable through a fork)? */
  reachable(repo: string, sha: string): Promise<boolean | Failed>;
  dispose(): void;
}

// Never a token: no credential helper, and an askpass that answers nothing, so a private or missing
// repository fails at once instead of prompting (issue 14: resolution needs no token).
const NO_CREDENTIALS = ["-c", "credential.helper=", "-c", "core.askPass=true"];

/**
 * The actions' public repositories over git (`https://github.com/OWNER/REPO`, which git's own
 * `url.<base>.insteadOf` can point elsewhere). `git ls-remote` has no API rate limit; each repository is
 * asked once per run.
 *
 * Dates: ls-remote gives none, and the API needs a token to be usable at any volume. A shallow fetch of
 * just the tag refs (`--depth=1 --filter=tree:0`: the tag objects and their commits, no trees or files)
 * into a temporary bare repository gives git's own record, read with `%(creatordate)`. That date is what
 * the publisher's git wrote, so it can be forged; it is the same clock Renovate's minimum release age
 * reads for tags, and a hijacker who back-dates a tag still has to wait out a moved-tag report.
 */
export function gitSource(deps: Pick<Deps, "exec">, base = "https://github.com"): RefSource {
  const cache = new Map<string, Promise<Refs | Failed>>();
  const scratch: string[] = [];
  const url = (repo: string) => `${base}/${repo}`;
  const git = async (args: string[], cwd?: string): Promise<{ out: string } | Failed> => {
    const r = await deps.exec("git", [...NO_CREDENTIALS, ...args], { ...(cwd ? { cwd } : {}), timeoutMs: 120_000 });
    const why = r.failed ?? (r.exitCode !== 0 ? lastLine(r.stderr) || `git exited ${r.exitCode}` : undefined);
    return why === undefined ? { out: r.stdout } : { error: why };
  };
  const bare = async (): Promise<string | Failed> => {
    const dir = mkdtempSync(join(tmpdir(), "relay-security-pin-"));
    scratch.push(dir);
    const r = await git(["init", "-q", "--bare", dir]);
    return failed(r) ? r : dir;
  };
  return {
    complete: true,
    refs(repo) {
      const key = repo.toLowerCase();
      let p = cache.get(key);
      if (!p) {
        p = git(["ls-remote", "--tags", "--heads", url(repo)]).then((r) => (failed(r) ? { error: `git ls-remote ${url(repo)}: ${r.error}` } : parseLsRemote(r.out)));
        cache.set(key, p);
      }
      return p;
    },
    async dates(repo, tags) {
      if (tags.length === 0) return new Map();
      const dir = await bare();
      if (failed(dir)) return dir;
      const specs = tags.map((t) => `+refs/tags/${t}:refs/tags/${t}`);
      const f = await git(["-C", dir, "fetch", "-q", "--depth=1", "--filter=tree:0", "--no-tags", url(repo), ...specs]);
      if (failed(f)) return { error: `git fetch ${url(repo)}: ${f.error}` };
      const r = await git(["-C", dir, "for-each-ref", "--format=%(refname:strip=2) %(creatordate:unix)", "refs/tags"]);
      if (failed(r)) return r;
      return new Map(r.out.split("\n").flatMap((l) => {
        const m = /^(\S+) (\d+)$/.exec(l.trim());
        return m?.[1] && m[2] ? [[m[1], Number(m[2])] as const] : [];
      }));
    },
    async reachable(repo, sha) {
      // GitHub serves any commit of the fork network by SHA, so fetching the SHA proves nothing. Fetch the
      // repository's own branches and tags (commits only) and look for the SHA among what came.
      const dir = await bare();
      if (failed(dir)) return dir;
      const f = await git(["-C", dir, "fetch", "-q", "--filter=tree:0", "--no-tags", url(repo), "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]);
      if (failed(f)) return { error: `git fetch ${url(repo)}: ${f.error}` };
      // Not `cat-file -e`: in a partial clone a missing object is fetched on demand, by SHA, which is
      // exactly how an impostor commit arrives. The commit list of every ref needs nothing fetched.
      const r = await git(["-C", dir, "rev-list", "--all"]);
      if (failed(r)) return r;
      return r.out.split("\n").includes(sha);
    },
    dispose() {
      for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** `--offline`: the tags data/pins.json records (its `actions` and the verified trivy-action tags), nothing else. */
export function offlineSource(pins: PinsData): RefSource {
  const offline = { error: "offline: not checked (run without --offline)" };
  return {
    complete: false,
    async refs(repo) {
      const key = repo.toLowerCase();
      const tags = new Map<string, string>();
      for (const [action, pin] of Object.entries(pins.actions)) if (action.toLowerCase().split("/").slice(0, 2).join("/") === key) tags.set(pin.tag, pin.sha);
      if (key === "aquasecurity/trivy-action") for (const [tag, t] of Object.entries(pins.knownCompromised.trivyActionRecentTags)) tags.set(tag, t.sha);
      return tags.size ? { tags, heads: new Map() } : { error: `offline: ${repo} is not in data/pins.json` };
    },
    async dates(_repo, tags) {
      // Every tag in the data existed when it was read (`_refreshed`): at least that old.
      const at = pins._refreshed ? Date.parse(`${pins._refreshed}T00:00:00Z`) / 1000 : NaN;
      return Number.isNaN(at) ? offline : new Map(tags.map((t) => [t, at]));
    },
    async reachable() {
      return offline;
    },
    dispose() {},
  };
}

function lastLine(s: string): string {
  return s.trim().split("\n").filter(Boolean).at(-1)?.trim() ?? "";
}
