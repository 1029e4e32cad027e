// Checks the packaging that no Helm or skaffold binary can check here:
//   - charts/eventide/crds holds a byte-identical copy of crds/
//   - values.yaml documents every value ("# --" comment) and matches values.schema.json
//   - the chart renders (helm-render.mjs) for several value sets, with the
//     dashboards folder as it is and with fixture dashboards; the objects are
//     written to --out for validate.mjs (kubernetes-models, the CRD schema)
//   - the operator Deployment has its probes wired to --health-port
//   - alerts.enabled renders alerts/eventide.rules.yaml as a PrometheusRule
//   - skaffold.yaml has the artifacts, the chart release, the sample and profiles
// Every check is first shown to reject a broken input (--self-test part).
//
//   node packaging-check.mjs --root REPO --out DIR
import { readFileSync, writeFileSync, mkdtempSync, cpSync, mkdirSync, rmSync, readdirSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseAllDocuments, parseDocument, isMap, isPair } from "yaml";
import Ajv from "ajv";
import { renderChart, RenderError } from "./helm-render.mjs";

const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const root = path.resolve(opt("--root") ?? ".");
const out = opt("--out");
const chartDir = path.join(root, "charts/eventide");
let failures = 0;
const fail = (m) => { failures++; console.error(`FAIL ${m}`); };
const ok = (m) => console.log(`ok   ${m}`);

function check(name, fn) {
  try { fn(); ok(name); } catch (e) { fail(`${name}: ${e.message}`); }
}
function mustThrow(name, fn, pattern) {
  try { fn(); } catch (e) {
    if (pattern && !pattern.test(e.message)) { fail(`self-test ${name}: wrong error: ${e.message}`); return; }
    ok(`self-test ${name}: rejected (${e.message.split("\n")[0]})`);
    return;
  }
  fail(`self-test ${name}: was accepted but must be rejected`);
}
function assert(cond, message) { if (!cond) throw new Error(message); }

function docsOf(rendered) {
  return rendered.manifests.flatMap(({ file, text }) => parseAllDocuments(text).map((d) => {
    if (d.errors.length) throw new Error(`${file}: rendered YAML is invalid: ${d.errors[0].message}`);
    return d.toJS();
  })).filter((d) => d !== null && d !== undefined);
}

// --- CRD copy
function crdIdentical(dir) {
  const a = readFileSync(path.join(root, "crds/eventpipelines.eventide.io.yaml"));
  const b = readFileSync(path.join(dir, "crds/eventpipelines.eventide.io.yaml"));
  assert(a.equals(b), `${path.relative(root, dir)}/crds/eventpipelines.eventide.io.yaml differs from crds/eventpipelines.eventide.io.yaml; copy it again`);
}

