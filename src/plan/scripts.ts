import { SCRIPTS_DIR } from "../render/scripts.js";
import type { FileChange } from "../types.js";

/**
 * The scripts of an earlier render that this security-scan.yml no longer runs (another scanner, the
 * reachability or report answer changed): deleted when still as we wrote them, so the folder holds
 * only what runs; an edited one is the user's work, left with a note.
 */
export function retiredScripts(input: {
  generated: Record<string, { generated: string }>;
  running: string[];
  read: (path: string) => string | undefined;
}): { changes: FileChange[]; notes: string[] } {
  const changes: FileChange[] = [];
  const notes: string[] = [];
  for (const [path, record] of Object.entries(input.generated)) {
    if (!path.startsWith(`${SCRIPTS_DIR}/`) || input.running.includes(path)) continue;
    const current = input.read(path);
    if (current === undefined) continue;
    if (current === record.generated) changes.push({ path, action: "delete", before: current, reason: "no longer run by security-scan.yml (the answers changed)" });
    else notes.push(`${path}: no longer run by security-scan.yml, and edited by you; left as it is, delete it if you do not need it`);
  }
  return { changes, notes };
}
