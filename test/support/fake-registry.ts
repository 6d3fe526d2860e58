/**
 * A registry on 127.0.0.1 that speaks just enough of the OCI distribution protocol for Trivy's database
 * download (go-containerregistry: `GET /v2/`, the manifest, one blob), so the generated database steps can
 * be run against a registry that answers, and against one that refuses with 429 TOOMANYREQUESTS, as
 * ghcr.io and mirror.gcr.io do on a rate-limited day. go-containerregistry talks plain HTTP to loopback.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { tarArchive } from "./scanner-fixtures.js";

/** The media types Trivy asks for (trivy pkg/db/db.go: dbMediaType). */
const LAYER_TYPE = "application/vnd.aquasec.trivy.db.layer.v1.tar+gzip";
const CONFIG_TYPE = "application/vnd.aquasec.trivy.config.v1+json";
const MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";

export type RegistryMode = "serve" | "refuse";

export interface FakeRegistry {
  /** `127.0.0.1:PORT/aquasec/trivy-db:2`, for --db-repository. */
  repository: string;
  mode: RegistryMode;
  /** Every request as `METHOD path`, in order. */
  requests: string[];
  close(): Promise<void>;
}

const digest = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** The OCI artifact Trivy's database is published as: one gzipped tar layer with trivy.db and metadata.json. */
export function dbArtifact(files: { "trivy.db": Buffer; "metadata.json": string }) {
  const layer = gzipSync(tarArchive([{ name: "trivy.db", body: files["trivy.db"] }, { name: "metadata.json", body: files["metadata.json"] }]));
  const config = Buffer.from("{}");
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MANIFEST_TYPE,
    config: { mediaType: CONFIG_TYPE, digest: digest(config), size: config.length },
    layers: [{ mediaType: LAYER_TYPE, digest: digest(layer), size: layer.length, annotations: { "org.opencontainers.image.title": "db.tar.gz" } }],
  }));
  return { manifest, blobs: new Map([[digest(layer), layer], [digest(config), config]]) };
}

/** Start the registry; `mode` can be changed while it runs. */
export async function startRegistry(artifact: ReturnType<typeof dbArtifact>, mode: RegistryMode): Promise<FakeRegistry> {
  const requests: string[] = [];
  const state: FakeRegistry = { repository: "", mode, requests, close: async () => undefined };
  const send = (res: ServerResponse, req: IncomingMessage, status: number, type: string, body: Buffer, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "Content-Type": type, "Content-Length": String(body.length), ...headers });
    res.end(req.method === "HEAD" ? undefined : body);
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    requests.push(`${req.method} ${path}`);
    if (state.mode === "refuse") {
      const body = Buffer.from(JSON.stringify({ errors: [{ code: "TOOMANYREQUESTS", message: "retry-after: 3600, allowed: 44000/minute" }] }));
      send(res, req, 429, "application/json", body, { "Retry-After": "3600" });
      return;
    }
    if (path === "/v2/" || path === "/v2") return send(res, req, 200, "application/json", Buffer.from("{}"));
    if (path === "/v2/aquasec/trivy-db/manifests/2" || path === `/v2/aquasec/trivy-db/manifests/${digest(artifact.manifest)}`) {
      return send(res, req, 200, MANIFEST_TYPE, artifact.manifest, { "Docker-Content-Digest": digest(artifact.manifest) });
    }
    const blob = /^\/v2\/aquasec\/trivy-db\/blobs\/(sha256:[0-9a-f]{64})$/.exec(path)?.[1];
    const data = blob ? artifact.blobs.get(blob) : undefined;
    if (data) return send(res, req, 200, "application/octet-stream", data, { "Docker-Content-Digest": blob ?? "" });
    send(res, req, 404, "application/json", Buffer.from(JSON.stringify({ errors: [{ code: "NAME_UNKNOWN", message: "repository name not known to registry" }] })));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  state.repository = `127.0.0.1:${port}/aquasec/trivy-db:2`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
