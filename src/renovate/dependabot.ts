/**
 * `.github/dependabot.yml` for `--updater dependabot`: github-actions, docker and gomod, weekly, with
 * a 7-day cooldown. Dependabot keeps less current than our Renovate config does; DEPENDABOT_LIMITS
 * says what, for the README and the report.
 */
export interface DependabotOptions {
  /** The label Dependabot's PRs carry (GitHub applies only labels that exist; the scan workflow creates it). */
  label: string;
  /** The directory of the Dockerfile, Dependabot style: "/" or "/build". */
  dockerDirectory: string;
  /** The directory of go.mod (default "/"). */
  goModDirectory?: string;
}

/** YAML double-quoted scalar (a JSON string is one). */
const q = (s: string) => JSON.stringify(s);

/** Dependabot wants "/" or "/dir", no trailing slash. */
function dir(d: string | undefined): string {
  const clean = `/${(d ?? "/").replace(/^\.?\/*/, "").replace(/\/+$/, "")}`;
  return clean === "/." ? "/" : clean;
}

/** The dependabot.yml text; the same options give the same bytes. */
export function renderDependabot(opts: DependabotOptions): string {
  // A custom list replaces Dependabot's own labels, so `dependencies` is listed again (issue 13, item 8).
  // Dependabot applies only labels that exist: DEPENDABOT_LABEL_NOTE says so in the plan.
  const labels = opts.label === "dependencies" ? [opts.label] : ["dependencies", opts.label];
  const label = `    labels:\n${labels.map((l) => `      - ${q(l)}\n`).join("")}`;
  // cooldown: only default-days; the github-actions ecosystem rejects the semver-*-days keys.
  const cooldown = "    cooldown:\n      default-days: 7\n";
  return `# Written by relay-security (npm create relay-security); a re-run keeps it in line with the templates.
# Dependabot opens weekly pull requests for the pinned actions, the Dockerfile base images and go.mod.
# Every update waits 7 days after its release (cooldown): in March 2026 attackers force-pushed 75 of
# the 76 aquasecurity/trivy-action tags to credential-stealing commits, and a release that is a week
# old has had time to be found out. The cooldown applies to version updates, not security updates.
# What Dependabot cannot do (Renovate can): see the "Dependabot" section of the relay-security README.
version: 2
updates:
  # Actions pinned as \`uses: owner/repo@<sha> # vX.Y.Z\`: Dependabot moves the SHA and the comment.
  - package-ecosystem: github-actions
    # The workflows, and the pins inside our database action (a composite action in a folder of its
    # own, which Dependabot reads only when it is listed).
    directories:
      - "/"
      - "/.github/actions/relay-security-db"
    schedule:
      interval: weekly
${cooldown}${label}    groups:
      # The scanner actions in one pull request, so the PR gate and the rescan stay on one version.
      security-scanners:
        patterns:
          - "aquasecurity/*"
          - "anchore/*"

  # Base images, digests included. The builder image matters most: the Go standard library in your
  # image is compiled in from it, and go.mod updates do not bring its fixes.
  - package-ecosystem: docker
    directory: ${q(dir(opts.dockerDirectory))}
    schedule:
      interval: weekly
${cooldown}${label}
  # go.mod requirements (and go.sum).
  - package-ecosystem: gomod
    directory: ${q(dir(opts.goModDirectory))}
    schedule:
      interval: weekly
${cooldown}${label}`;
}

/**
 * For the plan: what Dependabot does with labels. It adds a label to its pull requests only when the
 * label exists in the repository (it does not create custom labels), and a `labels:` list replaces
 * its default `dependencies` label, which is why ours lists `dependencies` as well.
 */
export function dependabotLabelNote(label: string): string {
  return `.github/dependabot.yml: Dependabot adds the label "${label}" to its pull requests only once the label exists in the repository (the rescan creates it the first time it files an issue; create it now with \`gh label create "${label}"\`). A labels list replaces Dependabot's own "dependencies" label, so the file lists "dependencies" too.`;
}

