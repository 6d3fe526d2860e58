import { readScript } from "./engine.js";
import type { View } from "./index.js";

/**
 * The folder of the scripts security-scan.yml runs (issue 10: inlined, they made a 1,100-line workflow
 * that shellcheck in an editor cannot see, and 300 lines over yamllint's 80 columns). Under `.github/`,
 * next to our state file, because it is CI's; not in `.github/workflows/` (GitHub reads that folder
 * as workflows), not in `scripts/` (the user's, in many Go services). One folder named after us says
 * whose the files are.
 */
export const SCRIPTS_DIR = ".github/relay-security";

/** Every script a security-scan.yml of ours may run, whatever the answers. */
export const ALL_SCAN_SCRIPTS = ["trivy-decide.sh", "grype-decide.sh", "scan-meta.sh", "govulncheck-scan.sh", "govulncheck-vex.sh", "govulncheck-sarif.sh", "issue-lifecycle.sh"].map((name) => `${SCRIPTS_DIR}/${name}`);

/** The scripts `view`'s security-scan.yml runs, by file name, in the order the jobs run them. */
export function scanScriptNames(view: View): string[] {
  const names: string[] = [];
  if (view.imageScan) names.push(view.grype ? "grype-decide.sh" : "trivy-decide.sh");
  names.push("govulncheck-scan.sh");
  if (view.reachability) names.push("govulncheck-vex.sh");
  if (view.codeScanning) names.push("govulncheck-sarif.sh");
  else names.push("scan-meta.sh", "issue-lifecycle.sh");
  // scan-meta.sh is also the image job's; the list names each file once.
  if (view.imageScan && !names.includes("scan-meta.sh")) names.push("scan-meta.sh");
  return names;
}

/** The file of one script as the user gets it: a header that says whose it is, then the script. */
export function renderScanScript(view: View, name: string): string {
  return [
    "#!/usr/bin/env bash",
    `# Managed by relay-security (create-relay-security ${view.version}), run by`,
    "# .github/workflows/security-scan.yml. Re-run `npm create relay-security`",
    "# to upgrade it: your edits are merged with the new version.",
    readScript(name),
  ].join("\n");
}

/** Every script file `view`'s security-scan.yml runs, with its path in the repository. */
export function renderScanScripts(view: View): { path: string; text: string }[] {
  return scanScriptNames(view).map((name) => ({ path: `${SCRIPTS_DIR}/${name}`, text: renderScanScript(view, name) }));
}
