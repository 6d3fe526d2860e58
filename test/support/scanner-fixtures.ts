/**
 * Fixture vulnerability databases and image archives for running the real Trivy and govulncheck offline
 * (issue 5; formats in ../shared/notes/offline-scanner-fixtures.md, confirmed against Trivy v0.74.0,
 * the trivy-db it pins and golang.org/x/vuln v1.9.0). Built once per spec and cached under
 * `.cache/scanner-fixtures/<kind>-<hash of the spec and sources>/`, so re-runs cost nothing.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./repo.js";
import { zipArchive } from "./zip.js";

export const FIXTURE_CACHE = join(ROOT, ".cache", "scanner-fixtures");
const SOURCES = join(ROOT, "test", "fixtures", "scanners");
const TRIVYDB_TOOL = join(ROOT, "test", "tools", "trivydb");

/** The fixture advisories, one per scenario. IDs from a future year so they never meet a real DB. */
export const VULN = {
  /** Alpine `openssl` (installed as libcrypto3, origin openssl): CRITICAL, fixed in a newer release. */
  openssl: "CVE-2099-10001",
  /** Alpine `zlib`: CRITICAL, no fix yet (status "affected"). */
  zlib: "CVE-2099-10002",
  /** Alpine `musl`: MEDIUM, fixed. */
  musl: "CVE-2099-10003",
  /** Go `stdlib` at the local Go version: HIGH, fixed in the next patch release. */
  stdlib: "CVE-2099-10004",
  /** Go module `golang.org/x/text` below v0.3.8 (what `trivy fs` finds in a go.mod): HIGH, fixed. */
  xtext: "CVE-2099-10005",
  /** Go module `example.com/relay-fixture/vulnlib` below v1.0.1, function `Bad` (never called): CRITICAL. */
  libNotCalled: "CVE-2099-10006",
  /** The same module, function `AlsoBad` (called by test/fixtures/scanners/govuln-module): HIGH. */
  libCalled: "CVE-2099-10007",
} as const;
export const GO_VULN = "GO-2099-0001";
/** govulncheck's IDs for the two vulnlib advisories (aliases: the CVEs above and a GHSA each). */
export const GO_VULN_LIB = { notCalled: "GO-2099-0002", called: "GO-2099-0003" } as const;
export const GHSA_LIB_NOT_CALLED = "GHSA-2222-3333-4444";
export const VULNLIB = { path: "example.com/relay-fixture/vulnlib", version: "v1.0.0", fixed: "1.0.1" } as const;

/** Go tools run offline and never switch toolchains (a fixture must not download anything). */
export const goEnv = (over: Record<string, string> = {}) => ({
  ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod", GOWORK: "off", CGO_ENABLED: "0", GOPROXY: "off", ...over,
});

/** `go1.26.8` -> { version: "1.26.8", fixed: "1.26.9" }: the fixture stdlib advisory is fixed one patch later. */
export function localGo(): { goVersion: string; version: string; fixed: string } {
  const goVersion = execFileSync("go", ["env", "GOVERSION"], { encoding: "utf8", env: goEnv() }).trim();
  const m = /^go(\d+)\.(\d+)(?:\.(\d+))?/.exec(goVersion);
  if (!m) throw new Error(`cannot read the Go version from "${goVersion}"`);
  const [maj, min, patch] = [m[1], m[2], Number(m[3] ?? 0)];
  return { goVersion, version: `${maj}.${min}.${patch}`, fixed: `${maj}.${min}.${patch + 1}` };
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

export interface TarEntry {
  /** Relative path; directories end with "/". ustar's name field: at most 100 bytes. */
  name: string;
  body?: string | Buffer;
  mode?: number;
  dir?: boolean;
}

/** A deterministic ustar archive (mtime 0, uid/gid 0): enough for `docker save` layers. */
export function tarArchive(entries: TarEntry[]): Buffer {
  const octal = (h: Buffer, at: number, len: number, n: number) => h.write(`${n.toString(8).padStart(len - 1, "0")}\0`, at, len, "ascii");
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = e.dir ? Buffer.alloc(0) : Buffer.from(e.body ?? "");
    if (Buffer.byteLength(e.name) > 100) throw new Error(`tar name longer than 100 bytes: ${e.name}`);
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100, "utf8");
    octal(h, 100, 8, e.mode ?? (e.dir ? 0o755 : 0o644));
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    octal(h, 124, 12, body.length);
    octal(h, 136, 12, 0);
    h.fill(0x20, 148, 156); // the checksum is computed with its own field as spaces
    h.write(e.dir ? "5" : "0", 156, "ascii");
    h.write("ustar\0" + "00", 257, "ascii");
    const sum = h.reduce((a, b) => a + b, 0);
    h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "ascii");
    blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