// --- values documented: every key carries a "# --" comment, or is inside a documented key.
function undocumented(valuesText) {
  const doc = parseDocument(valuesText);
  const missing = [];
  const walk = (map, at) => {
    map.items.forEach((pair, i) => {
      const key = `${at}${at ? "." : ""}${pair.key.value}`;
      const comment = (pair.key.commentBefore ?? "") + (i === 0 ? map.commentBefore ?? "" : "");
      if (comment.includes(" --")) return;
      if (isMap(pair.value) && pair.value.items.length > 0) walk(pair.value, key);
      else missing.push(key);
    });
  };
  walk(doc.contents, "");
  return missing;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const schema = JSON.parse(readFileSync(path.join(chartDir, "values.schema.json"), "utf8"));
const validateValues = ajv.compile(schema);
function valuesValid(values) {
  if (!validateValues(values)) throw new Error(`values do not match values.schema.json: ${ajv.errorsText(validateValues.errors)}`);
}

function render(dir, values) {
  const r = renderChart(dir, { values });
  valuesValid(r.values);
  return r;
}

function operatorDeploymentWired(docs, values) {
  const d = docs.find((o) => o.kind === "Deployment");
  assert(d, "no operator Deployment rendered");
  const c = d.spec.template.spec.containers[0];
  const port = values.operator.healthPort;
  const i = c.args.indexOf("--health-port");
  assert(i >= 0 && c.args[i + 1] === String(port), `args must pass --health-port ${port}: ${JSON.stringify(c.args)}`);
  const named = c.ports?.find((p) => p.name === "health");
  assert(named?.containerPort === port, `container port "health" must be ${port}`);
  assert(c.livenessProbe?.httpGet?.path === "/healthz" && c.livenessProbe.httpGet.port === "health", "livenessProbe must GET /healthz on port health");
  assert(c.readinessProbe?.httpGet?.path === "/readyz" && c.readinessProbe.httpGet.port === "health", "readinessProbe must GET /readyz on port health");
  assert(c.securityContext?.readOnlyRootFilesystem === true, "the root filesystem must be read-only");
  assert(d.spec.template.spec.securityContext?.runAsNonRoot === true, "the pod must run as non-root");
}

function dashboardsConfigMap(docs, dashboards, values) {
  const cms = docs.filter((o) => o.kind === "ConfigMap");
  if (dashboards.length === 0 || !values.dashboards.enabled) {
    assert(cms.length === 0, "no dashboards ConfigMap expected");
    return;
  }
  assert(cms.length === 1, `one dashboards ConfigMap expected, got ${cms.length}`);
  const cm = cms[0];
  assert(cm.metadata.labels?.[values.dashboards.label] === values.dashboards.labelValue, `the ConfigMap needs the label ${values.dashboards.label}: "${values.dashboards.labelValue}"`);
  assert(JSON.stringify(Object.keys(cm.data).sort()) === JSON.stringify(dashboards.map((d) => d.name).sort()), `the ConfigMap must hold exactly ${dashboards.map((d) => d.name)}; has ${Object.keys(cm.data)}`);
  for (const d of dashboards) assert(cm.data[d.name] === d.content, `${d.name} is not carried verbatim`);
  if (values.dashboards.namespace) assert(cm.metadata.namespace === values.dashboards.namespace, "dashboards.namespace is not honoured");
}

function write(name, r) {
  if (!out) return;
  writeFileSync(path.join(out, `helm-${name}.yaml`), r.manifests.map((m) => `# Source: ${m.file}\n${m.text}`).join("\n---\n"));
}

// --- skaffold.yaml
function skaffoldProblems(text) {
  const p = [];
  const docs = parseAllDocuments(text);
  if (docs.some((d) => d.errors.length)) return ["skaffold.yaml is not valid YAML"];
  const s = docs[0].toJS();
  if (s?.apiVersion !== "skaffold/v4beta11") p.push("apiVersion must be skaffold/v4beta11");
  if (s?.kind !== "Config") p.push("kind must be Config");
  const arts = s?.build?.artifacts ?? [];
  const art = (image) => arts.find((a) => a.image === image);
  if (art("eventide")?.context !== "." || art("eventide")?.docker?.dockerfile !== "Dockerfile") p.push("artifact eventide: context . and docker.dockerfile Dockerfile");
  if (art("eventide-operator")?.context !== "." || art("eventide-operator")?.docker?.dockerfile !== "operator/Dockerfile") p.push("artifact eventide-operator: context . and docker.dockerfile operator/Dockerfile");
  for (const a of arts) if (a.docker?.dockerfile && !existsSync(path.join(root, a.context ?? ".", a.docker.dockerfile))) p.push(`artifact ${a.image}: ${a.docker.dockerfile} does not exist`);
  const rel = s?.deploy?.helm?.releases?.[0];
  if (rel?.chartPath !== "charts/eventide") p.push("deploy.helm.releases[0].chartPath must be charts/eventide");
  const svt = rel?.setValueTemplates ?? {};
  if (svt["operator.image.repository"] !== "{{.IMAGE_REPO_eventide_operator}}") p.push("setValueTemplates operator.image.repository must be {{.IMAGE_REPO_eventide_operator}}");
  if (svt["operator.image.tag"] !== "{{.IMAGE_TAG_eventide_operator}}@{{.IMAGE_DIGEST_eventide_operator}}" && svt["operator.image.tag"] !== "{{.IMAGE_TAG_eventide_operator}}") p.push("setValueTemplates operator.image.tag must use IMAGE_TAG_eventide_operator");
  const raw = s?.manifests?.rawYaml ?? [];
  if (raw.length === 0) p.push("manifests.rawYaml must list the sample EventPipeline");
  for (const f of raw) {
    if (!existsSync(path.join(root, f))) { p.push(`manifests.rawYaml: ${f} does not exist`); continue; }
    if (!parseAllDocuments(readFileSync(path.join(root, f), "utf8")).some((d) => d.toJS()?.kind === "EventPipeline")) p.push(`${f} holds no EventPipeline`);
  }
  if (!s?.deploy?.kubectl) p.push("deploy.kubectl must deploy the rawYaml manifests");
  const sel = (s?.resourceSelector?.allow ?? []).find((a) => a.groupKind === "EventPipeline.eventide.io");
  if (!sel?.image?.includes(".spec.image")) p.push("resourceSelector must let skaffold replace .spec.image in EventPipelines");
  const profiles = (s?.profiles ?? []).map((x) => x.name);
  for (const name of ["dev", "prod"]) if (!profiles.includes(name)) p.push(`profile ${name} is missing`);
  return p;
}

// ===== self-tests: each check rejects a broken input
const scratch = mkdtempSync(path.join(os.tmpdir(), "packaging-check-"));
function chartCopy(name, edit) {
  const dir = path.join(scratch, name);
  cpSync(chartDir, dir, { recursive: true });
  edit?.(dir);
  return dir;
}
mustThrow("CRD copy with one byte changed", () => crdIdentical(chartCopy("crd", (d) => {
  const f = path.join(d, "crds/eventpipelines.eventide.io.yaml");
  writeFileSync(f, readFileSync(f, "utf8") + " ");
})), /differs/);
mustThrow("template with range", () => render(chartCopy("range", (d) => writeFileSync(path.join(d, "templates/x.yaml"), "{{- range .Values.operator.tolerations }}x{{ end }}\n")), {}), /not supported/);
mustThrow("template with an unknown function", () => render(chartCopy("func", (d) => writeFileSync(path.join(d, "templates/x.yaml"), "a: {{ .Values.operator.replicas | upper }}\n")), {}), /not supported/);
mustThrow("template with a misspelt value", () => render(chartCopy("typo", (d) => writeFileSync(path.join(d, "templates/x.yaml"), "a: {{ .Values.operator.replica }}\n")), {}), /no value/);
mustThrow("values with replicas as a string", () => render(chartDir, { operator: { replicas: "two" } }), /schema/);
mustThrow("values with an unknown key", () => render(chartDir, { operatr: {} }), /schema/);
check("self-test undocumented value: detected", () => {
  const m = undocumented("# -- documented\na: 1\nb:\n  # -- documented\n  c: 1\n  d: 2\n");
  assert(JSON.stringify(m) === JSON.stringify(["b.d"]), `expected [b.d], got ${JSON.stringify(m)}`);
});
check("self-test skaffold.yaml without profiles: detected", () => {
  const broken = readFileSync(path.join(root, "skaffold.yaml"), "utf8").replace(/^profiles:[\s\S]*$/m, "");
  assert(skaffoldProblems(broken).some((x) => /profile dev/.test(x)), "missing profiles not detected");
});

// ===== the real checks
check("charts/eventide/crds/eventpipelines.eventide.io.yaml is byte-identical to crds/", () => crdIdentical(chartDir));
check("values.yaml documents every value", () => {
  const m = undocumented(readFileSync(path.join(chartDir, "values.yaml"), "utf8"));
  assert(m.length === 0, `undocumented: ${m.join(", ")}`);
});

if (out) mkdirSync(out, { recursive: true });
const sets = {
  defaults: {},
  everything: {
    operator: { replicas: 3, watchNamespace: "team-a", healthPort: 9090, podAnnotations: { "example.com/a": "b" }, nodeSelector: { "kubernetes.io/os": "linux" }, tolerations: [{ key: "dedicated", operator: "Equal", value: "ops", effect: "NoSchedule" }], affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { "app.kubernetes.io/name": "eventide-operator" } } } }] } } },
    dashboards: { namespace: "monitoring", folder: "Eventide" },
    examplePipeline: { enabled: true, namespace: "eventide", spec: { image: "ghcr.io/eventide/eventide:0.1.0", database: { secretRef: { name: "eventide-db" } }, adminTokenSecretRef: { name: "eventide-admin" }, ingestion: { ingress: { enabled: true, host: "events.example.com", className: "nginx" } } } },
  },
  minimal: { rbac: { create: false }, dashboards: { enabled: false, folder: "" } },
};
const realDashboards = existsSync(path.join(chartDir, "dashboards"))
  ? readdirSync(path.join(chartDir, "dashboards")).filter((f) => f.endsWith(".json")).sort().map((f) => ({ name: f, content: readFileSync(path.join(chartDir, "dashboards", f), "utf8") }))
  : [];
