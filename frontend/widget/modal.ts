// On a phone the panel fills the screen and is a modal dialog there: aria-modal, the focus kept inside
// (Tab and Shift+Tab wrap), and the host page locked so it does not scroll behind it (its own overflow
// values are put back on close). On wider screens the panel floats beside the page and is not modal.

/** The width at which the panel fills the screen (panel-styles.ts uses the same query). */
export const FULL_SCREEN = "(max-width: 480px)";

const FOCUSABLE = 'a[href], button:not([disabled]), textarea, [tabindex="0"]';

export interface Modal {
  setOpen: (open: boolean) => void;
}

export function createModal(panel: HTMLElement, shadow: ShadowRoot): Modal {
  const query = matchMedia(FULL_SCREEN);
  let open = false;
  // The host's own overflow values while locked, else null.
  let hostOverflow: [string, string] | null = null;

  function apply(): void {
    const modal = open && query.matches;
    if (modal) panel.setAttribute("aria-modal", "true");
    else panel.removeAttribute("aria-modal");
    // Through the CSSOM, which a strict CSP allows (a style attribute it would not).
    const html = document.documentElement.style;
    const body = document.body.style;
    if (modal && !hostOverflow) {
      hostOverflow = [html.overflow, body.overflow];
      html.overflow = body.overflow = "hidden";
    } else if (!modal && hostOverflow) {
      [html.overflow, body.overflow] = hostOverflow;
      hostOverflow = null;
    }
  }

  query.addEventListener("change", apply);
  panel.addEventListener("keydown", (event) => {
    if (event.key !== "Tab" || !panel.hasAttribute("aria-modal")) return;
    const items = [...panel.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = items[0];
    const last = items[items.length - 1];
    const active = shadow.activeElement;
    const leaving = event.shiftKey ? active === first || !panel.contains(active) : active === last;
    if (!leaving) return;
    event.preventDefault();
    (event.shiftKey ? last : first)?.focus();
  });

  return {
    setOpen(value) {
      open = value;
      apply();
    },
  };
}
