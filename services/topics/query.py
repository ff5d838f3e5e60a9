"""The search-box query language of topics, parsed once and run two ways.

What people type (in /subscribe, /search, `digest QUERY`, and the catalogue's own queries):

    Казахстан Россия              every word must appear, in any inflection
    нефть OR газ, нефть | газ     either (also ИЛИ, НЕМЕСЕ; any letter case)
    "Касым-Жомарт Токаев"         a phrase: these words in this order (also «…», “…”)
    Казахстан -спорт, NOT спорт   exclusion
    (нефть | газ) Казахстан       grouping
    @Kazakhstan @Russia           a named alias group of the catalogue (config/topics.toml)
    source:https://example.kz/rss everything from one source (a topic of its own, not a word
                                  search: `source_url` reads it, `parse_query` refuses it)

Words are compared as lemmas (services.text.lemmas): "Казахстан" finds "Казахстана" and
"казахстанско-российского". Prepositions, conjunctions and particles standing alone are
ignored, as in any search box; inside quotes they count. Anything that is neither an
operator nor a word (`*`, `:`, `NEAR/3`, SQL) is punctuation and is dropped.

`parse_query` returns a `Query` or raises `QueryError` with a stable `code` and `params` for
the handlers to put into words in ru, en or kk (English fallbacks in `ERROR_MESSAGES`):

    empty                   nothing to look for
    too_long                more than `max` characters (params: max, length)
    too_many_terms          more than `max` words (params: max, count)
    too_nested              parentheses deeper than `max` (params: max)
    unbalanced_quote        a quotation mark is not closed (params: position)
    unbalanced_parenthesis  a parenthesis is not closed or not opened (params: position)
    misplaced_operator      OR or "-" without a word where one is needed (params: operator)
    exclusions_only         only exclusions, or an OR alternative of only exclusions
    unknown_group           no alias group of that name (params: name, known)
    source_query            `source:URL`, which follows a source rather than searching words

A Query runs two ways with one meaning:

- `Query.fts()`: an SQLite FTS5 MATCH expression over the lemma columns (title, lead, body)
  of the `articles_fts` table. Every lemma goes in as a double-quoted string, so no user
  input ever reaches FTS5 as syntax.
- `Query.matches(article_lemmas)`: the same test in memory, for matching one new article
  against every subscribed topic.

Both ask whether the article mentions the words (a search box). `Query.matches(...,
focus=True)` asks more: whether the article is about them. A news story says what it is
about in its headline and lead, and keeps returning to it. So each concept of the query —
a word with all its readings, a set of alternatives, a whole alias group — must be named in
the title or the lead, or be mentioned at least FOCUS_BODY_MENTIONS times in the body. A
country named once in a list deep in the body is a mention, not the subject. Mentions are
counted by concept, not by word: "Токаев" once and "Казахстан" once in the body make two
mentions of @Kazakhstan, while "Касым-Жомарт Токаев" is one mention, not three. FTS5
cannot count that, so the index finds the articles that mention the query and this judges
them. Catalogue topics match with focus; people's own queries by mention.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from services.text.lemmas import ArticleLemmas, Lemmatizer, default_lemmatizer, words

__all__ = [
    "ERROR_MESSAGES",
    "FOCUS_BODY_MENTIONS",
    "MAX_LENGTH",
    "MAX_NESTING",
    "MAX_TERMS",
    "AliasGroup",
    "AllOf",
    "AnyOf",
    "Node",
    "Phrase",
    "Query",
    "QueryError",
    "Term",
    "SOURCE_PREFIX",
    "build_groups",
    "concept_of",
    "parse_query",
    "source_url",
]

MAX_LENGTH = 200
MAX_TERMS = 20
MAX_NESTING = 10
MAX_PHRASE_VARIANTS = 16
FOCUS_BODY_MENTIONS = 2

ERROR_MESSAGES: dict[str, str] = {
    "empty": "The query has no words to look for.",
    "too_long": "The query is longer than {max} characters.",
    "too_many_terms": "The query has more than {max} words.",
    "too_nested": "The query nests parentheses deeper than {max}.",
    "unbalanced_quote": "A quotation mark is not closed.",
    "unbalanced_parenthesis": "A parenthesis is not closed, or is closed without being opened.",
    "misplaced_operator": "{operator} needs a word where it stands.",
    "exclusions_only": "The query only excludes words; say what to look for too.",
    "unknown_group": "There is no alias group @{name}. Known groups: {known}.",
    "source_query": "source:URL follows a whole source; it is not a word search.",
}
SOURCE_PREFIX = "source:"


class QueryError(ValueError):
    """A query that cannot be run; `code` and `params` let the caller say why in any language."""

    def __init__(self, code: str, **params: str | int) -> None:
        self.code = code
        self.params: dict[str, str | int] = params
        super().__init__(self.message())

    def message(self) -> str:
        """The English wording (for logs and the CLI)."""
        template = ERROR_MESSAGES.get(self.code, self.code)
        try:
            return template.format(**self.params)
        except (KeyError, IndexError):
            return template


# -- the parsed form ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
    """One word: any of its lemma readings must appear."""

    text: str
    lemmas: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words in order; each variant is one combination of the words' lemma readings."""

    text: str
    variants: tuple[tuple[str, ...], ...]
    quoted: bool


