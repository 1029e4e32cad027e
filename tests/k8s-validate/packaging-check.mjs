// Checks the packaging with the real helm and kubectl (fetch-tools.mjs):
//   - `helm lint --strict` and `helm template` of charts/eventide over every
//     value set in values/ and both skaffold profiles as skaffold passes them
//     (--set of the built image's tag, all digits being possible), parsed as
//     YAML 1.1 like Kubernetes does, each value checked to arrive verbatim;
//     the objects go to --out for validate.mjs (kubernetes-models, the CRD)
//   - NOTES.txt names the namespaces and Secrets the release really uses
//   - the chart as a dependency with `condition: eventide.enabled`
//   - two releases of one name in two namespaces share no cluster object
//   - a chart version bump leaves the pod template alone
//   - `helm show readme`, the icon, the packaged chart's content
//   - charts/eventide/crds is a byte-identical copy of crds/, every value is
//     documented in values.yaml
//   - skaffold.yaml: artifacts, the release, the sample, anchored profiles
//   - `kubectl kustomize` of k8s/base and both overlays, and where the chart
//     and kustomize must agree (selector, PDB, anti-affinity, pod security)
// Each check is first shown to reject the mistake it guards against, on a
// scratch copy of the chart (or file) that has it.
//
//   node packaging-check.mjs --root REPO --tools BIN_DIR --out DIR
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { fileURLToPath } from "node:url";
import os from "node:os";
import path from "node:path";
import { parseAllDocuments, parseDocument, isMap } from "yaml";
import { Tools, parseYaml11, valueFlags } from "./helm.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const root = path.resolve(opt("--root") ?? ".");
const out = opt("--out");
if (!opt("--tools") || !out) {
  console.error("usage: node packaging-check.mjs --root REPO --tools BIN_DIR --out DIR");
  process.exit(2);
}
const tools = new Tools(path.resolve(opt("--tools")));
const chartDir = path.join(root, "charts/eventide");
mkdirSync(out, { recursive: true });

let failures = 0;
const fail = (m) => { failures++; console.error(`FAIL ${m}`); };
const ok = (m) => console.log(`ok   ${m}`);
function check(name, fn) {
  try { fn(); ok(name); } catch (e) { fail(`${name}: ${e.message}`); }
}
// Shows a check rejects what it guards against: fn must throw, matching pattern.
function mustThrow(name, fn, pattern) {
  try { fn(); } catch (e) {
    if (pattern && !pattern.test(e.message)) { fail(`self-test ${name}: wrong error: ${e.message}`); return; }
    ok(`self-test ${name}: rejected (${e.message.split("\n")[0].slice(0, 160)})`);
    return;
  }
  fail(`self-test ${name}: was accepted but must be rejected`);
}
function assert(cond, message) { if (!cond) throw new Error(message); }
const json = (v) => JSON.stringify(v);

const scratch = mkdtempSync(path.join(os.tmpdir(), "packaging-check-"));
let copies = 0;
// A scratch copy of the chart with each [file, from, to] edit applied; an edit
// whose `from` is absent fails, so a self-test never silently tests nothing.
function chartCopy(edits = [], source = chartDir) {
  const dir = path.join(scratch, `chart-${++copies}`, "eventide");
  cpSync(source, dir, { recursive: true });
  for (const [file, from, to] of edits) {
    const f = path.join(dir, file);
    const text = existsSync(f) ? readFileSync(f, "utf8") : "";
    if (from !== null && !text.includes(from)) throw new Error(`chartCopy: ${file} does not contain ${json(from)}`);
    writeFileSync(f, from === null ? to : text.replace(from, to));
  }
  return dir;
}

