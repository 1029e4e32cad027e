// Validates Kubernetes manifests: every object against the official Kubernetes
// schemas (kubernetes-models, plus its KEDA and Prometheus Operator packages for
// the two third-party kinds the operator emits), and every EventPipeline
// against the CRD's own OpenAPI schema with ajv, including the CRD's CEL rules.
//
//   node validate.mjs --crd crds/eventpipelines.eventide.io.yaml FILE...
//   node validate.mjs --self-test
//
// Manifests are parsed as YAML 1.1, as Kubernetes parses them: an unquoted
// on, no, y or 0123 is a boolean or a number there, never the string meant.
//
// Exits 1 and names the file, document and object on the first class of error;
// an object whose kind it has no schema for is an error too, so nothing passes
// unchecked.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import Ajv from "ajv";

const here = path.dirname(fileURLToPath(import.meta.url));

// apiVersion → module exporting the models of that group version.
function modulePath(apiVersion) {
  if (apiVersion === "v1") return "kubernetes-models/v1";
  const [group, version] = apiVersion.split("/");
  if (!version) return null;
  if (group === "keda.sh") return `@kubernetes-models/keda/keda.sh/${version}`;
  if (group === "monitoring.coreos.com") return `@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}`;
  return `kubernetes-models/${group}/${version}`;
}

async function validateKubernetes(obj) {
  const mod = modulePath(obj.apiVersion ?? "");
  if (!mod) return [`apiVersion "${obj.apiVersion}" is not valid`];
  let models;
  try {
    models = await import(mod);
  } catch {
    return [`no schema for ${obj.apiVersion} (module ${mod})`];
  }
  const Model = models[obj.kind];
  if (typeof Model !== "function") return [`no schema for kind ${obj.kind} in ${obj.apiVersion}`];
  try {
    new Model(obj).validate();
    return [];
  } catch (e) {
    return [e.message];
  }
}

// Structural schemas prune unknown fields silently; here an unknown field is
// an error, so a typo in a sample or a drift between the docs and the CRD shows.
function strictify(schema, atMetadata = false) {
  if (!schema || typeof schema !== "object") return schema;
  const out = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k.startsWith("x-kubernetes-")) continue;
    if (k === "properties") {
      out.properties = {};
      for (const [name, sub] of Object.entries(v)) out.properties[name] = strictify(sub, name === "metadata");
    } else if (k === "items" || k === "additionalProperties") {
      out[k] = strictify(v);
    } else {
      out[k] = v;
    }
  }
  if (out.type === "object" && out.properties && !atMetadata && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

// The CEL rules of the CRD, evaluated on the defaulted object. An unknown rule
// fails: a new rule in the CRD needs its twin here, or it would go untested.
const celRules = {
  "self == oldSelf": () => true, // transition rule: nothing to check on a single object
  "self.processor.maxReplicas <= self.shards": (s) => s.processor.maxReplicas <= s.shards,
  "self.replicas <= self.maxReplicas": (s) => s.replicas <= s.maxReplicas,
  "self.minReplicas <= self.maxReplicas": (s) => s.minReplicas <= s.maxReplicas,
  "!self.enabled || has(self.host)": (s) => !s.enabled || s.host !== undefined,
  "!self.ingress.enabled || self.enabled": (s) => !s.ingress.enabled || s.enabled,
  "self.port != 8080 && self.port != 4053": (s) => s.port !== 8080 && s.port !== 4053,
};

function checkCel(schema, value, at, errors) {
  if (!schema || value === undefined || value === null) return;
  for (const v of schema["x-kubernetes-validations"] ?? []) {
    const rule = celRules[v.rule];
    if (!rule) errors.push(`${at}: CEL rule not known to the validator: ${v.rule}`);
    else if (!rule(value)) errors.push(`${at}: ${v.message}`);
  }
  if (schema.properties && typeof value === "object") {
    for (const [name, sub] of Object.entries(schema.properties)) checkCel(sub, value[name], `${at}.${name}`, errors);
  }
}

function crdValidator(crdFile) {
  const crd = parseText(readFileSync(crdFile, "utf8"), crdFile)[0];
  const version = crd.spec.versions.find((v) => v.storage);
  const schema = version.schema.openAPIV3Schema;
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, formats: { int32: true, int64: true, "date-time": true } });
  const validate = ajv.compile(strictify(schema));
  const apiVersion = `${crd.spec.group}/${version.name}`;
  return {
    kind: crd.spec.names.kind,
    apiVersion,
    check(obj) {
      const copy = structuredClone(obj);
      if (obj.apiVersion !== apiVersion) return [`apiVersion must be ${apiVersion}`];
      if (!validate(copy)) return validate.errors.map((e) => `${e.instancePath || "/"} ${e.message}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ""}`);
      const errors = [];
      checkCel(schema, copy, "", errors);
      return errors;
    },
  };
}

