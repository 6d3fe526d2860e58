import { statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The pinned tools `npm run tools` installs (git-ignored). */
export const TOOLS_BIN = fileURLToPath(new URL("../../.tools/bin/", import.meta.url));

/** An executable file called `name` in `.tools/bin` (preferred: it holds the pinned versions) or on PATH. */
export function findTool(name: string): string | undefined {
  for (const dir of [TOOLS_BIN, ...(process.env.PATH ?? "").split(delimiter)]) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      const st = statSync(file);
      if (st.isFile() && (st.mode & 0o111) !== 0) return file;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/**
 * The path of a tool a test needs. Missing tool: under CI (`CI` set) this throws, so the test file fails
 * instead of passing on a skip; locally it warns once and returns undefined for `it.skipIf(!tool)`.
 */
export function requireTool(name: string): string | undefined {
  const found = findTool(name);
  if (found) return found;
  const why = `${name} is not in .tools/bin or on PATH (install it with \`npm run tools\`)`;
  if (process.env.CI) throw new Error(`${why}; CI must run every test, so a missing tool is a failure`);
  console.warn(`skipping tests that need ${name}: ${why}`);
  return undefined;
}
