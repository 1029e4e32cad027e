// The real helm and kubectl (fetched by fetch-tools.mjs), and YAML parsed the
// way Kubernetes parses it.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseAllDocuments } from "yaml";

// YAML 1.1, as the API server and kubectl read manifests (go-yaml): an
// unquoted on, no, y or 0123 is a boolean or a number there, a string in 1.2.
export function parseYaml11(text, label) {
  return parseAllDocuments(text, { version: "1.1" }).map((d, i) => {
    if (d.errors.length) throw new Error(`${label}: document ${i + 1} is not valid YAML: ${d.errors[0].message}`);
    return d.toJS();
  }).filter((d) => d !== null && d !== undefined);
}

export class Tools {
  constructor(binDir) {
    this.helmBin = path.join(binDir, "helm");
    this.kubectlBin = path.join(binDir, "kubectl");
    // Helm's own state (repositories, plugins, cache) in a scratch place,
    // never in the user's home.
    const home = mkdtempSync(path.join(os.tmpdir(), "helm-home-"));
    this.env = { ...process.env, HELM_CACHE_HOME: path.join(home, "cache"), HELM_CONFIG_HOME: path.join(home, "config"), HELM_DATA_HOME: path.join(home, "data") };
  }

  run(bin, args) {
    try {
      return execFileSync(bin, args, { env: this.env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
    } catch (e) {
      const out = `${e.stdout ?? ""}${e.stderr ?? ""}`.trim();
      throw new Error(`${path.basename(bin)} ${args.join(" ")} failed:\n${out}`);
    }
  }

  helm(...args) {
    return this.run(this.helmBin, args);
  }

  kubectl(...args) {
    return this.run(this.kubectlBin, args);
  }
}

// The command-line flags of one render: values files, then --set and
// --set-string, in that order (as Helm applies them).
export function valueFlags({ files = [], set = {}, setString = {} } = {}) {
  return [
    ...files.flatMap((f) => ["-f", f]),
    ...Object.entries(set).flatMap(([k, v]) => ["--set", `${k}=${v}`]),
    ...Object.entries(setString).flatMap(([k, v]) => ["--set-string", `${k}=${v}`]),
  ];
}
