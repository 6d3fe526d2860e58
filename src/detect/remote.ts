/**
 * The GitHub owner and repo of a remote URL, in the forms git writes: https (with or without
 * credentials and `.git`), `git@github.com:o/r.git`, `ssh://git@github.com/o/r`. Undefined for
 * anything that is not github.com (GitHub Enterprise hosts are reported with their host).
 */
export function parseRemote(url: string): { host: string; owner: string; repo: string } | undefined {
  const trimmed = url.trim();
  const scp = trimmed.match(/^[\w.-]+@([\w.-]+):\/?([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/);
  const full = trimmed.match(/^(?:https?|ssh|git):\/\/(?:[^@/]+@)?([\w.-]+)(?::\d+)?\/([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/);
  const m = scp ?? full;
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { host: m[1].toLowerCase(), owner: m[2], repo: m[3] };
}

/** `ghcr.io/<owner>/<repo>`, lower-cased (image names must be). */
export function defaultImageName(remote: { owner: string; repo: string }): string {
  return `ghcr.io/${remote.owner}/${remote.repo}`.toLowerCase().replace(/[^a-z0-9._\/-]/g, "-");
}
