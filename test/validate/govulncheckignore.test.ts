import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/types.js";
import { lintGovulncheckIgnore } from "../../src/validate/govulncheckignore.js";
import { validateRepo } from "../../src/validate/repo.js";
import { renderGovulncheckIgnore } from "../../src/render/index.js";
import { viewWith } from "../support/answers.js";
import { scriptedDeps } from "../support/deps.js";

const NOW = new Date("2026-11-27T12:00:00Z");
const brief = (fs: Finding[]) => fs.map((f) => [f.rule, f.severity, f.line]);
const WHY = "# WHY: we only parse our own templates";
const TODO = "# TODO(2026-12-15): bump golang.org/x/net";

describe("lintGovulncheckIgnore (the .trivyignore rule, for govulncheck IDs)", () => {
  it.each([
    ["a GO- entry", [WHY, TODO, "GO-2026-4321 exp:2027-01-01"], []],
    ["a CVE alias", [WHY, TODO, "CVE-2026-1234 exp:2027-01-01"], []],
    ["a GHSA alias", [WHY, TODO, "GHSA-hcg3-q754-cr77 exp:2027-01-01"], []],
    ["the header we write", renderGovulncheckIgnore(viewWith()).split("\n"), []],
    ["no WHY", [TODO, "GO-2026-4321 exp:2027-01-01"], [["govulncheckignore/why", "error", 2]]],
    ["no TODO", [WHY, "GO-2026-4321 exp:2027-01-01"], [["govulncheckignore/todo", "error", 2]]],
    ["no exp:", [WHY, TODO, "GO-2026-4321"], [["govulncheckignore/exp", "error", 3]]],
    ["a malformed exp:", [WHY, TODO, "GO-2026-4321 exp:2027-1-1"], [["govulncheckignore/exp", "error", 3]]],
    ["expired", [WHY, TODO, "GO-2026-4321 exp:2026-11-01"], [["govulncheckignore/expired", "error", 3]]],
    ["dated today: expired at 00:00 UTC", [WHY, TODO, "GO-2026-4321 exp:2026-11-27"], [["govulncheckignore/expired", "error", 3]]],
    ["a distro advisory is no Go ID", [WHY, TODO, "DLA-3456-1 exp:2027-01-01"], [["govulncheckignore/id", "error", 3]]],
    ["a lower-case GO id never matches", [WHY, TODO, "go-2026-4321 exp:2027-01-01"], [["govulncheckignore/id", "error", 3]]],
    ["a malformed GO id", [WHY, TODO, "GO-26-1 exp:2027-01-01"], [["govulncheckignore/id", "error", 3]]],
    ["CRLF line endings", [WHY, TODO, "GO-2026-4321 exp:2026-11-01"].join("\r\n").split("\n"), [["govulncheckignore/expired", "error", 3]]],
    ["CRLF, complete", [WHY, TODO, "GO-2026-4321 exp:2027-01-01"].join("\r\n").split("\n"), []],
    ["a BOM before the first entry", [`\ufeffGO-2026-4321 exp:2027-01-01`], [["govulncheckignore/why", "error", 1], ["govulncheckignore/todo", "error", 1]]],
    ["a BOM before the comments", [`\ufeff${WHY}`, TODO, "GO-2026-4321 exp:2027-01-01"], []],
  ] as const)("%s", (_name, lines, expected) => {
    expect(brief(lintGovulncheckIgnore(".govulncheckignore", lines.join("\n"), NOW))).toEqual(expected);
  });

  it("says the rescan stops accepting an expired entry", () => {
    const [f] = lintGovulncheckIgnore("x", [WHY, TODO, "GO-2026-4321 exp:2026-01-01"].join("\n"), NOW);
    expect(f?.message).toMatch(/the rescan stops accepting/);
  });

  it("validate reads it from disk: an expired entry fails; a file that is not UTF-8 is refused, naming its line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "relay-govulnignore-"));
    const good = Buffer.from(["# cafe", WHY, TODO, "GO-2026-4321 exp:2027-01-01", ""].join("\n"));
    writeFileSync(join(dir, ".govulncheckignore"), good);
    const { deps } = scriptedDeps([], NOW);
    const ok = await validateRepo(dir, { written: [], deps, scope: "repo", offline: true });
    expect(ok.filter((f) => f.file === ".govulncheckignore")).toEqual([]);

    writeFileSync(join(dir, ".govulncheckignore"), Buffer.concat([good, Buffer.from(["", WHY, TODO, "GO-2026-1111 exp:2026-11-02", ""].join("\n"))]));
    const bad = await validateRepo(dir, { written: [], deps, scope: "repo", offline: true });
    expect(brief(bad.filter((f) => f.file === ".govulncheckignore"))).toEqual([["govulncheckignore/expired", "error", 8]]);

    // Every repository file is read through the guard (issue 11): bytes that are not UTF-8 are exit 2.
    writeFileSync(join(dir, ".govulncheckignore"), Buffer.concat([Buffer.from("# caf\xe9 (latin-1)\n", "latin1"), good]));
    await expect(validateRepo(dir, { written: [], deps, scope: "repo", offline: true })).rejects.toThrow(/\.govulncheckignore: not UTF-8 \(byte 0xe9 on line 1\)/);
  });

  it("a non-UTF-8 byte inside the ID is an ID error (it can never match)", () => {
    const text = Buffer.concat([Buffer.from([WHY, TODO, "GO-2026-432"].join("\n")), Buffer.from([0xe9]), Buffer.from(" exp:2027-01-01\n")]).toString("utf8");
    expect(brief(lintGovulncheckIgnore("x", text, NOW))).toEqual([["govulncheckignore/id", "error", 3]]);
  });
});
