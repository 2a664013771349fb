// DOM helpers shared by the loader and the panel. Children given as strings become text nodes,
// never markup, so nothing a person typed can turn into HTML.

const SVG_NS = "http://www.w3.org/2000/svg";

type Attributes = Record<string, string>;
type Children = readonly (Node | string)[];

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes?: Attributes, children?: Children): HTMLElementTagNameMap[K];
export function el(tag: string, attributes: Attributes, children: Children, namespace: string): Element;
export function el(tag: string, attributes: Attributes = {}, children: Children = [], namespace?: string): Element {
  const node = namespace ? document.createElementNS(namespace, tag) : document.createElement(tag);
  for (const name in attributes) node.setAttribute(name, attributes[name] as string);
  node.append(...children);
  return node;
}

// A 24×24 icon from path data written in this code base (no user data reaches it). Icons sit
// in buttons that have an aria-label, which screen readers announce instead of the content.
export function icon(pathData: string, className: string): Element {
  return el("svg", { viewBox: "0 0 24 24", class: className }, [el("path", { d: pathData }, [], SVG_NS)], SVG_NS);
}

// Styles live in the shadow root as constructed stylesheets: they apply under a strict CSP
// (no 'unsafe-inline'), which a <style> element would not.
export function addStyles(root: ShadowRoot, css: string): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch {
    // No constructable stylesheets (older browsers): the only way left, though a strict CSP blocks it.
    root.append(el("style", {}, [css]));
  }
}