// ===== rendering
const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
function merge(a, b) {
  if (!isObj(a) || !isObj(b)) return structuredClone(b);
  const r = structuredClone(a);
  for (const [k, v] of Object.entries(b)) r[k] = k in r ? merge(r[k], v) : structuredClone(v);
  return r;
}
// --set types as Helm's strvals does: true/false, null, integers without a
// leading zero; everything else stays a string.
function typed(v) {
  if (/^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
  if (v === "0") return 0;
  if (/^-?[1-9][0-9]*$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  return v;
}
function setPath(obj, dotted, v) {
  const keys = dotted.split(".");
  let o = obj;
  for (const k of keys.slice(0, -1)) o = o[k] = isObj(o[k]) ? o[k] : {};
  o[keys.at(-1)] = v;
}
// The values a render sees, computed here the way Helm layers them, so the
// checks can tell what each object must say.
function effectiveValues(chart, values = {}) {
  let v = parseYaml11(readFileSync(path.join(chart, "values.yaml"), "utf8"), "values.yaml")[0];
  for (const f of values.files ?? []) v = merge(v, parseYaml11(readFileSync(f, "utf8"), f)[0] ?? {});
  for (const [k, s] of Object.entries(values.set ?? {})) setPath(v, k, typed(String(s)));
  for (const [k, s] of Object.entries(values.setString ?? {})) setPath(v, k, String(s));
  return v;
}

function lint(chart, { namespace = "eventide-system", values } = {}) {
  const text = tools.helm("lint", "--strict", chart, "--namespace", namespace, ...valueFlags(values));
  // --strict fails on warnings; recommendations ([INFO], e.g. a missing icon) count too.
  const noise = text.split("\n").filter((l) => /^\[(INFO|WARNING|ERROR)\]/.test(l));
  assert(noise.length === 0, `helm lint --strict: ${noise.join("; ")}`);
}

function template(chart, { release = "eventide", namespace = "eventide-system", values, extra = [] } = {}) {
  const text = tools.helm("template", release, chart, "--namespace", namespace, ...valueFlags(values), ...extra);
  const sources = [...text.matchAll(/^# Source: [^/]+\/(templates\/\S+)$/gm)].map((m) => m[1]);
  return { text, docs: parseYaml11(text, `helm template ${release}`), sources };
}
const ofKind = (docs, kind) => docs.filter((d) => d.kind === kind);
const one = (docs, kind) => {
  const all = ofKind(docs, kind);
  assert(all.length === 1, `expected one ${kind}, got ${all.length}`);
  return all[0];
};

// ===== what every render must say
function stringsEverywhere(docs) {
  for (const d of docs) {
    const id = `${d.kind} ${json(d.metadata?.name)}`;
    assert(typeof d.metadata?.name === "string" && d.metadata.name.length > 0, `${id}: metadata.name is not a string`);
    if ("namespace" in d.metadata) assert(typeof d.metadata.namespace === "string", `${id}: metadata.namespace ${json(d.metadata.namespace)} is not a string`);
    for (const m of ["labels", "annotations"]) {
      for (const [k, v] of Object.entries(d.metadata[m] ?? {})) assert(typeof v === "string", `${id}: ${m} ${k}: ${json(v)} is not a string`);
    }
  }
}

function renderMatchesValues(r, v, { release, namespace, chart }) {
  const { docs } = r;
  stringsEverywhere(docs);
  const d = one(docs, "Deployment");
  assert(d.metadata.name === `${release}-operator` && d.metadata.namespace === namespace, `Deployment ${d.metadata.namespace}/${d.metadata.name}, expected ${namespace}/${release}-operator`);
  const pod = d.spec.template;
  const c = pod.spec.containers[0];
  assert(c.image === `${v.operator.image.repository}:${v.operator.image.tag}`, `image ${json(c.image)}, expected ${v.operator.image.repository}:${v.operator.image.tag}`);
  const port = v.operator.healthPort;
  const i = c.args.indexOf("--health-port");
  assert(i >= 0 && c.args[i + 1] === String(port), `args must pass --health-port ${port}: ${json(c.args)}`);
  assert(c.ports?.find((p) => p.name === "health")?.containerPort === port, `container port "health" must be ${port}`);
  assert(c.livenessProbe?.httpGet?.path === "/healthz" && c.livenessProbe.httpGet.port === "health", "livenessProbe must GET /healthz on port health");
  assert(c.readinessProbe?.httpGet?.path === "/readyz" && c.readinessProbe.httpGet.port === "health", "readinessProbe must GET /readyz on port health");
  const ns = c.args.indexOf("--namespace");
  if (v.operator.watchNamespace) assert(c.args[ns + 1] === v.operator.watchNamespace, `--namespace ${json(c.args[ns + 1])}, expected ${json(v.operator.watchNamespace)}`);
  else assert(ns < 0, "--namespace passed without watchNamespace");
  assert(d.spec.replicas === v.operator.replicas, `replicas ${d.spec.replicas}, expected ${v.operator.replicas}`);
  assert(isDeepStrictEqual(pod.metadata.annotations ?? {}, v.operator.podAnnotations ?? {}), `pod annotations ${json(pod.metadata.annotations)}, expected ${json(v.operator.podAnnotations)}`);
  assert(isDeepStrictEqual(pod.spec.nodeSelector ?? {}, v.operator.nodeSelector ?? {}), `nodeSelector ${json(pod.spec.nodeSelector)}, expected ${json(v.operator.nodeSelector)}`);
  const selector = d.spec.selector.matchLabels;
  assert(isDeepStrictEqual(selector, { "app.kubernetes.io/name": "eventide-operator", "app.kubernetes.io/instance": release }), `selector ${json(selector)}`);
  for (const [k, val] of Object.entries(selector)) assert(pod.metadata.labels[k] === val, `pod template lacks selector label ${k}`);
  for (const k of ["helm.sh/chart", "app.kubernetes.io/version"]) assert(!(k in pod.metadata.labels), `pod template carries ${k}: a chart bump would restart the pods`);
  const anti = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selector } } }] } };
  const affinity = Object.keys(v.operator.affinity ?? {}).length ? v.operator.affinity : anti;
  assert(isDeepStrictEqual(pod.spec.affinity, affinity), `affinity ${json(pod.spec.affinity)}, expected ${json(affinity)}`);
  restrictedPodSecurity(pod.spec, "chart");

  const pdbs = ofKind(docs, "PodDisruptionBudget");
  const wantPdb = v.operator.podDisruptionBudget?.enabled && v.operator.replicas > 1;
  assert(pdbs.length === (wantPdb ? 1 : 0), `${pdbs.length} PodDisruptionBudget(s) with replicas ${v.operator.replicas}`);
  if (wantPdb) assert(isDeepStrictEqual(pdbs[0].spec, { minAvailable: 1, selector: { matchLabels: selector } }), `PDB spec ${json(pdbs[0].spec)}`);

  const rbac = docs.filter((o) => o.apiVersion?.startsWith("rbac.authorization.k8s.io"));
  assert(rbac.length === (v.rbac.create ? 4 : 0), `expected ${v.rbac.create ? 4 : 0} RBAC objects, got ${rbac.length}`);
  if (v.rbac.create) {
    const cluster = `${namespace}-${release}-operator`;
    const cr = one(docs, "ClusterRole"), crb = one(docs, "ClusterRoleBinding");
    assert(cr.metadata.name === cluster && crb.metadata.name === cluster && crb.roleRef.name === cluster, `ClusterRole/Binding must be named ${cluster}`);
    for (const b of [crb, one(docs, "RoleBinding")]) {
      assert(isDeepStrictEqual(b.subjects, [{ kind: "ServiceAccount", name: `${release}-operator`, namespace }]), `${b.kind} subjects ${json(b.subjects)}`);
    }
  }

  const cms = ofKind(docs, "ConfigMap");
  const dashDir = path.join(chart, "dashboards");
  const dashboards = existsSync(dashDir) ? readdirSync(dashDir).filter((f) => f.endsWith(".json")).sort() : [];
  if (!v.dashboards.enabled || dashboards.length === 0) assert(cms.length === 0, "no dashboards ConfigMap expected");
  else {
    assert(cms.length === 1, `one dashboards ConfigMap expected, got ${cms.length}`);
    const cm = cms[0];
    assert(cm.metadata.namespace === (v.dashboards.namespace || namespace), `dashboards ConfigMap in ${json(cm.metadata.namespace)}, expected ${json(v.dashboards.namespace || namespace)}`);
    assert(cm.metadata.labels?.[v.dashboards.label] === v.dashboards.labelValue, `the ConfigMap needs the label ${json(v.dashboards.label)}: ${json(v.dashboards.labelValue)}; has ${json(cm.metadata.labels)}`);
    if (v.dashboards.folder) assert(cm.metadata.annotations?.[v.dashboards.folderAnnotation] === v.dashboards.folder, `annotation ${json(v.dashboards.folderAnnotation)}: ${json(v.dashboards.folder)} missing; has ${json(cm.metadata.annotations)}`);
    assert(json(Object.keys(cm.data).sort()) === json(dashboards), `the ConfigMap must hold exactly ${dashboards}; has ${Object.keys(cm.data)}`);
    for (const f of dashboards) assert(cm.data[f] === readFileSync(path.join(dashDir, f), "utf8"), `${f} is not carried verbatim`);
  }

  const pipelines = ofKind(docs, "EventPipeline");
  assert(pipelines.length === (v.examplePipeline.enabled ? 1 : 0), "example EventPipeline present iff enabled");
  if (v.examplePipeline.enabled) {
    const p = pipelines[0];
    const pns = v.examplePipeline.namespace || namespace;
    assert(p.metadata.name === v.examplePipeline.name && p.metadata.namespace === pns, `EventPipeline ${json(p.metadata.namespace)}/${json(p.metadata.name)}, expected ${pns}/${v.examplePipeline.name}`);
    assert(isDeepStrictEqual(p.spec, v.examplePipeline.spec), `EventPipeline spec ${json(p.spec)} differs from the values`);
  }
}

