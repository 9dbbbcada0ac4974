// strata status page: polls api/status and redraws. No build step.
(function () {
  "use strict";
  var token = new URLSearchParams(location.search).get("token");
  var root = document.getElementById("targets");
  var updated = document.getElementById("updated");
  // Rows of each pass when this page first saw it, to show the progress
  // made while it was open.
  var firstRows = {};

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") e.textContent = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }
  function num(n) { return Math.round(n).toLocaleString("en-US"); }
  // dur writes s seconds as 255ms, 2.3s, 42s, 1m30s or 2h5m.
  function dur(s) {
    if (s < 1) return Math.round(s * 1000) + "ms";
    if (s < 10) return (Math.round(s * 10) / 10) + "s";
    if (s < 60) return Math.round(s) + "s";
    if (s < 3600) return Math.floor(s / 60) + "m" + Math.round(s % 60) + "s";
    return Math.floor(s / 3600) + "h" + Math.floor((s % 3600) / 60) + "m";
  }

  function chart(samples) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "chart");
    svg.setAttribute("viewBox", "0 0 300 90");
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("data-samples", String(samples.length));
    var maxv = 1;
    samples.forEach(function (s) { if (s.rows_per_second > maxv) maxv = s.rows_per_second; });
    var pts = samples.map(function (s, i) {
      var x = samples.length > 1 ? (i * 300) / (samples.length - 1) : 0;
      var y = 88 - (s.rows_per_second / maxv) * 84;
      return x.toFixed(1) + "," + y.toFixed(1);
    });
    var line = document.createElementNS(ns, "polyline");
    line.setAttribute("points", pts.join(" "));
    svg.appendChild(line);
    return svg;
  }

  function migration(t, m) {
    var box = el("div", { "class": "migration", "data-version": m.version, "data-state": m.state }, [
      el("div", {}, [
        el("span", { "class": "badge " + m.state, text: m.state }),
        el("strong", { text: " " + m.version + "_" + m.name + " " }),
        el("span", { "class": "muted", text: m.kind })
      ])
    ]);
    (m.backfills || []).forEach(function (b) {
      var pct = Math.min(100, b.percent || 0);
      var text = b.table + ": " + num(b.rows) + " / " + num(b.total) + " rows (" + pct.toFixed(1) + "%)";
      if (b.rows_per_second > 0) text += " · " + num(b.rows_per_second) + " rows/s";
      if (b.eta_seconds > 0) text += " · ETA " + dur(b.eta_seconds);
      if (b.done) text += " · done";
      var key = t.name + "/" + m.version + "/" + b.table;
      if (!(key in firstRows)) firstRows[key] = b.rows;
      if (b.rows > firstRows[key]) text += " · +" + num(b.rows - firstRows[key]) + " rows since this page opened";
      box.appendChild(el("div", { "class": "bar", role: "progressbar", "aria-valuenow": String(pct), "aria-valuemin": "0", "aria-valuemax": "100" },
        [el("div", { style: "width:" + pct + "%" })]));
      box.appendChild(el("div", { "class": "progress-text", "data-table": b.table, "data-rows": String(b.rows), "data-first-rows": String(firstRows[key]), "data-total": String(b.total), text: text }));
    });
    if (m.error) box.appendChild(el("pre", { "class": "error", text: m.error }));
    return box;
  }

  function target(t) {
    var sec = el("section", { "class": "target", "data-target": t.name }, [
      el("h2", {}, [
        el("span", { text: t.name + " " }),
        el("span", { "class": "muted", text: t.database || "" })
      ]),
      el("div", {}, [
        el("span", { text: "version " }),
        el("strong", { "class": "version", text: t.version }),
        el("span", { "class": "muted", text: " · " + t.pending + " pending " }),
        t.locked ? el("span", { "class": "badge locked", text: "runner lock held" }) : null
      ])
    ]);
    if (t.error) sec.appendChild(el("pre", { "class": "error", text: t.error }));
    sec.appendChild(el("h3", { text: "Now" }));
    if (!t.active.length) sec.appendChild(el("div", { "class": "muted", text: "nothing running" }));
    t.active.forEach(function (m) { sec.appendChild(migration(t, m)); });
    sec.appendChild(el("h3", { text: "Throughput (rows/s, last 5 minutes)" }));
    sec.appendChild(chart(t.throughput || []));
    if (t.checks && t.checks.length) {
      sec.appendChild(el("h3", { text: "Checks" }));
      t.checks.forEach(function (c) {
        sec.appendChild(el("div", {}, [el("span", { "class": "badge " + (c.ok ? "applied" : "failed"), text: c.ok ? "ok" : "failed" }), el("span", { text: " " + (c.version ? c.version + " " : "") + (c.phase ? c.phase + " " : "") + c.name + ": " + (c.message || "") })]));
      });
    }
    sec.appendChild(el("h3", { text: "History" }));
    var rows = t.history.map(function (m) {
      return el("tr", {}, [
        el("td", { text: m.version }), el("td", { text: m.name }),
        el("td", {}, [el("span", { "class": "badge " + m.state, text: m.state })]),
        el("td", { text: m.at ? new Date(m.at).toISOString().replace("T", " ").slice(0, 19) : "" }),
        el("td", { text: m.duration_ms ? dur(m.duration_ms / 1000) : "" })
      ]);
    });
    sec.appendChild(el("table", {}, [el("tr", {}, ["version", "name", "state", "at", "took"].map(function (h) { return el("th", { text: h }); }))].concat(rows)));
    return sec;
  }

  function refresh() {
    var opts = token ? { headers: { Authorization: "Bearer " + token } } : {};
    fetch("api/status", opts).then(function (r) {
      if (!r.ok) throw new Error("api/status: " + r.status);
      return r.json();
    }).then(function (st) {
      root.replaceChildren.apply(root, st.targets.map(target));
      updated.textContent = "updated " + new Date(st.generated_at).toLocaleTimeString();
      document.body.setAttribute("data-version", st.version);
    }).catch(function (e) {
      updated.textContent = String(e.message || e);
    }).finally(function () {
      setTimeout(refresh, 1000);
    });
  }
  refresh();
})();
