/**
 * A tiny npm registry on 127.0.0.1 for the packaging tests: it serves one package from a local
 * tarball as the public registry would after `npm publish` (its packument, with `_hasShrinkwrap` set
 * when the tarball carries an npm-shrinkwrap.json: the registry computes that flag, and npm honours a
 * dependency's shrinkwrap only when it is set), and passes every other request on to the upstream
 * registry, so the package's dependencies resolve as they would for a user.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

const UPSTREAM = "https://registry.npmjs.org";

export interface LocalRegistry {
  url: string;
  close(): Promise<void>;
}

export async function localRegistry(tarball: string, opts: { hasShrinkwrap?: boolean } = {}): Promise<LocalRegistry> {
  const bytes = readFileSync(tarball);
  const pkg = JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" })) as { name: string; version: string };
  const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" });
  const hasShrinkwrap = opts.hasShrinkwrap ?? listing.split("\n").includes("package/npm-shrinkwrap.json");
  const file = `${pkg.name}-${pkg.version}.tgz`;
  let base = "";
  const server: Server = createServer((req, res) => {
    const path = req.url ?? "/";
    if (path === `/${pkg.name}`) {
      const version = {
        ...pkg,
        _hasShrinkwrap: hasShrinkwrap,
        dist: { tarball: `${base}/${pkg.name}/-/${file}`, integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`, shasum: createHash("sha1").update(bytes).digest("hex") },
      };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ name: pkg.name, "dist-tags": { latest: pkg.version }, versions: { [pkg.version]: version } }));
      return;
    }
    if (path === `/${pkg.name}/-/${file}`) {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.end(bytes);
      return;
    }
    const accept = typeof req.headers.accept === "string" ? req.headers.accept : "*/*";
    fetch(`${UPSTREAM}${path}`, { headers: { accept } })
      .then(async (up) => {
        const body = Buffer.from(await up.arrayBuffer());
        res.writeHead(up.status, { "content-type": up.headers.get("content-type") ?? "application/octet-stream" });
        res.end(body);
      })
      .catch((error: unknown) => {
        res.writeHead(502);
        res.end(String(error));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `${base}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
