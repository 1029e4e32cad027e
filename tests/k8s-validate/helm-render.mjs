// A renderer for the small subset of Helm templates charts/eventide uses, for
// checking the chart where no Helm binary can be installed. It is strict:
// any construct outside the subset, an unknown function or a value path that
// does not exist is an error, so a template can't drift into something this
// file renders differently from Helm without the test failing.
//
// Supported: text; {{/* comments */}}; {{- and -}} trimming; define/include of
// named templates; if / else / end; pipelines of: a path (.Values.a.b,
// .Release.Name|Namespace|Service, .Chart.Name|Version|AppVersion, .), a
// string or number literal, .Files.Get "path", (.Files.Glob "pattern") and its .AsConfig, and the
// functions include, default, quote, toYaml, nindent, indent, not.
// Not supported (error): range, with, template, variables ($x), tpl, lookup,
// and every other function.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml, stringify } from "yaml";

export class RenderError extends Error {}

function tokenize(src, file) {
  const out = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf("{{", i);
    if (open < 0) { out.push({ t: "text", v: src.slice(i) }); break; }
    let text = src.slice(i, open);
    let j = open + 2;
    const trimLeft = src[j] === "-" && /\s/.test(src[j + 1]);
    if (trimLeft) j += 2;
    const close = src.indexOf("}}", j);
    if (close < 0) throw new RenderError(`${file}: unclosed {{`);
    let body = src.slice(j, close);
    let k = close + 2;
    const trimRight = body.endsWith(" -") || body.endsWith("\t-") || body.endsWith("\n-");
    if (trimRight) body = body.slice(0, -1);
    if (trimLeft) text = text.replace(/\s+$/, "");
    out.push({ t: "text", v: text });
    body = body.trim();
    if (!body.startsWith("/*")) out.push({ t: "action", v: body, file });
    else if (!body.endsWith("*/")) throw new RenderError(`${file}: comment must end with */ before }}`);
    if (trimRight) while (k < src.length && /\s/.test(src[k])) k++;
    i = k;
  }
  return out;
}

// Tokens → tree of { t: text | out | if | define }.
function build(tokens, defines) {
  const root = [];
  const stack = [{ node: { body: root }, into: root }];
  for (const tok of tokens) {
    const top = stack[stack.length - 1];
    if (tok.t === "text") { top.into.push(tok); continue; }
    const m = /^(\w+)\b\s*(.*)$/s.exec(tok.v);
    const word = m?.[1];
    if (word === "if") {
      const node = { t: "if", cond: m[2], then: [], else: [] };
      top.into.push(node);
      stack.push({ node, into: node.then });
    } else if (word === "else") {
      if (top.node.t !== "if" || m[2]) throw new RenderError(`${tok.file}: unsupported else: {{ ${tok.v} }}`);
      top.into = top.node.else;
    } else if (word === "end") {
      if (stack.length === 1) throw new RenderError(`${tok.file}: {{ end }} without a block`);
      stack.pop();
    } else if (word === "define") {
      const name = /^"([^"]+)"$/.exec(m[2].trim())?.[1];
      if (!name) throw new RenderError(`${tok.file}: bad define: ${tok.v}`);
      const node = { t: "define", body: [] };
      defines[name] = node.body;
      stack.push({ node, into: node.body });
    } else if (["range", "with", "template", "block", "break", "continue"].includes(word) || tok.v.includes("$") || tok.v.includes(":=")) {
      throw new RenderError(`${tok.file}: construct not supported by this renderer: {{ ${tok.v} }}`);
    } else {
      top.into.push({ t: "out", expr: tok.v, file: tok.file });
    }
  }
  if (stack.length !== 1) throw new RenderError(`${tokens[0]?.file}: missing {{ end }}`);
  return root;
}

function splitTop(s, sep) {
  const parts = [];
  let depth = 0, quote = false, cur = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) { cur += c; if (c === "\\") { cur += s[++i]; } else if (c === '"') quote = false; continue; }
    if (c === '"') { quote = true; cur += c; continue; }
    if (c === "(") depth++;
    if (c === ")") depth--;
    if (depth === 0 && (sep === " " ? /\s/.test(c) : c === sep)) { if (cur.trim() || sep !== " ") parts.push(cur.trim()); cur = ""; continue; }
    cur += c;
  }
  if (cur.trim() || (sep !== " " && parts.length)) parts.push(cur.trim());
  return parts.filter((p) => sep !== " " || p.length);
}

function truthy(v) {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof FileSet) return v.files.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

class FileSet {
  constructor(files) { this.files = files; }
}

function globFiles(chartDir, pattern) {
  const m = /^([\w.-]+)\/\*(\.[\w]+)$/.exec(pattern);
  if (!m) throw new RenderError(`.Files.Glob pattern not supported by this renderer: ${pattern} (use dir/*.ext)`);
  const dir = path.join(chartDir, m[1]);
  if (!existsSync(dir)) return new FileSet([]);
  return new FileSet(readdirSync(dir).filter((f) => f.endsWith(m[2])).sort().map((f) => ({ name: f, content: readFileSync(path.join(dir, f), "utf8") })));
}

// Helm's toYaml: sigs.k8s.io/yaml output (sorted keys), trailing newline trimmed.
function toYaml(v) {
  if (v === undefined || v === null) return "null";
  return stringify(v, { sortMapEntries: true, lineWidth: 0 }).replace(/\n$/, "");
}

function indent(n, s) {
  const pad = " ".repeat(n);
  return String(s).split("\n").map((l) => pad + l).join("\n");
}

