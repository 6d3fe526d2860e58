import { shown } from "../fsguard.js";
import type { Finding } from "../types.js";
import { lintIgnoreLines, type IgnoreDialect } from "./trivyignore.js";
import { implausibleIdReason } from "./vuln-id.js";

/** Where the accepted govulncheck risks live: next to `.trivyignore`, in the same line format. */
export const GOVULNCHECK_IGNORE = ".govulncheckignore";

/**
 * govulncheck names a vulnerability by its Go ID and lists the CVE and GHSA IDs as aliases; the rescan
 * (templates/scripts/govulncheck-scan.sh) accepts an entry that names any of them, exactly as written.
 */
function idProblem(id: string): string | undefined {
  if (!/^(GO|CVE|GHSA)-/.test(id)) {
    return `"${shown(id)}" is not a Go vulnerability ID: name its GO- ID (or one of its CVE-/GHSA- aliases) as govulncheck prints it`;
  }
  return implausibleIdReason(id, "govulncheck");
}

const DIALECT: IgnoreDialect = {
  rule: "govulncheckignore",
  malformedExp: (id) => `the rescan ignores this line, so ${id} is NOT accepted`,
  idProblem,
  expiresBy: "the rescan stops accepting an entry at 00:00 UTC on its date, as Trivy does",
  noExp: "so the rescan does not accept it (an accepted risk must end)",
};

/**
 * Lint `.govulncheckignore` (issue 17): govulncheck has no way to accept a finding (golang/go#59507),
 * so our rescan removes the IDs listed here from govulncheck's JSON before it decides. Every entry
 * needs the `.trivyignore` rule: `# WHY:`, `# TODO(YYYY-MM-DD):` and `ID exp:YYYY-MM-DD`.
 */
export function lintGovulncheckIgnore(path: string, text: string, now: Date): Finding[] {
  return lintIgnoreLines(path, text, now, {}, DIALECT);
}
