import * as z from "../zod.js";
import { cronProblem } from "../render/schedule.js";
import { SEVERITIES } from "../types.js";

/**
 * The one schema for the answers. Flags, the answers file, prompts and detected defaults all feed it;
 * `resolve.ts` holds the single precedence rule. Values that end up in YAML or in a shell are checked
 * here, with messages that say what is wrong, so templates never see a hostile value.
 */

const noExpression = (what: string) =>
  z.string().check(z.refine((v) => !v.includes("${{") && !v.includes("{{"), `${what} must not contain a GitHub expression ("\${{")`));

/** ghcr.io/owner/repo, docker.io/library/x, registry:5000/a/b — lower case, no tag, no digest. */
export const imageName = z.pipe(
  noExpression("the image name"),
  z.string().check(
    z.regex(
      /^(?:[a-z0-9]+(?:[.-][a-z0-9]+)*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/,
      "the image name must be a lower-case registry path without a tag, such as ghcr.io/owner/repo",
    ),
  ),
);

/** A repo-relative path: forward slashes, no `..`, no shell or YAML surprises. */
export const repoPath = (what: string) =>
  z.string().check(
    z.minLength(1, `${what} must not be empty`),
    z.regex(/^[A-Za-z0-9._\/@+-]+$/, `${what} may only contain letters, digits and . _ / @ + -`),
    z.refine((v) => !v.split("/").includes("..") && !v.startsWith("/"), `${what} must stay inside the repository`),
  );

/**
 * `--build-arg KEY=VALUE` (repeatable): a value the image build needs that CI passes and we cannot read,
 * such as the real value of `ARG BUILD_IMAGE=placeholder`. It reaches YAML through `q` and the shell
 * as one quoted word, so only line breaks and GitHub expressions are refused.
 */
export const buildArg = z.pipe(
  noExpression("a --build-arg value"),
  z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*=[^\r\n]*$/, "a build arg must be KEY=VALUE on one line (KEY: letters, digits, _)")),
);

export const branchName = z.string().check(
  z.minLength(1),
  z.regex(/^[A-Za-z0-9._\/-]+$/, "the branch name may only contain letters, digits and . _ / -"),
  z.refine((v) => !v.startsWith("-") && !v.includes(".."), "not a valid branch name"),
);

export const label = z.string().check(
  z.minLength(1, "the label must not be empty"),
  z.maxLength(50, "GitHub labels are at most 50 characters"),
  z.regex(/^[A-Za-z0-9 ._:\/-]+$/, "the label may only contain letters, digits, spaces and . _ : / -"),
  // It reaches `gh label create <label>`: a leading dash would be read as an option (issue 11).
  z.refine((v) => v.trim() !== "", "the label must not be blank"),
  z.refine((v) => !v.startsWith("-"), "the label must not start with - (gh would read it as an option)"),
  z.refine((v) => v === v.trim(), "the label must not start or end with a space"),
);

const cronField = /^(\*|\d{1,2}(-\d{1,2})?)(\/\d{1,2})?(,(\*|\d{1,2}(-\d{1,2})?)(\/\d{1,2})?)*$/;

/** `daily`, `weekly`, or a five-field cron expression (UTC, as GitHub runs it) that does not fire at minute 0. */
export const schedule = z.string().check(z.superRefine((v, ctx) => {
  if (v === "daily" || v === "weekly") return;
  const fields = v.trim().split(/\s+/);
  if (fields.length !== 5 || !fields.every((f, i) => cronField.test(f) || (i >= 3 && /^[A-Za-z0-9,*\/-]+$/.test(f)))) {
    ctx.addIssue({ code: "custom", message: `"${v}" is not daily, weekly or a five-field cron expression such as "17 4 * * *"` });
    return;
  }
  if (fields[0] === "0" || fields[0] === "*" || fields[0]?.startsWith("*/") || fields[0]?.split(",").includes("0")) {
    ctx.addIssue({
      code: "custom",
      message: `the cron minute "${fields[0]}" fires at :00 (or every minute); GitHub's scheduler is busiest on the hour and drops runs, pick a minute such as 17`,
    });
    return;
  }
  const problem = cronProblem(fields.join(" "));
  if (problem) ctx.addIssue({ code: "custom", message: `"${v}": ${problem}` });
}));

