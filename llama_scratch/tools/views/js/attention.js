// Attention explorer: pick a layer and a head (or all heads), see raw scores -> masked -> softmax weights,
// hover a token or a row to outline the row and shade the tokens it attends to.
// A: {D: data, state: {layer, head, stage, query}, ui: elements, grid: where the heatmap's cells are}.
var STAGES = ["scores", "masked", "weights"];

function stageValues(A, layer, head, stage) {  // [s*s] numbers (null: masked) of one head and stage
  var D = A.D, li = D.layers.indexOf(layer), s = D.tokens.length;
  var src = stage === "weights" ? D.weights[li][head] : D.scores[li][head];
  if (stage !== "masked") { return src; }
  return src.map(function (v, k) { return D.mask[k] ? v : null; });
}

function colourScale(vals, stage) {  // [lo, hi, colours]: weights 0..max, scores symmetric around 0
  var m = 0;
  vals.forEach(function (v) { if (v !== null) { m = Math.max(m, Math.abs(v)); } });
  m = m || 1;
  return stage === "weights" ? [0, m, VIRIDIS] : [-m, m, COOLWARM];
}

function fillCells(ctx, g) {  // the cells of the big heatmap, from its geometry g
  var s = g.s;
  for (var i = 0; i < s; i++) {
    for (var k = 0; k < s; k++) {
      var v = g.vals[i * s + k];
      ctx.fillStyle = v === null ? "#d9d9d9" : ramp(g.stops, (v - g.lo) / (g.hi - g.lo));
      ctx.fillRect(g.left + k * g.cell, g.top + i * g.cell, g.cell, g.cell);
    }
  }
}

