import { createHash } from "node:crypto";
/**
 * `docker://` actions pinned by the digest a registry serves: a local registry on 127.0.0.1 that asks
 * for an anonymous bearer token first, as Docker Hub and ghcr.io do.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registryOf } from "../../src/digests/registry.js";
import { runPin } from "../../src/pin/index.js";
import { lintPins } from "../../src/validate/pins.js";
import { loadPins } from "../../src/pins.js";
import { scriptedDeps } from "../support/deps.js";

// The registry's answer is checked: the digest is the sha256 of the manifest it serves.
const MANIFEST = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [] });
const DIGEST = `sha256:${createHash("sha256").update(MANIFEST).digest("hex")}`;
let server: Server;
let host: string;
const asked: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    asked.push(`${req.method} ${req.url} ${req.headers.authorization ?? "-"}`);
    if (req.url?.startsWith("/token?")) {
      const q = new URL(req.url, "http://x").searchParams;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: `anon-${q.get("scope")}` }));
      return;
    }
    if (req.headers.authorization !== "Bearer anon-repository:acme/tool:pull") {
      res.writeHead(401, { "www-authenticate": `Bearer realm="http://${host}/token",service="test",scope="repository:acme/tool:pull"` }).end();
      return;
    }
    if (req.method === "GET" && req.url === "/v2/acme/tool/manifests/1.2" && /image\.index/.test(req.headers.accept ?? "")) {
      res.writeHead(200, { "docker-content-digest": DIGEST, "content-type": "application/vnd.oci.image.index.v1+json" }).end(MANIFEST);
    }
    else res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

describe("pin docker:// actions", () => {
  it("pins a tag by the registry's digest, keeps a digest pin, and says why it could not pin a missing tag", async () => {
    const dir = mkdtempSync(join(tmpdir(), "relay-pin-docker-"));
    mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
    const wf = `jobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: docker://${host}/acme/tool:1.2\n      - uses: 'docker://${host}/acme/tool:nope'\n      - uses: docker://alpine:3.20@${DIGEST}\n`;
    writeFileSync(join(dir, ".github/workflows/a.yml"), wf);
    const run = await runPin({ dir, check: false, dryRun: false, offline: false, update: false, minAgeDays: 7 }, scriptedDeps([]).deps);
    expect(run.results.map((r) => r.status)).toEqual(["pinned", "unresolved", "unchanged"]);
    expect(run.results[1]?.why).toMatch(/HTTP 404 for acme\/tool:nope/);
    const after = readFileSync(join(dir, ".github/workflows/a.yml"), "utf8");
    expect(after).toBe(wf.replace(`acme/tool:1.2\n`, `acme/tool:1.2@${DIGEST}\n`));
    expect(asked[0]).toMatch(/^GET \/v2\/acme\/tool\/manifests\/1\.2 -$/);
    expect(lintPins([{ path: ".github/workflows/a.yml", text: after }], loadPins()).filter((f) => f.rule === "pins/docker-digest")).toHaveLength(1);
  });

  it("offline: reported, not pinned", async () => {
    const dir = mkdtempSync(join(tmpdir(), "relay-pin-docker-"));
    mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
    writeFileSync(join(dir, ".github/workflows/a.yml"), `jobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: docker://${host}/acme/tool:1.2\n`);
    const run = await runPin({ dir, check: false, dryRun: false, offline: true, update: false, minAgeDays: 7 }, scriptedDeps([]).deps);
    expect(run.results[0]).toMatchObject({ status: "unresolved", why: expect.stringMatching(/the registry was not asked \(offline\)/) });
    expect(run.written).toEqual([]);
  });

  it("knows where images live", () => {
    expect(registryOf("alpine:3")).toEqual({ host: "registry-1.docker.io", name: "library/alpine", tag: "3" });
    expect(registryOf("acme/tool:1")).toEqual({ host: "registry-1.docker.io", name: "acme/tool", tag: "1" });
    expect(registryOf("ghcr.io/acme/tool:1")).toEqual({ host: "ghcr.io", name: "acme/tool", tag: "1" });
    expect(registryOf("localhost:5000/tool:1")).toEqual({ host: "localhost:5000", name: "tool", tag: "1" });
  });
});
