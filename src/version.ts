import { readFileSync } from "node:fs";

/** Our package version, read from package.json (next to `src/` and `dist/`). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
