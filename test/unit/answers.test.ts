import { describe, expect, it } from "vitest";
import { layer, readAnswersFile, validateAnswers } from "../../src/answers/resolve.js";
import { answersSchema } from "../../src/answers/schema.js";
import { UserError } from "../../src/errors.js";
import { BASE_ANSWERS } from "../support/answers.js";

const base = BASE_ANSWERS;

describe("answer precedence: flag > answers file > recorded > detected", () => {
  it("takes each answer from the highest layer that has it", () => {
    const { values, origin } = layer({
      detected: { ...base, schedule: "daily", label: "security", branch: "main" },
      recorded: { path: "state", values: { schedule: "weekly", label: "sec", branch: "trunk" } },
      file: { path: "a.json", values: { label: "from-file", branch: "dev" } },
      flags: { branch: "flagged", image: undefined },
    });
    expect(values).toMatchObject({ schedule: "weekly", label: "from-file", branch: "flagged", image: "ghcr.io/acme/svc" });
    expect(origin).toMatchObject({ schedule: "state", label: 'a.json: "label"', branch: "--branch", image: "detected" });
  });
});

describe("validation names where a bad value came from", () => {
  const bad = (key: string, value: unknown, from: string) => {
    const { values, origin } = layer({ detected: base, flags: { [key]: value } });
    try {
      validateAnswers(values, origin);
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message.startsWith(from)).toBe(true);
      return (error as UserError).message;
    }
    throw new Error(`accepted ${key}=${String(value)}`);
  };
  it.each([
    ["image", "ghcr.io/acme/${{ github.token }}", /GitHub expression/],
    ["image", "GHCR.io/Acme/Svc", /lower-case/],
    ["image", "ghcr.io/acme/svc:latest", /without a tag/],
    ["image", "ghcr.io/acme/svc\nrun: curl evil", /lower-case/],
    ["schedule", "0 4 * * *", /minute "0"/],
    ["schedule", "*/5 * * * *", /minute/],
    ["schedule", "every day", /not daily, weekly or a five-field cron/],
    ["schedule", "17 4 * *", /five-field/],
    ["severity", "CRITICAL,SEVERE", /severity must be/],
    ["label", "sec`rm -rf`", /label may only/],
    ["label", "a\nb", /label may only/],
    ["dockerfile", "../outside/Dockerfile", /inside the repository/],
    ["dockerfile", "docker file; rm", /may only contain/],
    ["branch", "main;reboot", /branch name/],
    ["updater", "snyk", /updater must be/],
  ])("%s = %j", (key, value, message) => {
    expect(bad(key, value, key === "imageScan" ? "--no-image-scan" : `--${key}`)).toMatch(message);
  });

  it("normalises severity to rank order", () => {
    expect(answersSchema.parse({ ...base, severity: "high, critical" }).severity).toBe("CRITICAL,HIGH");
  });
  it("accepts a custom cron off the hour", () => {
    expect(answersSchema.parse({ ...base, schedule: "17 4 * * 1-5" }).schedule).toBe("17 4 * * 1-5");
  });
  it("requires a Dockerfile for the image scan and says how to skip it", () => {
    const { values, origin } = layer({ detected: { ...base, dockerfile: undefined }, flags: {} });
    expect(() => validateAnswers(values, origin)).toThrow(/--no-image-scan/);
    expect(validateAnswers({ ...values, imageScan: false }, origin).imageScan).toBe(false);
  });
});

describe("answers file", () => {
  it("rejects unknown keys, naming the file", () => {
    expect(() => readAnswersFile("answers.json", '{"imagee": "x"}')).toThrow(/answers.json: unknown answer "imagee"/);
  });
  it("rejects invalid JSON, naming the file", () => {
    expect(() => readAnswersFile("answers.json", "{")).toThrow(/answers.json: not valid JSON/);
  });
});

