/**
 * Issue 13, item 1: every command we print must run this package. `relay-security` is only a bin of
 * `create-relay-security`; `npx relay-security` fetches the npm package of that name, which is not ours,
 * so whoever publishes it would run code on every user who follows the advice.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { badCommands } from "../support/printed-commands.js";
import { nextSteps } from "../../src/report/init.js";
import { answersWith } from "../support/answers.js";

const ROOT = join(import.meta.dirname, "..", "..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** Everything a user reads or runs: templates, the CLI's strings, the README and docs, the data files. */
const SOURCES = [...files(join(ROOT, "templates")), ...files(join(ROOT, "src")), ...files(join(ROOT, "docs")), ...files(join(ROOT, "data")), join(ROOT, "README.md")];

describe("commands we print resolve to create-relay-security", () => {
  it.each(SOURCES.map((p) => [relative(ROOT, p)]))("%s", (rel) => {
    expect(badCommands(readFileSync(join(ROOT, rel), "utf8"))).toEqual([]);
  });

  it("the next steps after a set-up", () => {
    const plan = { changes: [], gate: { kind: "none", notes: [] }, notes: [] } as never;
    expect(badCommands(nextSteps(answersWith(), plan, [".github/workflows/security-scan.yml"]).join("\n"))).toEqual([]);
  });
});

describe("the detector (controls)", () => {
  it.each([
    "run `npx relay-security check`",
    "npx --yes relay-security@0.1.0 validate",
    "npm exec relay-security -- check",
    "pnpm dlx relay-security check",
    "yarn dlx relay-security check",
    "bunx relay-security check",
    "npx -p relay-security relay-security check",
    "npm i -g relay-security",
    "`relay-security validate` fails without them",
  ])("flags %s", (line) => {
    expect(badCommands(line)).not.toEqual([]);
  });
  it.each([
    "npx create-relay-security check",
    "npx --yes --ignore-scripts create-relay-security@0.1.0 check",
    "npx -p create-relay-security relay-security check",
    "npx --package=create-relay-security@1.2.3 relay-security validate",
    "npm create relay-security",
    "npm create relay-security@latest -- --yes",
    "`npx create-relay-security validate` fails without them",
  ])("accepts %s", (line) => {
    expect(badCommands(line)).toEqual([]);
  });
});
