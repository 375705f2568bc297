"""Stored HTML never runs in the map and link-graph tooltips (SECURITY.md I3, issue #11 item
10): a place named like an <img onerror> tag is shown as its literal name in the Leaflet
tooltip of its map and in the ECharts tooltip of its link graph; no element is created from it
and its script never runs. The test registers its own two places, so it depends on no demo
record another test may change."""

from playwright.sync_api import expect

from .picker import pick_subject

EVIL = '<img src=x onerror="window.__xss=1">'
PLAIN = "安全测试网吧（提示框）"

#: The graph node of the evil place, in page pixels, once the force layout has placed it.
NODE_POSITION = """(name) => {
  const el = document.querySelector('.cb-graph');
  const chart = window.echarts && echarts.getInstanceByDom(el);
  if (!chart) return null;
  const data = chart.getModel().getSeriesByIndex(0).getData();
  for (let i = 0; i < data.count(); i++) {
    if (data.getName(i) === name) {
      const layout = data.getItemLayout(i);
      if (!layout) return null;
      const [x, y] = chart.convertToPixel({seriesIndex: 0}, layout);
      const box = el.getBoundingClientRect();
      return {x: box.left + x, y: box.top + y};
    }
  }
  return null;
}"""


def register_place(page, name: str, lat: str, lng: str) -> str:
    page.goto("/subjects/new/place/")
    form = page.locator("[data-testid=subject-form]")
    form.locator("input[name=name]").fill(name)
    form.locator("select[name=category]").select_option(index=1)
    form.locator("select[name=area]").select_option(index=1)
    form.locator("input[name=legal_basis_ref]").fill("城公(治)字〔2026〕99号")
    form.locator("select[name=approved_by]").select_option(label="刘洋（010004）")
    form.locator("input[name=d-address]").fill("江州市城关区测试路1号")
    form.locator("input[name=d-latitude]").fill(lat)
    form.locator("input[name=d-longitude]").fill(lng)
    with page.expect_navigation():
        page.click("[data-testid=subject-save]")
    expect(page.locator("[data-testid=subject-name]")).to_contain_text(name)
    return page.url.split("?")[0]


def assert_inert(page, tooltip) -> None:
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("<img src=x")
    assert tooltip.locator("img").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_place_names_are_text_in_map_and_graph_tooltips(page, login):
    login(page, "010001")
    plain_url = register_place(page, PLAIN, "30.2701", "120.1501")
    plain_pk = plain_url.rstrip("/").rsplit("/", 1)[-1]
    evil_url = register_place(page, EVIL, "30.2702", "120.1502")

    # The map on the place's overview: hover the marker, the tooltip shows the name as text.
    page.goto(evil_url)
    marker = page.locator(".cb-map .leaflet-interactive").first
    expect(marker).to_be_visible()
    marker.hover()
    assert_inert(page, page.locator(".cb-map .leaflet-tooltip"))
    assert page.locator(".cb-map img[src=x]").count() == 0

    # Link the place to the plain one, then hover its node in the link graph.
    page.goto(evil_url + "?tab=associations")
    link = page.locator("form[action$='/links/']")
    picker = pick_subject(link, "安全测试网吧", name="target", choose=PLAIN)
    expect(picker.locator("input[type=hidden][name=target]")).to_have_attribute("value", plain_pk)
    link.locator("select[name=type]").select_option(index=1)
    link.locator("input[name=source]").fill("现场走访核实")
    with page.expect_navigation():
        link.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=links]")).to_contain_text(PLAIN)
    page.goto(evil_url + "?tab=associations&hops=1")
    graph = page.locator(".cb-graph")
    expect(graph.locator("canvas")).to_be_visible()
    tooltip = graph.locator("div", has_text="<img src=x").last
    for _ in range(50):  # the force layout moves the nodes for a moment: follow the node
        point = page.evaluate(NODE_POSITION, EVIL)
        if point:
            page.mouse.move(point["x"], point["y"])
            if tooltip.count() and tooltip.is_visible():
                break
        page.wait_for_timeout(200)
    assert_inert(page, tooltip)
    assert graph.locator("img").count() == 0
