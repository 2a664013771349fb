// The panel's texts: T, in the locale this panel bundle was built for. The source names English;
// frontend/build.mjs swaps in locales/<locale>.ts for each panel-<locale>.js.

export { T } from "./locales/en";
export type { Strings } from "./locales/en";