const read = (...parts: string[]) => readFileSync(join(...parts), "utf8");

/** Build into a temp dir and rename into place, so parallel test files never see half an artifact. */
function cached(kind: string, key: string, build: (dir: string) => void): string {
  const dir = join(FIXTURE_CACHE, `${kind}-${sha256(key).slice(0, 16)}`);
  if (existsSync(join(dir, ".complete"))) return dir;
  mkdirSync(FIXTURE_CACHE, { recursive: true });
  const tmp = mkdtempSync(join(FIXTURE_CACHE, `.${kind}-`));
  try {
    build(tmp);
    writeFileSync(join(tmp, ".complete"), key);
    renameSync(tmp, dir);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    // Another worker finished first: theirs is as good as ours.
    if (!existsSync(join(dir, ".complete"))) throw error;
  }
  return dir;
}

// ---- Trivy --------------------------------------------------------------------------------------

const ALPINE = "alpine 3.22";
const GO_BUCKET = "go::The Go Vulnerability Database";

/** The DB spec test/tools/trivydb writes (trivy-db JSON field names). */
function trivyDbSpec(go: ReturnType<typeof localGo>) {
  const vuln = (title: string, severity: string, source: string) => ({
    Title: title,
    Description: `relay-security test fixture: ${title}`,
    Severity: severity,
    VendorSeverity: { [source]: ["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"].indexOf(severity), nvd: ["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"].indexOf(severity) },
    References: ["https://example.com/relay-security/fixture"],
  });
  return {
    dataSources: {
      [ALPINE]: { ID: "alpine", Name: "Alpine Secdb", URL: "https://secdb.alpinelinux.org/" },
      [GO_BUCKET]: { ID: "govulndb", Name: "The Go Vulnerability Database", URL: "https://pkg.go.dev/vuln/" },
    },
    advisories: {
      [ALPINE]: {
        openssl: { [VULN.openssl]: { FixedVersion: "3.5.5-r0" } },
        zlib: { [VULN.zlib]: {} },
        musl: { [VULN.musl]: { FixedVersion: "1.2.5-r11" } },
      },
      // What trivy-db's OSV importer writes for the range "introduced 0, fixed X".
      [GO_BUCKET]: {
        stdlib: { [VULN.stdlib]: { VulnerableVersions: [`<${go.fixed}`], PatchedVersions: [go.fixed] } },
        "golang.org/x/text": { [VULN.xtext]: { VulnerableVersions: ["<0.3.8"], PatchedVersions: ["0.3.8"] } },
        [VULNLIB.path]: {
          [VULN.libNotCalled]: { VulnerableVersions: [`<${VULNLIB.fixed}`], PatchedVersions: [VULNLIB.fixed] },
          [VULN.libCalled]: { VulnerableVersions: [`<${VULNLIB.fixed}`], PatchedVersions: [VULNLIB.fixed] },
        },
      },
    },
    vulnerabilities: {
      [VULN.openssl]: vuln("openssl: fixture critical, fixed", "CRITICAL", "alpine"),
      [VULN.zlib]: vuln("zlib: fixture critical, no fix yet", "CRITICAL", "alpine"),
      [VULN.musl]: vuln("musl: fixture medium, fixed", "MEDIUM", "alpine"),
      [VULN.stdlib]: vuln("net/http: fixture high in the Go standard library", "HIGH", "govulndb"),
      [VULN.xtext]: vuln("golang.org/x/text: fixture high in a module dependency", "HIGH", "govulndb"),
      [VULN.libNotCalled]: vuln("vulnlib: fixture critical in Bad, which the service never calls", "CRITICAL", "govulndb"),
      [VULN.libCalled]: vuln("vulnlib: fixture high in AlsoBad, which the service calls", "HIGH", "govulndb"),
    },
  };
}

