// Sampling: the next-token distribution under temperature and top-p sliders. Every value was computed in
// advance by the package (generate.sampling_probabilities) on a grid; the sliders move along that grid.
function build() {
  var D = P.data, n = D.ids.length;
  var state = {t: D.start[0], p: D.start[1]};
  var f = frame(T("view.sampling.title"), D.model + " · " + T("view.prompt", {prompt: D.prompt}));
  var tLabel = el("span", {class: "lsv-temperature", style: {display: "inline-block", minWidth: "190px"}});
  var pLabel = el("span", {class: "lsv-top-p", style: {display: "inline-block", minWidth: "110px"}});
  var tSlider = range(D.temperatures.length, state.t, function (v) { state.t = v; redraw(); }, 220);
  var pSlider = range(D.top_ps.length, state.p, function (v) { state.p = v; redraw(); }, 220);
  tSlider.setAttribute("class", "lsv-t-slider");
  pSlider.setAttribute("class", "lsv-p-slider");
  var kept = el("div", {class: "lsv-kept", style: {color: "#555", margin: "4px 0"}});
  var bars = el("div", {class: "lsv-bars"});
  var t1 = D.temperatures.indexOf(1), p1 = D.top_ps.indexOf(1);  // the outline: the plain softmax
  f.body.append(el("div", {}, tSlider, " ", tLabel, pSlider, " ", pLabel), kept,
    el("div", {style: {color: "#777", marginBottom: "4px"},
      text: t1 >= 0 && p1 >= 0 ? T("view.sampling.outline") : ""}),
    bars);
  var W = 360;

  function row(name, p, base, grey) {
    var bar = el("div", {style: {position: "relative", width: W + "px", height: "14px", background: "#f2f2f2"}},
      el("div", {class: "lsv-bar", style: {position: "absolute", left: 0, top: 0, height: "14px",
        width: Math.round(W * p) + "px", background: grey ? "#aaa" : "#31688e"}}));
    if (base !== null) {
      bar.append(el("div", {style: {position: "absolute", left: 0, top: 0, height: "12px",
        width: Math.round(W * base) + "px", border: "1px solid #d62728", borderLeft: "none"}}));
    }
    return el("div", {class: "lsv-row", "data-prob": p, style: {display: "flex", alignItems: "center", gap: "8px",
      height: "18px", lineHeight: "18px", margin: "1px 0"}},
      el("span", {style: {width: "150px", textAlign: "right", whiteSpace: "pre", overflow: "hidden"},
        text: shorten(name, 20)}), bar, el("span", {style: {width: "60px"}, text: fmt(p, 4)}));
  }

  function redraw() {
    var t = D.temperatures[state.t], probs = D.probs[state.t][state.p];
    tLabel.textContent = t === 0 ? T("view.sampling.greedy") : T("view.sampling.temperature", {t: t.toFixed(1)});
    pLabel.textContent = T("view.sampling.top_p", {p: D.top_ps[state.p].toFixed(2)});
    kept.textContent = T("view.sampling.kept", {n: D.kept[state.t][state.p].toLocaleString("en-US")});
    bars.innerHTML = "";
    for (var i = 0; i < n; i++) {
      bars.append(row(D.labels[i], probs[i], t1 >= 0 && p1 >= 0 ? D.probs[t1][p1][i] : null, false));
    }
    bars.append(row(T("view.sampling.others"), D.others[state.t][state.p],
      t1 >= 0 && p1 >= 0 ? D.others[t1][p1] : null, true));
    bars.setAttribute("data-t", t);
    bars.setAttribute("data-p", D.top_ps[state.p]);
  }

  redraw();
  return {box: f.box, redraw: redraw};
}
