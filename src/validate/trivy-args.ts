/**
 * What aquasecurity/trivy-action does with a step's `with:` inputs, so the gate's policy can be replayed
 * outside GitHub (the dry run in `validate`, and the tests that run the real Trivy on the rendered step).
 *
 * trivy-action (v0.2x to v0.36.0) never builds a command line from its inputs: `action.yaml` writes each
 * input that differs from its default to `trivy_envs.txt` as `export TRIVY_<NAME>=<value>`, and
 * `entrypoint.sh` sources that file and runs `trivy <scan-type> <image-ref or scan-ref>`. `trivyignores`
 * (comma-separated) is the exception: the entrypoint concatenates the plain files into `./trivyignores`
 * (it stops with "cannot find ignorefile" when one is missing) and exports TRIVY_IGNOREFILE; a single
 * `.yaml`/`.yml` file is passed as is. Sources: trivy-action action.yaml ("Set Trivy environment
 * variables") and entrypoint.sh ("Handle trivy ignores", "Handle SARIF").
 */

/** input name -> [TRIVY_* variable, the input's default (an input equal to its default is not exported)]. */
const ENV_INPUTS: Record<string, [env: string, dflt: string]> = {
  input: ["TRIVY_INPUT", ""],
  "exit-code": ["TRIVY_EXIT_CODE", ""],
  "ignore-unfixed": ["TRIVY_IGNORE_UNFIXED", "false"],
  "vuln-type": ["TRIVY_PKG_TYPES", "os,library"],
  severity: ["TRIVY_SEVERITY", "UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL"],
  format: ["TRIVY_FORMAT", "table"],
  template: ["TRIVY_TEMPLATE", ""],
  output: ["TRIVY_OUTPUT", ""],
  "skip-dirs": ["TRIVY_SKIP_DIRS", ""],
  "skip-files": ["TRIVY_SKIP_FILES", ""],
  timeout: ["TRIVY_TIMEOUT", ""],
  "ignore-policy": ["TRIVY_IGNORE_POLICY", ""],
  "hide-progress": ["TRIVY_QUIET", ""],
  "list-all-pkgs": ["TRIVY_LIST_ALL_PKGS", "false"],
  scanners: ["TRIVY_SCANNERS", ""],
  "trivy-config": ["TRIVY_CONFIG", ""],
  "tf-vars": ["TRIVY_TF_VARS", ""],
  "docker-host": ["TRIVY_DOCKER_HOST", ""],
};

/** The Trivy run a trivy-action step makes. */
export interface TrivyActionRun {
  /** `scan-type` (default image). */
  scanType: string;
  /** The positional argument: `image-ref` (kept for backward compatibility), else `scan-ref`, else ".". */
  scanRef: string;
  /** The TRIVY_* variables the action exports (without TRIVY_IGNOREFILE and TRIVY_CACHE_DIR). */
  env: Record<string, string>;
  /** `trivyignores`, split on commas, relative to the workspace. */
  ignoreFiles: string[];
  /** How the entrypoint hands them to Trivy. */
  ignoreMode: "none" | "concatenate" | "yaml" | "invalid";
  /** Why `ignoreMode` is "invalid" (the step would stop before running Trivy). */
  ignoreError?: string;
  /** `version`: the Trivy the action installs. */
  version?: string;
}

/** GitHub hands every input to the action as a string (`true` -> "true", `1` -> "1"). */
const asInput = (v: unknown): string => (v === undefined || v === null ? "" : typeof v === "string" ? v : String(v));

export function trivyActionRun(inputs: Record<string, unknown>): TrivyActionRun {
  const get = (name: string) => asInput(inputs[name]).trim();
  const env: Record<string, string> = {};
  for (const [input, [name, dflt]] of Object.entries(ENV_INPUTS)) {
    const value = get(input);
    if (value !== "" && value !== dflt) env[name] = value;
  }
  // A SARIF report gets every severity unless limit-severities-for-sarif is "true".
  if (env.TRIVY_FORMAT === "sarif" && get("limit-severities-for-sarif") !== "true") delete env.TRIVY_SEVERITY;

  const ignoreFiles = get("trivyignores").split(",").map((f) => f.trim()).filter(Boolean);
  const yaml = ignoreFiles.filter((f) => /\.ya?ml$/.test(f));
  let ignoreMode: TrivyActionRun["ignoreMode"] = ignoreFiles.length === 0 ? "none" : yaml.length === 0 ? "concatenate" : "yaml";
  let ignoreError: string | undefined;
  if (yaml.length > 0 && yaml.length < ignoreFiles.length) [ignoreMode, ignoreError] = ["invalid", "cannot mix YAML and plain trivy ignore files"];
  else if (yaml.length > 1) [ignoreMode, ignoreError] = ["invalid", "only one YAML ignore file is supported"];

  const version = get("version");
  return {
    scanType: get("scan-type") || "image",
    scanRef: get("image-ref") || get("scan-ref") || ".",
    env,
    ignoreFiles,
    ignoreMode,
    ...(ignoreError ? { ignoreError } : {}),
    ...(version ? { version } : {}),
  };
}

/**
 * What a trivy-action step settles for one Trivy option (`severity`, `pkg-types`, `ignorefile`: the flag
 * name): "exported" when the step hands it to Trivy (an input that differs from its default, or
 * `trivyignores`), which Trivy takes over its config file; else the value Trivy runs with unless a config
 * file says otherwise: the input's default, or undefined when the action has no input for it.
 */
export function stepSets(inputs: Record<string, unknown>, flag: string): { exported: true } | { exported: false; value?: string } {
  const run = trivyActionRun(inputs);
  const env = `TRIVY_${flag.toUpperCase().replaceAll("-", "_")}`;
  if (env in run.env || (env === "TRIVY_IGNOREFILE" && run.ignoreMode !== "none")) return { exported: true };
  const input = Object.values(ENV_INPUTS).find(([name]) => name === env);
  return input ? { exported: false, value: input[1] } : { exported: false };
}

/** The flags that mean what TRIVY_* variables mean (Trivy binds `TRIVY_FOO_BAR` to `--foo-bar`). */
export function envToFlags(env: Record<string, string>): string[] {
  const flags: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith("TRIVY_")) continue;
    const flag = `--${name.slice("TRIVY_".length).toLowerCase().replaceAll("_", "-")}`;
    if (value === "true") flags.push(flag);
    else if (value !== "false") flags.push(flag, value);
  }
  return flags;
}
