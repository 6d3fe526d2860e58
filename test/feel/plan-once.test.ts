import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { terminalPager } from "../../src/deps-node.js";
import { renderInitReport } from "../../src/report/init.js";
import { runInit } from "../../src/run.js";
import { initOptions, scriptedDeps } from "../support/deps.js";
import { makeRepo } from "../support/repo.js";

const ANSWERS = ["ghcr.io/acme/hello-service", "Dockerfile", "daily", "CRITICAL,HIGH", "renovate"];

describe("one plan: previewed once, summarised after writing (issue 15.1)", () => {
  it("the preview is not called a dry run; the diffs leave the state file to one line and go to the pager", async () => {
    const dir = makeRepo("example");
    const { deps, out } = scriptedDeps([...ANSWERS, "diff", "write"]);
    const paged: string[] = [];
    deps.page = async (text) => {
      paged.push(text);
    };
    const { report } = await runInit(initOptions(dir, { mode: "interactive" }), deps);
    expect(out[0]).toMatch(/^relay-security will write:/);
    expect(out.join("\n")).not.toContain("dry run");
    expect(paged).toHaveLength(1);
    expect(paged[0]).toContain("+++ b/.github/workflows/security-scan.yml");
    expect(paged[0]).not.toContain("+++ b/.github/relay-security.json");
    expect(paged[0]).toMatch(/^\.github\/relay-security\.json: created: the recorded answers/m);
    const final = renderInitReport(report);
    expect(final).toMatch(/^Wrote \d+ file\(s\):\n  \.github\/workflows\/security-scan\.yml/);
    expect(final).not.toMatch(/^ {2}create /m);
    expect(final).toContain("Next steps:");
  });

  it("a non-interactive run still prints the plan, and --dry-run says so", async () => {
    const dir = makeRepo("example");
    const { deps } = scriptedDeps([]);
    const yes = await runInit(initOptions(dir), deps);
    expect(renderInitReport(yes.report)).toMatch(/^Plan:\n {2}create /);
    const dry = await runInit(initOptions(makeRepo("example"), { dryRun: true }), scriptedDeps([]).deps);
    expect(renderInitReport(dry.report)).toMatch(/^Plan \(dry run, nothing written\):/);
  });
});

describe("the pager", () => {
  const fakeStdout = (isTTY: boolean, rows: number) => {
    const written: string[] = [];
    return { stream: { isTTY, rows, write: (t: string) => written.push(t) } as unknown as NodeJS.WriteStream, written };
  };
  const long = Array.from({ length: 40 }, (_, i) => `line ${i}`).join("\n");

  it("pages through $PAGER when the text is taller than the terminal", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "pager-")), "paged");
    const { stream, written } = fakeStdout(true, 10);
    await terminalPager({ PAGER: `cat > ${file}` }, stream)(long);
    expect(readFileSync(file, "utf8")).toBe(`${long}\n`);
    expect(written).toEqual([]);
  });

  it("prints short text, text on a pipe, and text whose pager cannot start", async () => {
    const short = fakeStdout(true, 50);
    await terminalPager({ PAGER: `cat > /dev/null` }, short.stream)("a\nb");
    expect(short.written).toEqual(["a\nb\n"]);
    const missing = fakeStdout(true, 10);
    await terminalPager({ PAGER: "no-such-pager-here" }, missing.stream)(long);
    expect(missing.written).toEqual([`${long}\n`]);
    const pipe = fakeStdout(false, 10);
    await terminalPager({}, pipe.stream)(long);
    expect(pipe.written).toEqual([`${long}\n`]);
  });
});

describe("the questions (issue 15.7)", () => {
  it("a re-run asks 'Change answers?' (default no) and then nothing; yes asks them again, pre-filled from the state file", async () => {
    const dir = makeRepo("example");
    await runInit(initOptions(dir), scriptedDeps([]).deps);
    const keep = scriptedDeps([false]);
    await runInit(initOptions(dir, { mode: "interactive", allowDirty: true }), keep.deps);
    expect(keep.asked).toEqual([{ kind: "confirm", message: "Change answers? (recorded in .github/relay-security.json)", initial: false }]);
    const change = scriptedDeps([true, "ghcr.io/acme/hello-service", "Dockerfile", "custom", "17 4 * * 2", "CRITICAL,HIGH", "renovate", "write"]);
    const { report } = await runInit(initOptions(dir, { mode: "interactive", allowDirty: true }), change.deps);
    expect(change.asked.map((q) => q.message.split(" (")[0])).toEqual(["Change answers?", "Image name", "Dockerfile", "How often should the default branch be rescanned?", "Cron expression", "Fail on fixable vulnerabilities of severity", "What keeps the pins fresh?", "Write these files?"]);
    // "custom cron" is not pre-filled with the word "daily"
    expect(change.asked[4]?.initial).toBe("");
    expect(report.written).toContain(".github/workflows/security-scan.yml");
  });

  it("no branch question, and the next steps say the default branch", async () => {
    const dir = makeRepo("example");
    const { deps, asked } = scriptedDeps([...ANSWERS, "write"]);
    const { report } = await runInit(initOptions(dir, { mode: "interactive" }), deps);
    expect(asked.some((q) => /branch \(/i.test(q.message) || /^Default branch/.test(q.message))).toBe(false);
    expect(asked[0]?.message).toContain("the PR gate scans the tag your CI builds");
    expect(report.next?.join("\n")).toContain("on the default branch");
  });
});

describe("progress on long work (issue 15.8)", () => {
  it("interactive: a spinner says what runs while the validators run, and stops with the outcome", async () => {
    const dir = makeRepo("example");
    const { deps } = scriptedDeps([...ANSWERS, "write"]);
    const events: string[] = [];
    deps.progress = (label) => {
      events.push(`start ${label}`);
      return { stop: (text) => events.push(`stop ${text}`) };
    };
    await runInit(initOptions(dir, { mode: "interactive" }), deps);
    expect(events).toEqual(["start Checking what was written: actionlint, the Trivy gate preview", expect.stringMatching(/^stop Checked: \d+ error\(s\) in what relay-security wrote$/)]);
    const yes = scriptedDeps([]);
    let started = 0;
    yes.deps.progress = () => {
      started++;
      return { stop: () => undefined };
    };
    await runInit(initOptions(makeRepo("example")), yes.deps);
    expect(started).toBe(0);
  });
});
