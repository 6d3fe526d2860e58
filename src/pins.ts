import { readFileSync } from "node:fs";
import { z } from "zod";
import { PACKAGE_DIR } from "./package-dir.js";

const Sha = z.string().regex(/^[0-9a-f]{40}$/, "a 40-hex commit SHA");

const Tool = z.object({ version: z.string(), module: z.string().optional(), note: z.string().optional() });

const PinsSchema = z.object({
  _source: z.string().optional(),
  _refreshed: z.string().optional(),
  /** Action name (`owner/repo` or `owner/repo/path`) -> the tag we pin and the commit it points to. */
  actions: z.record(z.string(), z.object({ tag: z.string(), sha: Sha, note: z.string().optional() })),
  /** Scanner and linter versions; the ones we template are required. */
  tools: z.object({ trivy: Tool, grype: Tool, govulncheck: Tool, actionlint: Tool }).catchall(Tool),
  knownCompromised: z.object({
    _about: z.string().optional(),
    /** Trivy releases that were malicious (a `version:` input equal to one of these is an error). */
    trivyVersions: z.array(z.string()),
    /** Human-readable ref patterns that attackers rewrote and that no longer resolve. */
    refsThatNoLongerResolve: z.array(z.string()),
    /** trivy-action tag -> the verified commit it points to today. */
    trivyActionRecentTags: z.record(z.string(), z.object({ sha: Sha, defaultTrivy: z.string().nullable() })),
  }),
});

/** The shape of `data/pins.json`. */
export type PinsData = z.infer<typeof PinsSchema>;

/** `data/pins.json` of this package. */
export const PINS_FILE = new URL("data/pins.json", PACKAGE_DIR);

/** Parse and check a pins document (throws a zod error naming the bad field). */
export function parsePins(json: unknown): PinsData {
  return PinsSchema.parse(json);
}

/** Read `data/pins.json` shipped with the package. */
export function loadPins(file: URL | string = PINS_FILE): PinsData {
  return parsePins(JSON.parse(readFileSync(file, "utf8")));
}
