import { EXIT } from "../errors.js";
import type { FleetResult, FleetState } from "./state.js";

const ORDER: FleetState[] = ["error", "conflict", "drift", "not set up", "current"];
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

/**
 * The table of issue 16, the same for `--local` and for the workflow's summary job (which renders it
 * from the jobs' result files with templates/scripts/fleet-summary.sh): repository, state, PR link.
 */
export function renderTable(results: FleetResult[]): string {
  const counts = ORDER.map((s) => [s, results.filter((r) => r.state === s).length] as const).filter(([, n]) => n > 0);
  const lines = [`${results.length} repositories: ${counts.map(([s, n]) => `${n} ${s}`).join(", ")}`, "", "| repository | state | PR | detail |", "|---|---|---|---|"];
  for (const r of results) lines.push(`| ${cell(r.repository)} | ${r.state} | ${r.pr ?? ""} | ${cell(r.detail)} |`);
  return lines.join("\n");
}

/** 0 when every repository is current, 1 otherwise (as `check`). */
export const fleetExitCode = (results: FleetResult[]) => (results.every((r) => r.state === "current") ? EXIT.ok : EXIT.findings);
