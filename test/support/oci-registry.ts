/**
 * A tiny OCI distribution registry on 127.0.0.1 for the digest-pinning tests: it serves manifests for
 * `name:tag` behind the anonymous bearer-token challenge that Docker Hub and ghcr.io use, and records
 * what was asked.
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface Served {
  body: string;
  mediaType?: string;
  /** A Docker-Content-Digest header to send instead of the true one (to test that a lie is refused). */
  claimed?: string;
}

export const sha256 = (s: string) => `sha256:${createHash("sha256").update(s).digest("hex")}`;

export async function ociRegistry(manifests: Record<string, Served>) {
  const asked: string[] = [];
  let host = "";
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${host}`);
    asked.push(`${req.method} ${url.pathname}${url.search}`);
    if (url.pathname === "/token") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ token: `token-for-${url.searchParams.get("scope")}` }));
      return;
    }
    const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (!m) {
      res.writeHead(404);
      res.end();
      return;
    }
    const [, name, tag] = m;
    const scope = `repository:${name}:pull`;
    if (req.headers.authorization !== `Bearer token-for-${scope}`) {
      res.writeHead(401, { "www-authenticate": `Bearer realm="http://${host}/token",service="test-registry",scope="${scope}"` });
      res.end();
      return;
    }
    const served = manifests[`${name}:${decodeURIComponent(tag ?? "")}`];
    if (!served) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": served.mediaType ?? "application/vnd.oci.image.index.v1+json", "docker-content-digest": served.claimed ?? sha256(served.body) });
    res.end(served.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, asked, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