@dataclass(frozen=True, slots=True)
class AliasGroup:
    """A named alternative of the catalogue's aliases ("@Kazakhstan")."""

    name: str
    node: Node


@dataclass(frozen=True, slots=True)
class AnyOf:
    options: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AllOf:
    """Every included node, none of the excluded ones (`include` may be empty only mid-parse)."""

    include: tuple[Node, ...]
    exclude: tuple[Node, ...]


Node = Term | Phrase | AliasGroup | AnyOf | AllOf

_ALL = "{title lead body}"


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: `str()` gives it back in canonical form (for echoing to the user)."""

    root: Node

    def __str__(self) -> str:
        return _render(self.root, top=True)

    def fts(self) -> str:
        """The FTS5 MATCH expression for the `articles_fts` lemma columns."""
        return _fts(self.root)

    def matches(self, article: ArticleLemmas, *, focus: bool = False) -> bool:
        """Whether the article mentions what the query asks (the in-memory twin of `fts`),
        or with `focus` whether it is about it."""
        return _about(self.root, article) if focus else _mentions(self.root, article)

    def lemmas(self) -> frozenset[str]:
        """Every lemma the query looks for or excludes."""
        return frozenset(_lemmas(self.root, wanted_only=False))

    def wanted_lemmas(self) -> frozenset[str]:
        """The lemmas the query looks for, not those it excludes: what ranking weighs."""
        return frozenset(_lemmas(self.root, wanted_only=True))


# -- parsing -------------------------------------------------------------------------------

_OR_WORDS = frozenset({"or", "или", "немесе"})
_OPENING_QUOTES = '"«“„'
_CLOSING_QUOTES = '"»”“'
_STRAY_CLOSING = "»”"
_DASHES = "-−"
_SPECIAL = "()|" + _OPENING_QUOTES + _CLOSING_QUOTES
_GROUP_NAME = re.compile(r"^[^\W_][\w-]*$")

TokenKind = Literal["LP", "RP", "OR", "NOT", "PHRASE", "GROUP", "WORD"]


@dataclass(frozen=True, slots=True)
class _Token:
    kind: TokenKind
    text: str
    position: int


def parse_query(
    text: str,
    groups: Mapping[str, AliasGroup] | None = None,
    lemmatizer: Lemmatizer | None = None,
) -> Query:
    """Parse a search-box query; raise QueryError (never anything else) when it can't be run.

    `groups` are the alias groups by case-folded name (see `build_groups`).
    """
    if not isinstance(text, str):
        raise QueryError("empty")
    if source_url(text) is not None:
        raise QueryError("source_query")
    if len(text) > MAX_LENGTH:
        raise QueryError("too_long", max=MAX_LENGTH, length=len(text))
    tokens = _lex(text)
    terms = sum(
        1 if token.kind == "GROUP" else len(words(token.text))
        for token in tokens
        if token.kind in ("WORD", "PHRASE", "GROUP")
    )
    if terms > MAX_TERMS:
        raise QueryError("too_many_terms", max=MAX_TERMS, count=terms)
    parser = _Parser(tokens, groups or {}, lemmatizer or default_lemmatizer())
    root = parser.parse()
    if root is None:
        raise QueryError("empty")
    if _is_exclusion(root):
        raise QueryError("exclusions_only")
    return Query(root)


def source_url(text: str) -> str | None:
    """The URL of a `source:URL` query (a topic of everything from one source), else None."""
    stripped = text.strip()
    if stripped[: len(SOURCE_PREFIX)].casefold() != SOURCE_PREFIX:
        return None
    url = stripped[len(SOURCE_PREFIX) :].strip()
    return url if url and not any(char.isspace() for char in url) else None


def build_groups(
    spec: Mapping[str, Sequence[str]], lemmatizer: Lemmatizer | None = None
) -> dict[str, AliasGroup]:
    """Alias groups from {name: [entry, …]}; each entry is a word, compound or phrase.

    Raises QueryError("empty", name=…, entry=…) for an entry without words, and
    QueryError("unknown_group", …) for a name that is not a plain word.
    """
    lemmas = lemmatizer or default_lemmatizer()
    groups: dict[str, AliasGroup] = {}
    for name, entries in spec.items():
        if not _GROUP_NAME.match(name):
            raise QueryError("unknown_group", name=name, known="")
        options: list[Node] = []
        for entry in entries:
            node = _phrase_node(entry, lemmas, quoted=False)
            if node is None:
                raise QueryError("empty", name=name, entry=entry)
            options.append(node)
        if not options:
            raise QueryError("empty", name=name, entry="")
        node = options[0] if len(options) == 1 else AnyOf(tuple(options))
        groups[name.casefold()] = AliasGroup(name, node)
    return groups


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    depth = 0
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char == "(":
            depth += 1
            if depth > MAX_NESTING:
                raise QueryError("too_nested", max=MAX_NESTING)
            tokens.append(_Token("LP", char, i))
            i += 1
        elif char == ")":
            depth -= 1
            tokens.append(_Token("RP", char, i))
            i += 1
        elif char == "|":
            tokens.append(_Token("OR", char, i))
            i += 1
        elif char in _OPENING_QUOTES:
            end = next((j for j in range(i + 1, n) if text[j] in _CLOSING_QUOTES), -1)
            if end < 0:
                raise QueryError("unbalanced_quote", position=i)
            tokens.append(_Token("PHRASE", text[i + 1 : end], i))
            i = end + 1
        elif char in _STRAY_CLOSING:
            raise QueryError("unbalanced_quote", position=i)
        elif char in _DASHES and i + 1 < n and not text[i + 1].isspace() and text[i + 1] != ")":
            tokens.append(_Token("NOT", char, i))
            i += 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in _SPECIAL:
                i += 1
            tokens.append(_chunk(text[start:i], start))
    return tokens


def _chunk(chunk: str, position: int) -> _Token:
    if chunk.casefold() in _OR_WORDS:
        return _Token("OR", chunk, position)
    if chunk == "NOT":
        return _Token("NOT", chunk, position)
    if chunk.startswith("@") and _GROUP_NAME.match(chunk[1:]):
        return _Token("GROUP", chunk[1:], position)
    return _Token("WORD", chunk, position)


class _Parser:
    """Recursive descent: expression = conjunction (OR conjunction)*; conjunction = [-]primary*."""

    def __init__(
        self, tokens: list[_Token], groups: Mapping[str, AliasGroup], lemmatizer: Lemmatizer
    ) -> None:
        self._tokens = tokens
        self._at = 0
        self._groups = groups
        self._lemmas = lemmatizer

    def parse(self) -> Node | None:
        root = self._expression()
        token = self._peek()
        if token is not None:  # only a stray ")" stops an expression early
            raise QueryError("unbalanced_parenthesis", position=token.position)
        return root

    def _peek(self) -> _Token | None:
        return self._tokens[self._at] if self._at < len(self._tokens) else None

    def _kind(self) -> TokenKind | None:
        token = self._peek()
        return token.kind if token else None

    def _take(self) -> _Token:
        token = self._tokens[self._at]
        self._at += 1
        return token

    def _expression(self) -> Node | None:
        if self._kind() == "OR":
            raise QueryError("misplaced_operator", operator="OR")
        options = [self._conjunction()]
        while self._kind() == "OR":
            self._take()
            if self._kind() in (None, "RP", "OR"):
                raise QueryError("misplaced_operator", operator="OR")
            options.append(self._conjunction())
        kept = [option for option in options if option is not None]
        if len(kept) > 1 and any(_is_exclusion(option) for option in kept):
            raise QueryError("exclusions_only")
        if not kept:
            return None
        if len(kept) == 1:
            return kept[0]
        flat: list[Node] = []
        for option in kept:
            flat.extend(option.options if isinstance(option, AnyOf) else (option,))
        return AnyOf(tuple(flat))

    def _conjunction(self) -> Node | None:
        include: list[Node] = []
        exclude: list[Node] = []
        while self._kind() not in (None, "RP", "OR"):
            negate = False
            if self._kind() == "NOT":
                operator = self._take().text
                negate = True
                if self._kind() in (None, "RP", "OR", "NOT"):
                    raise QueryError("misplaced_operator", operator=operator)
            node = self._primary()
            if node is None:
                continue
            if negate:
                if isinstance(node, AllOf) and not node.include:  # -(-a -b) = a OR b
                    include.append(_any(node.exclude))
                else:
                    exclude.append(node)
            elif isinstance(node, AllOf):
                include.extend(node.include)
                exclude.extend(node.exclude)
            else:
                include.append(node)
        if not include and not exclude:
            return None
        if not exclude and len(include) == 1:
            return include[0]
        return AllOf(tuple(include), tuple(exclude))

    def _primary(self) -> Node | None:
        token = self._take()
        if token.kind == "LP":
            if self._kind() == "RP":
                self._take()
                return None
            node = self._expression()
            if self._kind() != "RP":
                raise QueryError("unbalanced_parenthesis", position=token.position)
            self._take()
            return node
        if token.kind == "PHRASE":
            return _phrase_node(token.text, self._lemmas, quoted=True)
        if token.kind == "GROUP":
            group = self._groups.get(token.text.casefold())
            if group is None:
                known = ", ".join(sorted(f"@{g.name}" for g in self._groups.values()))
                raise QueryError("unknown_group", name=token.text, known=known or "-")
            return group
        if token.kind == "WORD":
            nodes = [
                node
                for word in words(token.text)
                if not self._lemmas.is_function_word(word)
                for node in (_word_node(word, self._lemmas),)
                if node is not None
            ]
            if not nodes:
                return None
            return nodes[0] if len(nodes) == 1 else AllOf(tuple(nodes), ())
        # RP, OR and NOT never reach here: the loops above stop at them
        raise QueryError("misplaced_operator", operator=token.text)


def _word_node(word: str, lemmatizer: Lemmatizer) -> Node | None:
    parts = lemmatizer.query_word(word)
    if not parts:
        return None
    if len(parts) == 1:
        return Term(word, parts[0])
    return Phrase(word, _variants(parts), quoted=False)


def _phrase_node(text: str, lemmatizer: Lemmatizer, *, quoted: bool) -> Node | None:
    found = words(text)
    derive = len(found) == 1
    parts = [part for word in found for part in lemmatizer.query_word(word, derive=derive)]
    if not parts:
        return None
    if len(parts) == 1:
        return Term(text.strip(), parts[0])
    return Phrase(" ".join(text.split()), _variants(parts), quoted=quoted)


def _variants(parts: Sequence[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    return tuple(itertools.islice(itertools.product(*parts), MAX_PHRASE_VARIANTS))


def _any(nodes: Sequence[Node]) -> Node:
    return nodes[0] if len(nodes) == 1 else AnyOf(tuple(nodes))


def _is_exclusion(node: Node) -> bool:
    return isinstance(node, AllOf) and not node.include


# -- FTS5 ----------------------------------------------------------------------------------


def _quote(lemma: str) -> str:
    return '"' + lemma.replace('"', '""') + '"'


def _fts(node: Node) -> str:
    if isinstance(node, Term):
        alternatives = " OR ".join(_quote(lemma) for lemma in node.lemmas)
        return f"{_ALL} : ({alternatives})"
    if isinstance(node, Phrase):
        variants = " OR ".join(_quote(" ".join(variant)) for variant in node.variants)
        return f"{_ALL} : ({variants})"
    if isinstance(node, AliasGroup):
        return _fts(node.node)
    if isinstance(node, AnyOf):
        # Alternative single words share one column filter: a shorter expression, one lookup.
        lemmas = [
            lemma for option in node.options if isinstance(option, Term) for lemma in option.lemmas
        ]
        clauses = [_fts(Term("", tuple(dict.fromkeys(lemmas))))] if lemmas else []
        clauses += [_fts(option) for option in node.options if not isinstance(option, Term)]
        return "(" + " OR ".join(clauses) + ")"
    included = "(" + " AND ".join(_fts(part) for part in node.include) + ")"
    if not node.exclude:
        return included
    excluded = " OR ".join(_fts(part) for part in node.exclude)
    return f"({included} NOT ({excluded}))"


# -- in memory -----------------------------------------------------------------------------


def _mentions(node: Node, article: ArticleLemmas) -> bool:
    if isinstance(node, Term):
        return any(lemma in article.vocabulary for lemma in node.lemmas)
    if isinstance(node, Phrase):
        return any(
            all(lemma in article.vocabulary for lemma in variant)
            and article.phrase_positions(variant)
            for variant in node.variants
        )
    if isinstance(node, AliasGroup):
        return _mentions(node.node, article)
    if isinstance(node, AnyOf):
        return any(_mentions(option, article) for option in node.options)
    return all(_mentions(part, article) for part in node.include) and not any(
        _mentions(part, article) for part in node.exclude
    )


def _about(node: Node, article: ArticleLemmas) -> bool:
    concept = concept_of(node)
    if concept is not None:
        return _is_subject(concept, article)
    if isinstance(node, AnyOf):
        return any(_about(option, article) for option in node.options)
    if isinstance(node, AllOf):
        return all(_about(part, article) for part in node.include) and not any(
            _about(part, article) for part in node.exclude
        )
    return False  # an alias group is always a concept


def concept_of(node: Node) -> list[Term | Phrase] | None:
    """The words and phrases of one concept (alternatives of each other), or None."""
    if isinstance(node, Term | Phrase):
        return [node]
    if isinstance(node, AliasGroup):
        return concept_of(node.node)
    if isinstance(node, AnyOf):
        leaves: list[Term | Phrase] = []
        for option in node.options:
            found = concept_of(option)
            if found is None:
                return None
            leaves.extend(found)
        return leaves
    return None


def _is_subject(concept: list[Term | Phrase], article: ArticleLemmas) -> bool:
    """Whether the article keeps coming back to the concept (see the module docstring)."""
    covered: tuple[set[int], set[int], set[int]] = (set(), set(), set())
    for leaf in concept:
        if isinstance(leaf, Term):
            for lemma in leaf.lemmas:
                for field, index in article.positions.get(lemma, ()):
                    covered[field].add(index)
        else:
            for variant in leaf.variants:
                for field, index in article.phrase_positions(variant):
                    covered[field].update(range(index, index + len(variant)))
    if covered[0] or covered[1]:
        return True
    return _mentions_in(covered[2]) >= FOCUS_BODY_MENTIONS


def _mentions_in(covered: set[int]) -> int:
    """Separate mentions among covered positions: "Касым-Жомарт Токаев" is one, not three."""
    return sum(1 for index in covered if index - 1 not in covered)


# -- rendering -----------------------------------------------------------------------------


def _render(node: Node, *, top: bool = False) -> str:
    if isinstance(node, Term):
        return node.text
    if isinstance(node, Phrase):
        return f'"{node.text}"' if node.quoted else node.text
    if isinstance(node, AliasGroup):
        return f"@{node.name}"
    if isinstance(node, AnyOf):
        text = " OR ".join(_render(option) for option in node.options)
        return text if top else f"({text})"
    parts = [_render(part) for part in node.include]
    parts += ["-" + _render(part) for part in node.exclude]
    text = " ".join(parts)
    return text if top or len(parts) == 1 else f"({text})"


def _lemmas(node: Node, *, wanted_only: bool) -> Iterator[str]:
    if isinstance(node, Term):
        yield from node.lemmas
    elif isinstance(node, Phrase):
        for variant in node.variants:
            yield from variant
    elif isinstance(node, AliasGroup):
        yield from _lemmas(node.node, wanted_only=wanted_only)
    elif isinstance(node, AnyOf):
        for option in node.options:
            yield from _lemmas(option, wanted_only=wanted_only)
    else:
        for part in node.include if wanted_only else node.include + node.exclude:
            yield from _lemmas(part, wanted_only=wanted_only)
