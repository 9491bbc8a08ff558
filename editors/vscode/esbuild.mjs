// Bundles the extension into one file, dist/extension.js; `vscode` is provided by the editor.
// Copies ticklens.toml's JSON Schema (generated in editors/) to dist/, where package.json's
// `tomlValidation` points TOML extensions (Even Better TOML) at it.
import { copyFile, mkdir } from "node:fs/promises";
import * as esbuild from "esbuild";

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");

const options = {
  entryPoints: ["src/extension.ts"],
  bundle: true,
  outfile: "dist/extension.js",
  external: ["vscode"],
  format: "cjs",
  platform: "node",
  target: "node20",
  sourcemap: !production,
  minify: production,
  logLevel: "info",
};

await mkdir("dist", { recursive: true });
await copyFile("../ticklens.schema.json", "dist/ticklens.schema.json");

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
