/**
 * The Renovate config we write into a user's Go repository (serialised as 2-space JSON with a final
 * newline). The user reads every line, so every rule explains itself in its `description`; the first
 * description line of each rule is its stable name, which is how a re-run finds (and upgrades) our
 * rules inside a config the user owns (merge.ts).
 */
import type { Json } from "./json5-ast.js";
import { JSON_STYLE, serialize } from "./json5-edit.js";

export type Scanner = "trivy" | "grype";

export interface RenovateOptions {
  /** The label our Renovate PRs carry. */
  label: string;
  scanner: Scanner;
}

export interface RenovateRule {
  description: string[];
  [key: string]: unknown;
}

export interface RenovateConfig {
  $schema: string;
  description: string[];
  extends: string[];
  packageRules: RenovateRule[];
  customManagers: RenovateRule[];
}

/** Every rule and custom manager we add starts its description with this. */
export const RULE_PREFIX = "relay-security: ";

/**
 * The marker a workflow line needs for the custom manager below: the comment on the line right above
 * a `KEY: value` (YAML) or `KEY=value` (shell) line. `datasource` and `depName` are Renovate's
 * (https://docs.renovatebot.com/modules/datasource/); an optional ` versioning=NAME` may follow.
 */
export const MARKERS = {
  trivy: "# renovate: datasource=github-releases depName=aquasecurity/trivy",
  grype: "# renovate: datasource=github-releases depName=anchore/grype",
  // The go datasource wants the module path, not the package path .../cmd/govulncheck.
  govulncheck: "# renovate: datasource=go depName=golang.org/x/vuln",
  // The version of this tool that relay-security-check.yml runs (issue 13, item 2).
  self: "# renovate: datasource=npm depName=create-relay-security",
} as const;

/**
 * The custom manager's regex. RE2 syntax (no lookaround, no backreferences): Renovate runs regexes
 * with RE2. The value may be quoted; the marker's line and the value's line may end in CRLF.
 */
export const MARKER_REGEX =
  "# renovate: datasource=(?<datasource>[a-z-]+) depName=(?<depName>[^\\s]+)(?: versioning=(?<versioning>[^\\s]+))?\\s*\\n[ \\t]*[A-Za-z0-9_-]+[ \\t]*[:=][ \\t]*[\"']?(?<currentValue>[^\\s\"'#]+)";

/** The dependencies that make up each scanner setup (action, binary, govulncheck). */
export const SCANNER_DEPS: Record<Scanner, string[]> = {
  trivy: ["aquasecurity/trivy-action", "aquasecurity/trivy", "golang.org/x/vuln"],
  grype: ["anchore/scan-action", "anchore/grype", "golang.org/x/vuln"],
};

const HIJACK =
  "In March 2026 attackers force-pushed 75 of the 76 aquasecurity/trivy-action tags to credential-stealing commits and published a malicious Trivy v0.69.4; a release that is a week old has had time to be found out.";

