/* Dashboard charts (ECharts), from <script type="application/json"> data. */
(function () {
  "use strict";
  document.querySelectorAll(".cb-chart").forEach(function (el) {
    var data = JSON.parse(document.getElementById(el.getAttribute("data-source")).textContent);
    var chart = echarts.init(el);
    var option;
    if (el.getAttribute("data-chart") === "trend") {
      option = {
        tooltip: { trigger: "axis" }, legend: {}, grid: { left: 40, right: 20, bottom: 30 },
        xAxis: { type: "category", data: data.months },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: el.getAttribute("data-label-subjects"), type: "line", data: data.subjects, smooth: true },
          { name: el.getAttribute("data-label-assessments"), type: "bar", data: data.assessments }
        ]
      };
    } else {
      option = {
        tooltip: { trigger: "axis" }, legend: {}, grid: { left: 40, right: 20, bottom: 30 },
        xAxis: { type: "category", data: data.stations }, yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: el.getAttribute("data-label-active"), type: "bar", data: data.active },
          { name: el.getAttribute("data-label-high"), type: "bar", data: data.high },
          { name: el.getAttribute("data-label-warnings"), type: "bar", data: data.warnings }
        ]
      };
    }
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
