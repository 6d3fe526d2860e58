/**
 * Grype's install and database steps (issues 13 and 18), their `run:` text read out of the rendered gate,
 * rescan and daily job. Grype itself is test/support/bin/fake-grype (its database commands as Grype
 * v0.122.0's source has them: the real one needs Go 1.26.10 and many minutes to build here); the database
 * listing comes from a local HTTP server that answers or refuses with 429; `go` is a stand-in that records
 * the `go install` and answers `go version -m` from the binary it wrote.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderDbAction, renderGateStep, renderSecurityDb, renderSecurityScan } from "../../src/render/index.js";
import { viewWith } from "../support/answers.js";
import { actionSteps, runRunStep, stepById, type Step } from "../support/steps.js";

const FAKE_GRYPE = fileURLToPath(new URL("../support/bin/fake-grype", import.meta.url));
const VERSION = viewWith().grypeVersion;
const HOUR = 3600_000;

const grype = (over: Record<string, unknown> = {}) => ({ scanner: "grype", sarif: false, ...over });
const gateSteps = (over: Record<string, unknown> = {}) => parse(renderGateStep(viewWith(grype(over)), "relay-fixture/openssl:latest")) as Step[];
/** A step of our database action (.github/actions/relay-security-db) as the caller in `steps` runs it. */
const actionStep = (steps: Step[], id: string) => {
  const callers = steps.filter((s) => s.uses === "./.github/actions/relay-security-db" || s.uses === "./.relay-security/.github/actions/relay-security-db");
  if (callers.length !== 1) throw new Error(`expected one step calling our action, found ${callers.length}`);
  return stepById(actionSteps(renderDbAction(viewWith(grype())), callers[0] as Step), id);
};
const jobSteps = (text: string, job: string) => (parse(text) as { jobs: Record<string, { steps: Step[] }> }).jobs[job]?.steps ?? [];

/** A `go` that "builds" grype: writes GOBIN/grype (a copy of the fake) and answers `go version -m` from a stamp. */
function fakeGo(bin: string, log: string) {
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "go"), `#!/usr/bin/env bash
echo "go $* GOTOOLCHAIN=\${GOTOOLCHAIN:-}" >>"${log}"
case "$1" in
  install) ref="\${2#*@}"; mkdir -p "$GOBIN"; cp "${FAKE_GRYPE}" "$GOBIN/grype"; echo "$ref" >"$GOBIN/grype.built-from" ;;
  version) [[ -f "$3.built-from" ]] || exit 1; printf '%s: go1.26.10\\n\\tpath\\tgithub.com/anchore/grype/cmd/grype\\n\\tmod\\tgithub.com/anchore/grype\\t%s\\th1:x=\\n' "$3" "$(cat "$3.built-from")" ;;
  *) exit 2 ;;
esac
`, { mode: 0o755 });
}

