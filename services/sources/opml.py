"""OPML in and out: the subscription lists every feed reader imports and exports.

Reading is defensive because the file comes from anyone: at most `MAX_FILE_BYTES`,
parsed by defusedxml, which refuses entity declarations (no "billion laughs", no
external entities) and DTDs, and at most `MAX_OUTLINES` outlines looked at. Folders
(outlines holding outlines) are flattened: what counts is every outline with an
`xmlUrl`, in document order, each URL once.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

MAX_FILE_BYTES = 1_000_000
MAX_OUTLINES = 5_000


class OpmlError(ValueError):
    """The file is not an OPML list this bot reads; `code` says why (for the wording)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # too_large | entities | not_xml | not_opml | too_many


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str


def read_opml(data: bytes) -> list[OpmlFeed]:
    """Every feed of an OPML file, folders flattened, duplicates dropped, in order."""
    if len(data) > MAX_FILE_BYTES:
        raise OpmlError("too_large")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise OpmlError("entities") from None
    except (ParseError, ValueError):
        raise OpmlError("not_xml") from None
    if _local(root.tag).lower() != "opml" or root.find("body") is None:
        raise OpmlError("not_opml")
    feeds: dict[str, OpmlFeed] = {}
    for seen, outline in enumerate(root.iter("outline"), start=1):
        if seen > MAX_OUTLINES:
            raise OpmlError("too_many")
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url and url not in feeds:
            title = (outline.get("title") or outline.get("text") or "").strip()
            feeds[url] = OpmlFeed(url, title)
    return list(feeds.values())


def write_opml(title: str, feeds: list[OpmlFeed]) -> bytes:
    """An OPML 2.0 file of `feeds`, as feed readers import it."""
    opml = Element("opml", version="2.0")
    head = SubElement(opml, "head")
    SubElement(head, "title").text = title
    body = SubElement(opml, "body")
    for feed in feeds:
        SubElement(body, "outline", type="rss", text=feed.title, title=feed.title, xmlUrl=feed.url)
    body_xml: bytes = tostring(opml, encoding="utf-8")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body_xml


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