export const severity = z.pipe(
  z.pipe(
    // Typed as the levels the next schema checks them to be (zod/mini's pipe wants the types to meet).
    z.pipe(z.string(), z.transform((v: string) => v.split(",").map((s) => s.trim().toUpperCase()).filter(Boolean) as (typeof SEVERITIES)[number][])),
    z.array(z.enum(SEVERITIES, { message: `severity must be a comma-separated list of ${SEVERITIES.join(", ")}` })).check(z.minLength(1, "severity must name at least one level")),
  ),
  z.transform((list: (typeof SEVERITIES)[number][]) => SEVERITIES.filter((s) => list.includes(s)).join(",")),
);

export const answersSchema = z
  .object({
  image: imageName,
  dockerfile: z.optional(repoPath("the Dockerfile path")),
  context: repoPath("the build context"),
  branch: branchName,
  schedule,
  severity,
  label,
  updater: z.enum(["renovate", "dependabot", "none"], { message: "updater must be renovate, dependabot or none" }),
  scanner: z.enum(["trivy", "grype"], { message: "scanner must be trivy or grype" }),
  imageScan: z.boolean(),
  sarif: z.boolean(),
  /** Issue 17: govulncheck's OpenVEX quiets the gate on Go module findings whose code is never called. */
  reachability: z._default(z.boolean(), false),
  /**
   * Issue 20 item 8: where the rescan reports. `issues` files GitHub issues (public in a public
   * repository); `code-scanning` uploads SARIF to the repository's security tab instead, and no issue is filed.
   */
  // Defaults here too, so answers recorded before these existed (and callers that omit them) still parse.
  report: z._default(z.enum(["issues", "code-scanning"], { message: "report must be issues or code-scanning" }), "issues"),
  /** Issue 20 item 7: the gate's scanner runs in its own job with no token, not in the user's build job. */
  isolatedScan: z._default(z.boolean(), false),
  workflow: z.optional(repoPath("the workflow path")),
  buildArgs: z.optional(z.array(buildArg)),
  /**
   * Trivy's ignore file: the commented plain `.trivyignore`, or Trivy's YAML format (`statement` is the
   * WHY, `expired_at` the expiry), which trivy-action passes as is (issue 13, item 7).
   */
  trivyignore: z._default(z.enum([".trivyignore", ".trivyignore.yaml"], { message: "the Trivy ignore file must be .trivyignore or .trivyignore.yaml" }), ".trivyignore"),
  /** Write `.github/workflows/relay-security-check.yml`, which runs `check` on pull requests (issue 13, item 2). */
  checkWorkflow: z._default(z.boolean(), true),
  /** step-security/harden-runner, egress audit, first in each job we write (issue 13, item 9). */
  hardenRunner: z._default(z.boolean(), false),
  /** Pin the Dockerfile's FROM lines by digest, resolved from their registries (issue 13, item 9). */
  pinBaseImages: z._default(z.boolean(), false),
  dbRepository: z.optional(z.string()),
  })
  .check(
  z.refine((a) => !a.imageScan || a.dockerfile !== undefined, {
    path: ["dockerfile"],
    message: "the image scan needs a Dockerfile; pass --dockerfile PATH, or --no-image-scan for a govulncheck-only setup",
  }),
  z.superRefine((a, ctx) => {
    if (a.reachability && (!a.imageScan || a.scanner !== "trivy")) {
      ctx.addIssue({
        code: "custom",
        path: ["reachability"],
        message: !a.imageScan
          ? "--reachability quiets the image gate, and --no-image-scan has none; drop one of them"
          : "--reachability is available with --scanner trivy only: it hands govulncheck's OpenVEX to Trivy, whose matching of Go binaries in an image it was tested against",
      });
    }
    if (a.isolatedScan && a.reachability) {
      ctx.addIssue({
        code: "custom",
        path: ["isolatedScan"],
        message: "--isolated-scan cannot be combined with --reachability yet: the OpenVEX steps run next to the scan, and the isolated scan job has no Go toolchain set up for them; drop one of them",
      });
    }
    if (a.report === "code-scanning" && a.scanner === "grype") {
      ctx.addIssue({
        code: "custom",
        path: ["report"],
        message:
          "--report code-scanning is not available with --scanner grype: anchore/scan-action's SARIF lists every match whatever its severity, so code scanning would show alerts the policy allows; use --scanner trivy, or --report issues",
      });
    }
  }),
  z.superRefine((a, ctx) => {
    if (a.dbRepository === undefined) return;
    const problem = dbRepositoryProblem(a.scanner, a.dbRepository);
    if (problem) ctx.addIssue({ code: "custom", path: ["dbRepository"], message: problem });
  }),
  z.superRefine((a, ctx) => {
    if (a.scanner !== "grype") return;
    if (grypeCutoff(a.severity) === undefined) {
      ctx.addIssue({ code: "custom", path: ["severity"], message: grypeSeverityProblem(a.severity) });
    }
    if (a.sarif) {
      ctx.addIssue({
        code: "custom",
        path: ["sarif"],
        message:
          "--sarif is not available with --scanner grype: anchore/scan-action's SARIF lists every match whatever its severity (severity-cutoff only sets the exit code), so code scanning would show alerts the policy allows; drop --sarif, or use --scanner trivy",
      });
    }
  }),
  );

