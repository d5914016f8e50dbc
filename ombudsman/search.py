"""Full-text search of the lists' `?q=` boxes, the same on PostgreSQL and SQLite (issue 12, item 2).

How it works, in one place for the web lists and the API:

- **Documents** are stemmed here, in Python, with the Indonesian stemmer Sastrawi (Nazief & Adriani with the
  ECS improvements, the dictionary the package ships): "pelayanan", "layanan" and "dilayani" all become
  "layan"; "antrean" and "mengantre" become "antre". The stemmed words are stored, lower case, without
  accents, separated by single spaces, in a plain text column (`search_text`) of the searched table, each
  affixed word beside its stem.
- **Indexes**: on PostgreSQL a generated column `search_vector` = `to_tsvector('simple', search_text)` with a
  GIN index; on SQLite an FTS5 table (external content, `unicode61` tokenizer without diacritic folding) kept
  in sync by triggers. Both only split the already-stemmed words on spaces and lower-case them ('simple' has
  no stemming or stop words), so both hold the same words.
- **Queries** are cut into words and stemmed the same way; every word must occur (AND). The last word, as
  typed, also matches the start of a word when it has at least `PREFIX_MIN` characters, for a search box
  being typed into ("antr" finds "antrean", "pelay" finds "pelayanan": documents keep each affixed word
  beside its stem for this). Only letters and digits reach the database, each word quoted, so quotes, `*`,
  `NEAR`, `-`, `:` and the like are never read as FTS5 or tsquery operators: a query of nothing but such
  characters has no words and matches nothing.

The column and indexes are created by the model's DDL events (`db.create_all()`, the tests) and by the
migration `full_text_search` (5e2f8c1a9d47) (deployed databases), from the statements below.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from sqlalchemy import (
    DDL,
    Boolean,
    ColumnElement,
    event,
    false,
    func,
    inspect,
    literal_column,
    select,
    text,
)
from sqlalchemy.ext.compiler import compiles

#: The last word of a query also matches longer words when it has at least this many characters.
PREFIX_MIN = 3
#: Words of a query beyond this many are ignored (each one is another index lookup).
MAX_QUERY_WORDS = 12
#: Words longer than this are cut (no Indonesian word is; this bounds the stemmer's work and the index).
MAX_WORD = 60

# Letters and digits (the underscore is a word character for `re` but a separator for both indexes).
_WORD = re.compile(r"[^\W_]+")


@cache
def _stemmer():
    """Sastrawi's stemmer, built once per process (it reads its 30,000-word dictionary: about 60 ms).

    The uncached `Stemmer` is used: the factory's cached one keeps every word ever seen in an unbounded dict;
    `stem_word` below has a bounded cache instead.
    """
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
    from Sastrawi.Stemmer.Stemmer import Stemmer
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return Stemmer(ArrayDictionary(StemmerFactory().get_words()))


@lru_cache(maxsize=50_000)
def stem_word(word: str) -> str:
    """The stem of one lower-case word of letters or digits ("pelayanan" -> "layan"); words with digits
    are kept as they are."""
    if not word.isalpha():
        return word
    return _stemmer().stem_word(word) or word


def words(text: str) -> list[str]:
    """The words of `text`: lower case, accents removed, split on everything but letters and digits."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return [w[:MAX_WORD] for w in _WORD.findall(folded)]


def document(*parts: str | None) -> str:
    """The search text of a row made of `parts` (e.g. a finding's title and description).

    Returns, separated by single spaces, each word's stem followed by the word itself when it differs
    ("pelayanan" -> "layan pelayanan"): queries match stems; the word as written is there for the prefix
    of a word being typed ("pelay" finds "pelayanan"). "" for no words. What `search_text` columns hold.
    """
    out: list[str] = []
    for part in parts:
        for word in words(part or ""):
            stem = stem_word(word)
            out.append(stem)
            if stem != word:
                out.append(word)
    return " ".join(out)


