// Panel styles, added to the shadow root as a constructed stylesheet by the loader's addStyles. A dark
// theme follows prefers-color-scheme (the site colour stays for the header, the visitor's bubbles and
// the buttons); the full-screen query matches modal.ts's FULL_SCREEN.

// --parley-on-color: text on the site colour, black or white by the colour's OKLCH lightness
// (white where relative colours are unsupported).
export const PANEL_CSS = `
.panel{--parley-on-color:#fff}
@supports (color:oklch(from red l c h)){.panel{--parley-on-color:oklch(from var(--parley-color) clamp(0,(.63 - l)*1e3,1) 0 0)}}
.panel{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;-webkit-font-smoothing:antialiased;position:fixed;z-index:2147483000;bottom:88px;right:20px;width:360px;height:520px;max-height:calc(100vh - 108px);display:flex;flex-direction:column;overflow:hidden;background:#fff;border-radius:12px;box-shadow:0 16px 48px rgba(15,23,42,.18),0 2px 8px rgba(15,23,42,.08);opacity:0;visibility:hidden;transform:translateY(12px) scale(.98);transform-origin:bottom right;transition:opacity .18s ease,transform .18s ease,visibility 0s linear .18s}
.left .panel{right:auto;left:20px;transform-origin:bottom left}
.is-open>.panel{opacity:1;visibility:visible;transform:none;transition-delay:0s}
.head{display:flex;align-items:center;gap:12px;padding-block:14px;padding-inline:18px 10px;background:var(--parley-color);color:var(--parley-on-color)}
.title{flex:1;min-width:0;display:flex;flex-direction:column;gap:2px}
.title strong{font-size:16px;font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.status{display:flex;align-items:center;gap:6px;font-size:12px;opacity:.92}
.dot{width:8px;height:8px;border-radius:50%;background:#f5b82e;box-shadow:0 0 0 2px rgba(255,255,255,.35)}
[data-state=online] .dot{background:#22c55e}
[data-state=offline] .dot{background:#ef4444}
[data-state=online][data-availability=away] .dot{background:#f5b82e}
button{font:inherit;cursor:pointer}
.close{width:36px;height:36px;padding:0;border:0;border-radius:8px;display:grid;place-items:center;background:transparent;color:inherit}
.close:hover{background:rgba(127,127,127,.2)}
.close:focus-visible,.send:focus-visible{outline:2px solid currentColor;outline-offset:2px}
.icon{fill:currentColor}
.x{fill:none;stroke:currentColor;stroke-width:2.2;stroke-linecap:round}
.close .icon{width:20px;height:20px;display:block}
.list{flex:1;overflow-y:auto;margin:0;padding:16px 14px;list-style:none;display:flex;flex-direction:column;gap:10px;background:#f6f7f9;overscroll-behavior:contain}
.msg{max-width:80%;display:flex;flex-direction:column;align-items:flex-start}
.bubble{padding:9px 13px;border-radius:12px;border-end-start-radius:4px;background:#e9ecf0;color:#1f2328;white-space:pre-wrap;overflow-wrap:anywhere}
[data-author=visitor]{align-self:flex-end;align-items:flex-end}
[data-author=visitor] .bubble{background:var(--parley-color);color:var(--parley-on-color);border-radius:12px;border-end-end-radius:4px}
[data-author=system]{align-self:center;align-items:center;max-width:90%}
[data-author=system] .bubble{padding:2px 8px;background:none;color:#5b6472;font-size:12px;text-align:center}
[data-pending] .bubble{opacity:.55}
.meta{margin:3px 4px 0;font-size:11px;color:#5b6472}
.meta:empty{display:none}
.typing{margin:0;padding:4px 16px;font-size:12px;color:#5b6472;background:#f6f7f9}
.notice{margin:0;padding:8px 16px;background:#fff4e5;color:#7a4100;font-size:13px;border-top:1px solid #f5d9b0}
.composer{display:flex;align-items:flex-end;gap:8px;padding:10px 12px;border-top:1px solid #e5e7eb;background:#fff}
.input{flex:1;min-width:0;margin:0;padding:9px 13px;border:1px solid #d0d5dd;border-radius:12px;resize:none;font:inherit;line-height:20px;color:inherit;background:#fff;outline:none}
.input:focus{border-color:var(--parley-color);box-shadow:0 0 0 3px color-mix(in srgb,var(--parley-color) 22%,transparent)}
.send{width:40px;height:40px;flex:none;padding:0;border:0;border-radius:50%;display:grid;place-items:center;background:var(--parley-color);color:var(--parley-on-color)}
.send .icon{width:20px;height:20px}
[dir=rtl] .send .icon{transform:scaleX(-1)}
.list:focus-visible{outline:2px solid var(--parley-color);outline-offset:-2px}
.bubble a{color:inherit;text-decoration:underline;text-underline-offset:2px}
@media (max-width:480px){.panel{inset:0;width:auto;height:auto;max-height:none;border-radius:0}.is-open>.launcher{display:none}.input{font-size:16px}}
@media (prefers-color-scheme:dark){
.panel{color:#e6e9ef;background:#171b23;box-shadow:0 16px 48px #0009,0 2px 8px #0006}
.list{background:#0f1218}
.bubble{background:#2a303b;color:#e6e9ef}
[data-author=system] .bubble,.meta{color:#aab2c0}
.notice{background:#33230f;color:#ffc078;border-color:#6b4515}
.composer{background:#171b23;border-color:#2a303b}
.input{background:#0f1218;border-color:#3a4250}
.input::placeholder{color:#8b95a7}
}
@media (prefers-reduced-motion:reduce){.panel{transform:none;transition:none}}
`;
