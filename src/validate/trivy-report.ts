/**
 * Trivy's JSON report (SchemaVersion 2, Trivy v0.74.0 pkg/types/report.go) turned into findings. With
 * `--exit-code 1` Trivy fails when anything is left in a result after its filters (severity,
 * ignore-unfixed, ignore file), so everything listed here is something the gate would fail on.
 * `--show-suppressed` adds `ExperimentalModifiedFindings`: the findings an ignore file suppressed.
 */
import type { Finding } from "../types.js";

interface Vuln { VulnerabilityID?: string; PkgName?: string; InstalledVersion?: string; FixedVersion?: string; Severity?: string }
interface Secret { RuleID?: string; Title?: string; Severity?: string; StartLine?: number }
interface Misconf { ID?: string; Title?: string; Message?: string; Severity?: string; Status?: string; CauseMetadata?: { StartLine?: number } }
interface Modified { Type?: string; Status?: string; Statement?: string; Source?: string; Finding?: Vuln }
interface Result {
  Target?: string;
  Class?: string;
  Vulnerabilities?: Vuln[] | null;
  Secrets?: Secret[] | null;
  Misconfigurations?: Misconf[] | null;
  ExperimentalModifiedFindings?: Modified[] | null;
}
export interface TrivyJsonReport { SchemaVersion: number; ArtifactName?: string; Results?: Result[] | null }

/** The report, or undefined when the text is not one (a scan that did not finish). */
export function parseTrivyReport(text: string): TrivyJsonReport | undefined {
  try {
    const r = JSON.parse(text) as unknown;
    if (typeof r !== "object" || r === null || typeof (r as TrivyJsonReport).SchemaVersion !== "number") return undefined;
    return r as TrivyJsonReport;
  } catch {
    return undefined;
  }
}

/** `CVE-1 in libcrypto3 3.5.4-r0 -> 3.5.5-r0 (CRITICAL)`; "no fix yet" when there is none. */
export const describeVuln = (v: Vuln) =>
  `${v.VulnerabilityID ?? "?"} in ${v.PkgName ?? "?"} ${v.InstalledVersion ?? "?"} -> ${v.FixedVersion || "no fix yet"} (${v.Severity ?? "UNKNOWN"})`;

export interface ReportContext {
  /** What the findings are reported against: the archive, the image ref, or (for `fs`) each result's target. */
  file: string | ((target: string) => string);
  /** Where a suppressing ignore entry is: the user's file and line for the temp file Trivy was given. */
  locateIgnore(source: string, id: string): { file: string; line?: number };
}

/** Errors for what the gate would fail on; info for each finding an ignore file suppressed. */
export function gateFindings(report: TrivyJsonReport, ctx: ReportContext): Finding[] {
  const out: Finding[] = [];
  for (const r of report.Results ?? []) {
    const target = r.Target ?? "";
    const file = typeof ctx.file === "string" ? ctx.file : ctx.file(target);
    const fail = (message: string, line?: number) =>
      out.push({ file, ...(line ? { line } : {}), rule: "trivy-gate", severity: "error", message: `${message}: the PR gate would fail on it` });
    for (const v of r.Vulnerabilities ?? []) fail(describeVuln(v));
    for (const s of r.Secrets ?? []) fail(`secret ${s.RuleID ?? "?"} (${s.Title ?? ""}, ${s.Severity ?? "UNKNOWN"}) in ${target}`, s.StartLine);
    for (const m of r.Misconfigurations ?? []) {
      if (m.Status === "FAIL") fail(`misconfiguration ${m.ID ?? "?"} (${m.Severity ?? "UNKNOWN"}) in ${target}: ${m.Title ?? m.Message ?? ""}`);
    }
    for (const m of r.ExperimentalModifiedFindings ?? []) {
      if (m.Type !== "vulnerability" || m.Status !== "ignored" || !m.Finding) continue;
      const where = ctx.locateIgnore(m.Source ?? "", m.Finding.VulnerabilityID ?? "");
      out.push({
        ...where,
        rule: "trivy-gate/ignored",
        severity: "info",
        message: `${describeVuln(m.Finding)} in ${file} is ignored by this entry${m.Statement ? ` (${m.Statement})` : ""}; without it the gate would fail`,
      });
    }
  }
  return out;
}

/** `trivy config` on a Dockerfile: each failed check as a warning at its line. */
export function configFindings(report: TrivyJsonReport, dockerfile: string): Finding[] {
  const out: Finding[] = [];
  for (const r of report.Results ?? []) {
    for (const m of r.Misconfigurations ?? []) {
      if (m.Status !== "FAIL") continue;
      const line = m.CauseMetadata?.StartLine;
      out.push({
        file: dockerfile,
        ...(line ? { line } : {}),
        rule: `trivy-config/${m.ID ?? "unknown"}`,
        severity: "warning",
        message: `${m.Title ?? m.ID ?? "misconfiguration"} (${m.Severity ?? "UNKNOWN"})${m.Message && m.Message !== m.Title ? `: ${m.Message}` : ""}`,
      });
    }
  }
  return out;
}
