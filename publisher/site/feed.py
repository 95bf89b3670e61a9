"""The Atom feeds: the stories (from the blog posts MkDocs rendered) and the decisions.

Ids of feeds and entries do not depend on where the site is published: a feed reader keeps an
entry's id for ever, so an id that changed with `--site-url` would show every entry twice.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import urljoin

# At the site's root: Material's instant navigation fetches "sitemap.xml" beside the target of
# every <link rel="alternate">, and the root is where the sitemap is.
FEED_PATH = "feed.xml"
DECISIONS_FEED_PATH = "decisions.xml"
ATOM = "http://www.w3.org/2005/Atom"
SUMMARY_CHARACTERS = 400
#: The namespace of the publisher's feed ids (a fixed, random UUID: never change it, or every
#: reader sees every entry again).
ID_NAMESPACE = uuid.UUID("5b2f6f3e-8c1d-4a57-9e0b-3d6c2a9f41d7")
#: Characters XML 1.0 does not allow (most control characters, lone surrogates, U+FFFE and
#: U+FFFF): a motion or a title holding one would make the whole feed unreadable.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: object) -> str:
    """Text that can stand in an XML document: the characters XML 1.0 forbids are left out."""
    return _NOT_XML.sub("", str(value))


def entry_id(cooperative: str, kind: str, key: str) -> str:
    """The Atom id of a feed or an entry, built from the cooperative's name, what the entry is
    ("decision", "story", "feed") and its key within that kind (a decision's id, a story's
    source file): a `urn:uuid:` (RFC 9562, name-based), the same whatever the site's URL."""
    return "urn:uuid:" + str(uuid.uuid5(ID_NAMESPACE, f"{cooperative}\x1f{kind}\x1f{key}"))


@dataclass(frozen=True)
class FeedEntry:
    id: str  # see entry_id
    title: str
    url: str  # relative to the site's root
    published: dt.datetime
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    summary: str


def _as_datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, dict):
        value = value.get("created")
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return None


def _text(html_text: str) -> str:
    text = unescape(re.sub(r"<[^>]+>", " ", html_text))
    return re.sub(r"\s+", " ", text).strip()


def entry_from_page(page: Any, html_text: str, cooperative: str) -> FeedEntry | None:
    """A feed entry for a rendered blog post, or None when it has no date. Its id comes from
    the cooperative's name and the post's source file, which neither the site's address nor
    the post's date or title change."""
    post_config = getattr(page, "config", None)
    published = _as_datetime(getattr(getattr(post_config, "date", None), "created", None))
    published = published or _as_datetime(page.meta.get("date"))
    if published is None:
        return None
    authors = tuple(
        getattr(author, "name", str(author))
        for author in (getattr(page, "authors", None) or page.meta.get("authors") or [])
    )
    categories = tuple(str(c) for c in page.meta.get("categories") or [])
    body = re.sub(r"^\s*<h1[^>]*>.*?</h1>", "", html_text, count=1, flags=re.DOTALL)
    excerpt = body.split("<!-- more -->", 1)[0]
    summary = _text(excerpt)
    if len(summary) > SUMMARY_CHARACTERS:
        summary = summary[:SUMMARY_CHARACTERS].rsplit(" ", 1)[0] + " …"
    # The plugin escaped the title for the HTML pages; the feed's XML escapes it again itself.
    ident = entry_id(cooperative, "story", page.file.src_uri)
    return FeedEntry(
        ident, unescape(str(page.title)), page.url, published, authors, categories, summary
    )


def atom_feed(
    title: str,
    site_url: str | None,
    entries: list[FeedEntry],
    self_path: str = FEED_PATH,
    alternate_path: str = "stories/",
    *,
    feed_id: str,
) -> str:
    """An Atom document, newest first. Links are absolute when site_url is set, else relative
    to the feed's own address (which Atom readers resolve); feeds live at the site's root. The
    ids (`feed_id`, each entry's) never depend on site_url."""
    base = site_url if site_url else None

    def href(url: str) -> str:
        if base:
            return urljoin(base if base.endswith("/") else base + "/", url)
        return url  # relative to the feed, which lives at the site's root

    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = xml_text(title)
    ET.SubElement(feed, f"{{{ATOM}}}id").text = xml_text(feed_id)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=xml_text(href(self_path)))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=xml_text(href(alternate_path)))
    ordered = sorted(entries, key=lambda e: e.published, reverse=True)
    updated = ordered[0].published if ordered else dt.datetime.now(dt.UTC)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = updated.isoformat()
    for entry in ordered:
        item = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(item, f"{{{ATOM}}}title").text = xml_text(entry.title)
        ET.SubElement(item, f"{{{ATOM}}}link", rel="alternate", href=xml_text(href(entry.url)))
        ET.SubElement(item, f"{{{ATOM}}}id").text = xml_text(entry.id)
        ET.SubElement(item, f"{{{ATOM}}}published").text = entry.published.isoformat()
        ET.SubElement(item, f"{{{ATOM}}}updated").text = entry.published.isoformat()
        for name in entry.authors or (title,):
            author = ET.SubElement(item, f"{{{ATOM}}}author")
            ET.SubElement(author, f"{{{ATOM}}}name").text = xml_text(name)
        for category in entry.categories:
            ET.SubElement(item, f"{{{ATOM}}}category", term=xml_text(category))
        ET.SubElement(item, f"{{{ATOM}}}summary").text = xml_text(entry.summary)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
