"""Choosing subjects in a browser test: through the search-as-you-type subject picker."""

from playwright.sync_api import expect


def pick_subject(scope, text: str, *, name: str = "subjects", choose: str | None = None):
    """Type ``text`` into the picker of field ``name`` inside ``scope`` (a page or a locator),
    wait for the results and click the first that shows ``choose`` (default: the text typed).
    Returns the picker's locator."""
    picker = scope.locator(f"[data-testid=picker-{name}]")
    picker.locator("input[data-picker-input]").fill(text)
    result = picker.locator("[data-pick]").filter(has_text=choose or text).first
    expect(result).to_be_visible()
    label = result.get_attribute("data-pick-name")
    result.click()
    expect(picker.locator("[data-picker-chip]", has_text=label)).to_be_visible()
    return picker