// The restricted Pod Security Standard, as far as the operator's pod can
// break it; the chart cannot label the namespace Helm creates, so its pods
// must pass wherever an admin enforces it.
function restrictedPodSecurity(spec, label) {
  const sc = spec.securityContext ?? {};
  assert(sc.runAsNonRoot === true, `${label}: runAsNonRoot must be true`);
  assert(sc.seccompProfile?.type === "RuntimeDefault", `${label}: seccompProfile must be RuntimeDefault`);
  for (const c of spec.containers) {
    const csc = c.securityContext ?? {};
    assert(csc.allowPrivilegeEscalation === false, `${label}: ${c.name}: allowPrivilegeEscalation must be false`);
    assert(isDeepStrictEqual(csc.capabilities?.drop, ["ALL"]), `${label}: ${c.name}: capabilities must drop ALL`);
    assert(csc.readOnlyRootFilesystem === true, `${label}: ${c.name}: the root filesystem must be read-only`);
  }
}

// ===== NOTES.txt: helm template does not render it and `helm install
// --dry-run` needs a cluster, so a scratch copy renders the same file with
// tpl into a ConfigMap, with the same values and release.
function notesChart(source = chartDir) {
  const dir = chartCopy([], source);
  cpSync(path.join(dir, "templates/NOTES.txt"), path.join(dir, "notes.render.txt"));
  writeFileSync(path.join(dir, "templates/zz-notes.yaml"), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: {{ tpl (.Files.Get "notes.render.txt") . | quote }}\n');
  return dir;
}
function notes(dir, render) {
  const r = template(dir, { ...render, extra: ["--show-only", "templates/zz-notes.yaml"] });
  return r.docs[0].data.notes;
}
function notesMatch(text, v, { release, namespace }) {
  assert(!/k8s\/samples|charts\/eventide\/|crds\//.test(text), "NOTES.txt names a repository file the packaged chart does not carry");
  const pns = v.examplePipeline.namespace || namespace;
  for (const m of text.matchAll(/kubectl -n (\S+) (.*)/g)) {
    const [, ns, rest] = m;
    const forPipeline = /secret|evp/.test(rest);
    assert(ns === (forPipeline ? pns : namespace), `NOTES.txt: "kubectl -n ${ns} ${rest.slice(0, 40)}…" must use namespace ${forPipeline ? pns : namespace}`);
  }
  assert(text.includes(`rollout status deployment/${release}-operator`), "NOTES.txt must name the operator Deployment");
  if (pns !== namespace) assert(text.includes(`kubectl create namespace ${pns}\n`), `NOTES.txt must create namespace ${pns} first`);
  assert(text.includes(`wait evp/${v.examplePipeline.name} `), `NOTES.txt must wait for evp/${v.examplePipeline.name}`);
  for (const s of [v.examplePipeline.spec.database.secretRef.name, v.examplePipeline.spec.adminTokenSecretRef.name]) {
    assert(text.includes(`create secret generic ${s} `), `NOTES.txt must create Secret ${s}, the one the pipeline reads`);
  }
}

// ===== the value sets: every file in values/ and both skaffold profiles
function skaffoldConfig(text = readFileSync(path.join(root, "skaffold.yaml"), "utf8")) {
  return parseAllDocuments(text)[0].toJS();
}
// The JSON patches of a skaffold profile (add, replace, remove), applied.
function applyProfile(config, profile) {
  const c = structuredClone(config);
  for (const p of profile.patches ?? []) {
    const keys = p.path.split("/").slice(1).map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"));
    let o = c;
    for (const k of keys.slice(0, -1)) o = o[k];
    const last = keys.at(-1);
    if (p.op === "remove") { if (Array.isArray(o)) o.splice(Number(last), 1); else delete o[last]; } else if (p.op === "add" || p.op === "replace") o[last] = p.value;
    else throw new Error(`skaffold profile ${profile.name}: patch op ${p.op} not understood here`);
  }
  return c;
}
// What skaffold's helm deployer passes: setValues and the expanded
// setValueTemplates, each as --set. The built tag is all digits here on
// purpose: skaffold's gitCommit tag is a short hash, and one of them in
// about 27 has no letter.
const imageVars = { IMAGE_REPO_eventide_operator: "registry.example.com/eventide-operator", IMAGE_TAG_eventide_operator: "1234567", IMAGE_DIGEST_eventide_operator: "sha256:0000000000000000000000000000000000000000000000000000000000000000" };
function skaffoldSets(config = skaffoldConfig()) {
  return (config.profiles ?? []).map((profile) => {
    const rel = applyProfile(config, profile).deploy.helm.releases[0];
    const set = {};
    for (const [k, val] of Object.entries(rel.setValues ?? {})) set[k] = String(val);
    for (const [k, t] of Object.entries(rel.setValueTemplates ?? {})) {
      set[k] = t.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, name) => {
        if (!(name in imageVars)) throw new Error(`setValueTemplates ${k}: unknown template variable ${name}`);
        return imageVars[name];
      });
    }
    return { name: `skaffold-${profile.name}`, release: rel.name, namespace: rel.namespace ?? "default", chart: path.join(root, rel.chartPath), values: { set } };
  });
}
const valueFiles = readdirSync(path.join(here, "values")).filter((f) => f.endsWith(".yaml")).sort();
const releaseOf = { "yaml11-strings.yaml": { release: "y", namespace: "123" } };
const sets = [
  { name: "defaults" },
  ...valueFiles.map((f) => ({ name: f.replace(/\.yaml$/, ""), ...releaseOf[f], values: { files: [path.join(here, "values", f)] } })),
  { name: "digit-tag-with-set", values: { set: { "operator.image.tag": "20261201" } } },
  { name: "oldest-kubernetes", extra: ["--kube-version", "1.29.0"] },
  ...skaffoldSets(),
].map((s) => ({ release: "eventide", namespace: "eventide-system", chart: chartDir, ...s }));