@dataclass(frozen=True)
class Terms:
    """A query: the stems in `words` must all occur; `typed`, when set, is the last word as written, which
    may also match as the start of a longer word (instead of the last stem)."""

    words: tuple[str, ...]
    typed: str | None = None

    def fts5(self) -> str:
        """The FTS5 MATCH expression: every word quoted (never an operator), AND-ed."""
        quoted = [f'"{w}"' for w in self.words]
        if self.typed is not None:
            quoted[-1] = f'({quoted[-1]} OR "{self.typed}"*)'
        return " AND ".join(quoted)

    def tsquery(self) -> str:
        """The `to_tsquery('simple', ...)` text: every word quoted, AND-ed."""
        quoted = [f"'{w}'" for w in self.words]
        if self.typed is not None:
            quoted[-1] = f"({quoted[-1]} | '{self.typed}':*)"
        return " & ".join(quoted)


def terms(q: str) -> Terms:
    """The words of the query text `q`, stemmed (at most `MAX_QUERY_WORDS`, duplicates dropped); the last
    word as typed is kept as a prefix when it has at least `PREFIX_MIN` characters."""
    raw = words(q)[:MAX_QUERY_WORDS]
    if not raw:
        return Terms(())
    last = stem_word(raw[-1])
    stems = [s for s in dict.fromkeys(stem_word(w) for w in raw[:-1]) if s != last] + [last]
    return Terms(tuple(stems), raw[-1] if len(raw[-1]) >= PREFIX_MIN else None)


@dataclass(frozen=True)
class FullTextIndex:
    """The full-text index of one table: its stemmed `search_text` column and the per-database index.

    `table` is the searched table's name, `sources` the columns whose words are searched, `key` its integer
    primary key (the FTS5 rowid).
    """

    table: str
    sources: tuple[str, ...]
    key: str = "id"

    @property
    def fts_table(self) -> str:
        """The SQLite FTS5 table (its shadow tables start with the same name)."""
        return f"{self.table}_fts"

    @property
    def vector_index(self) -> str:
        """The PostgreSQL GIN index on the generated `search_vector` column."""
        return f"ix_{self.table}_search_vector"

    def create_statements(self, dialect: str) -> tuple[str, ...]:
        """The statements creating the index on `dialect` ("postgresql" or "sqlite"), after the table."""
        t, fts = self.table, self.fts_table
        if dialect == "postgresql":
            return (
                f"ALTER TABLE {t} ADD COLUMN search_vector tsvector "
                "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
                f"CREATE INDEX {self.vector_index} ON {t} USING gin (search_vector)",
            )
        # Table and column names are this module's constants, never user input.
        delete = (
            f"INSERT INTO {fts} ({fts}, rowid, search_text) "  # noqa: S608
            f"VALUES ('delete', old.{self.key}, old.search_text)"
        )
        insert = f"INSERT INTO {fts} (rowid, search_text) VALUES (new.{self.key}, new.search_text)"  # noqa: S608
        return (
            f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{t}', content_rowid='{self.key}', "
            "tokenize='unicode61 remove_diacritics 0')",
            f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {t} BEGIN {insert}; END",
            f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {t} BEGIN {delete}; END",
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF search_text ON {t} BEGIN {delete}; {insert}; END",
        )

    def rebuild_statements(self, dialect: str) -> tuple[str, ...]:
        """The statements filling the index from `search_text` (after a backfill; PostgreSQL needs none)."""
        if dialect == "postgresql":
            return ()
        return (f"INSERT INTO {self.fts_table} ({self.fts_table}) VALUES ('rebuild')",)  # noqa: S608

    def drop_statements(self, dialect: str) -> tuple[str, ...]:
        """The statements dropping the index on `dialect` (the `search_text` column stays)."""
        if dialect == "postgresql":
            return (
                f"DROP INDEX IF EXISTS {self.vector_index}",
                f"ALTER TABLE {self.table} DROP COLUMN IF EXISTS search_vector",
            )
        fts = self.fts_table
        return (
            f"DROP TRIGGER IF EXISTS {fts}_insert",
            f"DROP TRIGGER IF EXISTS {fts}_delete",
            f"DROP TRIGGER IF EXISTS {fts}_update",
            f"DROP TABLE IF EXISTS {fts}",
        )

    def insert_default(self, context) -> str:
        """The `search_text` column's default: the stems of the inserted row's `sources` (ORM and core
        inserts alike, one row at a time in an executemany)."""
        try:
            values = context.get_current_parameters()
        except KeyError:
            # A multi-VALUES insert of an ORM entity (`insert(Model).values([...])`): SQLAlchemy 2.0 looks
            # the row's values up under table-qualified names and fails; they are sent as "<name>_m<row>".
            column = context.current_column
            row = column.index + 1 if getattr(column, "_is_multiparam_column", False) else 0
            params = context.current_parameters
            values = {name: params.get(f"{name}_m{row}") for name in self.sources}
        return document(*(values.get(name) for name in self.sources))

    def attach(self, model: type) -> None:
        """Keep `model`'s `search_text` in step on ORM updates, and create its index with the table.

        ORM updates that change a source recompute `search_text` (`before_update`); a core UPDATE of a
        source column must set `search_text = document(...)` itself. The index is created and dropped with
        the table in `metadata.create_all()` / `drop_all()`.
        """
        sources = self.sources

        @event.listens_for(model, "before_update")
        def _restem(_mapper, _connection, row) -> None:
            state = inspect(row)
            if any(state.attrs[name].history.has_changes() for name in sources):
                row.search_text = document(*(getattr(row, name) for name in sources))

        table = model.__table__
        for dialect in ("postgresql", "sqlite"):
            for statement in self.create_statements(dialect):
                event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))
            for statement in self.drop_statements(dialect):
                event.listen(table, "before_drop", DDL(statement).execute_if(dialect=dialect))

    def matches(self, key_column: ColumnElement, q: str) -> ColumnElement[bool]:
        """A WHERE clause: the row (whose primary key is `key_column`) contains every word of `q`.

        Works on both databases (the dialect is chosen when the statement is compiled); a query without
        any letter or digit matches nothing.
        """
        found = terms(q)
        if not found.words:
            return false()
        return _FullTextMatch(self, key_column, found)

    def owns(self, name: str, type_: str) -> bool:
        """Whether a schema object reflected by Alembic belongs to this index (not to the models)."""
        if type_ == "table":
            return name.startswith(self.fts_table)
        if type_ == "column":
            return name == "search_vector"
        if type_ == "index":
            return name == self.vector_index
        return False


