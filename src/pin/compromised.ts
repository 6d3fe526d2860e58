import type { PinsData } from "../pins.js";
import { badRefs } from "../validate/advisories.js";
import { compareParts, parseRelease, parseVersion } from "./tags.js";

const TRIVY_ACTION = "aquasecurity/trivy-action";

type Known = Partial<PinsData["knownCompromised"]> | undefined;

/** A `vX.Y` pattern with `x`/`y` wildcards as a RegExp (`0.x.y` -> /^0\.\d+\.\d+$/). */
const pattern = (p: string) => new RegExp(`^${p.replace(/\./g, "\\.").replace(/\b[xy]\b/g, "\\d+")}$`);

/**
 * Why tag `tag` (at commit `sha`) of `repo` must not be pinned, from `knownCompromised`, or undefined when
 * it may be. refsThatNoLongerResolve entries are "owner/repo@A .. B", "owner/repo@0.x.y (...)" or
 * "owner/repo@tag"; trivyActionRecentTags holds the verified commit of each recent trivy-action tag, so a
 * tag that points elsewhere was moved (the March 2026 attack). Shared with `npm run pins:refresh`.
 */
export function refusal(known: Known, repo: string, tag: string, sha: string): string | undefined {
  repo = repo.toLowerCase();
  if (repo === TRIVY_ACTION && !tag.startsWith("v")) return "trivy-action tags without a v prefix were force-pushed in March 2026";
  const verified = repo === TRIVY_ACTION ? known?.trivyActionRecentTags?.[tag]?.sha : undefined;
  if (verified && verified !== sha) return `${tag} points to ${sha}, not to its verified commit ${verified}`;
  for (const entry of known?.refsThatNoLongerResolve ?? []) {
    const m = /^(\S+?)@(\S+)(?: \.\. (\S+))?/.exec(entry);
    if (!m?.[2] || m[1]?.toLowerCase() !== repo) continue;
    const [, , from, to] = m;
    if (tag === /except ([^)\s,]+)/.exec(entry)?.[1]) continue;
    const v = parseRelease(tag);
    const lo = parseRelease(from);
    const hi = to ? parseRelease(to) : undefined;
    const listed = to ? Boolean(v && lo && hi && v.prefix === lo.prefix && compareParts(v.parts, lo.parts) >= 0 && compareParts(v.parts, hi.parts) <= 0) : pattern(from).test(tag);
    if (listed) return `listed in knownCompromised: "${entry}"`;
  }
  return undefined;
}

/** `refusal`, plus the advisories against a version's code (CVE-2026-26189 in trivy-action 0.31.0-0.33.1). */
export function compromised(pins: PinsData, repo: string, tag: string, sha: string): string | undefined {
  const why = refusal(pins.knownCompromised, repo, tag, sha);
  if (why) return why;
  if (!parseVersion(tag)) return undefined;
  return badRefs(pins).find((b) => b.kind === "advisory" && b.action === repo.toLowerCase() && b.test(tag))?.why;
}
