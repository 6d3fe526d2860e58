import { readFileSync } from "node:fs";
import { PACKAGE_DIR } from "./package-dir.js";

/** Our package version, read from our package.json. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("package.json", PACKAGE_DIR), "utf8")) as { version: string }
).version;
