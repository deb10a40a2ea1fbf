// RoPE explorer: a distance slider turning every pair of q against k, the wavelengths and bands of the Llama 3
// scaling, and q·k against distance. Every angle and score was computed by the package; this only draws them.
// R: {D: data, state: {i: slider index, scaled}, ui: canvases and labels}.
var WHEEL_W = 82, WHEEL_H = 92;

function pick(R, name) { return R.D[name + (R.state.scaled ? "_scaled" : "")]; }

function drawWheels(R) {  // one circle per pair: k (grey, not turned) and q turned by distance x frequency
  var c = R.ui.wheels, ctx = c.ctx, cols = R.cols, cos = pick(R, "cos")[R.state.i], sin = pick(R, "sin")[R.state.i];
  ctx.clearRect(0, 0, c.w, c.h);
  for (var p = 0; p < cos.length; p++) {
    var cx = (p % cols) * WHEEL_W + WHEEL_W / 2, cy = Math.floor(p / cols) * WHEEL_H + 40, r = 28;
    ctx.strokeStyle = "#ccc"; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.arc(cx, cy, r, 0, 2 * Math.PI); ctx.stroke();
    ctx.strokeStyle = "#999"; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(cx, cy); ctx.lineTo(cx + r, cy); ctx.stroke();
    ctx.strokeStyle = BANDS[R.D.band[p]]; ctx.lineWidth = 3;
    ctx.beginPath(); ctx.moveTo(cx, cy); ctx.lineTo(cx + r * cos[p], cy - r * sin[p]); ctx.stroke();
    ctx.fillStyle = "#222"; ctx.font = font(11); ctx.textAlign = "center"; ctx.textBaseline = "alphabetic";
    ctx.fillText(T("view.rope.pair", {i: p}), cx, cy + r + 16);
  }
}

function axes(c, title, xlab, ticks, lo, hi) {  // frame, title, y ticks [[value, text]]; returns the plot box
  var ctx = c.ctx, b = {x: 66, y: 26, w: c.w - 78, h: c.h - 64};
  ctx.clearRect(0, 0, c.w, c.h);
  ctx.fillStyle = "#222"; ctx.font = font(12); ctx.textAlign = "left"; ctx.textBaseline = "alphabetic";
  ctx.fillText(title, 4, 14);
  ctx.strokeStyle = "#888"; ctx.strokeRect(b.x + 0.5, b.y + 0.5, b.w, b.h);
  ctx.textAlign = "center"; ctx.fillText(xlab, b.x + b.w / 2, c.h - 8);
  ctx.textAlign = "right"; ctx.textBaseline = "middle"; ctx.font = font(10);
  ticks.forEach(function (t) { ctx.fillText(t[1], b.x - 4, b.y + b.h - (t[0] - lo) / (hi - lo) * b.h); });
  return b;
}

function decades(lo, hi, step) {  // ticks at 10^k: [[k, "1,000"], ...] ("1e6" from a million on)
  var out = [];
  for (var k = lo; k <= hi; k += step) { out.push([k, k < 6 ? Math.pow(10, k).toLocaleString("en-US") : "1e" + k]); }
  return out;
}

function line(ctx, x0, y0, x1, y1) { ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke(); }

function drawWaves(R) {  // wavelength per pair, unscaled (grey rings) and scaled (band colours), band edges dashed
  var D = R.D, old = D.original_max_position, d = Math.max(1, D.positions[R.state.i]), pairs = D.band.length;
  var wl = function (freqs) { return freqs.map(function (x) { return Math.log10(2 * Math.PI / x); }); };
  var a = wl(D.inv_freq), s = wl(D.inv_freq_scaled);
  var lo = Math.floor(Math.min.apply(null, a)), hi = Math.ceil(Math.max.apply(null, s.concat(a)));
  var b = axes(R.ui.waves, T("view.rope.wavelength"), T("view.rope.pair", {i: "i"}),
    decades(lo, hi, hi - lo > 6 ? 2 : 1), lo, hi);
  var ctx = R.ui.waves.ctx, X = function (p) { return b.x + (p + 0.5) * b.w / pairs; };
  var Y = function (v) { return b.y + b.h - (v - lo) / (hi - lo) * b.h; };
  ctx.setLineDash([4, 3]);
  [[old / D.high_freq_factor, BANDS.kept], [old / D.low_freq_factor, BANDS.divided]].forEach(function (e) {
    ctx.strokeStyle = e[1]; line(ctx, b.x, Y(Math.log10(e[0])), b.x + b.w, Y(Math.log10(e[0])));
  });
  ctx.setLineDash([]);
  ctx.strokeStyle = "#d62728";  // the current distance: pairs below it have turned at least once
  line(ctx, b.x, Y(Math.log10(d)), b.x + b.w, Y(Math.log10(d)));
  for (var p = 0; p < pairs; p++) {
    ctx.strokeStyle = "#999";
    ctx.beginPath(); ctx.arc(X(p), Y(a[p]), 3.5, 0, 2 * Math.PI); ctx.stroke();
    ctx.fillStyle = BANDS[D.band[p]];
    ctx.beginPath(); ctx.arc(X(p), Y(s[p]), 3, 0, 2 * Math.PI); ctx.fill();
  }
}

