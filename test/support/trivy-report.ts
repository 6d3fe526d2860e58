/** Build Trivy JSON reports in the real shape (SchemaVersion 2), from the fixture or from scratch. */
import { fixture } from "./lifecycle.js";

export interface TrivyVuln {
  VulnerabilityID: string;
  PkgName: string;
  InstalledVersion: string;
  FixedVersion: string;
  Severity: string;
  Title: string;
  [key: string]: unknown;
}

interface TrivyResult {
  Target: string;
  Class: string;
  Type: string;
  Vulnerabilities?: TrivyVuln[];
}

export interface TrivyReport {
  SchemaVersion: number;
  ArtifactName: string;
  ArtifactType: string;
  Metadata: Record<string, unknown>;
  Results?: TrivyResult[];
  [key: string]: unknown;
}

/** The findings fixture, parsed (a fresh copy to modify). */
export function findingsReport(): TrivyReport {
  return JSON.parse(fixture("trivy-image-findings.json")) as TrivyReport;
}

export function vuln(fields: Partial<TrivyVuln> & Pick<TrivyVuln, "VulnerabilityID">): TrivyVuln {
  return {
    PkgID: `${fields.PkgName ?? "libexample"}@${fields.InstalledVersion ?? "1.0.0-r0"}`,
    PkgName: "libexample",
    InstalledVersion: "1.0.0-r0",
    FixedVersion: "1.0.1-r0",
    Status: "fixed",
    SeveritySource: "nvd",
    PrimaryURL: `https://avd.aquasec.com/nvd/${fields.VulnerabilityID.toLowerCase()}`,
    Title: "example: a vulnerability",
    Severity: "HIGH",
    ...fields,
  };
}

/** A report with one `os-pkgs` result holding `vulns`, based on the fixture's header. */
export function osReport(vulns: TrivyVuln[]): TrivyReport {
  const base = findingsReport();
  return { ...base, Results: [{ Target: "ghcr.io/acme/widget:main (alpine 3.22.1)", Class: "os-pkgs", Type: "alpine", Vulnerabilities: vulns }] };
}

export const json = (report: unknown) => `${JSON.stringify(report, null, 2)}\n`;