/** The Renovate config for a user's repository. Pure: the same options give the same object. */
export function renderRenovateConfig(opts: RenovateOptions): RenovateConfig {
  const scannerNames = opts.scanner === "trivy" ? "trivy-action, the Trivy version it installs" : "anchore/scan-action, the Grype version it installs";
  return {
    $schema: "https://docs.renovatebot.com/renovate-schema.json",
    description: [
      "Written by relay-security (npm create relay-security): keeps the SHA-pinned actions, the Dockerfile base images, go.mod and the scanner versions current.",
      `Its rules are the ones whose description starts with "${RULE_PREFIX.trim()}"; a re-run updates those and keeps everything else you add.`,
      "extends: config:recommended is Renovate's own baseline (Dependency Dashboard, vendor/ and test fixtures ignored, known workarounds); the two helpers keep every action and base image pinned by digest, with a full vX.Y.Z version comment next to an action's SHA.",
    ],
    extends: ["config:recommended", "helpers:pinGitHubActionDigestsToSemver", "docker:pinDigests"],
    // No top-level `labels`: that would label every dependency PR of the repository (issue 13, item 8).
    // Each of our rules adds the label to the PRs it makes, and only to those.
    packageRules: [
      {
        description: [
          `${RULE_PREFIX}GitHub Actions`,
          "Each action stays pinned to a commit SHA with its `# vX.Y.Z` comment on the same line; Renovate moves both together (it ignores a bare SHA without the comment).",
          `A new release waits 7 days before it is proposed. ${HIJACK}`,
        ],
        matchManagers: ["github-actions"],
        minimumReleaseAge: "7 days",
        addLabels: [opts.label],
      },
      {
        description: [
          `${RULE_PREFIX}moved action tags`,
          "A version tag that now points to another commit is not an update: it is what a hijacked tag looks like, and its commit date can be forged, so waiting does not help. Never proposed; move such a pin by hand after checking the commit.",
        ],
        matchManagers: ["github-actions"],
        matchUpdateTypes: ["digest"],
        enabled: false,
      },
      {
        description: [
          `${RULE_PREFIX}Docker base images`,
          "Base images stay pinned by digest. The builder image matters most: the Go standard library in your image is compiled in from it, and go.mod updates do not bring its fixes.",
          "A new tag waits 7 days. Digest-only updates and registries that publish no release date (ghcr.io, gcr.io) have no age to wait for: they are proposed at once instead of being held forever.",
        ],
        matchDatasources: ["docker"],
        minimumReleaseAge: "7 days",
        minimumReleaseAgeBehaviour: "timestamp-optional",
        addLabels: [opts.label],
      },
      {
        description: [
          `${RULE_PREFIX}security scanners`,
          `${scannerNames} and govulncheck move in one pull request, so the PR gate and the scheduled rescan always run the same scanner versions.`,
          "Each release waits 7 days, as actions do: a malicious Trivy v0.69.4 was published in March 2026.",
        ],
        matchDepNames: SCANNER_DEPS[opts.scanner],
        groupName: "security scanners",
        minimumReleaseAge: "7 days",
        addLabels: [opts.label],
      },
      {
        description: [
          `${RULE_PREFIX}relay-security itself`,
          "The create-relay-security version that .github/workflows/relay-security-check.yml runs. Its pull request reports drift until you run `npx create-relay-security@<new version> --yes` on that branch and push: the upgrade then arrives in the same pull request.",
          "A new release waits 7 days, as every other tool here does.",
        ],
        matchDepNames: ["create-relay-security"],
        minimumReleaseAge: "7 days",
        addLabels: [opts.label],
      },
      {
        description: [
          `${RULE_PREFIX}Go modules`,
          "go.mod requirements and its toolchain line, with `go mod tidy` after each update. The go directive (the oldest Go your code supports) is left to you, as Renovate does by default.",
          "A new version waits 7 days, as actions do: a malicious module release has had time to be found out and retracted before it is proposed.",
        ],
        matchManagers: ["gomod"],
        postUpdateOptions: ["gomodTidy"],
        minimumReleaseAge: "7 days",
        addLabels: [opts.label],
      },
    ],
    customManagers: [
      {
        description: [
          `${RULE_PREFIX}version markers in workflows`,
          `Updates the value on the line after a \`# renovate: datasource=NAME depName=NAME\` comment in .github/workflows: the ${opts.scanner === "trivy" ? "trivy-action `version:` input" : "scan-action `grype-version:` input"}, GOVULNCHECK_VERSION and RELAY_SECURITY_VERSION, which no built-in manager sees.`,
        ],
        customType: "regex",
        managerFilePatterns: ["/(^|/)\\.github/workflows/[^/]+\\.ya?ml$/"],
        matchStrings: [MARKER_REGEX],
      },
    ],
  };
}

/**
 * renovate.json's text: 2-space JSON with a final newline, short lists on one line (the same
 * layout a merge uses for the rules it adds to a user's config).
 */
export function renderRenovateJson(opts: RenovateOptions): string {
  return `${serialize(renderRenovateConfig(opts) as unknown as Json, JSON_STYLE, "")}\n`;
}

/** The stable name of one of our rules (the first description line), or undefined for a user's rule. */
export function ruleName(rule: unknown): string | undefined {
  if (typeof rule !== "object" || rule === null) return undefined;
  const d = (rule as { description?: unknown }).description;
  const first = Array.isArray(d) ? d[0] : d;
  return typeof first === "string" && first.startsWith(RULE_PREFIX) ? first : undefined;
}
