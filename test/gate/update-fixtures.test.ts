import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "vitest";
import { planGate } from "../../src/gate/index.js";
import { loadCases, requestFor } from "./helpers.js";

/**
 * Rewrites the expected files after a deliberate change (a template, a pin, the gate itself):
 *   UPDATE_GATE_FIXTURES=1 npx vitest run test/gate/update-fixtures.test.ts
 * then read `git diff test/fixtures/gate` line by line before committing: these files are the spec.
 */
it.runIf(process.env.UPDATE_GATE_FIXTURES === "1")("rewrites test/fixtures/gate/*/expected.*", () => {
  for (const c of loadCases()) {
    const result = planGate(requestFor(c));
    const yml = join(c.dir, "expected.yml");
    const json = join(c.dir, "expected.json");
    for (const f of [yml, json]) if (existsSync(f)) rmSync(f);
    if (result.kind === "edit") writeFileSync(yml, result.after);
    else writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
    if (existsSync(yml) && readFileSync(yml, "utf8") === c.input) throw new Error(`${c.name}: an edit that changes nothing`);
  }
});
