"""What the look-and-feel browser tests share (tests/e2e/test_browser_look.py): axe-core injected from the vendored
copy (tests/e2e/vendor/axe-core/, never a CDN) and a collector of console errors and uncaught page errors."""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def axe_violations(page, impacts=SERIOUS):
    """The axe-core violations of the page as it is now, those of the given impacts, as readable lines."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, not as a <script> tag: the site's CSP (script-src 'self')
        # rightly refuses inline scripts, and the test must not weaken it.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' → ' + n.html.slice(0, 160))}));
        }"""
    )
    return [
        f"{page.url} [{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"])
        for v in result
        if v["impact"] in impacts
    ]


class ConsoleErrors:
    """Every console error and uncaught exception of the pages of a browser context, with the page's address."""

    def __init__(self, context):
        self.errors = []
        context.on("page", self.watch)
        for page in context.pages:
            self.watch(page)

    def watch(self, page):
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(f"{page.url} console: {msg.text}"))
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url} page error: {exc}"))
