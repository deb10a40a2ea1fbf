// Attention explorer: pick a layer and a head (or all heads), see raw scores -> masked -> softmax weights,
// hover a token or a row to outline the row and shade the tokens it attends to.
function build() {
  var D = P.data, s = D.tokens.length, H = D.n_heads, rep = D.n_heads / D.n_kv_heads;
  var state = {layer: D.layer, head: D.head, stage: "weights", query: null};
  var STAGES = ["scores", "masked", "weights"];
  var f = frame(T("view.attention.title"), D.model + " · " + T("view.prompt", {prompt: D.prompt}));

  function values(layer, head, stage) {  // [s*s] numbers (null: masked) of one head and stage
    var li = D.layers.indexOf(layer);
    var src = stage === "weights" ? D.weights[li][head] : D.scores[li][head];
    if (stage !== "masked") { return src; }
    return src.map(function (v, k) { return D.mask[k] ? v : null; });
  }

  function scale(vals, stage) {  // colour scale: weights 0..max, scores symmetric around 0
    var m = 0;
    vals.forEach(function (v) { if (v !== null) { m = Math.max(m, Math.abs(v)); } });
    m = m || 1;
    return stage === "weights" ? [0, m, VIRIDIS] : [-m, m, COOLWARM];
  }

  var layerSel = choice(D.layers.map(function (l) { return [l, String(l)]; }), state.layer,
    function (v) { state.layer = v; redraw(); });
  var headOpts = [[-1, T("view.all_heads")]];
  for (var j = 0; j < H; j++) { headOpts.push([j, String(j)]); }
  var headSel = choice(headOpts, state.head, function (v) { state.head = v; redraw(); });
  var stageBtns = STAGES.map(function (st) {
    return el("button", {type: "button", "data-stage": st, style: {font: font(12), marginRight: "4px",
      padding: "3px 8px", cursor: "pointer"}, onclick: function () { state.stage = st; redraw(); },
      text: {scores: T("view.attention.scores"), masked: T("view.attention.masked"),
        weights: T("view.attention.weights")}[st]});
  });
  var kvLine = el("div", {style: {color: "#555", margin: "4px 0"}});
  var strip = el("div", {class: "lsv-tokens", style: {margin: "6px 0", lineHeight: "1.9"}});
  var tokens = D.tokens.map(function (label, i) {
    return el("span", {"data-index": i, style: {padding: "1px 3px", margin: "0 2px", border: "1px solid #ccc",
      borderRadius: "3px", cursor: "default", whiteSpace: "pre"}, text: label,
      onmouseenter: function () { state.query = i; paint(); }});
  });
  strip.append.apply(strip, tokens);
  var readout = el("div", {class: "lsv-readout", style: {minHeight: "1.4em", color: "#333", margin: "4px 0"}});
  var main = el("div", {class: "lsv-main"});
  f.body.append(el("div", {}, control(T("view.layer"), layerSel), control(T("view.head"), headSel),
    el("span", {}, stageBtns)), kvLine, strip, el("div", {style: {color: "#777"}, text: T("view.attention.hint")}),
    readout, main);

  var geometry = null;  // where the big heatmap's cells are, for hover

  function heatmap(vals, lo, hi, stops) {  // one head as a labelled canvas with a colour bar
    var px = 11, labels = D.tokens.map(function (l) { return shorten(l, 14); });
    var cell = Math.max(10, Math.min(30, Math.floor(440 / s)));
    var probe = canvas(1, 1).ctx, lab = Math.ceil(textWidth(probe, labels, px)) + 8;
    var left = lab + 18, top = 6, side = cell * s, w = left + side + 90, h = top + side + lab + 18;
    var c = canvas(w, h, "lsv-heatmap"), ctx = c.ctx;
    for (var i = 0; i < s; i++) {
      for (var k = 0; k < s; k++) {
        var v = vals[i * s + k];
        ctx.fillStyle = v === null ? "#d9d9d9" : ramp(stops, (v - lo) / (hi - lo));
        ctx.fillRect(left + k * cell, top + i * cell, cell, cell);
      }
    }
    ctx.font = font(px);
    ctx.fillStyle = "#222";
    ctx.textBaseline = "middle";
    ctx.textAlign = "right";
    labels.forEach(function (l, i) { ctx.fillText(l, left - 4, top + (i + 0.5) * cell); });
    labels.forEach(function (l, k) {
      ctx.save();
      ctx.translate(left + (k + 0.5) * cell, top + side + 4);
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(l, 0, 0);
      ctx.restore();
    });
    ctx.font = font(12);
    ctx.textAlign = "center";
    ctx.fillText(T("view.attention.key"), left + side / 2, h - 8);
    ctx.save();
    ctx.translate(8, top + side / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText(T("view.attention.query"), 0, 0);
    ctx.restore();
    colorbar(ctx, left + side + 14, top, Math.min(side, 240), stops, lo, hi,
      state.stage === "weights" ? T("view.probability") : "q·k/√e");
    geometry = {left: left, top: top, cell: cell, ctx: ctx, vals: vals, lo: lo, hi: hi, stops: stops};
    c.canvas.addEventListener("mousemove", function (ev) {
      var r = c.canvas.getBoundingClientRect();
      var i = Math.floor((ev.clientY - r.top - top) / cell), k = Math.floor((ev.clientX - r.left - left) / cell);
      if (i < 0 || i >= s || k < 0 || k >= s) { return; }
      state.query = i;
      var v = vals[i * s + k];
      readout.textContent = T(v === null ? "view.attention.future" : "view.attention.cell",
        {q: i + " " + D.tokens[i], k: k + " " + D.tokens[k], v: fmt(v, 4)});
      paint();
    });
    return c.canvas;
  }

  function multiples(layer, stage) {  // every head of the layer, small; click one to open it
    var cell = Math.max(2, Math.floor(120 / s)), side = cell * s;
    var all = [];
    for (var h = 0; h < H; h++) { all = all.concat(values(layer, h, stage)); }
    var r = scale(all, stage);
    var grid = el("div", {style: {display: "flex", flexWrap: "wrap", gap: "10px"}});
    for (var head = 0; head < H; head++) {
      var c = canvas(side, side, "lsv-multiple"), vals = values(layer, head, stage);
      for (var i = 0; i < s * s; i++) {
        c.ctx.fillStyle = vals[i] === null ? "#d9d9d9" : ramp(r[2], (vals[i] - r[0]) / (r[1] - r[0]));
        c.ctx.fillRect((i % s) * cell, Math.floor(i / s) * cell, cell, cell);
      }
      c.canvas.setAttribute("data-head", head);
      grid.append(el("div", {style: {cursor: "pointer", textAlign: "center"}, "data-head": head,
        onclick: (function (hh) { return function () { state.head = hh; headSel.value = hh; redraw(); }; })(head)},
        el("div", {style: {font: font(12)}, text: T("view.head_n", {head: head, kv: Math.floor(head / rep)})}),
        c.canvas));
    }
    return el("div", {}, el("div", {style: {color: "#777", marginBottom: "6px"}, text: T("view.attention.pick")}),
      grid);
  }

  function paint() {  // the hover state: outline the query's row, shade the keys by the row's weights
    var row = state.query, head = state.head;
    var w = row === null || head < 0 ? null : values(state.layer, head, "weights").slice(row * s, row * s + s);
    tokens.forEach(function (t, k) {
      t.style.background = w ? "rgba(49,104,142," + Math.min(1, w[k]).toFixed(3) + ")" : "transparent";
      t.style.color = w && w[k] > 0.55 ? "#fff" : "#222";
      t.style.outline = row === k ? "2px solid #d62728" : "none";
    });
    if (!geometry || row === null || head < 0) { return; }
    var g = geometry, ctx = g.ctx;
    for (var k = 0; k < s; k++) {  // repaint the previous outline away, then draw the new one
      for (var i = 0; i < s; i++) {
        var v = g.vals[i * s + k];
        ctx.fillStyle = v === null ? "#d9d9d9" : ramp(g.stops, (v - g.lo) / (g.hi - g.lo));
        ctx.fillRect(g.left + k * g.cell, g.top + i * g.cell, g.cell, g.cell);
      }
    }
    ctx.strokeStyle = "#d62728";
    ctx.lineWidth = 2;
    ctx.strokeRect(g.left + 1, g.top + row * g.cell + 1, s * g.cell - 2, g.cell - 2);
    ctx.lineWidth = 1;
  }

  function redraw() {
    stageBtns.forEach(function (b) {
      var on = b.getAttribute("data-stage") === state.stage;
      b.style.background = on ? "#31688e" : "#f4f4f4";
      b.style.color = on ? "#fff" : "#222";
      b.style.border = "1px solid " + (on ? "#31688e" : "#bbb");
    });
    kvLine.textContent = state.head < 0 ? "" :
      T("view.attention.kv", {head: state.head, kv: Math.floor(state.head / rep), rep: rep});
    main.innerHTML = "";
    geometry = null;
    if (state.head < 0) {
      main.append(multiples(state.layer, state.stage));
    } else {
      var vals = values(state.layer, state.head, state.stage), r = scale(vals, state.stage);
      main.append(heatmap(vals, r[0], r[1], r[2]));
    }
    main.setAttribute("data-layer", state.layer);
    main.setAttribute("data-head", state.head);
    main.setAttribute("data-stage", state.stage);
    paint();
  }

  redraw();
  return {box: f.box, redraw: redraw};
}