async function validateDocuments(label, docs, crds) {
  const failures = [];
  for (const [i, obj] of docs.entries()) {
    if (obj === null || obj === undefined) continue;
    const id = `${label} document ${i + 1} (${obj.kind ?? "?"} ${obj.metadata?.name ?? "?"})`;
    const crd = crds.find((c) => c.kind === obj.kind && c.apiVersion === obj.apiVersion);
    const errors = crd ? crd.check(obj) : await validateKubernetes(obj);
    for (const e of errors) failures.push(`${id}: ${e}`);
  }
  return failures;
}

function parseText(text, label) {
  return parseAllDocuments(text, { version: "1.1" }).map((d) => {
    if (d.errors.length) throw new Error(`${label}: YAML error: ${d.errors[0].message}`);
    return d.toJS();
  });
}

function readDocs(file) {
  return parseText(readFileSync(file, "utf8"), file);
}

async function selfTest(crdFile) {
  const crds = [crdValidator(crdFile)];
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "ok" },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "x" } },
      template: { metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "c", image: "i" }] } },
    },
  };
  const pipeline = {
    apiVersion: "eventide.io/v1alpha1",
    kind: "EventPipeline",
    metadata: { name: "p" },
    spec: { image: "i", database: { secretRef: { name: "db" } }, adminTokenSecretRef: { name: "admin" } },
  };
  const broken = (f) => { const o = structuredClone(f.base); f.edit(o); return o; };
  const cases = [
    { name: "valid Deployment", obj: deployment, valid: true },
    { name: "valid EventPipeline", obj: pipeline, valid: true },
    { name: "Deployment with replicas as a string", obj: broken({ base: deployment, edit: (o) => { o.spec.replicas = "two"; } }), valid: false },
    { name: "Deployment with a named containerPort", obj: broken({ base: deployment, edit: (o) => { o.spec.template.spec.containers[0].ports = [{ containerPort: "http" }]; } }), valid: false },
    { name: "Deployment without selector", obj: broken({ base: deployment, edit: (o) => { delete o.spec.selector; } }), valid: false },
    { name: "unknown kind", obj: { apiVersion: "apps/v1", kind: "Deploymint", metadata: { name: "x" } }, valid: false },
    { name: "EventPipeline without image", obj: broken({ base: pipeline, edit: (o) => { delete o.spec.image; } }), valid: false },
    { name: "EventPipeline with an unknown field", obj: broken({ base: pipeline, edit: (o) => { o.spec.shardz = 3; } }), valid: false },
    { name: "EventPipeline with min > max processors", obj: broken({ base: pipeline, edit: (o) => { o.spec.processor = { minReplicas: 5, maxReplicas: 2 }; } }), valid: false },
    { name: "EventPipeline with more processors than shards", obj: broken({ base: pipeline, edit: (o) => { o.spec.shards = 4; } }), valid: false },
    { name: "ConfigMap named on (unquoted, a boolean in YAML 1.1)", obj: parseText("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: on\n", "self-test")[0], valid: false },
    { name: "ConfigMap with a label value no (unquoted)", obj: parseText("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    a: no\n", "self-test")[0], valid: false },
    { name: "ConfigMap with those values quoted", obj: parseText("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"on\"\n  labels:\n    a: \"no\"\n", "self-test")[0], valid: true },
  ];
  let bad = 0;
  for (const c of cases) {
    const failures = await validateDocuments(c.name, [c.obj], crds);
    const ok = (failures.length === 0) === c.valid;
    if (!ok) bad++;
    console.log(`${ok ? "ok  " : "FAIL"} self-test: ${c.name}: ${failures.length ? "rejected" : "accepted"}${c.valid ? "" : " (must be rejected)"}`);
  }
  if (bad) {
    console.error(`k8s-validate: the validator itself is broken (${bad} self-test case(s) failed)`);
    process.exit(1);
  }
}

async function main() {
  const args = process.argv.slice(2);
  const crdFiles = [];
  const files = [];
  let self = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--crd") crdFiles.push(args[++i]);
    else if (args[i] === "--self-test") self = true;
    else files.push(args[i]);
  }
  if (self) {
    await selfTest(crdFiles[0] ?? path.join(here, "../../crds/eventpipelines.eventide.io.yaml"));
    if (files.length === 0) return;
  }
  if (files.length === 0) {
    console.error("usage: node validate.mjs [--self-test] --crd CRD.yaml FILE...");
    process.exit(2);
  }
  const crds = crdFiles.map(crdValidator);
  let failures = [];
  let count = 0;
  for (const file of files) {
    const docs = readDocs(file).filter((d) => d !== null && d !== undefined);
    count += docs.length;
    failures = failures.concat(await validateDocuments(file, docs, crds));
  }
  if (failures.length) {
    for (const f of failures) console.error(`INVALID ${f}`);
    console.error(`k8s-validate: ${failures.length} invalid object(s) in ${files.length} file(s)`);
    process.exit(1);
  }
  console.log(`k8s-validate: ${count} object(s) in ${files.length} file(s) valid`);
}

main().catch((e) => {
  console.error(`k8s-validate: ${e.message}`);
  process.exit(1);
});
