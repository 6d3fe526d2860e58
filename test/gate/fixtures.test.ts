import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planGate, type GateResult } from "../../src/gate/index.js";
import { loadCases, requestFor } from "./helpers.js";

/**
 * Hand-written workflows in test/fixtures/gate/<case>/: input.yml, the expected output (expected.yml for
 * an edit, expected.json for every other result), case.json for the request and the notes a user must see.
 */
const cases = loadCases();

const textOf = (r: GateResult) =>
  [
    "notes" in r ? r.notes.join("\n") : "",
    "summary" in r ? r.summary : "",
    "reason" in r ? r.reason : "",
    "manual" in r ? r.manual : "",
  ].join("\n");

describe("gate fixtures", () => {
  it("has at least 25 hand-written cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  for (const c of cases) {
    const expectedYml = join(c.dir, "expected.yml");
    const expectedJson = join(c.dir, "expected.json");

    it(`${c.name}: ${c.options.about ?? ""}`, () => {
      const result = planGate(requestFor(c));
      if (existsSync(expectedYml)) {
        expect(result.kind).toBe("edit");
        if (result.kind !== "edit") return;
        expect(result.file).toBe(c.path);
        expect(result.before).toBe(c.input);
        expect(result.after).toBe(readFileSync(expectedYml, "utf8"));
        expect(result.addedLoad).toBe(c.input !== result.after && /^\s+load: true\r?$/m.test(result.after) && !/^\s+load: true\r?$/m.test(c.input));
      } else {
        expect(existsSync(expectedJson), "expected.yml or expected.json").toBe(true);
        expect(result).toEqual(JSON.parse(readFileSync(expectedJson, "utf8")));
      }
      for (const note of c.options.notes ?? []) expect(textOf(result)).toContain(note);
    });

    if (existsSync(expectedYml)) {
      it(`${c.name}: a second run on the output changes nothing`, () => {
        const again = planGate(requestFor(c, readFileSync(expectedYml, "utf8")));
        expect(again.kind).toBe("unchanged");
      });

      // Every shape also as a CRLF file and with a BOM: the same edit, in the file's own bytes.
      const variants: [string, (t: string) => string][] = [
        ["CRLF", (t) => t.replace(/\r?\n/g, "\r\n")],
        ["a BOM", (t) => `\uFEFF${t}`],
      ];
      for (const [variant, as] of variants) {
        it(`${c.name}, ${variant}: the same edit, and a second run changes nothing`, () => {
          const input = as(c.input);
          const result = planGate(requestFor({ ...c, input }, input));
          expect(result.kind).toBe("edit");
          if (result.kind !== "edit") return;
          expect(result.after).toBe(as(readFileSync(expectedYml, "utf8")));
          expect(planGate(requestFor({ ...c, input: result.after }, result.after)).kind).toBe("unchanged");
        });
      }
    }
  }
});
