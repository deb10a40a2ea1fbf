// Logit lens: rows = depth (the embeddings, then after each layer), columns = prompt positions; each cell shows
// the most likely next token, shaded by its probability. Hover a cell for its top-k.
function build() {
  var D = P.data, s = D.tokens.length, rows = D.n_layers + 1;
  var f = frame(T("view.lens.title"), D.model + " · " + T("view.prompt", {prompt: D.prompt}));
  var names = [T("view.lens.embeddings")];
  for (var l = 0; l < D.n_layers; l++) { names.push(T("view.lens.after", {n: l})); }
  var readout = el("div", {class: "lsv-readout", style: {minHeight: (D.k + 1) * 1.5 + "em", margin: "6px 0",
    padding: "4px 8px", background: "#f6f6f6", borderRadius: "4px"}});
  var cells = [];

  function label(id) { return D.labels[String(id)]; }

  function show(r, c) {  // the top-k of one cell, as rows "token  probability"
    cells.forEach(function (td) { td.style.outline = "none"; });
    cells[r * s + c].style.outline = "2px solid #d62728";
    readout.innerHTML = "";
    readout.append(el("div", {style: {fontWeight: "bold", marginBottom: "3px"},
      text: T("view.lens.cell", {row: names[r], pos: c, token: D.tokens[c], k: D.k})}));
    var list = el("ol", {class: "lsv-top", style: {margin: "0", paddingLeft: "22px"}});
    D.ids[r][c].forEach(function (id, k) {
      var p = D.probs[r][c][k];
      list.append(el("li", {"data-id": id, "data-prob": p, style: {whiteSpace: "pre",
        textDecoration: id === D.next[c] ? "underline" : "none"}},
        el("span", {style: {display: "inline-block", width: Math.round(120 * p) + 2 + "px", height: "9px",
          background: "#31688e", marginRight: "6px"}}), label(id) + "  " + fmt(p, 4)));
    });
    readout.append(list);
  }

  var head = el("tr", {}, el("th", {}), D.tokens.map(function (t, c) {
    return el("th", {style: {font: font(11), padding: "2px 4px", whiteSpace: "pre", color: "#555",
      fontWeight: "normal"}, text: c + " " + shorten(t, 10)});
  }));
  var body = [];
  for (var r = rows - 1; r >= 0; r--) {  // the output at the top, the embeddings at the bottom
    var tr = el("tr", {}, el("th", {style: {font: font(11), textAlign: "right", paddingRight: "6px",
      whiteSpace: "nowrap", fontWeight: "normal"}, text: names[r]}));
    body.push(tr);
  }
  for (r = 0; r < rows; r++) {
    for (var c = 0; c < s; c++) {
      var id = D.ids[r][c][0], p = D.probs[r][c][0];
      var td = el("td", {class: "lsv-cell", "data-row": r, "data-col": c, style: {background: ramp(VIRIDIS, p),
        color: p > 0.6 ? "#111" : "#fff", padding: "3px 5px", font: font(11), whiteSpace: "pre",
        textAlign: "center", cursor: "default", minWidth: "38px",
        textDecoration: id === D.next[c] ? "underline" : "none"}, text: shorten(label(id), 9),
        onmouseenter: (function (rr, cc) { return function () { show(rr, cc); }; })(r, c)});
      cells[r * s + c] = td;
    }
  }
  for (r = 0; r < rows; r++) {
    for (c = 0; c < s; c++) { body[rows - 1 - r].append(cells[r * s + c]); }
  }
  var table = el("table", {class: "lsv-grid", style: {borderCollapse: "separate", borderSpacing: "2px"}},
    el("thead", {}, head), el("tbody", {}, body));
  f.body.append(el("div", {style: {color: "#777", marginBottom: "4px"}, text: T("view.lens.hint", {k: D.k})}),
    el("div", {style: {overflowX: "auto"}}, table), readout);
  show(rows - 1, s - 1);
  return {box: f.box, redraw: function () {}};
}
