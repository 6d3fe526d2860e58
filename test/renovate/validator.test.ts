/**
 * Renovate's own validator (`renovate-config-validator --strict`, installed by
 * scripts/install-renovate.sh) on the config we render and on every merged fixture. It validates
 * the Renovate config files of its working directory, so each config is written to a temp dir
 * under its real name (package.json included: it reads the "renovate" key).
 */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderRenovateJson } from "../../src/renovate/config.js";
import { requireTool } from "../support/tools.js";
import { FIXTURES } from "./support.js";

const validator = requireTool("renovate-config-validator");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function repoWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "relay-renovate-"));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

/** Run the validator in `cwd`; no RENOVATE_* from our environment leaks in. */
function validate(cwd: string): Promise<{ code: number | null; output: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("RENOVATE_") && k !== "LOG_LEVEL"));
  return new Promise((resolve, reject) => {
    const child = spawn(validator as string, ["--strict"], { cwd, env: { ...env, LOG_FORMAT: "pretty", NO_COLOR: "1" } });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

const MERGED = ["json-extends-rules", "json5-comments", "github-json5", "package-json", "renovaterc", "already-merged", "upgrade"];

describe.skipIf(!validator)("renovate-config-validator --strict", () => {
  it.each([
    ["trivy", "security"],
    ["grype", "deps: security"],
  ] as const)("accepts the config we render (%s)", async (scanner, label) => {
    const r = await validate(repoWith({ "renovate.json": renderRenovateJson({ label, scanner }) }));
    expect(r.output).toContain("Validating renovate.json");
    expect(r.code, r.output).toBe(0);
  });

  it.each(MERGED)("accepts the merged fixture %s", async (name) => {
    const dir = mkdtempSync(join(tmpdir(), "relay-renovate-"));
    dirs.push(dir);
    cpSync(join(FIXTURES, name, "expected"), dir, { recursive: true });
    const r = await validate(dir);
    expect(r.output).toMatch(/Validating (\S*renovate|\.renovaterc|package\.json > renovate)/);
    expect(r.code, r.output).toBe(0);
  });

  it("is strict: rejects an unknown option and the pre-v40 fileMatch", async () => {
    const bad = await validate(repoWith({ "renovate.json": `{ "minimumReleaseAgeBehavior": "timestamp-optional" }\n` }));
    expect(bad.code).not.toBe(0);
    const old = await validate(
      repoWith({ "renovate.json": JSON.stringify({ customManagers: [{ customType: "regex", fileMatch: ["x"], matchStrings: ["(?<currentValue>x)"], datasourceTemplate: "go", depNameTemplate: "x" }] }) }),
    );
    expect(old.output).toContain("Config migration necessary");
    expect(old.code).not.toBe(0);
  });
});