/** One record of lib/apk/db/installed; Trivy looks advisories up by the origin (`o:`). */
const apkRecord = (name: string, version: string, origin: string) =>
  `C:Q1${sha256(name).slice(0, 26)}=\nP:${name}\nV:${version}\nA:x86_64\nL:MIT\no:${origin}\nm:Fixture <fixture@example.com>\n\n`;

function alpineLayer(packages: [name: string, version: string, origin: string][]): TarEntry[] {
  return [
    { name: "etc/", dir: true },
    { name: "etc/alpine-release", body: "3.22.2\n" },
    { name: "etc/os-release", body: 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.22.2\nPRETTY_NAME="Alpine Linux v3.22"\n' },
    { name: "lib/", dir: true },
    { name: "lib/apk/", dir: true },
    { name: "lib/apk/db/", dir: true },
    { name: "lib/apk/db/installed", body: packages.map((p) => apkRecord(...p)).join("") },
  ];
}

/** A `docker save` archive: manifest.json, the config (rootfs.diff_ids = sha256 of each layer tar), layers. */
export function dockerArchive(tag: string, layers: TarEntry[][]): Buffer {
  const tars = layers.map((l) => tarArchive(l));
  const ids = tars.map((t) => sha256(t));
  const config = JSON.stringify({
    architecture: "amd64",
    os: "linux",
    created: "2026-01-01T00:00:00Z",
    config: { Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] },
    rootfs: { type: "layers", diff_ids: ids.map((id) => `sha256:${id}`) },
    history: ids.map(() => ({ created: "2026-01-01T00:00:00Z", created_by: "relay-security fixture" })),
  });
  const configName = `${sha256(config)}.json`;
  const manifest = JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: ids.map((id) => `${id}/layer.tar`) }]);
  return tarArchive([
    { name: configName, body: config },
    ...ids.flatMap((id, i) => [{ name: `${id}/`, dir: true }, { name: `${id}/layer.tar`, body: tars[i] ?? Buffer.alloc(0) }]),
    { name: "manifest.json", body: manifest },
  ]);
}

export type ImageName = "openssl" | "zlib" | "musl" | "gobin" | "gomodule";

export interface TrivyFixtures {
  /** Pass as `--cache-dir`: holds db/trivy.db and db/metadata.json. */
  cacheDir: string;
  /** `docker save` archives, one per scenario. */
  images: Record<ImageName, string>;
  go: ReturnType<typeof localGo>;
}

