// Helpers every view shares. This text is pasted inside each view's own function: nothing here is global.
// P: the view's payload {kind, data, text, font, family}; root: the view's <div>.
var SANS = (P.family ? '"' + P.family + '", ' : "") + "system-ui, 'Segoe UI', 'DejaVu Sans', Arial, sans-serif";

function T(key, fields) {  // a string of the payload's language, "{name}" fields filled in
  var s = P.text[key] === undefined ? key : P.text[key];
  Object.keys(fields || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(fields[k])); });
  return s;
}

function el(tag, props) {  // el("div", {style: {...}, class: "x", onclick: f}, child, "text", [more])
  var node = document.createElement(tag);
  Object.keys(props || {}).forEach(function (k) {
    var v = props[k];
    if (k === "style") { Object.assign(node.style, v); }
    else if (k.slice(0, 2) === "on") { node.addEventListener(k.slice(2), v); }
    else if (k === "text") { node.textContent = v; }
    else { node.setAttribute(k, v); }
  });
  Array.prototype.slice.call(arguments, 2).forEach(function add(c) {
    if (Array.isArray(c)) { c.forEach(add); }
    else if (c !== null && c !== undefined) { node.append(c instanceof Node ? c : String(c)); }
  });
  return node;
}

function fmt(x, digits) {  // a number for people: fixed digits (tiny ones as 1.2e−6), "−" for minus
  if (x === null || x === undefined) { return "−∞"; }
  digits = digits === undefined ? 3 : digits;
  var s = Math.abs(x) >= 1e5 ? Math.round(x).toLocaleString("en-US") :
    x !== 0 && Math.abs(x) < 0.5 * Math.pow(10, -digits) ? x.toExponential(1) : x.toFixed(digits);
  return s.split("-").join("−");
}

function shorten(label, n) { return label.length > n ? label.slice(0, n - 1) + "…" : label; }

// Colour maps: matplotlib's viridis and coolwarm, sampled at even steps; t in [0, 1].
var VIRIDIS = [[68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142], [31, 158, 137],
  [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37]];
var COOLWARM = [[59, 76, 192], [98, 130, 234], [141, 176, 254], [184, 208, 249], [221, 221, 221],
  [245, 196, 173], [244, 154, 123], [222, 96, 77], [180, 4, 38]];
var BANDS = {kept: "#1f77b4", blended: "#ff7f0e", divided: "#2ca02c"};

function ramp(stops, t) {
  t = Math.min(1, Math.max(0, isFinite(t) ? t : 0)) * (stops.length - 1);
  var i = Math.min(stops.length - 2, Math.floor(t)), f = t - i, a = stops[i], b = stops[i + 1];
  return "rgb(" + [0, 1, 2].map(function (c) { return Math.round(a[c] + f * (b[c] - a[c])); }).join(",") + ")";
}

function canvas(w, h, cls) {  // a canvas of w x h CSS pixels, sharp on high-DPI screens
  var c = el("canvas", {class: cls || "", style: {width: w + "px", height: h + "px", display: "block"}});
  var r = window.devicePixelRatio || 1;
  c.width = Math.ceil(w * r);
  c.height = Math.ceil(h * r);
  var ctx = c.getContext("2d");
  ctx.scale(r, r);
  ctx.font = font(12);
  return {canvas: c, ctx: ctx, w: w, h: h};
}

function font(px, bold) { return (bold ? "bold " : "") + px + "px " + SANS; }

function textWidth(ctx, labels, px) {
  ctx.font = font(px);
  return labels.reduce(function (m, s) { return Math.max(m, ctx.measureText(s).width); }, 0);
}

function colorbar(ctx, x, y, h, stops, lo, hi, label) {  // a vertical bar with its range written beside it
  for (var i = 0; i < h; i++) { ctx.fillStyle = ramp(stops, 1 - i / (h - 1)); ctx.fillRect(x, y + i, 12, 1); }
  ctx.strokeStyle = "#555";
  ctx.strokeRect(x + 0.5, y + 0.5, 12, h - 1);
  ctx.fillStyle = "#222";
  ctx.font = font(11);
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  ctx.fillText(fmt(hi), x + 16, y + 5);
  ctx.fillText(fmt(lo), x + 16, y + h - 5);
  ctx.save();
  ctx.translate(x + 16 + ctx.measureText("−00.000").width + 8, y + h / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center";
  ctx.fillText(label, 0, 0);
  ctx.restore();
}

function control(label, input) {
  return el("label", {style: {marginRight: "18px", whiteSpace: "nowrap"}}, label + " ", input);
}

function choice(options, value, onchange) {  // a <select>; options: [[value, text], ...]
  var s = el("select", {style: {font: font(13)}, onchange: function () { onchange(Number(s.value)); }},
    options.map(function (o) { return el("option", {value: o[0], text: o[1]}); }));
  s.value = value;
  return s;
}

function range(n, value, oninput, width) {  // an <input type=range> over the indices 0..n-1
  var r = el("input", {type: "range", min: 0, max: n - 1, step: 1, style: {width: (width || 260) + "px",
    verticalAlign: "middle"}, oninput: function () { oninput(Number(r.value)); }});
  r.value = value;
  return r;
}

function frame(title, subtitle) {  // the view's box: title, subtitle, and the body the view fills
  var body = el("div");
  var box = el("div", {class: "lsv-live", style: {font: font(13), color: "#222", background: "#fff",
    padding: "10px 12px", border: "1px solid #ddd", borderRadius: "6px", maxWidth: "100%", overflowX: "auto"}},
    el("div", {style: {font: font(15, true), marginBottom: "2px"}, text: title}),
    el("div", {style: {color: "#555", marginBottom: "8px"}, text: subtitle}), body);
  return {box: box, body: body};
}

function loadFont() {  // the embedded WOFF subset, added with the FontFace API (no URL, no CSS needed)
  if (!P.font || !window.FontFace || !document.fonts) { return Promise.resolve(); }
  var bytes = Uint8Array.from(atob(P.font), function (ch) { return ch.charCodeAt(0); });
  var face = new FontFace(P.family, bytes.buffer, {unicodeRange: P.range});
  document.fonts.add(face);
  return face.load();
}

function start(build) {  // build the live view; on success hide the static picture, on failure keep it
  var view;
  try {
    view = build();
  } catch (err) {
    console.error("llama_scratch view:", err);
    return;
  }
  Array.prototype.forEach.call(root.querySelectorAll(".lsv-static, .lsv-note"), function (n) {
    n.style.display = "none";
  });
  root.append(view.box);
  loadFont().then(view.redraw, function (err) { console.warn("llama_scratch view font:", err); });
}