describe("Grype's install and database steps", () => {
  let server: Server;
  let mode: "serve" | "refuse" = "serve";
  let url = "";
  const hits: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? "");
      if (mode === "refuse") {
        res.writeHead(429, { "Retry-After": "3600" });
        res.end("Too Many Requests");
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ status: "active", schemaVersion: "v6.1.4", built: new Date(Date.now() - HOUR).toISOString().replace(/\.\d+Z$/, "Z"), path: "vulnerability-db_v6.1.4.tar.zst", checksum: "sha256:00" }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/databases/v6/latest.json`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** RUNNER_TEMP with what the cache restore left: nothing, or grype and a database built `hours` ago. */
  function runner(restored?: { hours: number }) {
    const runnerTemp = mkdtempSync(join(tmpdir(), "relay-grype-runner-"));
    const cwd = join(runnerTemp, "work");
    mkdirSync(cwd);
    const home = join(runnerTemp, "relay-security", "grype");
    if (restored) {
      mkdirSync(join(home, "bin"), { recursive: true });
      copyFileSync(FAKE_GRYPE, join(home, "bin", "grype"));
      writeFileSync(join(home, "bin", "grype.built-from"), `${VERSION}\n`);
      mkdirSync(join(home, "db", "6"), { recursive: true });
      writeFileSync(join(home, "db", "6", "vulnerability.db"), new Date(Date.now() - restored.hours * HOUR).toISOString().replace(/\.\d+Z$/, "Z"));
    }
    const bin = join(runnerTemp, "bin");
    const goLog = join(runnerTemp, "go.log");
    fakeGo(bin, goLog);
    writeFileSync(goLog, "");
    return { runnerTemp, cwd, bin, home, goLog, toolCache: join(runnerTemp, "toolcache") };
  }
  // The listing server speaks plain HTTP on loopback; the https:// of the answer is for the schema.
  const plain = (u: string) => u.replace("https://", "http://");
  const run = (step: Step, r: ReturnType<typeof runner>, over: Record<string, string> = {}, noNetwork = false) =>
    runRunStep(step, { runnerTemp: r.runnerTemp, bin: r.bin, cwd: r.cwd, noNetwork, over: { RUNNER_TOOL_CACHE: r.toolCache, RUNNER_ARCH: "X64", RETRY_DELAYS: "0 0", ...over } });

  it("install: go install at the pinned version into the tool cache scan-action looks in, never install.sh", async () => {
    const r = runner();
    const steps = gateSteps();
    const setup = actionStep(steps, "setup");
    expect(setup.env?.GRYPE_VERSION).toBe(VERSION);
    expect(stepById(steps, "relay-security-scan").with?.["grype-version"]).toBe(VERSION);
    const res = await run(setup, r);
    expect(res.exitCode, res.output).toBe(0);
    expect(readFileSync(r.goLog, "utf8")).toContain(`go install github.com/anchore/grype/cmd/grype@${VERSION} GOTOOLCHAIN=auto`);
    // @actions/tool-cache find("grype", VERSION): RUNNER_TOOL_CACHE/grype/<semver>/<arch> with a .complete marker.
    const dir = join(r.toolCache, "grype", VERSION.replace(/^v/, ""), "x64");
    expect(existsSync(join(dir, "grype")) && existsSync(`${dir}.complete`)).toBe(true);
    const commands = (setup.run ?? "").split("\n").filter((l) => !l.trimStart().startsWith("#")).join("\n");
    expect(commands).not.toMatch(/install\.sh|curl|wget/);
  });

  it("install: a binary from the daily cache built from the pin is reused; another version is rebuilt", async () => {
    const r = runner({ hours: 5 });
    const setup = actionStep(gateSteps(), "setup");
    expect((await run(setup, r)).output).toContain("from the cache");
    expect(readFileSync(r.goLog, "utf8")).not.toContain("go install");
    writeFileSync(join(r.home, "bin", "grype.built-from"), "v0.110.0\n");
    const again = await run(setup, r);
    expect(again.exitCode).toBe(0);
    expect(readFileSync(r.goLog, "utf8")).toContain(`go install github.com/anchore/grype/cmd/grype@${VERSION}`);
  });

  it("warm cache: no request for the listing; the scan step turns Grype's own update off", async () => {
    const r = runner({ hours: 5 });
    const steps = gateSteps({ dbRepository: url });
    const before = hits.length;
    const res = await run(actionStep(steps, "db"), r, { GRYPE_DB_UPDATE_URL: plain(url) });
    expect([res.exitCode, res.outputs.status], res.output).toEqual([0, "cached"]);
    expect(hits.length).toBe(before);
    expect(stepById(steps, "relay-security-scan").env).toEqual({ GRYPE_DB_AUTO_UPDATE: "false", GRYPE_DB_CACHE_DIR: "${{ runner.temp }}/relay-security/grype/db" });
    expect(stepById(steps, "relay-security-scan").with).not.toHaveProperty("cache-db");
  });

  it.each([["stale (built 72 h ago)", { hours: 72 }], ["not restored", undefined]] as const)("%s: downloads", async (_n, restored) => {
    mode = "serve";
    const r = runner(restored);
    if (!restored) copyFileSync(FAKE_GRYPE, join(r.bin, "grype")); // installed by the step before
    const step = actionStep(gateSteps({ dbRepository: url }), "db");
    const res = await run(step, r, { GRYPE_DB_UPDATE_URL: plain(url), ...(restored ? {} : { GRYPE: join(r.bin, "grype") }) });
    expect([res.exitCode, res.outputs.status], res.output).toEqual([0, "downloaded"]);
  });

  it("a server answering 429: three attempts, the step fails and says it is not a finding", async () => {
    mode = "refuse";
    const r = runner({ hours: 72 });
    const steps = gateSteps({ dbRepository: url });
    const res = await run(actionStep(steps, "db"), r, { GRYPE_DB_UPDATE_URL: plain(url) });
    mode = "serve";
    expect(res.exitCode).toBe(1);
    expect(res.output).toContain("bad response code: 429");
    expect(res.output.match(/^Attempt \d failed with a temporary error/gm)).toHaveLength(3);
    // The action's own annotation; nothing of ours runs after the scan.
    expect(res.output).toMatch(/^::error title=Vulnerability scan did not run::the scan did not run: the vulnerability database could not be downloaded; this is not a finding\. Re-run the job later/m);
    expect(steps.map((s) => s.id)).toEqual(["relay-security-db", "relay-security-scan"]);
  });

  it("no network, Grype's default listing: retried, then the step fails", async () => {
    const r = runner({ hours: 200 });
    const res = await run(actionStep(gateSteps(), "db"), r, {}, true);
    expect(res.exitCode).toBe(1);
    expect(res.output).toContain("grype.anchore.io");
    expect(res.output).toContain("no retries left");
  });

  it("the rescan and the daily job run the same scripts; the daily job always downloads and saves binary and database", async () => {
    const rescan = jobSteps(renderSecurityScan(viewWith(grype())), "image");
    expect(actionStep(rescan, "db").run).toBe(actionStep(gateSteps(), "db").run);
    expect(actionStep(rescan, "setup").run).toBe(actionStep(gateSteps(), "setup").run);
    const daily = jobSteps(renderSecurityDb(viewWith(grype({ dbRepository: url }))), "grype-db");
    const download = actionStep(daily, "db");
    expect([download.env?.REFRESH, download.env?.RETRY_DELAYS]).toEqual(["true", "60 300"]);
    const r = runner({ hours: 5 });
    const res = await run(download, r, { GRYPE_DB_UPDATE_URL: plain(url) });
    expect([res.exitCode, res.outputs.status], res.output).toEqual([0, "downloaded"]);
    const save = daily.find((s) => s.uses?.startsWith("actions/cache/save@"));
    expect(save?.with?.path).toBe(actionStep(gateSteps(), "cache").with?.path);
    expect(String(save?.with?.key).startsWith(String(actionStep(gateSteps(), "cache").with?.["restore-keys"]))).toBe(true);
  });
});