/** The fixture Trivy DB and image archives (built on first use, then cached). */
export function trivyFixtures(): TrivyFixtures {
  const go = localGo();
  const spec = trivyDbSpec(go);
  const key = JSON.stringify({
    v: 1, spec, go: go.goVersion,
    tool: ["main.go", "go.mod", "go.sum"].map((f) => read(TRIVYDB_TOOL, f)),
    gobin: ["go.mod", "main.go"].map((f) => read(SOURCES, "gobin", f)),
    builder: read(ROOT, "test", "support", "scanner-fixtures.ts"),
    gomodule: ["go.mod", "main.go"].map((f) => read(SOURCES, "govuln-module", f)),
    vulnlib: ["go.mod", "lib.go"].map((f) => read(SOURCES, "vulnlib", f)),
  });
  const dir = cached("trivy", key, (tmp) => {
    writeFileSync(join(tmp, "spec.json"), JSON.stringify(spec, null, 2));
    // The module proxy may be needed once for bbolt (CI); GOFLAGS=-mod=mod keeps go.sum as committed.
    execFileSync("go", ["run", ".", "-spec", join(tmp, "spec.json"), "-cache", tmp], {
      cwd: TRIVYDB_TOOL, stdio: "pipe", env: goEnv({ GOPROXY: process.env.GOPROXY ?? "https://proxy.golang.org,direct" }),
    });
    const bin = join(tmp, "app");
    execFileSync("go", ["build", "-trimpath", "-ldflags=-s -w", "-o", bin, "."], { cwd: join(SOURCES, "gobin"), stdio: "pipe", env: goEnv() });
    // The service that depends on vulnlib, built from a copy (go.sum is written on the way).
    const modBin = join(tmp, "gomodule-app");
    const modSrc = copyModule("govuln-module");
    execFileSync("go", ["build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", modBin, "."], { cwd: modSrc, stdio: "pipe", env: moduleEnv() });
    rmSync(modSrc, { recursive: true, force: true });
    const images: Record<ImageName, TarEntry[][]> = {
      openssl: [alpineLayer([["musl", "1.2.5-r11", "musl"], ["libcrypto3", "3.5.4-r0", "openssl"]])],
      zlib: [alpineLayer([["musl", "1.2.5-r11", "musl"], ["zlib", "1.3.1-r2", "zlib"]])],
      musl: [alpineLayer([["musl", "1.2.5-r10", "musl"]])],
      gobin: [
        alpineLayer([["musl", "1.2.5-r11", "musl"]]),
        [{ name: "usr/", dir: true }, { name: "usr/local/", dir: true }, { name: "usr/local/bin/", dir: true },
          { name: "usr/local/bin/app", body: readFileSync(bin), mode: 0o755 }],
      ],
      gomodule: [
        alpineLayer([["musl", "1.2.5-r11", "musl"]]),
        [{ name: "usr/", dir: true }, { name: "usr/local/", dir: true }, { name: "usr/local/bin/", dir: true },
          { name: "usr/local/bin/service", body: readFileSync(modBin), mode: 0o755 }],
      ],
    };
    mkdirSync(join(tmp, "images"));
    for (const [name, layers] of Object.entries(images)) {
      writeFileSync(join(tmp, "images", `${name}.tar`), dockerArchive(`relay-fixture/${name}:latest`, layers));
    }
    rmSync(bin);
    rmSync(modBin);
  });
  const image = (name: ImageName) => join(dir, "images", `${name}.tar`);
  return { cacheDir: dir, images: { openssl: image("openssl"), zlib: image("zlib"), musl: image("musl"), gobin: image("gobin"), gomodule: image("gomodule") }, go };
}

// ---- a Go module proxy for vulnlib ------------------------------------------------------------------

/** A file:// module proxy serving test/fixtures/scanners/vulnlib as VULNLIB.path@VULNLIB.version. */
export function moduleProxy(): string {
  const files = ["go.mod", "lib.go"].map((f) => ({ f, body: read(SOURCES, "vulnlib", f) }));
  return cached("goproxy", JSON.stringify({ v: 1, files, VULNLIB }), (tmp) => {
    const at = join(tmp, ...VULNLIB.path.split("/"), "@v");
    mkdirSync(at, { recursive: true });
    writeFileSync(join(at, "list"), `${VULNLIB.version}\n`);
    writeFileSync(join(at, `${VULNLIB.version}.info`), JSON.stringify({ Version: VULNLIB.version, Time: "2026-01-01T00:00:00Z" }));
    writeFileSync(join(at, `${VULNLIB.version}.mod`), files.find((x) => x.f === "go.mod")?.body ?? "");
    writeFileSync(join(at, `${VULNLIB.version}.zip`), zipArchive(files.map((x) => ({ name: `${VULNLIB.path}@${VULNLIB.version}/${x.f}`, body: x.body }))));
  });
}

/**
 * Go tools offline, with vulnlib from the fixture proxy: no checksum database (the module is made up),
 * go.sum written as needed, and a module cache of its own next to the proxy (writable, so temp copies
 * and caches can be removed).
 */