const fixtures = [
  { name: "fixture-overview.json", content: JSON.stringify({ title: "Fixture overview", panels: [] }, null, 2) + "\n" },
  { name: "fixture-lag.json", content: JSON.stringify({ title: "Fixture lag", panels: [{ type: "timeseries" }] }, null, 2) + "\n" },
];
const withFixtures = chartCopy("fixtures", (d) => {
  mkdirSync(path.join(d, "dashboards"), { recursive: true });
  for (const f of fixtures) writeFileSync(path.join(d, "dashboards", f.name), f.content);
});
for (const [name, values] of Object.entries(sets)) {
  for (const [variant, dir, dashboards] of [["", chartDir, realDashboards], ["-fixture-dashboards", withFixtures, [...realDashboards, ...fixtures]]]) {
    check(`chart renders with ${name} values${variant} (${dashboards.length} dashboard(s))`, () => {
      const r = render(dir, values);
      const docs = docsOf(r);
      for (const d of docs) assert(d.metadata?.name, `an object without a name: ${JSON.stringify(d).slice(0, 80)}`);
      operatorDeploymentWired(docs, r.values);
      dashboardsConfigMap(docs, dashboards, r.values);
      const rbac = docs.filter((o) => o.apiVersion?.startsWith("rbac.authorization.k8s.io")).length;
      assert(rbac === (r.values.rbac.create ? 4 : 0), `expected ${r.values.rbac.create ? 4 : 0} RBAC objects, got ${rbac}`);
      assert(docs.filter((o) => o.kind === "EventPipeline").length === (r.values.examplePipeline.enabled ? 1 : 0), "example EventPipeline present iff enabled");
      assert(r.notes && r.notes.includes(r.values.dashboards.enabled ? "dashboards" : "Run a pipeline"), "NOTES.txt did not render");
      write(`${name}${variant}`, r);
    });
  }
}
// Not written to --out: kubernetes-models has no schema for the Prometheus Operator's CRDs.
check("alerts.enabled ships alerts/eventide.rules.yaml verbatim as a PrometheusRule, and only then", () => {
  const rules = parseDocument(readFileSync(path.join(chartDir, "alerts", "eventide.rules.yaml"), "utf8")).toJS();
  assert(docsOf(render(chartDir, {})).every((o) => o.kind !== "PrometheusRule"), "a PrometheusRule rendered with alerts disabled");
  const rule = docsOf(render(chartDir, { alerts: { enabled: true, namespace: "monitoring" } })).filter((o) => o.kind === "PrometheusRule");
  assert(rule.length === 1, `one PrometheusRule expected, got ${rule.length}`);
  assert(rule[0].apiVersion === "monitoring.coreos.com/v1" && rule[0].metadata.namespace === "monitoring", "apiVersion or namespace wrong");
  assert(rule[0].metadata.labels.release === "kube-prometheus-stack", "the rule selector label is missing");
  assert(JSON.stringify(rule[0].spec) === JSON.stringify(rules), "spec differs from alerts/eventide.rules.yaml");
});
check("skaffold.yaml has both artifacts, the chart, the sample and dev/prod profiles", () => {
  const p = skaffoldProblems(readFileSync(path.join(root, "skaffold.yaml"), "utf8"));
  assert(p.length === 0, p.join("; "));
});

rmSync(scratch, { recursive: true, force: true });
if (failures) {
  console.error(`packaging-check: ${failures} failure(s)`);
  process.exit(1);
}
console.log("packaging-check: all checks passed");