describe("--scanner grype: a threshold, not a list", () => {
  const withFlags = (flags: Record<string, unknown>) => {
    const { values, origin } = layer({ detected: base, flags: { scanner: "grype", ...flags } });
    return () => validateAnswers(values, origin);
  };
  it.each(["CRITICAL", "CRITICAL,HIGH", "HIGH,CRITICAL", "critical,high,medium", "CRITICAL,HIGH,MEDIUM,LOW"])("accepts %s (a range from CRITICAL down)", (severity) => {
    expect(withFlags({ severity })().scanner).toBe("grype");
  });
  it.each([
    ["CRITICAL,MEDIUM", /not one/],
    ["HIGH", /not one/],
    ["HIGH,MEDIUM", /not one/],
    ["CRITICAL,HIGH,MEDIUM,LOW,UNKNOWN", /cannot fail on UNKNOWN/],
  ])("refuses %s, naming --severity and the ranges that work", (severity, why) => {
    expect(withFlags({ severity })).toThrow(UserError);
    try {
      withFlags({ severity })();
    } catch (error) {
      const message = (error as UserError).message;
      expect(message.startsWith("--severity: ")).toBe(true);
      expect(message).toMatch(why);
      expect(message).toContain("pass --severity as a range from CRITICAL down: CRITICAL | CRITICAL,HIGH | CRITICAL,HIGH,MEDIUM | CRITICAL,HIGH,MEDIUM,LOW");
    }
  });
  it("the same list is fine with Trivy, which takes a list", () => {
    expect(answersSchema.parse({ ...base, severity: "CRITICAL,MEDIUM" }).severity).toBe("CRITICAL,MEDIUM");
  });
  it("refuses --sarif with grype, saying why", () => {
    expect(withFlags({ sarif: true })).toThrow(/^--sarif: --sarif is not available with --scanner grype: .*severity-cutoff only sets the exit code/);
  });
});

describe("--db-repository: where Trivy's database comes from", () => {
  const validate = (dbRepository: unknown, over: Record<string, unknown> = {}) =>
    validateAnswers({ ...base, ...over, dbRepository }, { dbRepository: "--db-repository" });
  it("takes one or more OCI references (Trivy tries them in order); unset keeps Trivy's defaults", () => {
    expect(validate("mirror.example.com/aquasec/trivy-db:2").dbRepository).toBe("mirror.example.com/aquasec/trivy-db:2");
    expect(validate("registry.local:5000/trivy-db:2,ghcr.io/aquasecurity/trivy-db:2").dbRepository).toBe("registry.local:5000/trivy-db:2,ghcr.io/aquasecurity/trivy-db:2");
    expect(validateAnswers({ ...base }, {}).dbRepository).toBeUndefined();
  });
  it.each([
    ["an expression", "ghcr.io/${{ github.actor }}/db:2"],
    ["a URL", "https://ghcr.io/aquasecurity/trivy-db:2"],
    ["upper case", "GHCR.io/aquasecurity/trivy-db:2"],
    ["a quote", "ghcr.io/a'b/trivy-db:2"],
    ["an empty entry", "ghcr.io/aquasecurity/trivy-db:2,"],
  ])("refuses %s, naming the flag", (_name, value) => {
    expect(() => validate(value)).toThrow(/^--db-repository: ".*" is not an OCI reference Trivy can pull its database from/);
  });
  it("with --scanner grype: an https URL of Grype's database listing", () => {
    expect(validate("https://grype.example.com/databases/v6/latest.json", { scanner: "grype", sarif: false }).dbRepository).toBe("https://grype.example.com/databases/v6/latest.json");
    expect(() => validate("mirror.example.com/aquasec/trivy-db:2", { scanner: "grype", sarif: false })).toThrow(/^--db-repository: ".*" is not an https URL of a Grype database listing/);
  });
  it("reaches the database action as its db-repository default, quoted, and the script as DB_REPOSITORY", async () => {
    const { viewWith } = await import("../support/answers.js");
    const { renderDbAction } = await import("../../src/render/index.js");
    const action = renderDbAction(viewWith({ dbRepository: "mirror.example.com/aquasec/trivy-db:2" }));
    expect(action).toMatch(/\n {2}db-repository:\n(?: {4}.*\n)*? {4}default: 'mirror\.example\.com\/aquasec\/trivy-db:2'\n/);
    expect(action).toContain("DB_REPOSITORY: ${{ inputs.db-repository }}\n");
  });
});

describe("zod's own messages (zod/mini with its English locale, issue 19)", () => {
  it("a wrong type in an answers file names the file and says what was expected", () => {
    const { values, origin } = layer({ detected: base, file: { path: "answers.json", values: { imageScan: "yes" } }, flags: {} });
    expect(() => validateAnswers(values, origin)).toThrow(`answers.json: "imageScan": Invalid input: expected boolean, received string`);
  });

  it("a state file's field of the wrong kind is named with zod's message", async () => {
    const { parseState } = await import("../../src/state/index.js");
    const text = JSON.stringify({ tool: "create-relay-security", version: "0.0.1", schema: 1.5, answers: {}, files: {} });
    expect(() => parseState(".github/relay-security.json", text)).toThrow(".github/relay-security.json: not a relay-security state file (schema: Invalid input: expected int, received number)");
  });
});
