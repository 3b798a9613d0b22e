"""SQL helpers that read the same on SQLite (the embedded default) and PostgreSQL."""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations
from django.db.models import Aggregate, CharField, Func, Index, TextField


class JSONRows(Aggregate):
    """The grouped rows as one JSON array, as text: JSON_GROUP_ARRAY on SQLite, JSONB_AGG on
    PostgreSQL (the array's order is not guaranteed: sort after reading)."""

    function = "JSON_GROUP_ARRAY"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = self.as_sql(compiler, connection, function="JSONB_AGG", **extra_context)
        return f"({sql})::text", params


class JSONRow(Func):
    """A JSON object of the given expressions under fixed keys: JSON_OBJECT on SQLite,
    JSONB_BUILD_OBJECT on PostgreSQL. (Django's ``JSONObject`` first probes the SQLite JSON1
    extension with three extra queries, which a query budget cannot afford.)"""

    output_field = TextField()

    def __init__(self, **fields):
        if not all(key.isidentifier() for key in fields):
            raise ValueError("keys are identifiers")
        self.keys = list(fields)
        super().__init__(*fields.values())

    def as_sql(self, compiler, connection, function="JSON_OBJECT", **extra_context):
        parts, params = [], []
        for key, expression in zip(self.keys, self.get_source_expressions(), strict=True):
            sql, expression_params = compiler.compile(expression)
            parts.append(f"'{key}', {sql}")
            params.extend(expression_params)
        return f"{function}({', '.join(parts)})", params

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSONB_BUILD_OBJECT", **extra_context)


class CommaList(Aggregate):
    """The distinct values, comma-joined: GROUP_CONCAT (SQLite, MySQL), STRING_AGG
    (PostgreSQL). For Party codes, which never contain a comma."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(distinct)s%(expressions)s)"
    allow_distinct = True
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s(%(distinct)s%(expressions)s, ',')",
            **extra_context,
        )


class _PostgresOnly:
    """An index on PostgreSQL only; elsewhere (the embedded SQLite default) none, and the
    queries that would use it run without (``projects.search`` takes a simpler path there)."""

    def _pg(self, schema_editor) -> bool:
        return schema_editor.connection.vendor == "postgresql"

    # The schema editor executes whatever these return: an empty statement does nothing.
    def create_sql(self, model, schema_editor, using="", **kwargs):
        if not self._pg(schema_editor):
            return ""
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        return super().remove_sql(model, schema_editor, **kwargs) if self._pg(schema_editor) else ""


class PostgresOnlyGinIndex(_PostgresOnly, GinIndex):
    pass


class PostgresOnlyIndex(_PostgresOnly, Index):
    """For what SQLite cannot index, e.g. ``NULLS LAST`` orders."""


# Append-only tables (ji-rules §8: the record is never rewritten). PostgreSQL refuses UPDATE and
# DELETE on them in a trigger that only the tables' owner can drop or disable; the app runs as a
# role that owns nothing (docker-compose.yml, ``scripts/db-roles.sql``). TRUNCATE (the test
# suite's flush) is not a row operation and is not granted to that role. SQLite, the embedded
# development default, keeps the models' own guard only.
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION jitrack_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'jitrack: % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""


def append_only(*tables: str):
    """A migration operation installing the append-only trigger on ``tables`` (PostgreSQL)."""

    def install(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(APPEND_ONLY_FUNCTION, params=None)
        for table in tables:
            schema_editor.execute(
                f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION jitrack_append_only()"
            )

    def remove(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"')

    return migrations.RunPython(install, remove, elidable=False)
