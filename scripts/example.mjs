#!/usr/bin/env node
// Runs relay-security on the bundled example service (examples/hello-service) in a temporary copy,
// as a newcomer would on their own repository, then shows what it wrote. Nothing in this repo changes.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { exampleRepo, ROOT as root } from "./example-repo.mjs";

const { dir, git } = exampleRepo();

console.log(`$ create-relay-security --yes ${dir}\n`);
let code = 0;
try {
  execFileSync(process.execPath, [join(root, "dist", "cli.js"), "--yes", dir], { stdio: "inherit", env: { ...process.env, CI: "true" } });
} catch (error) {
  code = error.status ?? 1;
}
console.log(`\n$ git status --short   (in ${dir})`);
console.log(git("status", "--short"));
console.log("$ git diff   (your ci.yml: only the gate step is added)");
console.log(git("diff"));
console.log(`The new files are in ${dir}; read .github/workflows/security-scan.yml there.`);
process.exit(code);