export function moduleEnv(over: Record<string, string> = {}): Record<string, string | undefined> {
  const proxy = moduleProxy();
  return goEnv({ GOPROXY: `file://${proxy}`, GOSUMDB: "off", GOFLAGS: "-mod=mod -modcacherw", GOMODCACHE: `${proxy}-modcache`, ...over });
}

/** A temp copy of a fixture module (the sources are read-only: go.sum is written into the copy). */
export function copyModule(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `relay-${name}-`));
  cpSync(join(SOURCES, name), dir, { recursive: true });
  return dir;
}

// ---- govulncheck ----------------------------------------------------------------------------------

export interface GovulnFixtures {
  /** For `-db`: govulncheck takes only an absolute file:// URL. */
  dbUrl: string;
  dbDir: string;
  /** Fixture modules (read-only: copy before building in them). */
  calls: string;
  imports: string;
  /** Depends on vulnlib (build it with `moduleEnv()`): calls AlsoBad, never Bad, never path.Match. */
  module: string;
}

/**
 * A govulncheck DB (golang.org/x/vuln v1.9.0 internal/client: index/db.json, index/modules.json,
 * ID/<id>.json OSV) with one stdlib advisory on `path.Match`, fixed one patch after the local Go.
 */
export function govulnFixtures(): GovulnFixtures {
  const go = localGo();
  const modified = "2026-01-01T00:00:00Z";
  const entry = {
    schema_version: "1.3.1",
    id: GO_VULN,
    modified,
    published: modified,
    aliases: [VULN.stdlib],
    summary: "Fixture vulnerability in path.Match",
    details: "relay-security test fixture: path.Match is vulnerable in this made-up advisory.",
    affected: [{
      package: { name: "stdlib", ecosystem: "Go" },
      ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: go.fixed }] }],
      ecosystem_specific: { imports: [{ path: "path", symbols: ["Match"] }] },
    }],
    database_specific: { url: `https://pkg.go.dev/vuln/${GO_VULN}`, review_status: "REVIEWED" },
  };
  // The two vulnlib advisories: one per function, fixed in VULNLIB.fixed.
  const lib = (id: string, cve: string, aliases: string[], symbol: string) => ({
    ...entry,
    id,
    aliases: [cve, ...aliases],
    summary: `Fixture vulnerability in vulnlib.${symbol}`,
    details: `relay-security test fixture: vulnlib.${symbol} is vulnerable in this made-up advisory.`,
    affected: [{
      package: { name: VULNLIB.path, ecosystem: "Go" },
      ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: VULNLIB.fixed }] }],
      ecosystem_specific: { imports: [{ path: VULNLIB.path, symbols: [symbol] }] },
    }],
    database_specific: { url: `https://pkg.go.dev/vuln/${id}`, review_status: "REVIEWED" },
  });
  const entries = [
    entry,
    lib(GO_VULN_LIB.notCalled, VULN.libNotCalled, [GHSA_LIB_NOT_CALLED], "Bad"),
    lib(GO_VULN_LIB.called, VULN.libCalled, [], "AlsoBad"),
  ];
  const dir = cached("govulndb", JSON.stringify({ v: 2, entries }), (tmp) => {
    mkdirSync(join(tmp, "index"));
    mkdirSync(join(tmp, "ID"));
    writeFileSync(join(tmp, "index", "db.json"), JSON.stringify({ modified }));
    writeFileSync(join(tmp, "index", "modules.json"), JSON.stringify([
      { path: "stdlib", vulns: [{ id: GO_VULN, modified, fixed: go.fixed }] },
      { path: VULNLIB.path, vulns: [GO_VULN_LIB.notCalled, GO_VULN_LIB.called].map((id) => ({ id, modified, fixed: VULNLIB.fixed })) },
    ]));
    for (const e of entries) writeFileSync(join(tmp, "ID", `${e.id}.json`), JSON.stringify(e, null, 2));
  });
  return {
    dbDir: dir, dbUrl: `file://${dir}`,
    calls: join(SOURCES, "govuln-calls"), imports: join(SOURCES, "govuln-imports"), module: join(SOURCES, "govuln-module"),
  };
}