function printable(v, expr) {
  if (v === undefined) throw new RenderError(`{{ ${expr} }} has no value`);
  if (v === null) return "";
  if (typeof v === "object") throw new RenderError(`{{ ${expr} }} prints a map or list; pipe it through toYaml`);
  return String(v);
}

function makeEvaluator(ctx) {
  function term(tok, dot) {
    if (/^"/.test(tok)) return JSON.parse(tok);
    if (/^-?\d+$/.test(tok)) return Number(tok);
    if (tok === "true" || tok === "false") return tok === "true";
    if (tok === ".") return dot;
    const sub = /^\((.*)\)(\.AsConfig)?$/s.exec(tok);
    if (sub) {
      const v = pipeline(sub[1], dot);
      if (!sub[2]) return v;
      if (!(v instanceof FileSet)) throw new RenderError(`.AsConfig on something that is not .Files.Glob: ${tok}`);
      return v.files.length ? toYaml(Object.fromEntries(v.files.map((f) => [f.name, f.content]))) : "";
    }
    if (tok.startsWith(".")) {
      const parts = tok.slice(1).split(".");
      let v = dot;
      for (const [i, p] of parts.entries()) {
        if (v === null || typeof v !== "object" || !(p in v)) throw new RenderError(`no value at ${"." + parts.slice(0, i + 1).join(".")}`);
        v = v[p];
      }
      return v;
    }
    throw new RenderError(`term not supported by this renderer: ${tok}`);
  }
  const funcs = {
    include: (name, dot) => {
      const body = ctx.defines[name];
      if (!body) throw new RenderError(`include of undefined template "${name}"`);
      return exec(body, dot);
    },
    default: (d, v) => (truthy(v) ? v : d),
    quote: (v) => JSON.stringify(v === null || v === undefined ? "" : String(v)),
    toYaml,
    nindent: (n, s) => "\n" + indent(n, s),
    indent: (n, s) => indent(n, s),
    not: (v) => !truthy(v),
  };
  function command(cmd, dot, piped, hasPiped) {
    const toks = splitTop(cmd, " ");
    if (toks[0] === ".Files.Get") {
      if (toks.length !== 2 || hasPiped) throw new RenderError(`.Files.Get takes one path: ${cmd}`);
      const file = path.join(ctx.chartDir, JSON.parse(toks[1]));
      // Helm answers an empty string for a missing file.
      return existsSync(file) ? readFileSync(file, "utf8") : "";
    }
    if (toks[0] === ".Files.Glob") {
      if (toks.length !== 2 || hasPiped) throw new RenderError(`.Files.Glob takes one pattern: ${cmd}`);
      return globFiles(ctx.chartDir, JSON.parse(toks[1]));
    }
    if (/^[a-zA-Z]\w*$/.test(toks[0]) && !["true", "false"].includes(toks[0])) {
      const f = funcs[toks[0]];
      if (!f) throw new RenderError(`function not supported by this renderer: ${toks[0]}`);
      const args = toks.slice(1).map((t) => term(t, dot));
      if (hasPiped) args.push(piped);
      if (args.length !== f.length) throw new RenderError(`${toks[0]} takes ${f.length} argument(s), got ${args.length}: ${cmd}`);
      return f(...args);
    }
    if (toks.length !== 1 || hasPiped) throw new RenderError(`cannot evaluate: ${cmd}`);
    return term(toks[0], dot);
  }
  function pipeline(expr, dot) {
    const cmds = splitTop(expr, "|");
    let v, has = false;
    for (const c of cmds) { v = command(c, dot, v, has); has = true; }
    return v;
  }
  function exec(nodes, dot) {
    let out = "";
    for (const n of nodes) {
      if (n.t === "text") out += n.v;
      else if (n.t === "out") out += printable(pipeline(n.expr, dot), n.expr);
      else if (n.t === "if") out += exec(truthy(pipeline(n.cond, dot)) ? n.then : n.else, dot);
    }
    return out;
  }
  return { exec };
}

function deepMerge(base, over) {
  if (over === null || typeof over !== "object" || Array.isArray(over) || base === null || typeof base !== "object" || Array.isArray(base)) return structuredClone(over);
  const out = structuredClone(base);
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? deepMerge(out[k], v) : structuredClone(v);
  return out;
}

/** Renders the chart: { manifests: [{ file, text }], notes, values }. */
export function renderChart(chartDir, { values = {}, releaseName = "eventide", namespace = "eventide-system" } = {}) {
  const chart = parseYaml(readFileSync(path.join(chartDir, "Chart.yaml"), "utf8"));
  const merged = deepMerge(parseYaml(readFileSync(path.join(chartDir, "values.yaml"), "utf8")), values);
  const dot = {
    Values: merged,
    Release: { Name: releaseName, Namespace: namespace, Service: "Helm" },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
  };
  const tdir = path.join(chartDir, "templates");
  const files = readdirSync(tdir).sort();
  const defines = {};
  const trees = {};
  for (const f of files) trees[f] = build(tokenize(readFileSync(path.join(tdir, f), "utf8"), `templates/${f}`), defines);
  const ev = makeEvaluator({ defines, chartDir });
  const manifests = [];
  let notes = null;
  for (const f of files) {
    if (f.startsWith("_")) continue;
    let text;
    try { text = ev.exec(trees[f], dot); } catch (e) { throw new RenderError(`templates/${f}: ${e.message}`); }
    if (f === "NOTES.txt") notes = text;
    else manifests.push({ file: `templates/${f}`, text });
  }
  return { manifests, notes, values: merged };
}
