/* Maps (Leaflet) and link graphs (ECharts) of tracked subjects. No inline script: data comes
   from data- attributes and <script type="application/json"> blocks.
   Names, labels and places are user data: they reach a tooltip or popup only as text (a DOM
   text node, or escaped for ECharts' HTML tooltip), never as HTML (SECURITY.md I3). */
(function () {
  "use strict";
  var RISK_COLOURS = ["#6c757d", "#198754", "#d4a106", "#fd7e14", "#dc3545"];
  var HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  // Text for a place that takes HTML (ECharts' tooltip formatter).
  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return HTML_ESCAPES[c];
    });
  }

  // Content for a Leaflet tooltip or popup: an element, which Leaflet inserts as it is (a
  // string would be parsed as HTML).
  function asText(value) {
    var span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span;
  }

  function baseMap(el) {
    var map = L.map(el, { attributionControl: false, zoomControl: true });
    var tiles = el.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
    } else {
      el.classList.add("cb-map-notiles");
    }
    L.control.scale({ imperial: false }).addTo(map);
    return map;
  }

  function marker(point) {
    return L.circleMarker([point.lat, point.lng], {
      radius: 8, weight: point.kind === "incident" ? 3 : 2,
      color: point.kind === "incident" ? "#d63384" : "#12325a",
      fillColor: RISK_COLOURS[point.risk || 0], fillOpacity: 0.85
    });
  }

  document.querySelectorAll(".cb-map").forEach(function (el) {
    var map = baseMap(el);
    var pointsId = el.getAttribute("data-points");
    var trailId = el.getAttribute("data-trail");
    if (trailId) {
      var steps = JSON.parse(document.getElementById(trailId).textContent);
      var line = L.polyline(steps.map(function (p) { return [p.lat, p.lng]; }),
                            { color: "#0d6efd", weight: 3, opacity: 0.7 }).addTo(map);
      steps.forEach(function (p, i) {
        L.circleMarker([p.lat, p.lng], { radius: 6, color: "#12325a", fillColor: i === steps.length - 1 ? "#dc3545" : "#0d6efd", fillOpacity: 0.9 })
          .bindTooltip(asText((i + 1) + ". " + p.at + " " + p.label)).addTo(map);
      });
      map.fitBounds(line.getBounds().pad(0.3));
      return;
    }
    if (pointsId) {
      var points = JSON.parse(document.getElementById(pointsId).textContent);
      var layer = L.featureGroup();
      points.forEach(function (p) {
        var m = marker(p);
        var link = document.createElement("a");
        link.href = p.url;
        link.textContent = p.name;
        var box = document.createElement("div");
        box.appendChild(link);
        box.appendChild(document.createElement("br"));
        box.appendChild(document.createTextNode(p.category));
        m.bindPopup(box);
        layer.addLayer(m);
      });
      layer.addTo(map);
      if (points.length) {
        map.fitBounds(layer.getBounds().pad(0.2));
      } else {
        map.setView([30.27, 120.15], 11);
      }
    } else {
      var lat = parseFloat(el.getAttribute("data-lat"));
      var lng = parseFloat(el.getAttribute("data-lng"));
      marker({ lat: lat, lng: lng, risk: 0 })
        .bindTooltip(asText(el.getAttribute("data-label"))).addTo(map);
      map.setView([lat, lng], 15);
    }
  });

  document.querySelectorAll(".cb-graph").forEach(function (el) {
    fetch(el.getAttribute("data-graph-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (data.edges.length === 0) {
          el.classList.add("cb-graph-empty");
          el.textContent = el.getAttribute("data-empty");
          return;
        }
        var chart = echarts.init(el);
        chart.setOption({
          tooltip: {
            formatter: function (p) {
              return escapeHtml(p.dataType === "edge" ? p.data.label : p.data.name);
            }
          },
          series: [{
            type: "graph", layout: "force", roam: true, draggable: true,
            force: { repulsion: 220, edgeLength: 90 },
            label: { show: true, position: "bottom", fontSize: 12 },
            edgeLabel: { show: true, formatter: function (p) { return p.data.label; }, fontSize: 10 },
            data: data.nodes.map(function (n) {
              return {
                id: n.id, name: n.name, symbolSize: n.centre ? 38 : 26,
                symbol: n.kind === "place" ? "rect" : (n.kind === "incident" ? "diamond" : "circle"),
                itemStyle: { color: RISK_COLOURS[n.risk || 0], borderColor: n.centre ? "#12325a" : "#fff", borderWidth: n.centre ? 3 : 1 }
              };
            }),
            links: data.edges.map(function (e) { return { source: e.source, target: e.target, label: e.label }; }),
            lineStyle: { color: "#8a94a6", curveness: 0.1 }
          }]
        });
        chart.on("click", function (p) {
          if (p.dataType === "node") { window.location.href = "/subjects/" + p.data.id + "/?tab=associations"; }
        });
        window.addEventListener("resize", function () { chart.resize(); });
      });
  });
})();
