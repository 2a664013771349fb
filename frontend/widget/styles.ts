// The launcher's styles and the site colour (the panel brings its own sheet).

// The site colour. The server guarantees #rrggbb; checked again because it lands in CSS.
export function colorCss(color: string): string {
  return ":host{--parley-color:" + (/^#[\da-f]{6}$/i.test(color) ? color : "#4f46e5") + "}";
}

// The icon, a speech bubble drawn by the <i>'s two pseudo-elements (cheaper than an SVG in this bundle),
// is white on the site colour. The site's launcher text, when it has one, follows the icon in a pill.
export const LAUNCHER_CSS = `:host{all:initial}
.launcher{position:fixed;z-index:2147483000;bottom:20px;right:20px;display:flex;align-items:center;padding:0;border:0;border-radius:28px;background:var(--parley-color);box-shadow:0 6px 20px #0003;cursor:pointer;color:#fff;font:600 15px sans-serif}
.left .launcher{right:auto;left:20px}
.launcher i{position:relative;width:56px;height:56px}
.launcher i:before,.launcher i:after{content:"";position:absolute}
.launcher i:before{inset:18px 17px 21px;border-radius:2px;background:#fff}
.launcher i:after{left:19px;top:34px;border:solid;border-width:5px 6px 0 0;border-color:#fff #0000}
.launcher b:not(:empty){margin-inline-end:20px}
.badge{position:absolute;top:-4px;right:-4px;min-width:10px;padding:0 5px;border:2px solid #fff;border-radius:10px;background:#d1242f;color:#fff;font:700 11px/16px sans-serif}`;
