/**
 * Issue 13, item 2: what `npx --yes --ignore-scripts create-relay-security@X` installs is locked. The
 * packed package carries an npm-shrinkwrap.json (scripts/shrinkwrap.mjs, run by prepack) that npm
 * installs exactly, checking every package against its integrity hash; `--ignore-scripts` keeps
 * install scripts from running. Each claim has a control that shows the check can fail.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { basename } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { VERSION } from "../../src/version.js";
import { localRegistry } from "../support/npm-registry.js";
import { makeRepo, ROOT } from "../support/repo.js";

type Entry = { version?: string; integrity?: string; dev?: boolean; link?: boolean };
type Lock = { packages: Record<string, Entry & { devDependencies?: unknown }> };

const pack = (dir: string, into: string) => {
  execFileSync("npm", ["pack", "--pack-destination", into, "--silent"], { cwd: dir, encoding: "utf8" });
  return join(into, readdirSync(into).find((f) => f.endsWith(".tgz")) as string);
};
/** The environment of a user's npm: nothing inherited from the npm that runs these tests. */
const npmEnv = (over: Record<string, string>) => ({ ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))), ...over }) as Record<string, string>;

/** `npm install create-relay-security@X --ignore-scripts` from a local registry that serves `tarball`, as a user's install is. */
async function installFromRegistry(work: string, tarball: string) {
  const registry = await localRegistry(tarball);
  const app = mkdtempSync(join(work, "app-"));
  writeFileSync(join(app, "package.json"), '{ "name": "app", "version": "1.0.0", "private": true }\n');
  try {
    const r = await execa("npm", ["install", `create-relay-security@${VERSION}`, "--omit=dev", "--no-audit", "--no-fund", "--ignore-scripts"], {
      cwd: app, reject: false, timeout: 240_000, extendEnv: false,
      env: npmEnv({ npm_config_registry: registry.url, npm_config_cache: join(work, "cache"), npm_config_replace_registry_host: "always" }),
    });
    return { app, r };
  } finally {
    await registry.close();
  }
}

describe("the packed package's npm-shrinkwrap.json", () => {
  let work: string;
  let tarball: string;
  let shrinkwrap: Lock;
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as Lock;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "relay-shrinkwrap-"));
    tarball = pack(ROOT, mkdtempSync(join(work, "pack-")));
    execFileSync("tar", ["-xzf", tarball, "-C", work, "package/npm-shrinkwrap.json"]);
    shrinkwrap = JSON.parse(readFileSync(join(work, "package", "npm-shrinkwrap.json"), "utf8")) as Lock;
  });

  it("is in the tarball, and the working tree keeps package-lock.json as its only lock", () => {
    expect(shrinkwrap.packages[""]).toMatchObject({ name: "create-relay-security" });
    expect(existsSync(join(ROOT, "npm-shrinkwrap.json"))).toBe(false);
  });

  it("locks an empty tree: the bundle (dist/cli.js) holds every library, so nothing else is resolved (issue 19)", () => {
    const packed = JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" })) as { dependencies?: object };
    expect(packed.dependencies).toBeUndefined();
    expect(Object.keys(shrinkwrap.packages)).toEqual([""]);
    expect(Object.entries(lock.packages).filter(([path, e]) => path !== "" && !e.dev)).toEqual([]);
  });

  it("installed from a registry, npm installs our package alone", async () => {
    const { app, r } = await installFromRegistry(work, tarball);
    expect(r.exitCode, r.stderr).toBe(0);
    const top = readdirSync(join(app, "node_modules")).filter((n) => !n.startsWith("."));
    expect(top).toEqual(["create-relay-security"]);
    expect(existsSync(join(app, "node_modules", "create-relay-security", "node_modules"))).toBe(false);
  });
});

describe("npx --ignore-scripts", () => {
  // A package whose install script would leave a mark: the flag our check workflow passes keeps it from running.
  const scripted = () => {
    const work = mkdtempSync(join(tmpdir(), "relay-scripts-"));
    const src = join(work, "src");
    mkdirSync(src);
    const mark = join(work, "postinstall-ran");
    writeFileSync(join(src, "package.json"), JSON.stringify({ name: "scripted", version: "1.0.0", bin: { scripted: "bin.js" }, scripts: { postinstall: `node -e "require('fs').writeFileSync('${mark}', '')"` } }));
    writeFileSync(join(src, "bin.js"), "#!/usr/bin/env node\nconsole.log('ran');\n");
    const tarball = pack(src, mkdtempSync(join(work, "pack-")));
    const env = npmEnv({ npm_config_cache: join(work, "cache") });
    const npx = (flags: string[]) => spawnSync("npx", ["--yes", ...flags, `--package=${tarball}`, "scripted"], { cwd: work, encoding: "utf8", env, timeout: 120_000 });
    return { mark, npx };
  };

  it("runs the bin without its install script; control: without the flag the script runs", () => {
    const a = scripted();
    const r = a.npx(["--ignore-scripts"]);
    expect(r.stdout.trim(), r.stderr).toBe("ran");
    expect(existsSync(a.mark)).toBe(false);
    const b = scripted();
    const control = b.npx([]);
    expect(control.stdout.trim(), control.stderr).toBe("ran");
    expect(existsSync(b.mark)).toBe(true);
  });

  it("the packed create-relay-security runs check that way, as relay-security-check.yml does", async () => {
    const work = mkdtempSync(join(tmpdir(), "relay-npx-"));
    const tarball = pack(ROOT, work);
    const dir = makeRepo("example");
    const { runInit } = await import("../../src/run.js");
    const { initOptions, scriptedDeps } = await import("../support/deps.js");
    expect((await runInit(initOptions(dir), scriptedDeps([]).deps)).exitCode).toBe(0);
    execFileSync("git", ["-C", dir, "add", "-A"]);
    execFileSync("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "set up"]);
    const r = spawnSync("npx", ["--yes", "--ignore-scripts", `--package=${tarball}`, "create-relay-security", "check", "--offline"], { cwd: dir, encoding: "utf8", env: { ...process.env, CI: "true" }, timeout: 180_000 });
    expect(r.stdout).toMatch(/^No drift/);
    expect(r.status).toBe(0);
  });
});
