/** Build Grype JSON reports in the real shape (`matches`, `source`, `distro`, `descriptor`), from the fixture or from scratch. */
import { fixture } from "./lifecycle.js";

export interface GrypeMatch {
  vulnerability: {
    id: string;
    dataSource?: string;
    severity?: string;
    description?: string;
    fix?: { versions?: unknown; state?: unknown };
    [key: string]: unknown;
  };
  relatedVulnerabilities?: unknown[];
  matchDetails?: unknown[];
  artifact: { name: string; version: string; type: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface GrypeReport {
  matches: GrypeMatch[];
  ignoredMatches?: GrypeMatch[];
  source: Record<string, unknown>;
  distro: Record<string, unknown>;
  descriptor: { name: string; version: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** The findings fixture, parsed (a fresh copy to modify). */
export function grypeFindingsReport(): GrypeReport {
  return JSON.parse(fixture("grype-image-findings.json")) as GrypeReport;
}

/** One match on an Alpine package, fixed and High unless `over` says otherwise. */
export function grypeMatch(
  id: string,
  over: { severity?: string; state?: string; fixed?: string[]; name?: string; version?: string; type?: string; description?: string; dataSource?: string } = {},
): GrypeMatch {
  const state = over.state ?? "fixed";
  return {
    vulnerability: {
      id,
      dataSource: over.dataSource ?? `https://security.alpinelinux.org/vuln/${id}`,
      namespace: "alpine:distro:alpine:3.22",
      severity: over.severity ?? "High",
      urls: [],
      ...(over.description === undefined ? {} : { description: over.description }),
      cvss: [],
      fix: { versions: over.fixed ?? (state === "fixed" ? ["1.0.1-r0"] : []), state },
      advisories: [],
    },
    relatedVulnerabilities: [],
    matchDetails: [{ type: "exact-direct-match", matcher: "apk-matcher", searchedBy: {}, found: { vulnerabilityID: id } }],
    artifact: {
      id: "0123456789abcdef",
      name: over.name ?? "libexample",
      version: over.version ?? "1.0.0-r0",
      type: over.type ?? "apk",
      locations: [{ path: "/lib/apk/db/installed" }],
      language: "",
      licenses: [],
      cpes: [],
      purl: "",
      upstreams: [],
    },
  };
}

/** A report with `matches`, on the fixture's source, distro and descriptor. */
export function grypeReport(matches: GrypeMatch[]): GrypeReport {
  const { source, distro, descriptor } = grypeFindingsReport();
  return { matches, source, distro, descriptor };
}
