import type { PinsData } from "../pins.js";
import type { Finding } from "../types.js";
import { badRefs, versionParts, type BadRef } from "./advisories.js";
import { scanWorkflow, type RunScript, type UsesSite } from "./workflow-uses.js";

const SHA = /^[0-9a-f]{40}$/;
const REMOTE = /^([^/\s@]+)\/([^/\s@]+)(\/[^@\s]*)?@(\S+)$/;
// What Renovate reads as the version of a SHA pin: `# v1.2.3`, `# 1.2.3`, `# tag=v1.2.3`.
export const VERSION_COMMENT = /^(?:tag\s*=\s*)?@?(v?\d+(?:\.\d+){0,2}(?:-[\w.]+)?)(?:\s|$)/;
const TRIVY_INSTALLERS = new Set(["aquasecurity/trivy-action", "aquasecurity/setup-trivy"]);
const GO_INSTALL_UNPINNED = /\bgo\s+(?:install|run)\s[^\n;&|#]*?@(latest|master|main)\b/g;

interface KnownTag {
  tag: string;
  sha: string;
  defaultTrivy?: string | null;
}

/**
 * Check every `uses:` and `run:` in the given workflow texts against the pin rules: full commit SHA with
 * a same-line version comment, nothing known-compromised, no `latest` Trivy, the same SHA for an action
 * in every file, pinned `go install`s. See "Validation" in PRODUCT.md.
 */
export function lintPins(files: { path: string; text: string }[], pins: PinsData): Finding[] {
  const findings: Finding[] = [];
  const ctx = { bad: badRefs(pins), known: knownTags(pins), compromisedTrivy: new Set(pins.knownCompromised.trivyVersions.map(bare)) };
  const first = new Map<string, { sha: string; site: UsesSite }>();
  for (const f of files) {
    const wf = scanWorkflow(f.path, f.text);
    for (const e of wf.errors) {
      findings.push({ file: f.path, ...(e.line ? { line: e.line } : {}), rule: "pins/yaml", severity: "error", message: `cannot check pins, the file does not parse: ${e.message}` });
    }
    for (const site of wf.uses) {
      const at = (rule: string, severity: Finding["severity"], message: string, hint?: string, line = site.line): Finding => ({
        file: site.file, line, ...(line === site.line ? { column: site.column } : {}), rule: `pins/${rule}`, severity, message, ...(hint ? { hint } : {}),
      });
      findings.push(...checkUses(site, ctx, at));
      const m = REMOTE.exec(site.value);
      const sha = m?.[4]?.toLowerCase();
      if (!m || !sha || !SHA.test(sha)) continue;
      const repo = `${m[1]}/${m[2]}`.toLowerCase();
      const prev = first.get(repo);
      if (!prev) first.set(repo, { sha, site });
      else if (prev.sha !== sha) {
        findings.push(at("consistent", "warning", `${m[1]}/${m[2]} is pinned at ${sha.slice(0, 12)} here but at ${prev.sha.slice(0, 12)} in ${prev.site.file}:${prev.site.line}; pin the same commit everywhere`));
      }
    }
    for (const run of wf.runs) findings.push(...checkRun(run));
  }
  return findings;
}

type At = (rule: string, severity: Finding["severity"], message: string, hint?: string, line?: number) => Finding;
interface Ctx {
  bad: BadRef[];
  known: Map<string, KnownTag[]>;
  compromisedTrivy: Set<string>;
}

function checkUses(site: UsesSite, ctx: Ctx, at: At): Finding[] {
  const out: Finding[] = [];
  const v = site.value;
  if (v.startsWith("./")) return out; // a local action or workflow: versioned with this repo
  if (v.startsWith("docker://")) {
    if (!/@sha256:[0-9a-f]{64}$/.test(v)) out.push(at("docker-digest", "warning", `${v} is not pinned by digest; a tag can be re-pushed`, `${v.replace(/@.*$/, "")}@sha256:<digest>`));
    return out;
  }
  const m = REMOTE.exec(v);
  if (!m?.[4]) {
    out.push(at("ref", "error", `uses: ${v} is not owner/repo[/path]@ref`));
    return out;
  }
  const action = `${m[1]}/${m[2]}${m[3] ?? ""}`;
  const key = action.toLowerCase();
  const repoKey = `${m[1]}/${m[2]}`.toLowerCase();
  const ref = m[4];
  const known = ctx.known.get(key) ?? ctx.known.get(repoKey) ?? [];
  const pinned = known[0];
  const suggestion = pinned ? `uses: ${action}@${pinned.sha} # ${pinned.tag}` : undefined;
  const badFor = (tag: string, kinds: BadRef["kind"][]) => ctx.bad.filter((b) => b.action === repoKey && kinds.includes(b.kind) && b.test(tag));

  let tagsOfSha: KnownTag[] = [];
  const whys = new Set<string>();
  if (!SHA.test(ref)) {
    const what = /^[0-9a-f]{7,39}$/.test(ref) ? "a short SHA (ambiguous, and Renovate cannot update it)" : "a tag or branch, which can be moved to other code";
    // Our one pin of the action is only the fix in the ref's own major (issue 14): `@v4` is not v7.0.1.
    const sameMajor = pinned !== undefined && versionParts(ref)?.[0] === versionParts(pinned.tag)?.[0];
    out.push(at("sha", "error", `${action}@${ref} is ${what}; pin the full 40-character commit SHA`, sameMajor ? suggestion : "npx create-relay-security pin"));
    for (const b of badFor(ref, ["gone", "advisory"])) out.push(at("compromised", "error", `${action}@${ref}: ${b.why}`, suggestion));
  } else {
    tagsOfSha = known.filter((k) => k.sha === ref);
    const version = site.comment === undefined ? undefined : VERSION_COMMENT.exec(site.comment)?.[1];
    if (version === undefined) {
      const above = site.commentAbove !== undefined && VERSION_COMMENT.test(site.commentAbove);
      const hint = above ? "move the version onto the uses: line: Renovate only reads a comment on the same line" : tagsOfSha[0] ? `${v} # ${tagsOfSha[0].tag}` : `${v} # vX.Y.Z`;
      out.push(at("version-comment", "error", `${action}@${ref.slice(0, 12)}… has no "# vX.Y.Z" comment on the same line, so Renovate cannot update it`, hint));
    } else {
      for (const b of badFor(version, ["gone", "advisory"])) {
        out.push(at("compromised", "error", `${action} ${version}: ${b.why}`, suggestion));
        whys.add(b.why);
      }
      // `# 7.0.1` and `# v7.0.1` name the same release; which spelling exists as a tag is the data's business.
      const shaTags = tagsOfSha.map((k) => k.tag);
      const tagSha = known.find((k) => bare(k.tag) === bare(version))?.sha;
      if (shaTags.length > 0 && !shaTags.some((t) => bare(t) === bare(version))) {
        out.push(at("version-mismatch", "warning", `the comment says ${version} but ${ref.slice(0, 12)} is ${shaTags.join(" / ")} in data/pins.json; Renovate trusts the comment`, `${v} # ${shaTags[0]}`));
      } else if (tagSha && tagSha !== ref) {
        out.push(at("version-mismatch", "warning", `the comment says ${version} but data/pins.json has ${version} at ${tagSha.slice(0, 12)}; this SHA is not that tag's commit (check it is not a rewritten one)`, suggestion));
      }
    }
    // SHA pins survive tag rewrites, but not advisories against the code they point to.
    for (const t of tagsOfSha) {
      for (const b of badFor(t.tag, ["advisory"]).filter((b) => !whys.has(b.why))) {
        out.push(at("compromised", "error", `${action}@${ref.slice(0, 12)}… is ${t.tag}: ${b.why}`, suggestion));
        whys.add(b.why);
      }
    }
  }
  if (TRIVY_INSTALLERS.has(key)) out.push(...checkTrivyVersion(site, key, tagsOfSha, ctx, at));
  return out;
}

function checkTrivyVersion(site: UsesSite, key: string, tagsOfSha: KnownTag[], ctx: Ctx, at: At): Finding[] {
  const out: Finding[] = [];
  if (site.version) {
    const { value, line } = site.version;
    if (value.trim().toLowerCase() === "latest") {
      out.push(at("trivy-version", "error", `${key} version: latest installs whatever Trivy is newest when the job runs (v0.69.4 was a malicious release); pin a version`, "version: vX.Y.Z", line));
    } else if (ctx.compromisedTrivy.has(bare(value))) {
      out.push(at("trivy-version", "error", `Trivy ${value} is a known-malicious release (March 2026, GHSA-69fq-xp46-6x23); pin a clean version`, "version: vX.Y.Z", line));
    }
  } else if (key === "aquasecurity/setup-trivy") {
    out.push(at("trivy-version", "error", "setup-trivy without a version input installs the latest Trivy; pin one with `version:`"));
  } else {
    const dflt = tagsOfSha.find((t) => t.defaultTrivy)?.defaultTrivy;
    if (dflt && ctx.compromisedTrivy.has(bare(dflt))) out.push(at("trivy-version", "error", `this trivy-action installs Trivy ${dflt} by default, a known-malicious release; set version:`));
  }
  return out;
}

function checkRun(run: RunScript): Finding[] {
  return [...run.source.matchAll(GO_INSTALL_UNPINNED)].map((m) => ({
    file: run.file,
    line: run.lineAt(m.index),
    rule: "pins/go-install",
    severity: "error" as const,
    message: `\`${m[0].trim()}\` installs whatever is newest when the job runs; pin @vX.Y.Z`,
    hint: "put the version in an env var with a `# renovate: datasource=go depName=<module>` comment so Renovate updates it",
  }));
}

/** Every tag we know a commit for, per lower-cased action: data/pins.json `actions` plus the trivy-action table. */
function knownTags(pins: PinsData): Map<string, KnownTag[]> {
  const known = new Map<string, KnownTag[]>();
  const add = (action: string, t: KnownTag) => known.set(action.toLowerCase(), [...(known.get(action.toLowerCase()) ?? []), t]);
  for (const [action, pin] of Object.entries(pins.actions)) add(action, { tag: pin.tag, sha: pin.sha });
  for (const [tag, t] of Object.entries(pins.knownCompromised.trivyActionRecentTags)) {
    add("aquasecurity/trivy-action", { tag, sha: t.sha, defaultTrivy: t.defaultTrivy });
  }
  return known;
}

function bare(version: string): string {
  return version.trim().replace(/^v/, "");
}