class _FullTextMatch(ColumnElement):
    """`<table>.search_vector @@ to_tsquery(...)` on PostgreSQL, `<key> IN (SELECT rowid ... MATCH ...)` on
    SQLite: the form is chosen when the statement is compiled."""

    type = Boolean()
    inherit_cache = False

    def __init__(self, index: FullTextIndex, key_column: ColumnElement, found: Terms):
        self.index = index
        self.key_column = key_column
        self.found = found


@compiles(_FullTextMatch, "postgresql")
def _match_postgresql(element: _FullTextMatch, compiler, **kw) -> str:
    vector = literal_column(f"{element.index.table}.search_vector")
    clause = vector.op("@@")(func.to_tsquery(literal_column("'simple'"), element.found.tsquery()))
    return compiler.process(clause, **kw)


@compiles(_FullTextMatch)
def _match_sqlite(element: _FullTextMatch, compiler, **kw) -> str:
    fts = element.index.fts_table
    rowids = (
        select(literal_column("rowid"))
        .select_from(text(fts))
        .where(literal_column(fts).op("MATCH")(element.found.fts5()))
    )
    return compiler.process(element.key_column.in_(rowids), **kw)


#: Findings: their title and description.
FINDINGS = FullTextIndex("findings", ("title", "description"))
#: Letters: their subject (hal).
LETTERS = FullTextIndex("letters", ("hal",))

#: The register of authorities: name, short name and head's title.
AUTHORITIES = FullTextIndex("authorities", ("name", "short_name", "head_title"))

#: Every full-text index, for Alembic's comparison of models and migrations (`migrations/env.py`).
INDEXES = (FINDINGS, LETTERS, AUTHORITIES)


def outside_models(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's `include_name` hook: False for the indexes' own objects, which the models do not declare."""
    return not any(index.owns(name or "", type_) for index in INDEXES)