function drawScore(R) {  // q·k against log distance, the current distance marked
  var D = R.D, qk = pick(R, "qk"), xs = D.positions.map(function (x) { return Math.log10(x + 1); });
  var both = D.qk.concat(D.qk_scaled), lo = Math.min.apply(null, both), hi = Math.max.apply(null, both);
  var ticks = [0, 0.25, 0.5, 0.75, 1].map(function (k) { var v = lo + k * (hi - lo); return [v, fmt(v, 1)]; });
  var b = axes(R.ui.score, T("view.rope.score"), T("view.rope.distance_axis"), ticks, lo, hi);
  var ctx = R.ui.score.ctx, xmax = xs[xs.length - 1];
  var X = function (x) { return b.x + x / xmax * b.w; };
  var Y = function (v) { return b.y + b.h - (v - lo) / (hi - lo) * b.h; };
  ctx.fillStyle = "#222"; ctx.textAlign = "center"; ctx.textBaseline = "top";
  decades(0, Math.floor(xmax), 1).forEach(function (t) { ctx.fillText(t[1], X(t[0]), b.y + b.h + 3); });
  ctx.strokeStyle = "#31688e"; ctx.lineWidth = 1.5; ctx.beginPath();
  xs.forEach(function (x, k) { if (k) { ctx.lineTo(X(x), Y(qk[k])); } else { ctx.moveTo(X(x), Y(qk[k])); } });
  ctx.stroke(); ctx.lineWidth = 1;
  ctx.fillStyle = "#d62728";
  ctx.beginPath(); ctx.arc(X(xs[R.state.i]), Y(qk[R.state.i]), 5, 0, 2 * Math.PI); ctx.fill();
  ctx.fillStyle = "#222"; ctx.font = font(11); ctx.textAlign = "left"; ctx.textBaseline = "alphabetic";
  ctx.fillText("q·k = " + fmt(qk[R.state.i], 2), b.x + 6, b.y + 14);
}

function redrawRope(R) {
  var d = R.D.positions[R.state.i], freqs = pick(R, "inv_freq"), last = freqs.length - 1;
  R.ui.label.textContent = T("view.rope.distance", {d: d.toLocaleString("en-US")});
  R.ui.turns.textContent = T("view.rope.turns", {fast: fmt(d * freqs[0] / (2 * Math.PI), 2), last: last,
    slow: fmt(d * freqs[last] / (2 * Math.PI), 4)});
  R.ui.wheels.canvas.setAttribute("data-distance", d);
  drawWheels(R);
  drawWaves(R);
  drawScore(R);
}

function build() {
  var D = P.data, pairs = D.inv_freq.length, R = {D: D, state: {i: D.start, scaled: D.scaled}};
  var redraw = function () { redrawRope(R); };
  R.cols = Math.min(pairs, 8);
  var box = el("input", {type: "checkbox", onchange: function () { R.state.scaled = box.checked; redraw(); }});
  box.checked = R.state.scaled;
  var bandNames = {kept: T("view.rope.kept"), blended: T("view.rope.blended"), divided: T("view.rope.divided")};
  R.ui = {label: el("span", {class: "lsv-distance", style: {display: "inline-block", minWidth: "240px"}}),
    turns: el("div", {class: "lsv-turns", style: {color: "#555", margin: "2px 0 6px"}}),
    wheels: canvas(R.cols * WHEEL_W, Math.ceil(pairs / R.cols) * WHEEL_H, "lsv-wheels"),
    waves: canvas(460, 250, "lsv-waves"), score: canvas(460, 250, "lsv-score")};
  var legend = el("div", {style: {margin: "4px 0"}}, ["kept", "blended", "divided"].map(function (b) {
    return el("span", {style: {marginRight: "14px"}}, el("span", {style: {display: "inline-block", width: "10px",
      height: "10px", background: BANDS[b], marginRight: "4px"}}), bandNames[b]);
  }));
  var f = frame(T("view.rope.title"), T("view.rope.config", {model: D.model, e: D.head_dim, pairs: pairs,
    theta: D.theta.toLocaleString("en-US")}));
  f.body.append(el("div", {}, range(D.positions.length, R.state.i, function (v) { R.state.i = v; redraw(); }, 320),
    " ", R.ui.label, control("", box), T("view.rope.scaled", {factor: D.factor})), legend, R.ui.turns,
    el("div", {style: {color: "#555"}, text: T("view.rope.pairs")}), R.ui.wheels.canvas,
    el("div", {style: {display: "flex", flexWrap: "wrap", gap: "16px", marginTop: "8px"}}, R.ui.waves.canvas,
      R.ui.score.canvas));
  redraw();
  return {box: f.box, redraw: redraw};
}
