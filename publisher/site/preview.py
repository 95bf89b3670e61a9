"""`publisher serve`: MkDocs' live-reload server, which shows the problems of the books while
they have errors.

`mkdocs serve` stops answering when a rebuild fails (every request waits for a build that never
comes). Here the rebuild never fails: the books are checked first, and while they have an
error, or the site cannot be built, every address of the preview answers at once with a page
listing the problems. The page carries MkDocs' live-reload script, so the browser shows the
real site as soon as the books are fixed. The site is built into a temporary directory: an
existing site/ is never touched.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment
from markupsafe import Markup, escape
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.livereload import LiveReloadServer

from publisher.cooperative import NotACooperative, check_cooperative
from publisher.federation import Progress, is_federation, load_federation
from publisher.i18n import _, _n, current_message_language, is_right_to_left, locale_candidates
from publisher.problems import Problem, format_location, format_text, has_errors, sorted_problems
from publisher.site.build import SiteError, require_publisher_plugin

log = logging.getLogger("mkdocs.plugins.publisher")

LIVERELOAD_PREFIX = "/livereload/"

_TEMPLATES = Environment(autoescape=True)
PROBLEMS_PAGE = _TEMPLATES.from_string(
    """<!doctype html>
<html lang="{{ lang }}" dir="{{ dir }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; padding: 1rem; color: #1a1a1a; background: #fff; }
  main { max-width: 64rem; margin: 0 auto; }
  h1 { font-size: 1.5rem; color: #b71c1c; margin: 0.5rem 0 1rem; }
  .problems { list-style: none; padding: 0; margin: 0; }
  .problem { border-left: 4px solid #b71c1c; background: #fdf3f3; padding: 0.5rem 0.75rem; margin: 0 0 0.75rem;
             overflow-wrap: anywhere; }
  .problem--warning { border-color: #e65100; background: #fff6ec; }
  .problem__where { font-family: ui-monospace, monospace; font-size: 0.9rem; }
  .problem__code { font-family: ui-monospace, monospace; font-size: 0.9rem; font-weight: 700; white-space: nowrap; }
  .problem__message { margin: 0.25rem 0 0; }
  .failure { white-space: pre-wrap; font: 0.9rem/1.4 ui-monospace, monospace; }
  .note { color: #555; }
  @media (prefers-color-scheme: dark) {
    body { color: #e6e6e6; background: #1e1e1e; }
    h1 { color: #ef9a9a; }
    .problem { background: #3a2222; }
    .problem--warning { background: #3a2e1f; }
    .note { color: #bbb; }
  }
</style>
</head>
<body>
<main>
<h1>{{ title }}</h1>
<p>{{ explanation }}</p>
{% if failure %}<pre class="problem failure">{{ failure }}</pre>{% endif %}
{% if problems %}
<ol class="problems">
{% for p in problems %}
  <li class="problem problem--{{ p.severity }}" data-code="{{ p.code }}">
    <span class="problem__where">{{ p.where }}</span> · {{ p.severity }} ·
    <span class="problem__code">{{ p.code }}</span>
    <p class="problem__message">{{ p.message }}</p>
  </li>
{% endfor %}
</ol>
{% endif %}
<p class="note">{{ summary }} {{ note }}</p>
</main>
</body>
</html>
"""
)


def problems_page(problems: Iterable[Problem], failure: str | None = None) -> bytes:
    """The page shown at every address of the preview while the site cannot be built: every
    problem with its file, line, code and message (errors first), or why the build failed."""
    ordered = sorted(sorted_problems(problems), key=lambda p: not p.is_error)
    errors = sum(p.is_error for p in ordered)
    if errors:
        title = _("The books have errors, so the site is not shown")
        explanation = _n(
            "Correct the error below; warnings do not stop the site.",
            "Correct the {count} errors below; warnings do not stop the site.",
            errors,
        ).format(count=errors)
    else:
        title = _("The site could not be built")
        explanation = _("Building the preview failed for the reason below; correct it and save.")
    warnings = len(ordered) - errors
    summary = _("{errors}, {warnings}.").format(
        errors=_n("{count} error", "{count} errors", errors).format(count=errors),
        warnings=_n("{count} warning", "{count} warnings", warnings).format(count=warnings),
    )
    # The command is markup of the page; the translated sentence around it is escaped.
    note = Markup(
        escape(
            _(
                "This page follows the books: save the corrected files and it shows the site by "
                "itself, without restarting {command}."
            )
        )
    ).format(command=Markup("<code>publisher serve</code>"))
    language = current_message_language()
    shown = [
        {
            "where": format_location(p),
            "severity": p.severity.value,
            "code": p.code,
            "message": p.message,
        }
        for p in ordered
    ]
    text = PROBLEMS_PAGE.render(
        title=title,
        explanation=explanation,
        problems=shown,
        failure=failure,
        summary=summary,
        note=note,
        lang=(locale_candidates(language) or ["en"])[0].replace("_", "-"),
        dir="rtl" if is_right_to_left(language) else "ltr",
    )
    return text.encode("utf-8")


class PreviewServer(LiveReloadServer):
    """The live-reload server, answering every address with the problems page while there is "
    "one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._problems_lock = threading.Lock()
        self._problems_page: bytes | None = None
        #: Called once the address is bound and listening.
        self.on_listening: Callable[[], None] = lambda: None

    def server_activate(self) -> None:
        super().server_activate()
        self.on_listening()

    def show_problems(self, page: bytes | None) -> None:
        """Serve `page` at every address from now on; None serves the built site again."""
        with self._problems_lock:
            self._problems_page = page

    def serve_request(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        with self._problems_lock:
            page = self._problems_page
        if page is None or environ.get("PATH_INFO", "").startswith(LIVERELOAD_PREFIX):
            return super().serve_request(environ, start_response)
        # Answer at once: the built site may be half cleaned or stale, the problems page is not.
        with self._epoch_cond:
            epoch = self._visible_epoch
        content = self._inject_js_into_html(page, epoch)
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(content))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [content]


def _check_books(root: Path) -> tuple[Any, list[Problem]]:
    """What the plugin needs to build without checking again, or None when the books have an
    error; and every problem."""
    if is_federation(root):
        federation = load_federation(root, progress=Progress())
        return (federation if federation.config is not None else None), federation.problems
    cooperative, problems = check_cooperative(root)
    if cooperative is None or has_errors(problems):
        return None, problems
    return (cooperative, problems), problems


def serve_until_stopped(
    server: PreviewServer, address: str, report: Callable[[str], Any], engine: str = ""
) -> None:
    """Serve until Ctrl+C, saying where first; an address that cannot be listened on is a
    SiteError (the builders never raise, so an OSError here is the address: in use, not ours)."""
    server.on_listening = lambda: report(
        (
            _("Serving the preview ({engine}) on {url} (Ctrl+C to stop).").format(
                engine=engine, url=server.url
            )
            if engine
            else _("Serving the preview on {url} (Ctrl+C to stop).").format(url=server.url)
        )
        + "\n"
    )
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    except OSError as error:
        raise SiteError(
            _("cannot listen on {address}: {error}").format(
                address=address, error=error.strerror or error
            )
        ) from None
    finally:
        server.shutdown()


def serve_preview(
    root: Path,
    config_file: str,
    address: str,
    watch: list[str],
    report: Callable[[str], None],
) -> None:
    """Serve the site of `root` on `address` until interrupted, rebuilding it when a watched
    file changes. `report` prints the problems of every build to the terminal."""
    site_dir = Path(tempfile.mkdtemp(prefix="publisher-serve-"))

    def get_config() -> Any:
        config = load_config(config_file=config_file, site_dir=str(site_dir), dev_addr=address)
        config.watch.extend(watch)
        return config

    config = get_config()
    require_publisher_plugin(config)
    config.plugins.on_startup(command="serve", dirty=False)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    mount = ("/" + mount_path.lstrip("/")).rstrip("/") + "/"
    serve_url = f"http://{host}:{port}{mount}"

    def builder(config: Any = None) -> None:
        # Never raises: a failed build would leave every request of the preview waiting.
        try:
            preloaded, problems = _check_books(root)
        except NotACooperative as error:
            report(_("publisher: cannot serve: {error}").format(error=error) + "\n")
            server.show_problems(problems_page([], failure=str(error)))
            return
        if problems:
            report(format_text(problems))
        if preloaded is None:
            report(_("There are errors, so the preview shows them instead of the site.") + "\n")
            server.show_problems(problems_page(problems))
            return
        try:
            if config is None:
                config = get_config()
                require_publisher_plugin(config)
            config.site_url = serve_url
            config.plugins["publisher"].preloaded = preloaded  # checked once: not checked again
            mkdocs_build(config, serve_url=serve_url)
        except Exception as error:  # noqa: BLE001 - any failure of MkDocs or a plugin: shown, never stuck
            report(_("publisher: the site could not be built: {error}").format(error=error) + "\n")
            server.show_problems(
                problems_page(problems, failure=f"{type(error).__name__}: {error}")
            )
            return
        server.show_problems(None)

    server = PreviewServer(
        builder=builder, host=host, port=port, root=str(site_dir), mount_path=mount_path
    )
    try:
        builder(config)
        server.watch(config.docs_dir)
        if config.config_file_path:
            server.watch(config.config_file_path)
        server = config.plugins.on_serve(server, config=config, builder=builder)
        for item in config.watch:
            server.watch(item)
        serve_until_stopped(server, address, report)
    finally:
        config.plugins.on_shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)
