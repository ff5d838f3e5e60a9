"""Telegram's HTML parse mode, as the Bot API applies it to `parse_mode=HTML` text.

Modelled on tdlib's `parse_html`: the tag whitelist, attribute syntax, nesting and
the error texts ("Unsupported start tag ... at byte offset N") are Telegram's own.
One deliberate difference, on by default (`strict_escaping`): Telegram quietly
passes a bare `&` or `>` through, which hides a renderer that forgot to escape
(a title "A&lt;B" typed by a journalist would then show as "A<B"). The fake
rejects them, as DESIGN.md demands: every `<`, `>` and `&` in text is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

# Tag → entity type; `a`, `code`, `pre`, `span` and `blockquote` are refined below.
ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = " \t\n\r\f\v"
_LINK_SCHEMES = ("http", "https", "tg", "ton", "tonsite")


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; str() is the part after "can't parse entities: "."""


@dataclass(slots=True)
class ParsedText:
    """The visible text of a message and its entities (offsets in UTF-16 code units)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True)
class _Open:
    tag: str
    argument: str
    utf16_offset: int
    text_index: int
    expandable: bool = False


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str, *, strict_escaping: bool = True) -> ParsedText:
    """Parse Telegram HTML into visible text and entities, or raise HtmlParseError."""
    parser = _Parser(source, strict_escaping=strict_escaping)
    return parser.run()


class _Parser:
    def __init__(self, source: str, *, strict_escaping: bool) -> None:
        self.src = source
        self.strict = strict_escaping
        self.out: list[str] = []
        self.utf16 = 0
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8"))

    def char(self, index: int) -> str:
        return self.src[index] if index < len(self.src) else ""

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.utf16 += utf16_length(text)

    def run(self) -> ParsedText:
        i = 0
        while i < len(self.src):
            c = self.src[i]
            if c == "&":
                decoded, end = self.decode_entity(i)
                if decoded is not None:
                    self.emit(decoded)
                    i = end
                    continue
                if self.strict:
                    raise HtmlParseError(
                        f'Unescaped "&" at byte offset {self.byte_offset(i)}; write &amp;'
                    )
            if c == ">" and self.strict:
                raise HtmlParseError(
                    f'Unescaped ">" at byte offset {self.byte_offset(i)}; write &gt;'
                )
            if c != "<":
                self.emit(c)
                i += 1
                continue
            if i + 1 >= len(self.src):
                raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(i)}")
            i = self.end_tag(i) if self.src[i + 1] == "/" else self.start_tag(i)
        if self.stack:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"'
            )
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return ParsedText("".join(self.out), self.entities)

    def decode_entity(self, pos: int) -> tuple[str | None, int]:
        """Decode `&name;` / `&#NN;` / `&#xHH;` at pos; (None, pos) when it is not one."""
        src = self.src
        end = pos + 1
        if self.char(end) == "#":
            end += 1
            if self.char(end) in ("x", "X"):
                end += 1
                digits_start = end
                while self.char(end) and self.char(end) in "0123456789abcdefABCDEF":
                    end += 1
                digits = src[digits_start:end]
                value = int(digits, 16) if digits else 0
            else:
                digits_start = end
                while self.char(end).isascii() and self.char(end).isdigit():
                    end += 1
                digits = src[digits_start:end]
                value = int(digits) if digits else 0
            if value == 0 or value >= 0x10FFFF or 0xD800 <= value <= 0xDFFF:
                return None, pos
            decoded = chr(value)
        else:
            while self.char(end).isascii() and self.char(end).isalpha():
                end += 1
            name = src[pos + 1 : end]
            if name not in _NAMED_ENTITIES:
                return None, pos
            decoded = _NAMED_ENTITIES[name]
        if self.char(end) == ";":
            return decoded, end + 1
        if self.strict:
            return None, pos
        return decoded, end

    def start_tag(self, begin: int) -> int:
        i = begin + 1
        while self.char(i) and self.char(i) not in _SPACES and self.char(i) != ">":
            i += 1
        if not self.char(i):
            raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        tag = self.src[begin + 1 : i].lower()
        if tag not in ENTITY_TYPES:
            raise HtmlParseError(
                f'Unsupported start tag "{tag}" at byte offset {self.byte_offset(begin)}'
            )
        argument = ""
        expandable = False
        while self.char(i) != ">":
            while self.char(i) and self.char(i) in _SPACES:
                i += 1
            if self.char(i) == ">":
                break
            if not self.char(i):
                raise HtmlParseError(
                    f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}'
                )
            name_start = i
            while self.char(i) and self.char(i) not in _SPACES and self.char(i) not in "=>":
                i += 1
            name = self.src[name_start:i].lower()
            if not name:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {self.byte_offset(begin)}'
                )
            while self.char(i) and self.char(i) in _SPACES:
                i += 1
            if self.char(i) != "=":
                if tag == "blockquote" and name == "expandable":
                    expandable = True
                    continue
                raise HtmlParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {self.byte_offset(begin)}'
                )
            i += 1
            while self.char(i) and self.char(i) in _SPACES:
                i += 1
            if not self.char(i):
                raise HtmlParseError(
                    f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}'
                )
            value, i = self.attribute_value(i)
            if tag == "a" and name == "href":
                argument = value
            elif tag == "code" and name == "class" and value.startswith("language-"):
                argument = value.removeprefix("language-")
            elif tag == "span" and name == "class" and value.startswith("tg-"):
                argument = value.removeprefix("tg-")
        if tag == "span" and argument != "spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        self.stack.append(_Open(tag, argument, self.utf16, len(self.out), expandable))
        return i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        quote = self.char(i)
        if quote not in ("'", '"'):
            start = i
            while self.char(i) and (self.char(i).isalnum() or self.char(i) in ".-"):
                i += 1
            if self.char(i) not in _SPACES and self.char(i) != ">" or not self.char(i):
                raise HtmlParseError(
                    f"Unexpected end of name token at byte offset {self.byte_offset(start)}"
                )
            return self.src[start:i].lower(), i
        i += 1
        value: list[str] = []
        while self.char(i) and self.char(i) != quote:
            if self.char(i) == "&":
                decoded, end = self.decode_entity(i)
                if decoded is not None:
                    value.append(decoded)
                    i = end
                    continue
            value.append(self.char(i))
            i += 1
        if not self.char(i):
            raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(i)}")
        return "".join(value), i + 1

    def end_tag(self, begin: int) -> int:
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        i = begin + 2
        while self.char(i) and self.char(i) not in _SPACES and self.char(i) != ">":
            i += 1
        name = self.src[begin + 2 : i].lower()
        while self.char(i) and self.char(i) in _SPACES:
            i += 1
        if self.char(i) != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        opened = self.stack.pop()
        if name and name != opened.tag:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{opened.tag}>", found "</{name}>"'
            )
        self.close_entity(opened)
        return i + 1

    def close_entity(self, opened: _Open) -> None:
        length = self.utf16 - opened.utf16_offset
        if length == 0:
            return
        entity: dict[str, Any] = {
            "type": ENTITY_TYPES[opened.tag],
            "offset": opened.utf16_offset,
            "length": length,
        }
        if opened.tag == "a":
            url = opened.argument or "".join(self.out[opened.text_index :])
            checked = check_link(url)
            if checked is None:
                return  # Telegram drops a link it cannot use and keeps the text
            entity["url"] = checked
        elif opened.tag == "blockquote" and opened.expandable:
            entity["type"] = "expandable_blockquote"
        elif opened.tag == "code" and self.stack and self.stack[-1].tag == "pre":
            if opened.argument:
                self.stack[-1].argument = opened.argument
            return
        elif opened.tag == "pre" and opened.argument:
            entity["language"] = opened.argument
        self.entities.append(entity)


def check_link(url: str) -> str | None:
    """The link Telegram would keep for `<a href>`, or None when it would drop it."""
    url = url.strip()
    if not url:
        return None
    parts = urlsplit(url if "://" in url or url.startswith("tg:") else f"http://{url}")
    if parts.scheme.lower() not in _LINK_SCHEMES:
        return None
    if parts.scheme.lower() in ("http", "https"):
        host = parts.hostname or ""
        if "." not in host or host.startswith(".") or host.endswith("."):
            return None
        return parts.geturl()
    return url
