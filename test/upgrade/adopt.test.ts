import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PATHS } from "../../src/render/index.js";
import { renderInitReport } from "../../src/report/init.js";
import { makeRepo, ROOT, snapshot } from "../support/repo.js";
import { commitAll, read, upgrade } from "./support.js";

const fixture = (name: string) => readFileSync(join(ROOT, "test/fixtures/upgrade", name), "utf8");
const stateFiles = (dir: string) => Object.keys((JSON.parse(read(dir, PATHS.state)) as { files: Record<string, unknown> }).files);

describe("a hand-written security-scan.yml", () => {
  const repo = () => makeRepo("example", { files: { [PATHS.securityScan]: fixture("hand-written/security-scan.yml") } });

  it("is a conflict that says what is wrong with it and shows ours; it is left as it is, and not recorded", async () => {
    const dir = repo();
    const { exitCode, report } = await upgrade(dir, { diff: true });
    expect(exitCode).toBe(1);
    const change = report.plan.changes.find((c) => c.path === PATHS.securityScan);
    expect(change?.action).toBe("conflict");
    expect(change?.reason).toMatch(/hand-written \(not in the state file\)/);
    expect(change?.reason).toMatch(/bare SHA pin with a separate `# Tracks:` line \(line 26\)/);
    expect(change?.reason).toMatch(/govulncheck -json as the gate \(line 39\)/);
    expect(change?.reason).toMatch(/finds its issue by title \(line 46\)/);
    expect(change?.reason).toMatch(/--adopt replaces it/);
    const notes = report.plan.notes.join("\n");
    expect(notes).toMatch(/security-scan\.yml:26: job scan, step 3 \(Trivy\) is pinned by a bare SHA/);
    expect(notes).toMatch(/security-scan\.yml:39: .*exits 0 whatever it finds/);
    expect(notes).toMatch(/security-scan\.yml:46: .*search index/);
    const out = renderInitReport(report);
    expect(out).toContain("+++ b/.github/workflows/security-scan.yml");
    expect(out).toMatch(/^\+ {6}- name: Open, update, reopen or close issues$/m); // the diff to ours
    expect(read(dir, PATHS.securityScan)).toBe(fixture("hand-written/security-scan.yml"));
    expect(stateFiles(dir)).not.toContain(PATHS.securityScan);
  });

  it("is never adopted silently: the next run says the same", async () => {
    const dir = repo();
    await upgrade(dir);
    commitAll(dir, "set up, except the scan");
    const again = await upgrade(dir);
    expect(again.exitCode).toBe(1);
    expect(again.report.plan.changes.find((c) => c.path === PATHS.securityScan)?.action).toBe("conflict");
    expect(read(dir, PATHS.securityScan)).toBe(fixture("hand-written/security-scan.yml"));
  });

  it("--adopt replaces it with ours and records it; the next run has nothing to do", async () => {
    const dir = repo();
    const fresh = makeRepo("example");
    await upgrade(fresh);
    const { exitCode, report } = await upgrade(dir, { adopt: true });
    expect(exitCode).toBe(0);
    expect(report.plan.changes.find((c) => c.path === PATHS.securityScan)?.reason).toMatch(/hand-written .*replaced by relay-security's version \(--adopt\)/);
    expect(read(dir, PATHS.securityScan)).toBe(read(fresh, PATHS.securityScan));
    expect(stateFiles(dir)).toContain(PATHS.securityScan);
    commitAll(dir, "adopted");
    const once = snapshot(dir);
    const again = await upgrade(dir);
    expect(renderInitReport(again.report)).toMatch(/^Nothing to do/);
    expect(snapshot(dir)).toEqual(once);
  });
});

describe("a pull-request workflow whose Trivy step is pinned by a bare SHA with a # Tracks: line", () => {
  const repo = () => makeRepo("example", { files: { [PATHS.ci]: fixture("tracks-gate/ci.yml") } });
  const usesLine = "        uses: aquasecurity/trivy-action@57a97c7e7821a5776cebc9bb87c984fa69cba8f1";
  const ourLine = "        uses: aquasecurity/trivy-action@ed142fd0673e97e23eac54620cfb913e5ce36c25 # v0.36.0";

  it("is reported with what --adopt would change, next to the gate's 'already scanned'; ci.yml is not touched", async () => {
    const dir = repo();
    const { exitCode, report } = await upgrade(dir);
    expect(exitCode).toBe(0);
    expect(report.plan.gate.kind).toBe("already-scanned");
    const notes = report.plan.notes.join("\n");
    expect(notes).toMatch(/ci\.yml: job build, step 3 already scans the image/);
    expect(notes).toContain("ci.yml:24: job build, step 3 (Scan image) is pinned by a bare SHA");
    expect(notes).toContain("--adopt rewrites only that line to `uses: aquasecurity/trivy-action@ed142fd0673e97e23eac54620cfb913e5ce36c25 # v0.36.0`");
    expect(notes).toMatch(/ci\.yml:34: job build, step 4 \(Go vulnerabilities\) runs govulncheck with JSON\/SARIF output/);
    expect(read(dir, PATHS.ci)).toBe(fixture("tracks-gate/ci.yml"));
  });

  it("--adopt rewrites that one uses: line and nothing else; a second run changes nothing", async () => {
    const dir = repo();
    const before = read(dir, PATHS.ci);
    const { exitCode, report } = await upgrade(dir, { adopt: true });
    expect(exitCode).toBe(0);
    const after = read(dir, PATHS.ci);
    const [a, b] = [before.split("\n"), after.split("\n")];
    expect(b.length).toBe(a.length);
    const changed = a.flatMap((line, i) => (line === b[i] ? [] : [[line, b[i]]]));
    expect(changed).toEqual([[usesLine, ourLine]]);
    expect(() => parse(after)).not.toThrow();
    expect(report.plan.changes.find((c) => c.path === PATHS.ci)?.reason).toMatch(/re-pinned line 24 to relay-security's Trivy pin \(--adopt\)/);
    commitAll(dir, "adopted");
    const once = snapshot(dir);
    await upgrade(dir, { adopt: true });
    expect(snapshot(dir)).toEqual(once);
  });

  it("--adopt with our gate going into the same file: both edits land together", async () => {
    // A PR workflow that builds the image but scans only the repository: the gate inserts its step, and the
    // tracked pin of the fs scan is re-pinned in the same write.
    const text = fixture("tracks-gate/ci.yml").replace("          image-ref: ghcr.io/acme/hello-service:${{ github.sha }}\n", "          scan-type: fs\n");
    const dir = makeRepo("example", { files: { [PATHS.ci]: text } });
    const { exitCode, report } = await upgrade(dir, { adopt: true });
    expect(exitCode).toBe(0);
    expect(report.plan.gate.kind).toBe("edit");
    const after = read(dir, PATHS.ci);
    expect(after).toContain("id: relay-security-scan");
    expect(after).toContain(`${ourLine}\n        with:\n          scan-type: fs\n`);
    expect(after).not.toContain(usesLine + "\n");
  });
});
