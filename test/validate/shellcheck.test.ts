import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { execProgram } from "../../src/deps.js";
import { SCRIPTS_DIR } from "../../src/render/scripts.js";
import { shellcheckScripts } from "../../src/validate/shellcheck.js";
import { runCli } from "../support/cli.js";
import { makeRepo } from "../support/repo.js";
import { requireTool } from "../support/tools.js";

/**
 * Issue 10: the rescan's scripts are files now, so actionlint no longer shellchecks them inside the
 * workflow; validate runs shellcheck on them itself, and a user's edit to a script is checked.
 */
const shellcheck = requireTool("shellcheck");
const SCRIPT = `${SCRIPTS_DIR}/scan-meta.sh`;
const exec = execProgram;
const rules = (fs: { rule: string; line?: number }[]) => fs.map((f) => `${f.rule}:${f.line ?? ""}`);

describe.skipIf(!shellcheck)("validate shellchecks the scripts security-scan.yml runs", () => {
  const good = "#!/usr/bin/env bash\nset -euo pipefail\nname=\"${1:-x}\"\necho \"$name\"\n";
  it.each([
    ["LF, clean", good, []],
    ["an unquoted expansion (the user's edit), on its line", good.replace('echo "$name"', "echo $name"), ["shellcheck/SC2086:4"]],
    ["CRLF: bash would run the carriage returns", good.replace(/\n/g, "\r\n"), [1, 2, 3, 4].map((n) => `shellcheck/SC1017:${n}`)],
    ["a BOM: bash would not read the #! line", `\uFEFF${good}`, ["shellcheck/SC1082:1"]],
  ])("%s", async (_, text, want) => {
    const found = await shellcheckScripts([{ path: SCRIPT, text }], { cwd: process.cwd(), exec });
    expect(rules(found).filter((r, i, a) => a.indexOf(r) === i)).toEqual(want);
    for (const f of found) expect(f.file).toBe(SCRIPT);
  });

  it("without shellcheck: one skipped finding naming the scripts, never a pass", async () => {
    const missing: typeof exec = async (file, args, o) => (file === "shellcheck" ? { exitCode: -1, stdout: "", stderr: "", failed: "spawn shellcheck ENOENT" } : exec(file, args, o));
    const found = await shellcheckScripts([{ path: SCRIPT, text: good }], { cwd: process.cwd(), exec: missing });
    expect(found).toMatchObject([{ file: SCRIPT, rule: "shellcheck/tools", severity: "skipped", message: expect.stringContaining("shellcheck: not found") }]);
  });

  it("end to end: set-up is clean, an edited script fails validate naming its line; a non-UTF-8 script is exit 2 naming it", () => {
    const dir = makeRepo("example");
    expect(runCli(["--yes", dir], { timeoutMs: 120_000 }).code).toBe(0);
    const clean = runCli(["validate", "--offline", dir], { timeoutMs: 120_000 });
    expect(clean.stdout).not.toContain("shellcheck/");
    const path = join(dir, SCRIPT);
    const text = readFileSync(path, "utf8");
    const lines = text.split("\n");
    const at = lines.findIndex((l) => l.startsWith("set -")) + 2;
    writeFileSync(path, [...lines.slice(0, at - 1), "if [ -n $FOO ]; then echo yes; fi", ...lines.slice(at - 1)].join("\n"));
    const edited = runCli(["validate", "--offline", dir], { timeoutMs: 120_000 });
    expect(edited.code).toBe(1);
    expect(edited.stdout).toContain(`${SCRIPT}:${at}`);
    expect(edited.stdout).toMatch(/shellcheck\/SC2070|shellcheck\/SC2086/);
    writeFileSync(path, Buffer.concat([Buffer.from(text), Buffer.from("# caf\xe9\n", "latin1")]));
    const latin1 = runCli(["validate", "--offline", dir], { timeoutMs: 120_000 });
    expect(latin1.code).toBe(2);
    expect(latin1.stderr + latin1.stdout).toContain(SCRIPT);
  }, 300_000);
});
