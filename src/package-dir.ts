import { existsSync, readFileSync } from "node:fs";

/**
 * The package's own folder (package.json, data/, dist-wasm/): the nearest folder above this module with
 * our package.json. Searched, not computed from this file's place, because that place differs: src/ in
 * the repo, dist/ after tsc, one of the bundle's dist/chunks/ in the package.
 */
export const PACKAGE_DIR: URL = findPackageDir(new URL("./", import.meta.url));

function findPackageDir(start: URL): URL {
  for (let dir = start; ; dir = new URL("../", dir)) {
    const manifest = new URL("package.json", dir);
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "create-relay-security") return dir;
    if (dir.pathname === "/") throw new Error(`internal: no create-relay-security package.json above ${start.pathname}`);
  }
}