/** An OCI reference Trivy can pull its database from: registry[:port]/path[:tag], lower case. */
const OCI_REF = /^[a-z0-9]+(?:[.-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+(?::[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?$/;

/** Grype's database listing (GRYPE_DB_UPDATE_URL): an https URL without spaces, quotes or expressions. */
const GRYPE_DB_URL = /^https:\/\/[A-Za-z0-9.-]+(?::[0-9]+)?(?:\/[A-Za-z0-9._~%\/-]*)?$/;

/**
 * `--db-repository`: Trivy's `--db-repository` (one or more OCI references, comma-separated, tried in
 * order), or with --scanner grype Grype's db.update-url. Undefined keeps the scanner's own default.
 */
function dbRepositoryProblem(scanner: "trivy" | "grype", value: string): string | undefined {
  if (scanner === "grype") {
    return GRYPE_DB_URL.test(value) ? undefined : `"${value}" is not an https URL of a Grype database listing (Grype's db.update-url), such as https://grype.example.com/databases/v6/latest.json`;
  }
  const refs = value.split(",").map((r) => r.trim());
  const bad = refs.find((r) => !OCI_REF.test(r));
  return bad === undefined ? undefined : `"${bad}" is not an OCI reference Trivy can pull its database from (registry/path[:tag], lower case, comma-separated), such as mirror.example.com/aquasec/trivy-db:2`;
}

/** Grype's `severity-cutoff` for each contiguous list from CRITICAL down (Grype fails on a threshold, not a list). */
const GRYPE_CUTOFFS: Record<string, string> = {
  CRITICAL: "critical",
  "CRITICAL,HIGH": "high",
  "CRITICAL,HIGH,MEDIUM": "medium",
  "CRITICAL,HIGH,MEDIUM,LOW": "low",
};

/**
 * The Grype `severity-cutoff` (`--fail-on`) that means exactly this severity list (normalised, rank
 * order), or undefined when no threshold does: a list with a gap (CRITICAL,MEDIUM), one that does not
 * start at CRITICAL, or one with UNKNOWN (Grype ranks Unknown below Negligible and never fails on it).
 */
export function grypeCutoff(severity: string): string | undefined {
  return GRYPE_CUTOFFS[severity];
}

function grypeSeverityProblem(severity: string): string {
  const why = severity.split(",").includes("UNKNOWN")
    ? "Grype cannot fail on UNKNOWN (it ranks Unknown below its lowest threshold)"
    : `Grype fails on a threshold and everything above it, not on a list, and ${severity} is not one`;
  return `"${severity}" cannot be used with --scanner grype: ${why}; pass --severity as a range from CRITICAL down: ${Object.keys(GRYPE_CUTOFFS).join(" | ")}`;
}

/** Answers after validation (severity normalised to rank order, e.g. "CRITICAL,HIGH"). */
export type Answers = z.output<typeof answersSchema>;
export type AnswerKey = keyof Answers;
