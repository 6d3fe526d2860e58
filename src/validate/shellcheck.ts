import type { Deps } from "../deps.js";
import type { Finding } from "../types.js";
import { toolFailure } from "./tool-error.js";

/**
 * shellcheck on the scripts security-scan.yml runs (issue 10). Inlined, actionlint shellchecked them
 * inside the workflow; as files, validate runs shellcheck on them itself, so a user's edit to a script
 * is checked as an edit to a `run:` block was. Each text goes in on stdin (a dry run has no file), and
 * findings are reported against the script's path. No shellcheck: one `skipped` finding saying so.
 */
export const SHELLCHECK_INSTALL = "apt-get install shellcheck (or see https://github.com/koalaman/shellcheck#installing)";

interface Json1 {
  comments: { line: number; column: number; level: "error" | "warning" | "info" | "style"; code: number; message: string }[];
}

export async function shellcheckScripts(scripts: { path: string; text: string }[], o: { cwd: string; exec: Deps["exec"] }): Promise<Finding[]> {
  if (scripts.length === 0) return [];
  const where = scripts.map((s) => s.path).join(", ");
  const probe = await o.exec("shellcheck", ["--version"], { cwd: o.cwd });
  if (probe.failed !== undefined || probe.exitCode !== 0) {
    return [{ file: where, rule: "shellcheck/tools", severity: "skipped", message: `${toolFailure("shellcheck", probe)}: the scripts were not checked`, hint: SHELLCHECK_INSTALL }];
  }
  const runs = await Promise.all(scripts.map((s) => o.exec("shellcheck", ["--shell=bash", "--format=json1", "-"], { cwd: o.cwd, input: s.text })));
  const findings: Finding[] = [];
  runs.forEach((r, i) => {
    const path = (scripts[i] as { path: string }).path;
    let out: Json1;
    try {
      out = JSON.parse(r.stdout) as Json1;
    } catch {
      findings.push({ file: path, rule: "shellcheck/tools", severity: "error", message: toolFailure("shellcheck", r) });
      return;
    }
    for (const c of out.comments) {
      findings.push({
        file: path,
        line: c.line,
        column: c.column,
        rule: `shellcheck/SC${c.code}`,
        severity: c.level === "error" || c.level === "warning" ? c.level : "info",
        message: c.message,
        hint: `https://www.shellcheck.net/wiki/SC${c.code}`,
      });
    }
  });
  return findings;
}
