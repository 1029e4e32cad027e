// No container engine runs here, so the images are never built in the
// tests; this checks what would break a `docker build` from the repository
// root (the context skaffold.yaml and docs/install.md use) without building:
//   - every COPY/ADD source exists in the context and is not excluded by
//     .dockerignore
//   - the project a stage publishes was copied in, with every file outside
//     its folder that it needs (project references, embedded files)
//   - the final ENTRYPOINT runs what that publish produced: the csproj's
//     AssemblyName (.dll or the apphost) in the folder it was copied to
// Each rule is first shown to reject a broken Dockerfile (--self-test part).
//
//   node dockerfile-check.mjs --root REPO
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const args = process.argv.slice(2);
const root = path.resolve(args[args.indexOf("--root") + 1] ?? ".");

// Instructions with line continuations joined and comments dropped.
function instructions(text) {
  const out = [];
  let cur = "";
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    if (!cur && /^\s*#/.test(line)) continue;
    if (line.endsWith("\\")) { cur += line.slice(0, -1) + " "; continue; }
    cur += line;
    if (cur.trim()) {
      const m = /^\s*(\w+)\s+(.*)$/.exec(cur);
      if (m) out.push({ op: m[1].toUpperCase(), rest: m[2].trim() });
    }
    cur = "";
  }
  return out;
}
const words = (s) => (s.startsWith("[") ? JSON.parse(s) : s.split(/\s+/).filter(Boolean));
const posix = path.posix;

// .dockerignore patterns as the builder reads them (Go filepath.Match with **).
function ignoredBy(context) {
  const f = path.join(context, ".dockerignore");
  if (!existsSync(f)) return () => false;
  const rules = readFileSync(f, "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")).map((l) => {
    const negate = l.startsWith("!");
    const p = posix.normalize((negate ? l.slice(1) : l).replace(/^\/+/, "")).replace(/\/+$/, "");
    const re = new RegExp("^" + p.split("/").map((seg) => (seg === "**" ? ".*" : seg.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]"))).join("/").replace(/\.\*\//g, "(.*/)?") + "$");
    return { negate, re };
  });
  // A path is excluded when it or a parent folder matches the last rule that speaks of it.
  return (rel) => {
    const parts = posix.normalize(rel).replace(/\/+$/, "").split("/");
    let excluded = false;
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join("/");
      for (const r of rules) if (r.re.test(p)) excluded = !r.negate;
    }
    return excluded;
  };
}

function assemblyName(csproj) {
  const m = /<AssemblyName>([^<]+)<\/AssemblyName>/.exec(readFileSync(csproj, "utf8"));
  return m ? m[1].trim() : path.basename(csproj, ".csproj");
}
// Files outside a project's folder that building it reads: referenced
// projects (recursively) and items included by a relative path leaving it.
function outsideFiles(csproj, seen = new Set()) {
  if (seen.has(csproj)) return [];
  seen.add(csproj);
  const dir = path.dirname(csproj);
  const found = [];
  for (const m of readFileSync(csproj, "utf8").matchAll(/<(\w+)\s+[^>]*Include="([^"]+)"/g)) {
    const [, item, inc] = m;
    if (!inc.includes("..")) continue;
    const target = path.resolve(dir, inc.replace(/\\/g, "/").split("*")[0]);
    found.push(target);
    if (item === "ProjectReference" && existsSync(target)) found.push(...outsideFiles(target, seen));
  }
  return found;
}

