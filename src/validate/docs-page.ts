import { posix } from "node:path";
import type { Finding } from "../types.js";

/**
 * The maintainers' page (docs/security-scanning.md): every relative link should lead to a file of the
 * repository (the page points at the workflow and the ignore file, which a user may move or delete: a
 * warning, since deleting a managed file is the user's call and not drift), and every code fence must be
 * closed (an unclosed fence swallows the rest of the page, which happens when a merge or an edit drops a
 * line: an error). Line numbers are 1-based; CRLF and a BOM are fine.
 */
export function lintScanningPage(path: string, text: string, exists: (rel: string) => boolean): Finding[] {
  const findings: Finding[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let fence: number | undefined;
  lines.forEach((line, i) => {
    if (/^\s{0,3}(```|~~~)/.test(line)) {
      fence = fence === undefined ? i + 1 : undefined;
      return;
    }
    if (fence !== undefined) return;
    for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!.split("#")[0]!;
      if (target === "" || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const rel = posix.normalize(posix.join(posix.dirname(path), decodeURI(target)));
      if (rel.startsWith("../") || !exists(rel)) {
        findings.push({ file: path, line: i + 1, rule: "docs-link", severity: "warning", message: `the link to ${target} leads to ${rel}, which is not in the repository`, hint: "fix or remove the link (re-running `npx create-relay-security` restores our version of the page)" });
      }
    }
  });
  if (fence !== undefined) {
    findings.push({ file: path, line: fence, rule: "docs-fence", severity: "error", message: "a code block opened here is never closed: the rest of the page renders as code" });
  }
  return findings;
}
