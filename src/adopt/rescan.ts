import { isRecord, jobsOf, parseWorkflow, stepsOf, triggers } from "../gate/locate.js";
import { RESCAN } from "./patterns.js";

/**
 * A scheduled workflow of the user's that already rescans what `security-scan.yml` rescans (issue 20
 * item 6). Pure data; the plan says what to do about it.
 */
export interface DuplicateRescan {
  path: string;
  /** Jobs with a step that scans the image or runs govulncheck, with what they run. */
  scanJobs: { job: string; what: string[] }[];
  /** Jobs that only report on the scan jobs (`needs:` them, scan nothing themselves): they go with them. */
  reportJobs: string[];
  /** Everything else: the file does more than scanning, so it is left in place. */
  otherJobs: string[];
  /** Triggers beyond schedule / workflow_dispatch (also a reason to leave it). */
  otherTriggers: string[];
  /** True when the whole file is a rescan: `--adopt` deletes it. */
  retire: boolean;
  /** Where its findings go: code scanning (a SARIF upload), issues, or only its run's red cross. */
  reports: ("code-scanning" | "issues")[];
}

const actionOf = (uses: unknown) => (typeof uses === "string" ? uses.split("@")[0]?.toLowerCase() ?? "" : "");

/** What one step scans, in a few words, or undefined. */
function scanOf(step: Record<string, unknown>): string | undefined {
  const action = actionOf(step["uses"]);
  const w = isRecord(step["with"]) ? step["with"] : {};
  if ((RESCAN.imageActions as readonly string[]).includes(action)) {
    const type = w["scan-type"];
    if (typeof type === "string" && RESCAN.notImageScanTypes.test(type.trim())) return undefined;
    return action === "anchore/scan-action" ? "Grype on the image" : "Trivy on the image";
  }
  if ((RESCAN.govulncheckActions as readonly string[]).includes(action)) return "govulncheck";
  const run = typeof step["run"] === "string" ? step["run"].replace(/^[ \t]*#.*$/gm, "") : "";
  if (RESCAN.trivyCli.test(run)) return "Trivy on the image";
  if (RESCAN.grypeCli.test(run)) return "Grype on the image";
  if ([...run.matchAll(RESCAN.govulncheckCli)].length > 0) return "govulncheck";
  return undefined;
}

/** Where one step sends findings: a SARIF upload to code scanning, or an issue it files. */
function reportOf(step: Record<string, unknown>): "code-scanning" | "issues" | undefined {
  const action = actionOf(step["uses"]);
  if (RESCAN.sarifUpload.test(action)) return "code-scanning";
  if (RESCAN.issueActions.test(action)) return "issues";
  const script = isRecord(step["with"]) && typeof step["with"]["script"] === "string" ? step["with"]["script"] : "";
  const run = typeof step["run"] === "string" ? step["run"].replace(/^[ \t]*#.*$/gm, "") : "";
  return RESCAN.issueCalls.test(`${run}\n${script}`) ? "issues" : undefined;
}

const needsOf = (job: Record<string, unknown>): string[] => {
  const n = job["needs"];
  return typeof n === "string" ? [n] : Array.isArray(n) ? n.filter((x): x is string => typeof x === "string") : [];
};

/**
 * The user's scheduled rescan in `path`, or undefined when the file is not scheduled, does not parse,
 * or scans neither the image nor the Go code.
 */
export function spotDuplicateRescan(path: string, text: string): DuplicateRescan | undefined {
  const wf = parseWorkflow(path, text);
  if (wf.error) return undefined;
  const on = triggers(wf);
  if (!on.includes("schedule")) return undefined;
  const jobs = jobsOf(wf);
  const scanJobs = jobs.flatMap(([job, body]) => {
    const what = [...new Set(stepsOf(body).map(scanOf).filter((s): s is string => s !== undefined))];
    return what.length > 0 ? [{ job, what }] : [];
  });
  if (scanJobs.length === 0) return undefined;
  // A job that needs only scan (or report) jobs and scans nothing itself files or uploads their results.
  const part = new Set(scanJobs.map((s) => s.job));
  const reportJobs: string[] = [];
  for (let grew = true; grew; ) {
    grew = false;
    for (const [job, body] of jobs) {
      const needs = needsOf(body);
      if (part.has(job) || needs.length === 0 || !needs.every((n) => part.has(n)) || body["uses"] !== undefined) continue;
      part.add(job);
      reportJobs.push(job);
      grew = true;
    }
  }
  const otherJobs = jobs.map(([job]) => job).filter((job) => !part.has(job));
  const otherTriggers = on.filter((t) => !(RESCAN.rescanTriggers as readonly string[]).includes(t));
  const reports = [...new Set(jobs.filter(([job]) => part.has(job)).flatMap(([, body]) => stepsOf(body).map(reportOf)).filter((r) => r !== undefined))].sort();
  return { path, scanJobs, reportJobs, otherJobs, otherTriggers, retire: otherJobs.length === 0 && otherTriggers.length === 0, reports };
}

/** How the same vulnerabilities come to be reported twice, said for what each scan does with them. */
function twice(theirs: DuplicateRescan["reports"], ours: "issues" | "code-scanning"): string {
  if (theirs.length === 1 && theirs[0] === ours) {
    return ours === "issues" ? "two nightly scans file two sets of issues for the same vulnerabilities" : "two nightly scans upload the same vulnerabilities to code scanning, as two sets of alerts";
  }
  const verb = { issues: "files issues", "code-scanning": "uploads code-scanning alerts" } as const;
  return `the same vulnerabilities are reported twice: yours ${theirs.length ? theirs.map((r) => verb[r]).join(" and ") : "fails its run"}, ours ${verb[ours]}`;
}

/** The plan's note on a duplicate rescan: plain about what duplicates ours and what happens to it. */
export function explainDuplicateRescan(d: DuplicateRescan, opts: { adopt: boolean; ours: string; report: "issues" | "code-scanning" }): string {
  const jobs = d.scanJobs.map((s) => `${s.job} (${s.what.join(", ")})`).join(", ");
  const head = `${d.path}: a scheduled rescan of your own duplicates ${opts.ours}: job${d.scanJobs.length > 1 ? "s" : ""} ${jobs}${d.reportJobs.length ? `, reported by ${d.reportJobs.join(", ")}` : ""}; ${twice(d.reports, opts.report)}`;
  if (d.retire) return `${head}. It should go: ${opts.adopt ? "deleted (--adopt)" : "--adopt deletes the file"}.`;
  if (d.otherJobs.length === 0) {
    return `${head}. It also runs on ${d.otherTriggers.join(", ")}, so it is left in place${opts.adopt ? " even with --adopt" : ""}: remove its \`schedule:\` trigger by hand, since ${opts.ours} rescans on a schedule.`;
  }
  const dup = [...d.scanJobs.map((s) => s.job), ...d.reportJobs];
  return `${head}. It does more than scanning (job${d.otherJobs.length > 1 ? "s" : ""} ${d.otherJobs.join(", ")}), so it is left in place${opts.adopt ? " even with --adopt" : ""}: remove the job${dup.length > 1 ? "s" : ""} ${dup.join(", ")} from it by hand.`;
}
