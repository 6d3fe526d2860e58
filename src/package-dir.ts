/**
 * The package's own folder (package.json, data/, dist-wasm/). This file sits one level below it: in
 * src/ in the repo, bundled into dist/cli.js in the package; so no module deeper in src/ computes it
 * from its own location, which the bundle would not keep.
 */
export const PACKAGE_DIR = new URL("../", import.meta.url);