function checkDockerfile(file, context) {
  const problems = [];
  const rel = (p) => path.relative(context, p) || ".";
  const ignored = ignoredBy(context);
  const stages = [];
  let stage;
  for (const { op, rest } of instructions(readFileSync(file, "utf8"))) {
    if (op === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(rest);
      stage = { name: m[2] ?? String(stages.length), workdir: "/", copies: [], publishes: [], entrypoint: null };
      stages.push(stage);
      continue;
    }
    if (!stage) { problems.push(`${op} before FROM`); continue; }
    if (op === "WORKDIR") stage.workdir = posix.resolve(stage.workdir, rest);
    if (op === "COPY" || op === "ADD") {
      const w = words(rest);
      const flags = w.filter((x) => x.startsWith("--"));
      const paths = w.filter((x) => !x.startsWith("--"));
      const from = flags.find((x) => x.startsWith("--from="))?.slice(7);
      const dest = posix.resolve(stage.workdir, paths.at(-1));
      for (const src of paths.slice(0, -1)) {
        // many: the destination is a folder the sources land in by name.
        stage.copies.push({ from, src, dest, many: paths.length > 2 || /(^|\/)\.?$|\/$/.test(paths.at(-1)) });
        if (from) continue;
        const abs = path.resolve(context, src.split("*")[0]);
        if (!existsSync(abs)) problems.push(`${op} ${src}: not in the build context ${rel(context)}`);
        else if (ignored(rel(abs))) problems.push(`${op} ${src}: excluded by .dockerignore`);
      }
    }
    if (op === "RUN") {
      const m = /dotnet publish\s+(\S+\.csproj)\b.*?(?:-o|--output)\s+(\S+)/.exec(rest);
      if (m) stage.publishes.push({ csproj: m[1], out: posix.resolve(stage.workdir, m[2]), workdir: stage.workdir });
    }
    if (op === "ENTRYPOINT") stage.entrypoint = { cmd: words(rest), workdir: stage.workdir };
  }
  const last = stages.at(-1);
  if (!last?.entrypoint) return [...problems, "the final stage has no ENTRYPOINT"];

  // Where, in the context, a path inside a build stage came from.
  const contextPathOf = (st, p) => {
    for (const c of st.copies.filter((x) => !x.from)) {
      const srcAbs = path.resolve(context, c.src.split("*")[0]);
      if (statSync(srcAbs, { throwIfNoEntry: false })?.isDirectory()) {
        const inside = posix.relative(c.dest, p);
        if (!inside.startsWith("..") && existsSync(path.join(srcAbs, inside))) return path.join(srcAbs, inside);
      } else if (p === (c.many ? posix.join(c.dest, path.basename(c.src)) : c.dest)) {
        return srcAbs;
      }
    }
    return null;
  };
  const ep = last.entrypoint.cmd;
  const target = ep[0] === "dotnet" ? ep[1] : ep[0];
  const absTarget = posix.resolve(last.entrypoint.workdir, target ?? "");
  let matched = false;
  for (const c of last.copies.filter((x) => x.from)) {
    const src = stages.find((s) => s.name === c.from);
    if (!src) { problems.push(`COPY --from=${c.from}: no such stage`); continue; }
    for (const pub of src.publishes.filter((p) => posix.resolve(p.out) === posix.resolve(posix.resolve(src.workdir, c.src)))) {
      const csprojInStage = posix.resolve(pub.workdir, pub.csproj);
      const csproj = contextPathOf(src, csprojInStage);
      if (!csproj) { problems.push(`stage ${src.name} publishes ${pub.csproj}, which no COPY brought in`); continue; }
      for (const needed of outsideFiles(csproj)) {
        const copied = src.copies.some((x) => !x.from && !path.relative(path.resolve(context, x.src.split("*")[0]), needed).startsWith(".."));
        if (!copied) problems.push(`${rel(csproj)} needs ${rel(needed)}, which no COPY of stage ${src.name} brings in`);
      }
      const name = assemblyName(csproj);
      const expected = ep[0] === "dotnet" ? `${name}.dll` : name;
      if (posix.dirname(absTarget) === c.dest && posix.basename(absTarget) === expected) matched = true;
      else problems.push(`ENTRYPOINT ${JSON.stringify(ep)} does not run ${posix.join(c.dest, expected)}, what ${rel(csproj)} (AssemblyName ${name}) publishes`);
    }
  }
  if (!matched && !problems.some((p) => p.startsWith("ENTRYPOINT"))) problems.push(`ENTRYPOINT ${JSON.stringify(ep)} runs nothing a dotnet publish of an earlier stage produced`);
  return problems;
}

function dockerfiles(dir) {
  const found = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (["node_modules", "bin", "obj", ".git", ".tools"].includes(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) found.push(...dockerfiles(p));
    else if (e.name === "Dockerfile" || e.name.endsWith(".Dockerfile")) found.push(p);
  }
  return found;
}

let failures = 0;
// Self-test: a small context with a correct Dockerfile, then one mistake at a time.
const scratch = mkdtempSync(path.join(os.tmpdir(), "dockerfile-check-"));
mkdirSync(path.join(scratch, "src/App"), { recursive: true });
mkdirSync(path.join(scratch, "shared"), { recursive: true });
writeFileSync(path.join(scratch, "src/App/App.csproj"), '<Project><PropertyGroup><AssemblyName>app</AssemblyName></PropertyGroup><ItemGroup><EmbeddedResource Include="..\\..\\shared\\x.yaml" /></ItemGroup></Project>');
writeFileSync(path.join(scratch, "shared/x.yaml"), "x: 1\n");
writeFileSync(path.join(scratch, "global.json"), "{}\n");
writeFileSync(path.join(scratch, ".dockerignore"), "**/bin/\ntests/\n");
mkdirSync(path.join(scratch, "tests"));
const good = 'FROM sdk AS build\nWORKDIR /src\nCOPY global.json ./\nCOPY shared/ shared/\nCOPY src/ src/\nRUN dotnet publish src/App/App.csproj -c Release \\\n    -o /out\nFROM runtime\nWORKDIR /app\nCOPY --from=build /out ./\nENTRYPOINT ["dotnet", "/app/app.dll"]\n';
const cases = [
  ["a correct Dockerfile", good, true],
  ["a COPY of a missing file", good.replace("COPY global.json ./", "COPY global.json Directory.Build.props ./"), false],
  ["a COPY of an ignored folder", good.replace("COPY src/ src/", "COPY src/ src/\nCOPY tests/ tests/"), false],
  ["an ENTRYPOINT naming another dll", good.replace("/app/app.dll", "/app/App.dll"), false],
  ["a published project missing a file outside its folder", good.replace("COPY shared/ shared/\n", ""), false],
  ["a published project never copied", good.replace("COPY src/ src/\n", ""), false],
];
for (const [name, text, valid] of cases) {
  const f = path.join(scratch, "Dockerfile");
  writeFileSync(f, text);
  const problems = checkDockerfile(f, scratch);
  const right = (problems.length === 0) === valid;
  if (!right) failures++;
  console.log(`${right ? "ok  " : "FAIL"} self-test ${name}: ${problems.length ? `rejected (${problems[0]})` : "accepted"}`);
}
rmSync(scratch, { recursive: true, force: true });

const files = dockerfiles(root);
if (files.length === 0) { console.error("dockerfile-check: no Dockerfile found"); failures++; }
for (const f of files) {
  const problems = checkDockerfile(f, root);
  for (const p of problems) console.error(`FAIL ${path.relative(root, f)}: ${p}`);
  if (problems.length) failures++;
  else console.log(`ok   ${path.relative(root, f)}: COPY sources exist, the published binary is the ENTRYPOINT`);
}
if (failures) {
  console.error(`dockerfile-check: ${failures} failure(s)`);
  process.exit(1);
}
console.log(`dockerfile-check: ${files.length} Dockerfile(s) ok`);
