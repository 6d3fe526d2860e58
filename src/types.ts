/**
 * The shapes that travel between the pipeline stages:
 * detect -> answers -> render -> merge -> plan -> apply -> validate -> report.
 * Each stage takes only the part of the context it needs.
 */

import type { Visibility } from "./detect/visibility.js";

/** What `detect` read from the repository. Everything optional: absence is information. */
export interface Detected {
  dir: string;
  /** `git rev-parse --show-toplevel`, when `dir` is in a git work tree (GitHub runs workflows only from there). */
  gitTop?: string;
  goMod?: { modulePath: string; goVersion?: string; toolchain?: string };
  /** Dockerfiles found (repo-relative, forward slashes), the preferred one first. */
  dockerfiles: DockerfileInfo[];
  /** Several Dockerfiles could be the service image's and nothing decides: asked, or --dockerfile. */
  dockerfileAmbiguous?: string[];
  /** CI builds several Dockerfiles; the first is the default, and this sentence says so in the plan. */
  dockerfileChosenOfSeveral?: string;
  remote?: { owner: string; repo: string; host: string; url: string };
  /** The image name a workflow publishes or builds (`detect/image-name.ts`): the default of --image over the origin's. */
  publishedImage?: { name: string; from: string };
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
  /** True when the final stage COPYs from the context and no stage compiles Go (goreleaser style). */
  copiesPrebuiltBinary?: boolean;
  /** That COPY (or ADD), 1-based line, for the refusal. */
  prebuiltCopy?: { line: number; text: string };
  /** No stage reads the build context (no COPY or ADD of it, no RUN bind mount): the image holds none of the checkout. */
  readsNoContext?: boolean;
  /** A RUN that clones the source (`git clone`), in a Dockerfile that copies nothing from the build context. */
  clonesSource?: { line: number; text: string };
  /** The context paths its COPY and ADD instructions read, as written (see copySources). */
  contextSources?: string[];
  /** Why it is never the default (under .devcontainer/, test or example folders, a packaging image). */
  excluded?: string;
  /** ARGs declared before the first FROM and used in a FROM line. */
  fromArgs?: FromArg[];
}

/** An ARG a FROM line needs: its default, whether that default is a placeholder, and a value CI gives. */
export interface FromArg {
  name: string;
  default?: string;
  placeholder: boolean;
  given?: string;
}

export interface WorkflowFile {
  path: string;
  text: string;
  /** The first line (1-based) that is not valid UTF-8; the text then holds replacement characters. */
  notUtf8Line?: number;
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
  /**
   * "you": on a line of the user's own that relay-security did not write; listed with its fix, never
   * counted toward exit 1 (src/validate/scope.ts). Absent: ours, or judged as ours (`--all-workflows`).
   */
  owner?: "you";
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
  /**
   * For a conflict written with markers: the three sides (our last render, the user's file, the new
   * render), which the writer records in git's index as stages 1-3, as git's own merges do.
   */
  stages?: { base: string; ours: string; theirs: string };
  /**
   * Our gate step as the user edited it, which this run keeps (nothing new from us, or --on-conflict
   * ours): `after` is the file with relay-security's step, `--on-conflict theirs` writes it. `check` and
   * a re-run both report it from this one field (issue 20.3), so they cannot disagree.
   */
  keptEdit?: { after: string };
  /**
   * How `before` and `after` become bytes (default utf8). `pin` edits a file that is not UTF-8 as
   * latin1, one character per byte, so every byte it does not touch is written back as it was.
   */
  encoding?: "utf8" | "latin1";
}
