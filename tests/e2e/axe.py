"""axe-core (Deque's accessibility engine, bundled by the PyPI package axe-playwright-python) over a
page as it is shown: a test fails on any serious or critical violation (X-9). Run through the
DevTools protocol, so the page's Content-Security-Policy stays as strict as in production."""

from axe_playwright_python.sync_playwright import Axe

FAILING = {"serious", "critical"}
_axe = Axe()


def violations(page, impacts=FAILING):
    """The page's violations of these impacts: (rule id, impact, help, how many elements, targets)."""
    results = _axe.run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in impacts:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:5]
            found.append(
                (violation["id"], violation["impact"], violation["help"], len(violation["nodes"]), targets)
            )
    return found


def assert_accessible(page, where=""):
    found = violations(page)
    assert not found, f"axe on {where or page.url}:\n" + "\n".join(map(str, found))