function checkSet(s, chart = s.chart, write = false) {
  const render = { release: s.release, namespace: s.namespace, values: s.values, extra: s.extra ?? [] };
  lint(chart, render);
  const r = template(chart, render);
  if (write) writeFileSync(path.join(out, `helm-${s.name}.yaml`), r.text);
  const v = effectiveValues(chart, s.values);
  renderMatchesValues(r, v, { ...s, chart });
  notesMatch(notes(notesChart(chart), render), v, s);
  return r;
}

// ===== one-off checks
function versionBumpKeepsPods(chart) {
  const pod = (dir) => one(template(dir).docs, "Deployment").spec.template;
  const bumped = chartCopy([["Chart.yaml", /^version: .*$/m.exec(readFileSync(path.join(chart, "Chart.yaml"), "utf8"))[0], "version: 99.0.0"]], chart);
  assert(isDeepStrictEqual(pod(chart), pod(bumped)), "the pod template changes with the chart version, so every chart bump restarts the operator");
}

function twoNamespacesDoNotCollide(chart) {
  const cluster = (ns) => template(chart, { namespace: ns }).docs.filter((d) => d.kind.startsWith("Cluster")).map((d) => `${d.kind}/${d.metadata.name}`);
  const a = cluster("team-a"), b = cluster("team-b");
  assert(a.length === 2, `expected 2 cluster-scoped objects, got ${a}`);
  const shared = a.filter((x) => b.includes(x));
  assert(shared.length === 0, `releases "eventide" in team-a and team-b both create ${shared.join(", ")}`);
}

