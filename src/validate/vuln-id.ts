import { shown } from "../fsguard.js";

/**
 * Is this a plausible ID for Trivy to match? Trivy compares IDs exactly (case-sensitive), so a
 * malformed or lower-cased CVE never matches anything and the entry silently does nothing.
 * Lenient on purpose: any advisory-shaped token (DLA-3456-1, ALPINE-13661, RHSA-2024:1234,
 * RUSTSEC-2024-0001, TEMP-0517018-A83CE6, AVD-DS-0002, DS002) passes; only the well-known
 * prefixes get their exact shape checked.
 */

const STRICT: Record<string, RegExp> = {
  CVE: /^CVE-\d{4}-\d{4,}$/,
  // GHSA IDs use a reduced base32 alphabet: https://github.com/github/advisory-database#ghsa-ids
  GHSA: /^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/,
  GO: /^GO-\d{4}-\d{4,}$/,
};

const GENERIC = /^[A-Za-z][A-Za-z0-9]*(?:[-_:.][A-Za-z0-9]+)*$/;

/** undefined when `id` looks like an advisory ID, else why not. */
export function implausibleIdReason(id: string, tool: "Trivy" | "Grype" | "govulncheck" = "Trivy"): string | undefined {
  const prefix = (/^[A-Za-z]+/.exec(id)?.[0] ?? "").toUpperCase();
  const strict = STRICT[prefix];
  if (strict && id.length > prefix.length && "-_".includes(id.charAt(prefix.length))) {
    if (strict.test(id)) return undefined;
    if (strict.test(id.toUpperCase()) || (prefix === "GHSA" && strict.test(`GHSA${id.slice(4).toLowerCase()}`))) {
      return `${tool} matches IDs exactly, so "${shown(id)}" never matches; write it as the advisory spells it`;
    }
    return `"${shown(id)}" is not a well-formed ${prefix} ID`;
  }
  if (id.length > 100 || !GENERIC.test(id) || !/\d/.test(id)) {
    return `"${shown(id)}" does not look like a vulnerability ID (CVE-…, GHSA-…, GO-…, DLA-…, ALPINE-…)`;
  }
  return undefined;
}