function axisLabels(ctx, labels, g, px) {  // token labels left of the rows and under the columns (rotated)
  var side = g.cell * labels.length;
  ctx.font = font(px);
  ctx.fillStyle = "#222";
  ctx.textBaseline = "middle";
  ctx.textAlign = "right";
  labels.forEach(function (l, i) { ctx.fillText(l, g.left - 4, g.top + (i + 0.5) * g.cell); });
  labels.forEach(function (l, k) {
    ctx.save();
    ctx.translate(g.left + (k + 0.5) * g.cell, g.top + side + 4);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(l, 0, 0);
    ctx.restore();
  });
  ctx.font = font(12);
  ctx.textAlign = "center";
  ctx.fillText(T("view.attention.key"), g.left + side / 2, g.h - 8);
  ctx.save();
  ctx.translate(8, g.top + side / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(T("view.attention.query"), 0, 0);
  ctx.restore();
}

function heatmap(A, vals, scale) {  // one head as a labelled canvas with a colour bar; hover reads a cell
  var D = A.D, s = D.tokens.length, labels = D.tokens.map(function (l) { return shorten(l, 14); });
  var cell = Math.max(10, Math.min(30, Math.floor(440 / s)));
  var lab = Math.ceil(textWidth(canvas(1, 1).ctx, labels, 11)) + 8, side = cell * s;
  var g = {left: lab + 18, top: 6, cell: cell, s: s, vals: vals, lo: scale[0], hi: scale[1], stops: scale[2]};
  g.h = g.top + side + lab + 18;
  var c = canvas(g.left + side + 90, g.h, "lsv-heatmap");
  g.ctx = c.ctx;
  fillCells(c.ctx, g);
  axisLabels(c.ctx, labels, g, 11);
  colorbar(c.ctx, g.left + side + 14, g.top, Math.min(side, 240), g.stops, g.lo, g.hi,
    A.state.stage === "weights" ? T("view.probability") : "q·k/√e");
  c.canvas.addEventListener("mousemove", function (ev) {
    var r = c.canvas.getBoundingClientRect();
    var i = Math.floor((ev.clientY - r.top - g.top) / cell), k = Math.floor((ev.clientX - r.left - g.left) / cell);
    if (i < 0 || i >= s || k < 0 || k >= s) { return; }
    var v = vals[i * s + k];
    A.ui.readout.textContent = T(v === null ? "view.attention.future" : "view.attention.cell",
      {q: i + " " + D.tokens[i], k: k + " " + D.tokens[k], v: fmt(v, 4)});
    A.state.query = i;
    paint(A);
  });
  A.grid = g;
  return c.canvas;
}

function multiples(A) {  // every head of the layer, small, on one colour scale; click one to open it
  var D = A.D, st = A.state, s = D.tokens.length, H = D.n_heads, rep = H / D.n_kv_heads;
  var cell = Math.max(2, Math.floor(120 / s)), all = [];
  for (var h = 0; h < H; h++) { all = all.concat(stageValues(A, st.layer, h, st.stage)); }
  var sc = colourScale(all, st.stage);
  var grid = el("div", {style: {display: "flex", flexWrap: "wrap", gap: "10px"}});
  for (var head = 0; head < H; head++) {
    var c = canvas(cell * s, cell * s, "lsv-multiple"), vals = stageValues(A, st.layer, head, st.stage);
    for (var i = 0; i < s * s; i++) {
      c.ctx.fillStyle = vals[i] === null ? "#d9d9d9" : ramp(sc[2], (vals[i] - sc[0]) / (sc[1] - sc[0]));
      c.ctx.fillRect((i % s) * cell, Math.floor(i / s) * cell, cell, cell);
    }
    c.canvas.setAttribute("data-head", head);
    grid.append(el("div", {style: {cursor: "pointer", textAlign: "center"}, "data-head": head,
      onclick: pick(A, head)}, el("div", {style: {font: font(12)}, text: T("view.head_n", {head: head,
        kv: Math.floor(head / rep)})}), c.canvas));
  }
  return el("div", {}, el("div", {style: {color: "#777", marginBottom: "6px"}, text: T("view.attention.pick")}), grid);
}

function pick(A, head) {  // a click handler opening one head
  return function () { A.state.head = head; A.ui.headSel.value = head; redrawAttention(A); };
}

function paint(A) {  // the hover state: outline the query's row, shade the tokens by the row's weights
  var row = A.state.query, head = A.state.head, s = A.D.tokens.length;
  var w = row === null || head < 0 ? null :
    stageValues(A, A.state.layer, head, "weights").slice(row * s, row * s + s);
  A.ui.tokens.forEach(function (t, k) {
    t.style.background = w ? "rgba(49,104,142," + Math.min(1, w[k]).toFixed(3) + ")" : "transparent";
    t.style.color = w && w[k] > 0.55 ? "#fff" : "#222";
    t.style.outline = row === k ? "2px solid #d62728" : "none";
  });
  if (!A.grid || row === null || head < 0) { return; }
  var g = A.grid;
  fillCells(g.ctx, g);  // the previous outline away, then the new one
  g.ctx.strokeStyle = "#d62728";
  g.ctx.lineWidth = 2;
  g.ctx.strokeRect(g.left + 1, g.top + row * g.cell + 1, s * g.cell - 2, g.cell - 2);
  g.ctx.lineWidth = 1;
}

function redrawAttention(A) {
  var st = A.state, ui = A.ui, rep = A.D.n_heads / A.D.n_kv_heads;
  ui.stageBtns.forEach(function (b) {
    var on = b.getAttribute("data-stage") === st.stage;
    Object.assign(b.style, {background: on ? "#31688e" : "#f4f4f4", color: on ? "#fff" : "#222",
      border: "1px solid " + (on ? "#31688e" : "#bbb")});
  });
  ui.kvLine.textContent = st.head < 0 ? "" :
    T("view.attention.kv", {head: st.head, kv: Math.floor(st.head / rep), rep: rep});
  ui.main.innerHTML = "";
  A.grid = null;
  if (st.head < 0) {
    ui.main.append(multiples(A));
  } else {
    var vals = stageValues(A, st.layer, st.head, st.stage);
    ui.main.append(heatmap(A, vals, colourScale(vals, st.stage)));
  }
  ["layer", "head", "stage"].forEach(function (k) { ui.main.setAttribute("data-" + k, st[k]); });
  paint(A);
}

function build() {
  var D = P.data, A = {D: D, state: {layer: D.layer, head: D.head, stage: "weights", query: null}, grid: null};
  var redraw = function () { redrawAttention(A); };
  var names = {scores: T("view.attention.scores"), masked: T("view.attention.masked"),
    weights: T("view.attention.weights")};
  var headOpts = [[-1, T("view.all_heads")]];
  for (var j = 0; j < D.n_heads; j++) { headOpts.push([j, String(j)]); }
  A.ui = {
    layerSel: choice(D.layers.map(function (l) { return [l, String(l)]; }), D.layer,
      function (v) { A.state.layer = v; redraw(); }),
    headSel: choice(headOpts, D.head, function (v) { A.state.head = v; redraw(); }),
    stageBtns: STAGES.map(function (st) {
      return el("button", {type: "button", "data-stage": st, style: {font: font(12), marginRight: "4px",
        padding: "3px 8px", cursor: "pointer"}, text: names[st],
        onclick: function () { A.state.stage = st; redraw(); }});
    }),
    tokens: D.tokens.map(function (label, i) {
      return el("span", {"data-index": i, style: {padding: "1px 3px", margin: "0 2px", border: "1px solid #ccc",
        borderRadius: "3px", cursor: "default", whiteSpace: "pre"}, text: label,
        onmouseenter: function () { A.state.query = i; paint(A); }});
    }),
    kvLine: el("div", {style: {color: "#555", margin: "4px 0"}}),
    readout: el("div", {class: "lsv-readout", style: {minHeight: "1.4em", color: "#333", margin: "4px 0"}}),
    main: el("div", {class: "lsv-main"}),
  };
  var f = frame(T("view.attention.title"), D.model + " · " + T("view.prompt", {prompt: D.prompt}));
  f.body.append(el("div", {}, control(T("view.layer"), A.ui.layerSel), control(T("view.head"), A.ui.headSel),
    el("span", {}, A.ui.stageBtns)), A.ui.kvLine,
    el("div", {class: "lsv-tokens", style: {margin: "6px 0", lineHeight: "1.9"}}, A.ui.tokens),
    el("div", {style: {color: "#777"}, text: T("view.attention.hint")}), A.ui.readout, A.ui.main);
  redraw();
  return {box: f.box, redraw: redraw};
}
