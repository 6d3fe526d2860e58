/**
 * The shapes that travel between the pipeline stages:
 * detect -> answers -> render -> merge -> plan -> apply -> validate -> report.
 * Each stage takes only the part of the context it needs.
 */

import type { Visibility } from "./detect/visibility.js";

/** What `detect` read from the repository. Everything optional: absence is information. */
export interface Detected {
  dir: string;
  goMod?: { modulePath: string; goVersion?: string; toolchain?: string };
  /** Dockerfiles found (repo-relative, forward slashes), the preferred one first. */
  dockerfiles: DockerfileInfo[];
  remote?: { owner: string; repo: string; host: string; url: string };
  defaultBranch?: string;
  /** Every workflow under .github/workflows with its raw text. */
  workflows: WorkflowFile[];
  renovateConfigs: string[];
  dependabotConfig?: string;
  trivyignore?: string;
  /** Issue 20 item 8: "public" when the tree says so (an open-source licence); otherwise unknown. */
  visibility?: Visibility;
  stateFile?: string;
}

export interface DockerfileInfo {
  path: string;
  finalBaseImage?: string;
  builderGoVersion?: string;
  /** True when the final stage only COPYs a prebuilt binary from the context (goreleaser style). */
  copiesPrebuiltBinary?: boolean;
}

export interface WorkflowFile {
  path: string;
  text: string;
}

/** A severity Trivy understands, in rank order (first is most severe). */
export const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A validator's result. Findings are data, never exceptions. */
export interface Finding {
  file: string;
  line?: number;
  column?: number;
  rule: string;
  message: string;
  severity: "error" | "warning" | "info" | "skipped";
  /** For skipped checks: how to get the tool. */
  hint?: string;
}

/** One file the plan would write, with what it is now and what it would become. */
export interface FileChange {
  path: string;
  action: "create" | "update" | "unchanged" | "conflict" | "skip" | "delete";
  before?: string;
  after?: string;
  /** Why, in one line, for the plan summary (e.g. "inserted the Trivy step after job build, step 3"). */
  reason?: string;
  notes?: string[];
}
