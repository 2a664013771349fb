// Builds the served bundles into dist/: `npm run build` (make does it), `node build.mjs --check` also
// fails when a bundle is over its gzip budget. Each bundle is esbuild's minified output or terser's,
// whichever is smaller gzipped, so the choice follows the sources rather than a guess.
import { build } from "esbuild";
import { minify } from "terser";
import { gzipSync } from "node:zlib";
import { mkdirSync, writeFileSync, copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");

// Served name -> entry and budget (bytes of gzip -9). The loader runs on every page view of every site.
export const BUNDLES = {
  "widget.js": { entry: "widget/loader.ts", budget: 3072 },
  // The panel in English (also as panel-en.js), and one panel per other locale: a visitor loads one.
  "panel.js": { entry: "widget/panel.ts", budget: null },
  "panel-en.js": { entry: "widget/panel.ts", budget: null },
  "panel-fr.js": { entry: "widget/panel.ts", budget: null, locale: "fr" },
  "panel-es.js": { entry: "widget/panel.ts", budget: null, locale: "es" },
  "panel-ar.js": { entry: "widget/panel.ts", budget: null, locale: "ar" },
  "console.js": { entry: "console/main.tsx", budget: 61440 },
  // The console's service worker (Web Push), served at /console/sw.js.
  "console-sw.js": { entry: "console/sw.ts", budget: 2048 },
};
const WIDGET_TOTAL_BUDGET = 15360;

const gz = (text) => gzipSync(Buffer.from(text), { level: 9 }).length;

// Builds a panel for another locale: widget/strings.ts's import of locales/en becomes locales/<locale>.
const localePlugin = (locale) => ({
  name: "locale",
  setup(builder) {
    builder.onResolve({ filter: /^\.\/locales\/en$/ }, () => ({ path: join(root, "widget/locales", locale + ".ts") }));
  },
});

async function bundle(entry, locale) {
  const common = {
    plugins: locale ? [localePlugin(locale)] : [],
    entryPoints: [join(root, entry)],
    bundle: true,
    write: false,
    format: "iife",
    target: "es2020",
    legalComments: "none",
    define: { "process.env.NODE_ENV": '"production"' },
  };
  const plain = (await build({ ...common, minify: false })).outputFiles[0].text;
  const byEsbuild = (await build({ ...common, minify: true })).outputFiles[0].text;
  const byTerser = (
    await minify(plain, {
      ecma: 2020,
      toplevel: true,
      compress: { passes: 3, unsafe_arrows: true },
      mangle: { toplevel: true },
      format: { comments: false },
    })
  ).code;
  return gz(byTerser) <= gz(byEsbuild) ? { code: byTerser, minifier: "terser" } : { code: byEsbuild, minifier: "esbuild" };
}

export async function buildAll() {
  mkdirSync(dist, { recursive: true });
  const sizes = {};
  for (const [name, { entry, locale }] of Object.entries(BUNDLES)) {
    const { code, minifier } = await bundle(entry, locale);
    writeFileSync(join(dist, name), code);
    sizes[name] = { raw: Buffer.byteLength(code), gzip: gz(code), minifier, budget: BUNDLES[name].budget };
  }
  copyFileSync(join(root, "console/console.css"), join(dist, "console.css"));
  // Read by bench/widget_weight.py: the sizes and the budgets they are held to.
  const report = { bundles: sizes, widget_total_budget: WIDGET_TOTAL_BUDGET };
  writeFileSync(join(dist, "sizes.json"), JSON.stringify(report, null, 2) + "\n");
  return sizes;
}

const sizes = await buildAll();
let over = false;
for (const [name, { raw, gzip, minifier }] of Object.entries(sizes)) {
  const budget = BUNDLES[name].budget;
  const verdict = budget === null ? "" : gzip <= budget ? ` (budget ${budget})` : ` OVER BUDGET ${budget}`;
  over ||= budget !== null && gzip > budget;
  console.log(`${name}: ${raw} B, ${gzip} B gzip, ${minifier}${verdict}`);
}
// The whole widget a visitor loads: the loader and the panel of one locale (the largest).
const panels = Object.keys(sizes).filter((name) => name.startsWith("panel"));
const widgetTotal = sizes["widget.js"].gzip + Math.max(...panels.map((name) => sizes[name].gzip));
console.log(`widget in all, with one locale: ${widgetTotal} B gzip (budget ${WIDGET_TOTAL_BUDGET})`);
over ||= widgetTotal > WIDGET_TOTAL_BUDGET;
if (process.argv.includes("--check") && over) process.exit(1);
