import { renderedSecurityScan, runScriptOf } from "./workflow.js";

/** The `run:` scripts of security-scan.yml that the lifecycle tests execute. */
export interface LifecycleScripts {
  /** Job `image`, step `decide` (Trivy variant): Trivy's JSON report -> status. */
  trivyDecide: string;
  /** Job `image`, step `decide` (`--scanner grype`): Grype's JSON report and the cutoff -> status. */
  grypeDecide: string;
  /** Job `govulncheck`, step `scan`: text mode decides, JSON feeds the report. */
  govulncheckScan: string;
  /** Job `issues`, step `issues`: one issue per target. */
  issueLifecycle: string;
  /** Job `govulncheck` (and `image`), step `meta`: commit, scan time, DB date for the issue body. */
  scanMeta: string;
}

/** Where each script lives in the rendered workflow (scanner variant, job id, step id) and in templates/scripts/. */
export const SCRIPT_STEPS = {
  trivyDecide: { scanner: "trivy", job: "image", step: "decide", file: "trivy-decide.sh" },
  grypeDecide: { scanner: "grype", job: "image", step: "decide", file: "grype-decide.sh" },
  govulncheckScan: { scanner: "trivy", job: "govulncheck", step: "scan", file: "govulncheck-scan.sh" },
  issueLifecycle: { scanner: "trivy", job: "issues", step: "issues", file: "issue-lifecycle.sh" },
  scanMeta: { scanner: "trivy", job: "govulncheck", step: "meta", file: "scan-meta.sh" },
} as const;

/**
 * The exact text the user gets: each script is read back out of the rendered security-scan.yml (the
 * `run:` of its job and step), so the lifecycle tests execute what a user's runner executes.
 */
export function lifecycleScripts(): LifecycleScripts {
  const workflows = { trivy: renderedSecurityScan(), grype: renderedSecurityScan({ scanner: "grype" }) };
  const read = (key: keyof typeof SCRIPT_STEPS) => {
    const { scanner, job, step } = SCRIPT_STEPS[key];
    return runScriptOf(workflows[scanner], job, step);
  };
  return {
    trivyDecide: read("trivyDecide"),
    grypeDecide: read("grypeDecide"),
    govulncheckScan: read("govulncheckScan"),
    issueLifecycle: read("issueLifecycle"),
    scanMeta: read("scanMeta"),
  };
}
