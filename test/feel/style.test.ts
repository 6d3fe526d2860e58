import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { CANCEL } from "../../src/deps.js";
import { plainPrompter } from "../../src/deps-node.js";
import { exitLine } from "../../src/report/exit.js";
import { renderFindings } from "../../src/report/plan.js";
import { PLAIN, styleFor } from "../../src/report/style.js";
import type { Finding } from "../../src/types.js";

const ESC = "\u001b[";
const long: Finding = {
  file: ".github/workflows/security-scan.yml",
  line: 12,
  rule: "actionlint",
  severity: "error",
  message: "shellcheck reported issue in this script: SC2086:info:1:6: Double quote to prevent globbing and word splitting and keep the words together",
};
const tty = { isTTY: true, columns: 100 };

describe("style from the terminal and the environment (issue 15.2)", () => {
  it("colour and marks on a TTY; NO_COLOR, FORCE_COLOR and TERM=dumb honoured", () => {
    expect(styleFor({}, tty)).toEqual({ color: true, marks: true, width: 100 });
    expect(styleFor({ NO_COLOR: "1" }, tty).color).toBe(false);
    expect(styleFor({ NO_COLOR: "" }, tty).color).toBe(true);
    expect(styleFor({ FORCE_COLOR: "0" }, tty).color).toBe(false);
    expect(styleFor({ TERM: "dumb" }, tty).color).toBe(false);
    expect(styleFor({ FORCE_COLOR: "1" }, { isTTY: false })).toEqual({ color: true, marks: false, width: undefined });
    expect(styleFor({}, { isTTY: false })).toEqual(PLAIN);
  });

  it("a terminal reporting 0 columns is 80 wide, not one character a line", () => {
    const style = styleFor({ NO_COLOR: "1" }, { isTTY: true, columns: 0 });
    expect(style.width).toBe(80);
    const lines = renderFindings([long], style).split("\n");
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.length).toBeLessThan(4);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
  });
});

describe("the findings renderer, pure", () => {
  it("plain: one line, as a pipe and the tests before it see it", () => {
    expect(renderFindings([long])).toBe(`  error   .github/workflows/security-scan.yml:12  actionlint: ${long.message}`);
  });

  it("wraps to the width, continuation lines under the text, and marks severity with ✖ ▲ ✔", () => {
    const out = renderFindings([long, { ...long, severity: "warning", message: "short" }, { ...long, severity: "info", message: "ok" }], { color: false, marks: true, width: 60 });
    const lines = out.split("\n");
    expect(lines[0]).toMatch(/^ {2}✖ error {3}\.github/);
    expect(lines[1]).toMatch(/^ {12}\S/);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(60);
    expect(out).toContain("▲ warning .github");
    expect(out).toContain("✔ info    .github");
    expect(out.replace(/\n +/g, " ")).toContain(long.message);
  });

  it("colour: severity in red or yellow (styleText), the text itself uncoloured", () => {
    const out = renderFindings([long, { ...long, severity: "warning" }], { color: true, marks: true, width: 200 });
    expect(out).toContain(`${ESC}31m✖ error  ${ESC}39m`);
    expect(out).toContain(`${ESC}33m▲ warning${ESC}39m`);
    expect(renderFindings([long], { color: false, marks: true, width: 200 })).not.toContain(ESC);
  });

  it("the exit line carries ✔ or ✖", () => {
    const facts = { exitCode: 0, conflicts: [], drift: [], findings: [] };
    expect(exitLine(facts, { color: false, marks: true })).toMatch(/^✔ Exit 0:/);
    expect(exitLine({ ...facts, exitCode: 1, drift: ["x"] }, { color: false, marks: true })).toMatch(/^✖ Exit 1: drift in x/);
    expect(exitLine(facts)).toMatch(/^Exit 0:/);
  });
});

describe("TERM=dumb prompts: a line a question", () => {
  const rig = (input: string) => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    let seen = "";
    stdout.on("data", (d: Buffer) => (seen += d.toString()));
    stdin.end(input);
    return { p: plainPrompter(stdin, stdout), seen: () => seen };
  };

  it("text takes the default on Enter and re-asks on an invalid answer; select by number; confirm y/N", async () => {
    const text = rig("\n");
    expect(await text.p.text({ message: "Image name", initialValue: "ghcr.io/a/b" })).toBe("ghcr.io/a/b");
    expect(text.seen()).toBe("Image name [ghcr.io/a/b]: ");
    const bad = rig("bad\ngood\n");
    expect(await bad.p.text({ message: "Branch", validate: (v) => (v === "bad" ? "not that one" : undefined) })).toBe("good");
    expect(bad.seen()).toContain("  not that one\n");
    const select = rig("2\n");
    expect(await select.p.select({ message: "How often?", options: [{ value: "daily", hint: "a day" }, { value: "weekly" }], initialValue: "daily" })).toBe("weekly");
    expect(select.seen()).toBe("How often?\n  1) daily (a day)\n  2) weekly\nChoice [1]: ");
    expect(await rig("\n").p.confirm({ message: "Change answers?", initialValue: false })).toBe(false);
    expect(await rig("y\n").p.confirm({ message: "Change answers?", initialValue: false })).toBe(true);
    expect(select.seen()).not.toMatch(/\u001b|[│┌└◆◇]/);
  });

  it("end of input is a cancel", async () => {
    expect(await rig("").p.text({ message: "Image name" })).toBe(CANCEL);
  });
});
