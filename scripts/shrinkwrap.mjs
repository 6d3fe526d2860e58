#!/usr/bin/env node
/**
 * `npm pack` / `npm publish` hook (issue 13, item 2): the package ships an npm-shrinkwrap.json, so a
 * user's `npx create-relay-security@X` installs exactly the dependency tree we tested, every package
 * checked against its integrity hash, instead of resolving ~40 ranges afresh on each run.
 *
 * prepack: npm-shrinkwrap.json from package-lock.json, without the dev packages (a consumer never
 * installs them). postpack (--clean): removed again, so the working tree keeps package-lock.json as
 * its only lock. Refuses a lock that does not match package.json, or an entry without an integrity hash.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "npm-shrinkwrap.json");

if (process.argv.includes("--clean")) {
  rmSync(out, { force: true });
  process.exit(0);
}

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
const fail = (message) => {
  process.stderr.write(`scripts/shrinkwrap.mjs: ${message}\n`);
  process.exit(1);
};
if (lock.lockfileVersion < 2) fail(`package-lock.json has lockfileVersion ${lock.lockfileVersion}; run npm install with npm 7 or later`);
const top = lock.packages?.[""] ?? {};
if (top.version !== pkg.version) fail(`package-lock.json is for version ${top.version}, package.json says ${pkg.version}; run npm install`);
for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
  if (top.dependencies?.[name] !== range) fail(`package-lock.json does not record ${name}@${range}; run npm install`);
}

const packages = {};
for (const [path, entry] of Object.entries(lock.packages)) {
  if (path === "") {
    const { devDependencies: _dev, ...rest } = entry;
    packages[path] = rest;
    continue;
  }
  if (entry.dev) continue;
  if (!entry.link && !entry.integrity) fail(`${path} has no integrity hash in package-lock.json`);
  packages[path] = entry;
}
if (existsSync(out)) rmSync(out);
writeFileSync(out, `${JSON.stringify({ name: lock.name, version: lock.version, lockfileVersion: lock.lockfileVersion, requires: true, packages }, null, 2)}\n`);
