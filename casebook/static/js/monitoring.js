/* Technical monitoring maps (Leaflet, Leaflet.draw vendored): the live alerts map, a fence on an
   alert page, the fence editor. No inline script: data comes from data- attributes and
   <script type="application/json"> blocks. Names are user data: they reach a tooltip only as a
   text node, never as HTML (SECURITY.md I3). */
(function () {
  "use strict";
  var STATUS_COLOURS = { open: "#dc3545", acknowledged: "#fd7e14" };
  var DEFAULT_CENTRE = [30.27, 120.15];

  function asText(value) {
    var span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span;
  }

  function readJson(id) {
    var node = id && document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function baseMap(el) {
    var map = L.map(el, { attributionControl: false, zoomControl: true });
    map.setView(DEFAULT_CENTRE, 12);  // a view before any layer (Leaflet needs one to draw)
    var tiles = el.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
    } else {
      el.classList.add("cb-map-notiles");
    }
    L.control.scale({ imperial: false }).addTo(map);
    return map;
  }

  function fenceStyle() {
    return { color: "#0d6efd", weight: 2, fillOpacity: 0.12 };
  }

  // --- the live map: fences in force, live alerts refreshed by htmx (no full reload) ---------
  var liveMap = document.querySelector("[data-monitoring-map]");
  if (liveMap) {
    var map = baseMap(liveMap);
    var fences = readJson(liveMap.getAttribute("data-monitoring-map")) || [];
    var fenceLayer = L.featureGroup().addTo(map);
    fences.forEach(function (f) {
      L.geoJSON(f.geometry, { style: fenceStyle }).bindTooltip(asText(f.name)).on("click", function () {
        window.location.href = f.url;
      }).addTo(fenceLayer);
    });
    if (fenceLayer.getLayers().length) {
      map.fitBounds(fenceLayer.getBounds().pad(0.2));
    } else {
      map.setView(DEFAULT_CENTRE, 11);
    }
    var alertLayer = L.featureGroup().addTo(map);
    var drawAlerts = function () {
      var points = readJson("cb-live-points") || [];
      alertLayer.clearLayers();
      points.forEach(function (p) {
        L.circleMarker([p.lat, p.lng], {
          radius: 9, weight: 2, color: "#12325a",
          fillColor: STATUS_COLOURS[p.status] || "#6c757d", fillOpacity: 0.9
        }).bindTooltip(asText(p.label)).on("click", function () {
          window.location.href = p.url;
        }).addTo(alertLayer);
      });
      liveMap.setAttribute("data-alerts", String(points.length));
    };
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.target && event.target.id === "cb-live") { drawAlerts(); }
    });
  }

  // --- one fence (alert page) ------------------------------------------------------------------
  document.querySelectorAll("[data-monitoring-fence]").forEach(function (el) {
    var geometry = readJson(el.getAttribute("data-monitoring-fence"));
    var map = baseMap(el);
    if (geometry) {
      var layer = L.geoJSON(geometry, { style: fenceStyle }).addTo(map);
      map.fitBounds(layer.getBounds().pad(0.3));
    } else {
      map.setView(DEFAULT_CENTRE, 12);
    }
  });

  // --- the fence editor --------------------------------------------------------------------------
  var editor = document.getElementById("cb-fence-map");
  if (editor) {
    var emap = baseMap(editor);
    var drawn = L.featureGroup().addTo(emap);
    var field = document.getElementById("id_geometry");
    var existing = readJson(editor.getAttribute("data-geometry"));
    var places = readJson(editor.getAttribute("data-places")) || [];
    places.forEach(function (p) {
      L.circleMarker([p.lat, p.lng], { radius: 6, color: "#12325a", fillColor: "#6c757d", fillOpacity: 0.9 })
        .bindTooltip(asText(p.name)).addTo(emap);
    });
    var show = function (geometry) {
      drawn.clearLayers();
      L.geoJSON(geometry, { style: fenceStyle }).eachLayer(function (layer) { drawn.addLayer(layer); });
    };
    if (existing) {
      show(existing);
      emap.fitBounds(drawn.getBounds().pad(0.3));
    } else if (field && field.value) {
      try { show(JSON.parse(field.value)); emap.fitBounds(drawn.getBounds().pad(0.3)); } catch (e) { emap.setView(DEFAULT_CENTRE, 12); }
    } else if (places.length) {
      emap.setView([places[0].lat, places[0].lng], 15);
    } else {
      emap.setView(DEFAULT_CENTRE, 12);
    }
    // A circle becomes a polygon of 48 points (GeoJSON has no circle).
    var circleToGeometry = function (circle) {
      var c = circle.getLatLng();
      var r = circle.getRadius();
      var ring = [];
      for (var i = 0; i < 48; i++) {
        var a = 2 * Math.PI * i / 48;
        var dLat = r * Math.cos(a) / 111320;
        var dLng = r * Math.sin(a) / (111320 * Math.cos(c.lat * Math.PI / 180));
        ring.push([+(c.lng + dLng).toFixed(7), +(c.lat + dLat).toFixed(7)]);
      }
      ring.push(ring[0]);
      return { type: "Polygon", coordinates: [ring] };
    };
    var store = function (layer) {
      var geometry = layer instanceof L.Circle ? circleToGeometry(layer) : layer.toGeoJSON().geometry;
      if (field) { field.value = JSON.stringify(geometry); }
      editor.setAttribute("data-drawn", "1");
    };
    if (editor.getAttribute("data-fence-editor") && L.Control.Draw) {
      emap.addControl(new L.Control.Draw({
        position: "topleft",
        draw: {
          polygon: { allowIntersection: false, showArea: false, shapeOptions: fenceStyle() },
          rectangle: { showArea: false, shapeOptions: fenceStyle() },
          circle: { shapeOptions: fenceStyle() },
          polyline: false, marker: false, circlemarker: false
        },
        edit: { featureGroup: drawn, remove: false }
      }));
      emap.on(L.Draw.Event.CREATED, function (event) {
        drawn.clearLayers();
        drawn.addLayer(event.layer);
        store(event.layer);
      });
      emap.on(L.Draw.Event.EDITED, function (event) {
        event.layers.eachLayer(store);
      });
    }
    var placeSelect = document.getElementById("id_place");
    if (placeSelect) {
      placeSelect.addEventListener("change", function () {
        places.forEach(function (p) {
          if (String(p.id) === placeSelect.value) { emap.setView([p.lat, p.lng], 16); }
        });
      });
    }
  }
}());
