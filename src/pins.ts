import { readFileSync } from "node:fs";
import * as z from "./zod.js";
import { PACKAGE_DIR } from "./package-dir.js";

const Sha = z.string().check(z.regex(/^[0-9a-f]{40}$/, "a 40-hex commit SHA"));

const Tool = z.object({ version: z.string(), module: z.optional(z.string()), note: z.optional(z.string()) });

const PinsSchema = z.object({
  _source: z.optional(z.string()),
  _refreshed: z.optional(z.string()),
  /** Action name (`owner/repo` or `owner/repo/path`) -> the tag we pin and the commit it points to. */
  actions: z.record(z.string(), z.object({ tag: z.string(), sha: Sha, note: z.optional(z.string()) })),
  /** Scanner and linter versions; the ones we template are required. */
  tools: z.catchall(z.object({ trivy: Tool, grype: Tool, govulncheck: Tool, actionlint: Tool }), Tool),
  knownCompromised: z.object({
    _about: z.optional(z.string()),
    /** Trivy releases that were malicious (a `version:` input equal to one of these is an error). */
    trivyVersions: z.array(z.string()),
    /** Human-readable ref patterns that attackers rewrote and that no longer resolve. */
    refsThatNoLongerResolve: z.array(z.string()),
    /** trivy-action tag -> the verified commit it points to today. */
    trivyActionRecentTags: z.record(z.string(), z.object({ sha: Sha, defaultTrivy: z.nullable(z.string()) })),
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
