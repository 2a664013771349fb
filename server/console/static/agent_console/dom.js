// A tiny element builder. Text is always set with textContent: nothing a person typed becomes HTML.

/**
 * h("span", {class: "x", dataset: {console: "preview"}, text: "hi"}, child1, child2)
 * Attributes are set with setAttribute (never "style", never event handler attributes).
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") element.textContent = String(value);
    else if (key === "class") element.className = value;
    else if (key === "dataset") {
      for (const [name, item] of Object.entries(value)) if (item !== undefined && item !== null) element.dataset[name] = String(item);
    }
    else if (key === "style" || key.startsWith("on")) throw new Error(`h(): refusing attribute ${key}`);
    else element.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** The element matching [data-console="name"] (throws when the template lacks it). */
export function hook(name, root = document) {
  const element = root.querySelector(`[data-console="${name}"]`);
  if (!element) throw new Error(`missing [data-console="${name}"]`);
  return element;
}