/** README-ready Markdown: what Dependabot leaves to you, and what to do about it. */
export const DEPENDABOT_LIMITS = `### Dependabot: what it does not do

\`--updater dependabot\` writes a \`.github/dependabot.yml\` that keeps the pinned actions, the Dockerfile
base images (digests included) and \`go.mod\` current, weekly, each update 7 days after its release.
Dependabot keeps less current than the Renovate config does:

- It does not turn a tag into a SHA: a step you add as \`uses: owner/action@v1\` stays on the tag,
  which whoever controls the tag can move (as happened to \`aquasecurity/trivy-action\` in March 2026).
  \`npx create-relay-security check\` flags it; pin it by hand to the commit the tag points to, with \`# vX.Y.Z\`.
- It does not fix a wrong version comment: it moves a SHA and a \`# vX.Y.Z\` comment that matches the
  old version, but a comment that names another version than the SHA stays wrong, and so do later updates.
- It does not update the Trivy \`version:\` input of trivy-action (or scan-action's \`grype-version:\`),
  nor the \`GOVULNCHECK_VERSION\` in the scan workflow: the scanners themselves stay where they are until
  you re-run \`npm create relay-security\` with a newer release of this tool, or edit them by hand.
- It does not update \`RELAY_SECURITY_VERSION\` in \`relay-security-check.yml\` (the version of this tool
  that \`check\` runs): upgrade with \`npx create-relay-security@<new version> --yes\`.
- It adds a label to its pull requests only once the label exists in the repository, and a \`labels:\`
  list replaces its own \`dependencies\` label: ours lists \`dependencies\` too, and the plan says so.
`;

/**
 * What an existing dependabot.yml (kept as it is) leaves out of what relay-security relies on, for the
 * plan: an ecosystem among github-actions, docker and gomod with no entry, an entry without a cooldown,
 * and a github-actions entry that does not read our database action's folder (its pins stay put).
 * Dependabot never reads the `# renovate:` markers, so the scanner versions move only on a re-run.
 */
export function dependabotCoverageNote(path: string, data: unknown): string {
  const updates = typeof data === "object" && data !== null && Array.isArray((data as Record<string, unknown>)["updates"]) ? ((data as Record<string, unknown>)["updates"] as unknown[]) : [];
  const entries = updates.filter((u): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u));
  const of = (eco: string) => entries.filter((e) => e["package-ecosystem"] === eco);
  const wanted: [string, string][] = [["github-actions", "the pinned actions"], ["docker", "the Dockerfile's base images, the builder's Go among them"], ["gomod", "go.mod"]];
  const gaps: string[] = [];
  const missing = wanted.filter(([eco]) => of(eco).length === 0);
  if (missing.length) gaps.push(`no ${missing.map(([eco, what]) => `${eco} entry (${what})`).join(", no ")}`);
  const noCooldown = wanted.filter(([eco]) => of(eco).length > 0 && of(eco).some((e) => e["cooldown"] === undefined)).map(([eco]) => eco);
  if (noCooldown.length) gaps.push(`no cooldown on ${noCooldown.join(", ")} (an update the day it is released, before a hijacked release is found out)`);
  const actions = of("github-actions");
  const dirs = actions.flatMap((e) => [e["directory"], ...(Array.isArray(e["directories"]) ? e["directories"] : [])]).filter((d): d is string => typeof d === "string").map((d) => `/${d.replace(/^\.?\/+/, "").replace(/\/+$/, "")}`);
  if (actions.length > 0 && !dirs.some((d) => d === "/.github/actions/relay-security-db" || /[*]/.test(d))) gaps.push("no /.github/actions/relay-security-db in its github-actions directories (the pins in relay-security's database action stay as written)");
  const kept = gaps.length ? `kept as it is; it has ${gaps.join("; ")}` : "kept as it is; it covers github-actions (our database action's folder too), docker and gomod with a cooldown";
  return `${path}: ${kept}. Dependabot does not read the \`# renovate:\` markers, so the Trivy and govulncheck versions in relay-security's files move when you re-run relay-security.`;
}