function worksAsDependency(chart) {
  const parent = path.join(scratch, `parent-${++copies}`);
  mkdirSync(path.join(parent, "charts"), { recursive: true });
  cpSync(chart, path.join(parent, "charts/eventide"), { recursive: true });
  writeFileSync(path.join(parent, "Chart.yaml"), "apiVersion: v2\nname: platform\ndescription: A parent chart that carries eventide.\nversion: 1.0.0\nicon: https://example.com/icon.svg\ndependencies:\n  - name: eventide\n    version: 0.1.0\n    condition: eventide.enabled\n");
  writeFileSync(path.join(parent, "values.yaml"), "eventide:\n  enabled: true\n");
  lint(parent);
  const on = template(parent).docs;
  assert(ofKind(on, "Deployment").length === 1, "eventide.enabled=true must install the operator");
  const off = template(parent, { values: { set: { "eventide.enabled": "false" } } }).docs;
  assert(off.length === 0, `eventide.enabled=false must install nothing; got ${off.map((d) => d.kind)}`);
}

function readmeAndIcon(chart) {
  const readme = tools.helm("show", "readme", chart);
  assert(/^# eventide\b/.test(readme) && readme.includes("helm install"), "helm show readme must print the chart's README (# eventide, how to install)");
  const meta = parseYaml11(tools.helm("show", "chart", chart), "Chart.yaml")[0];
  const m = /^https:\/\/raw\.githubusercontent\.com\/eventide\/eventide\/main\/(.+)$/.exec(meta.icon ?? "");
  assert(m, `Chart.yaml icon must point at a file of this repository: ${json(meta.icon)}`);
  const icon = path.join(root, m[1]);
  assert(existsSync(icon) && /^<svg[\s>]/.test(readFileSync(icon, "utf8")), `the icon ${m[1]} must exist in the repository as an SVG`);
  const dest = mkdtempSync(path.join(scratch, "package-"));
  tools.helm("package", chart, "--destination", dest);
  const tgz = readdirSync(dest).find((f) => f.endsWith(".tgz"));
  const readmeAgain = tools.helm("show", "readme", path.join(dest, tgz));
  assert(readmeAgain === readme, "the packaged chart carries another README");
}

function crdIdentical(chart) {
  const a = readFileSync(path.join(root, "crds/eventpipelines.eventide.io.yaml"));
  const b = readFileSync(path.join(chart, "crds/eventpipelines.eventide.io.yaml"));
  assert(a.equals(b), "charts/eventide/crds/eventpipelines.eventide.io.yaml differs from crds/eventpipelines.eventide.io.yaml; copy it again");
}

// Every key carries a "# --" comment, or is inside a documented key.
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

// Every template renders an object in some value set: a template only a
// value no set turns on would go unvalidated (add a file to values/).
function everyTemplateRendered(renders, chart = chartDir) {
  const rendered = new Set(renders.flatMap((r) => r.sources));
  const templates = readdirSync(path.join(chart, "templates")).filter((f) => /\.(ya?ml|tpl)$/.test(f) && !f.startsWith("_")).map((f) => `templates/${f}`);
  const never = templates.filter((t) => !rendered.has(t));
  assert(never.length === 0, `rendered by no value set: ${never.join(", ")}; add a value set to tests/k8s-validate/values/`);
}

// ===== skaffold.yaml
// The dev profile activates on local clusters only: Go's regexp, as skaffold
// uses it, matches anywhere in the name unless anchored.
const localContexts = ["kind-eventide", "minikube", "docker-desktop", "k3d-dev"];
const remoteContexts = ["gke_prod_europe-west1_minikube", "minikube-prod", "prod-docker-desktop", "arn:aws:eks:eu-west-1:1:cluster/kind-of-prod"];
function skaffoldProblems(s) {
  const p = [];
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
  if (!/^\{\{\.IMAGE_TAG_eventide_operator\}\}/.test(svt["operator.image.tag"] ?? "")) p.push("setValueTemplates operator.image.tag must use IMAGE_TAG_eventide_operator");
  const raw = s?.manifests?.rawYaml ?? [];
  if (raw.length === 0) p.push("manifests.rawYaml must list the sample EventPipeline");
  for (const f of raw) {
    if (!existsSync(path.join(root, f))) { p.push(`manifests.rawYaml: ${f} does not exist`); continue; }
    if (!parseYaml11(readFileSync(path.join(root, f), "utf8"), f).some((d) => d.kind === "EventPipeline")) p.push(`${f} holds no EventPipeline`);
  }
  if (!s?.deploy?.kubectl) p.push("deploy.kubectl must deploy the rawYaml manifests");
  const sel = (s?.resourceSelector?.allow ?? []).find((a) => a.groupKind === "EventPipeline.eventide.io");
  if (!sel?.image?.includes(".spec.image")) p.push("resourceSelector must let skaffold replace .spec.image in EventPipelines");
  const profiles = s?.profiles ?? [];
  for (const name of ["dev", "prod"]) if (!profiles.some((x) => x.name === name)) p.push(`profile ${name} is missing`);
  for (const prof of profiles) {
    for (const a of prof.activation ?? []) {
      if (!a.kubeContext) continue;
      const re = new RegExp(a.kubeContext);
      for (const ctx of localContexts) if (!re.test(ctx)) p.push(`profile ${prof.name}: kubeContext ${a.kubeContext} does not match ${ctx}`);
      for (const ctx of remoteContexts) if (re.test(ctx)) p.push(`profile ${prof.name}: kubeContext ${a.kubeContext} also matches ${ctx}; anchor it (^…$)`);
    }
  }
  return p;
}

// ===== kustomize
function kustomizeBuilds() {
  const builds = {};
  for (const k of ["base", "overlays/dev", "overlays/prod"]) {
    const text = tools.kubectl("kustomize", path.join(root, "k8s", k));
    const name = k.split("/").at(-1);
    writeFileSync(path.join(out, `kustomize-${name}.yaml`), text);
    builds[name] = parseYaml11(text, `kustomize ${k}`);
  }
  return builds;
}
// Where a kustomize build and the chart (release "eventide" in
// eventide-system, the same replicas) must say the same. Names of cluster
// objects differ on purpose (the chart prefixes the namespace); the
// namespace itself, with its pod-security label, is kustomize's alone
// (docs/install.md says how to label it for Helm).
function agree(kust, chartDocs, label) {
  const kd = one(kust, "Deployment"), hd = one(chartDocs, "Deployment");
  const same = (what, a, b) => assert(isDeepStrictEqual(a, b), `${label}: ${what} differs: kustomize ${json(a)}, chart ${json(b)}`);
  same("Deployment name", kd.metadata.name, hd.metadata.name);
  same("selector", kd.spec.selector, hd.spec.selector);
  same("replicas", kd.spec.replicas, hd.spec.replicas);
  for (const k of ["affinity", "securityContext", "volumes", "serviceAccountName"]) same(`pod ${k}`, kd.spec.template.spec[k], hd.spec.template.spec[k]);
  const kc = kd.spec.template.spec.containers[0], hc = hd.spec.template.spec.containers[0];
  for (const k of ["args", "ports", "livenessProbe", "readinessProbe", "securityContext", "volumeMounts", "env"]) same(`container ${k}`, kc[k], hc[k]);
  const pdb = (docs) => ofKind(docs, "PodDisruptionBudget").map((p) => ({ name: p.metadata.name, spec: p.spec }));
  same("PodDisruptionBudget", pdb(kust), pdb(chartDocs));
  const rules = (docs, kind) => ofKind(docs, kind).map((r) => r.rules);
  same("ClusterRole rules", rules(kust, "ClusterRole"), rules(chartDocs, "ClusterRole"));
  same("Role rules", rules(kust, "Role"), rules(chartDocs, "Role"));
  const nsObj = one(kust, "Namespace");
  assert(nsObj.metadata.name === hd.metadata.namespace && nsObj.metadata.labels?.["pod-security.kubernetes.io/enforce"] === "restricted", `${label}: kustomize's namespace must enforce the restricted Pod Security Standard`);
  restrictedPodSecurity(kd.spec.template.spec, `${label} kustomize`);
}
function chartAndKustomizeAgree(builds, chart = chartDir) {
  agree(builds.prod, template(chart).docs, "prod overlay vs chart defaults");
  agree(builds.dev, template(chart, { values: { set: { "operator.replicas": "1", "operator.image.repository": "eventide-operator", "operator.image.tag": "dev" } } }).docs, "dev overlay vs chart with 1 replica");
  const install = readFileSync(path.join(root, "docs/install.md"), "utf8");
  assert(install.includes("kubectl label namespace eventide-system pod-security.kubernetes.io/enforce=restricted"), "docs/install.md must say how to label the Helm release namespace for the restricted Pod Security Standard");
}

// ===== self-tests: every check rejects the mistake it guards against
const yaml11 = sets.find((s) => s.name === "yaml11-strings");
const defaults = sets.find((s) => s.name === "defaults");
const digitTag = sets.find((s) => s.name === "digit-tag-with-set");
check("self-test the parser reads YAML 1.1: on, no, y, 0123 are not strings", () => {
  const d = parseYaml11("a: on\nb: no\nc: y\nd: 0123\n", "x")[0];
  assert(d.a === true && d.b === false && d.c === true && d.d === 83, json(d));
});
mustThrow("watchNamespace inserted unquoted", () => checkSet(yaml11, chartCopy([["templates/deployment.yaml", "{{ .Values.operator.watchNamespace | quote }}", "{{ .Values.operator.watchNamespace }}"]])), /--namespace true/);
mustThrow("release namespace inserted unquoted", () => checkSet(yaml11, chartCopy([["templates/serviceaccount.yaml", "{{ .Release.Namespace | quote }}", "{{ .Release.Namespace }}"]])), /not a string/);
mustThrow("dashboard label key inserted unquoted", () => checkSet(yaml11, chartCopy([["templates/dashboards.yaml", "{{ .Values.dashboards.label | quote }}:", "{{ .Values.dashboards.label }}:"]])), /label "on"/);
mustThrow("example pipeline name inserted unquoted", () => checkSet(yaml11, chartCopy([["templates/eventpipeline.yaml", "{{ .Values.examplePipeline.name | quote }}", "{{ .Values.examplePipeline.name }}"]])), /not a string/);
mustThrow("an image tag the schema types as string only, given with --set", () => checkSet(digitTag, chartCopy([["values.schema.json", '"type": ["string", "integer"], "minLength": 1, "minimum": 0,', '"type": "string", "minLength": 1,']])), /Expected: string, given: integer/);
mustThrow("NOTES.txt with a hard-coded namespace and sample file", () => checkSet(defaults, chartCopy([["templates/NOTES.txt", "{{- end }}\n  kubectl -n {{ $ns }} wait", "{{- end }}\n  kubectl apply -f k8s/samples/minimal.yaml\n  kubectl -n eventide wait"]])), /repository file/);
mustThrow("NOTES.txt creating Secrets in another namespace", () => checkSet(defaults, chartCopy([["templates/NOTES.txt", "kubectl -n {{ $ns }} create secret generic {{ dig \"database\"", "kubectl -n eventide create secret generic {{ dig \"database\""]])), /must use namespace eventide-system/);
mustThrow("the chart version on the pod template", () => versionBumpKeepsPods(chartCopy([["templates/deployment.yaml", '{{- include "eventide.podLabels" . | nindent 8 }}', '{{- include "eventide.labels" . | nindent 8 }}']])), /restarts/);
mustThrow("ClusterRole named after the release only", () => twoNamespacesDoNotCollide(chartCopy([["templates/_helpers.tpl", 'printf "%s-%s-operator" .Release.Namespace .Release.Name', 'printf "%s-operator" .Release.Name']])), /both create/);
mustThrow("a root schema without enabled", () => worksAsDependency(chartCopy([["values.schema.json", /^ {4}"enabled": .*\n/m.exec(readFileSync(path.join(chartDir, "values.schema.json"), "utf8"))[0], ""], ["values.yaml", /^enabled: true\n/m.exec(readFileSync(path.join(chartDir, "values.yaml"), "utf8"))[0], ""]])), /enabled/);
mustThrow("a chart without README", () => { const d = chartCopy(); rmSync(path.join(d, "README.md")); readmeAndIcon(d); }, /README/);
mustThrow("a chart without icon", () => lint(chartCopy([["Chart.yaml", /^icon: .*\n/m.exec(readFileSync(path.join(chartDir, "Chart.yaml"), "utf8"))[0], ""]])), /icon/);
mustThrow("a template no value set renders", () => everyTemplateRendered([{ sources: [] }], chartCopy([["templates/extra.yaml", null, "{{- if .Values.nothing }}x: 1{{ end }}\n"]])), /rendered by no value set/);
mustThrow("CRD copy with one byte changed", () => crdIdentical(chartCopy([["crds/eventpipelines.eventide.io.yaml", "\n", "\n "]])), /differs/);
mustThrow("values with replicas as a string", () => lint(chartDir, { values: { setString: { "operator.replicas": "two" } } }), /replicas/);
mustThrow("values with an unknown key", () => lint(chartDir, { values: { set: { operatr: "1" } } }), /operatr/);
check("self-test undocumented value: detected", () => {
  const m = undocumented("# -- documented\na: 1\nb:\n  # -- documented\n  c: 1\n  d: 2\n");
  assert(json(m) === json(["b.d"]), `expected [b.d], got ${json(m)}`);
});
check("self-test skaffold.yaml without profiles or with an unanchored kubeContext: detected", () => {
  const text = readFileSync(path.join(root, "skaffold.yaml"), "utf8");
  assert(skaffoldProblems(skaffoldConfig(text.replace(/^profiles:[\s\S]*$/m, ""))).some((x) => /profile dev/.test(x)), "missing profiles not detected");
  const unanchored = text.replace(/kubeContext: .*$/m, 'kubeContext: "(kind-.*|minikube|docker-desktop|k3d-.*)"');
  assert(unanchored !== text && skaffoldProblems(skaffoldConfig(unanchored)).some((x) => /anchor it/.test(x)), "an unanchored kubeContext not detected");
});

// ===== the real checks
check("charts/eventide/crds/eventpipelines.eventide.io.yaml is byte-identical to crds/", () => crdIdentical(chartDir));
check("values.yaml documents every value", () => {
  const m = undocumented(readFileSync(path.join(chartDir, "values.yaml"), "utf8"));
  assert(m.length === 0, `undocumented: ${m.join(", ")}`);
});
const renders = [];
for (const s of sets) {
  check(`helm lint --strict and helm template: ${s.name} (release ${s.release} in ${s.namespace}${s.values?.set ? `, --set ${Object.entries(s.values.set).map(([k, v]) => `${k}=${v}`).join(" ")}` : ""})`, () => renders.push(checkSet(s, s.chart, true)));
}
// The PrometheusRule is rendered here rather than by a value set: kubernetes-models
// has no schema for the Prometheus Operator's CRDs, so it is not written to --out.
check("alerts.enabled ships alerts/eventide.rules.yaml verbatim as a PrometheusRule, and only then", () => {
  const rules = parseYaml11(readFileSync(path.join(chartDir, "alerts", "eventide.rules.yaml"), "utf8"), "eventide.rules.yaml")[0];
  assert(ofKind(template(chartDir).docs, "PrometheusRule").length === 0, "a PrometheusRule rendered with alerts disabled");
  // YAML 1.1 booleans as the namespace and label value: they must arrive as strings.
  const values = { set: { "alerts.enabled": "true" }, setString: { "alerts.namespace": "no", "alerts.labelValue": "on" } };
  lint(chartDir, { values });
  const r = template(chartDir, { values });
  renders.push(r);
  const rule = one(r.docs, "PrometheusRule");
  assert(rule.apiVersion === "monitoring.coreos.com/v1" && rule.metadata.namespace === "no", `apiVersion or namespace wrong: ${json(rule.metadata)}`);
  assert(rule.metadata.labels.release === "on", `the rule selector label is wrong: ${json(rule.metadata.labels)}`);
  assert(isDeepStrictEqual(rule.spec, rules), "spec differs from alerts/eventide.rules.yaml");
});
check("every template in templates/ renders in some value set", () => everyTemplateRendered(renders));
check("a chart version bump leaves the pod template unchanged", () => versionBumpKeepsPods(chartDir));
check("releases of one name in two namespaces share no cluster-scoped object", () => twoNamespacesDoNotCollide(chartDir));
check("the chart works as a dependency with condition eventide.enabled", () => worksAsDependency(chartDir));
check("helm show readme, the icon and the packaged chart", () => readmeAndIcon(chartDir));
check("skaffold.yaml: both artifacts, the chart, the sample, dev/prod profiles, anchored kubeContext", () => {
  const p = skaffoldProblems(skaffoldConfig());
  assert(p.length === 0, p.join("; "));
});
let builds;
check("kubectl kustomize k8s/base, overlays/dev and overlays/prod", () => {
  builds = kustomizeBuilds();
  assert(builds.dev.some((d) => d.kind === "Deployment" && d.spec.template.spec.containers[0].image === "eventide-operator:dev"), "the dev overlay does not set the dev image");
});
if (builds) {
  mustThrow("kustomize prod without its PodDisruptionBudget", () => agree(builds.prod.filter((d) => d.kind !== "PodDisruptionBudget"), template(chartDir).docs, "prod"), /PodDisruptionBudget/);
  mustThrow("kustomize selecting by name only", () => agree(builds.prod.map((d) => (d.kind === "Deployment" ? { ...d, spec: { ...d.spec, selector: { matchLabels: { "app.kubernetes.io/name": "eventide-operator" } } } } : d)), template(chartDir).docs, "prod"), /selector/);
  check("chart and kustomize agree: selector, PodDisruptionBudget, anti-affinity, pod security, RBAC", () => chartAndKustomizeAgree(builds));
}

rmSync(scratch, { recursive: true, force: true });
if (failures) {
  console.error(`packaging-check: ${failures} failure(s)`);
  process.exit(1);
}
console.log("packaging-check: all checks passed");
