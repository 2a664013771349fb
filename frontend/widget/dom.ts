// DOM helpers shared by the loader and the panel. Children given as strings become text nodes,
// never markup, so nothing a person typed can turn into HTML.

const SVG_NS = "http://www.w3.org/2000/svg";

type Attributes = Record<string, string>;
type Children = readonly (Node | string)[];

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes?: Attributes, children?: Children): HTMLElementTagNameMap[K] {
  return fill(document.createElement(tag), attributes, children);
}

function fill<E extends Element>(node: E, attributes: Attributes = {}, children: Children = []): E {
  for (const name in attributes) node.setAttribute(name, attributes[name] as string);
  node.append(...children);
  return node;
}

// A 24×24 icon from path data written in this code base (no user data reaches it), for the panel (the
// launcher draws its own in CSS). Icons sit in buttons that have an aria-label, which screen readers
// announce instead of the content.
export function icon(pathData: string, className: string): Element {
  const svg = (tag: string, attributes: Attributes, children?: Children): Element =>
    fill(document.createElementNS(SVG_NS, tag), attributes, children);
  return svg("svg", { viewBox: "0 0 24 24", class: className }, [svg("path", { d: pathData })]);
}

// Styles live in the shadow root as constructed stylesheets: they apply under a strict CSP
// (no 'unsafe-inline'), which a <style> element would not. Every browser the widget supports has them
// (Chrome 73, Firefox 101, Safari 16.4).
export function addStyles(root: ShadowRoot, css: string): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}
