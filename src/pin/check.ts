import type { PinsData } from "../pins.js";
import type { Finding } from "../types.js";
import { compromised } from "./compromised.js";
import { failed, type RefSource } from "./remote.js";
import { SHA, type Site } from "./sites.js";
import { findTag, tagsAt } from "./tags.js";

export const PIN_FIX = "npx create-relay-security pin";

/**
 * `pin --check` for one `uses:`: a full SHA whose comment names a tag that points at that SHA, a SHA in
 * the history of the action's own repository (not a fork's commit served through the fork network: an
 * impostor commit), and no known-compromised ref. What cannot be verified (offline, unreachable) is a
 * `skipped` finding that says why, never a silent pass.
 */
export async function checkSite(site: Site, pins: PinsData, source: RefSource): Promise<Finding[]> {
  const at = (rule: string, severity: Finding["severity"], message: string, hint?: string): Finding => ({ file: site.file, line: site.line, rule: `pin/${rule}`, severity, message, ...(hint ? { hint } : {}) });
  const t = site.target;
  if (t.kind === "docker") return t.digest ? [] : [at("unpinned", "error", `${site.value} is not pinned by digest; a tag can be re-pushed`, PIN_FIX)];
  if (!SHA.test(t.ref)) return [at("unpinned", "error", `${t.action}@${t.ref} is a tag or branch, which can be moved to other code; pin the commit`, PIN_FIX)];
  const sha = t.ref;
  const out: Finding[] = [];
  const version = site.version;
  const refs = await source.refs(t.repo);
  for (const tag of new Set([...(version ? [version] : []), ...(failed(refs) ? [] : tagsAt(refs, sha))])) {
    const why = compromised(pins, t.repo, tag, sha);
    if (why) out.push(at("compromised", "error", `${t.action}@${sha.slice(0, 12)}… (${tag}): ${why}`, PIN_FIX + " --update"));
  }
  if (failed(refs)) return [...out, at("unverified", "skipped", `${t.action}@${sha.slice(0, 12)}…: could not read its tags: ${refs.error}`)];

  if (!version) out.push(at("comment", "error", `${t.action}@${sha.slice(0, 12)}… has no "# vX.Y.Z" comment on its line, so Renovate cannot update it`, PIN_FIX));
  else {
    const tag = findTag(refs, version);
    const here = tagsAt(refs, sha);
    if (!tag) {
      if (source.complete) out.push(at("comment", "error", `the comment says ${version}, but ${t.repo} has no tag ${version}`, PIN_FIX));
      else out.push(at("unverified", "skipped", `${version} of ${t.repo} is not in data/pins.json, so the comment was not checked (offline)`));
    } else if (refs.tags.get(tag) !== sha) {
      const is = here.length ? `it is ${here.join(" / ")}` : "no tag points at it";
      out.push(at("comment", "error", `the comment says ${version}, but ${tag} points at ${refs.tags.get(tag)?.slice(0, 12)}, not at ${sha.slice(0, 12)} (${is}); Renovate trusts the comment`, PIN_FIX));
    }
  }
  const tip = [...refs.tags.values(), ...refs.heads.values()].includes(sha);
  if (!tip) {
    const r = await source.reachable(t.repo, sha);
    if (failed(r)) out.push(at("unverified", "skipped", `${sha.slice(0, 12)} is no tag's or branch tip's commit in ${t.repo}, and its history could not be read: ${r.error}`));
    else if (!r) {
      out.push(at("impostor", "error", `${sha.slice(0, 12)} is on no branch or tag of ${t.repo}: a commit from a fork, which GitHub serves through the fork network under the action's name (an impostor commit)`, PIN_FIX));
    }
  }
  return out;
}
