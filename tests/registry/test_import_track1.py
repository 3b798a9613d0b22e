"""Importing Track 1 projects (issue 16): the optional ``track`` column and the host's national
approval, the rules of a Track 1 row, the export that writes them back, the command and the web
page. Track 2 files are those of ``test_import`` and read as before."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from projects.models import Counter, Event, Project
from registry.importer import (
    ALL_COLUMNS,
    COLUMNS,
    IMPORT_LABEL,
    ImportRejected,
    RowError,
    import_projects,
)
from tests.factories import PartyFactory
from tests.support import csv_text, login, row

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
D = dt.date


def track1_row(**cells) -> dict:
    """A Track 1 row: Ukraine's reference and national approval, no PDD date."""
    return row(
        **{
            "reference": "UA1000001",
            "title": "Coal mine methane at Zasyadko",
            "track": "1",
            "national_approval_reference": "Order 123 of the Ministry",
            "national_guidelines": "Resolution 206 of 22 February 2006",
            "pdd_available_on": "",
            "determination_available_on": "2009-05-04",
            **cells,
        }
    )


def text(*rows) -> str:
    return csv_text(*rows, columns=ALL_COLUMNS)


def rejected(csv: str) -> list[RowError]:
    with pytest.raises(ImportRejected) as info:
        import_projects(csv, now=NOW)
    return info.value.errors


def export() -> str:
    out = io.StringIO()
    call_command("export_projects", stdout=out)
    return out.getvalue()


@pytest.fixture
def parties(ukraine, japan, scopes):
    PartyFactory(code="DE", name="Germany")


def test_a_track1_row_is_final_on_the_hosts_determination_date(parties):
    result = import_projects(text(track1_row(), row(reference="0001")), now=NOW)
    assert result.created == ["UA1000001", "0001"]
    project = Project.objects.get(reference="UA1000001")
    assert project.track == "1" and project.status == "final"
    assert project.national_approval_reference == "Order 123 of the Ministry"
    assert project.national_guidelines == "Resolution 206 of 22 February 2006"
    assert project.determination_available_on == project.final_on == D(2009, 5, 4)
    assert project.pdd_available_on is None and project.comments_close_at is None
    assert project.review_window_closes_at is None and project.due_at is None
    events = list(project.events.values_list("kind", "from_status", "to_status", "created_at"))
    assert events == [("track1_recorded", "", "final", dt.datetime(2009, 5, 4, tzinfo=UTC))]
    event = project.events.get()
    assert event.actor_label == IMPORT_LABEL and event.public
    assert event.data == {
        "reference": "UA1000001",
        "national_approval_reference": "Order 123 of the Ministry",
        "national_guidelines": "Resolution 206 of 22 February 2006",
        "determined_on": "2009-05-04",
        "imported": True,
    }
    # Track 2 rows are as before: 0001 is open for comments... long ago, now final.
    assert Project.objects.get(reference="0001").track == "2"
    # A Track 1 reference never moves the secretariat's counter.
    assert Counter.objects.get(name="project_reference").value == 1


def test_a_track1_row_needs_no_date(parties):
    import_projects(
        text(track1_row(determination_available_on="", national_guidelines="")), now=NOW
    )
    project = Project.objects.get(reference="UA1000001")
    assert project.status == "final" and project.final_on is None
    assert list(project.events.values_list("kind", "created_at")) == [("track1_recorded", NOW)]
    assert Counter.objects.filter(name="project_reference", value__gt=0).count() == 0


def test_final_on_alone_is_the_determination_date(parties):
    import_projects(text(track1_row(determination_available_on="", final_on="2010-02-01")), now=NOW)
    project = Project.objects.get(reference="UA1000001")
    assert project.determination_available_on == project.final_on == D(2010, 2, 1)


def test_a_withdrawn_track1_project(parties):
    import_projects(text(track1_row(withdrawn_on="2011-01-10")), now=NOW)
    project = Project.objects.get(reference="UA1000001")
    assert project.status == "withdrawn" and project.final_on == D(2009, 5, 4)
    assert list(project.events.values_list("kind", "from_status", "to_status")) == [
        ("track1_recorded", "", "final"),
        ("withdrawn", "final", "withdrawn"),
    ]


def test_an_empty_track_is_track2(parties):
    import_projects(text(row(track=""), row(reference="0002", track="2")), now=NOW)
    assert list(Project.objects.order_by("reference").values_list("track", "status")) == [
        ("2", "comments_closed"),
        ("2", "comments_closed"),
    ]


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ({"track": "3"}, "track", "'3' is not a track: 1, 2 or empty (2)"),
        (
            {"reference": "JP1000001"},
            "reference",
            "'JP1000001' is not a Track 1 reference: the host Party's code followed by digits, "
            "e.g. UA1000001",
        ),
        (
            {"reference": "0001"},
            "reference",
            "'0001' is not a Track 1 reference: the host Party's code followed by digits, "
            "e.g. UA1000001",
        ),
        (
            {"pdd_available_on": "2008-07-29"},
            "pdd_available_on",
            "a Track 1 project has no comment period and no review by the JISC; leave it empty",
        ),
        (
            {"review_requested_on": "2009-05-10"},
            "review_requested_on",
            "a Track 1 project has no comment period and no review by the JISC; leave it empty",
        ),
        (
            {"final_on": "2009-06-18"},
            "final_on",
            "a Track 1 project is final on the day its host determined it, 2009-05-04",
        ),
        (
            {"withdrawn_on": "2009-05-01"},
            "withdrawn_on",
            "2009-05-01 is before 2009-05-04, an earlier step",
        ),
        ({"determination_available_on": "2030-01-01"}, "determination_available_on", None),
        (
            {"national_approval_reference": "x" * 101},
            "national_approval_reference",
            "longer than 100 characters",
        ),
    ],
)
def test_bad_track1_cells_are_row_errors(parties, cells, column, reason):
    errors = rejected(text(track1_row(**cells)))
    assert [e.column for e in errors] == [column]
    if reason is not None:
        assert errors[0].reason == reason
    assert Project.objects.count() == 0


def test_a_track2_row_has_no_national_approval_nor_track1_reference(parties):
    errors = rejected(
        text(
            row(national_approval_reference="Order 5"),
            row(reference="UA1000002", track="2"),
        )
    )
    assert [(e.line, e.column) for e in errors] == [
        (2, "national_approval_reference"),
        (3, "reference"),
    ]
    assert errors[0].reason == "only a Track 1 project has it; leave it empty"


def test_the_track_columns_are_optional_but_known(parties):
    # a file of the 15 columns is a Track 2 file (test_import); a file with only some of the
    # Track columns reads the others as empty
    import_projects(csv_text(track1_row(), columns=[*COLUMNS, "track"]), now=NOW)
    project = Project.objects.get(reference="UA1000001")
    assert project.track == "1" and project.national_approval_reference == ""


def test_export_writes_the_track_columns_and_imports_again_unchanged(parties):
    import_projects(
        text(
            track1_row(),
            track1_row(reference="UA1000002", determination_available_on=""),
            track1_row(reference="UA1000003", withdrawn_on="2011-01-10"),
            row(reference="0001"),
        ),
        now=NOW,
    )
    before = (Project.objects.count(), Event.objects.count())
    exported = export()
    lines = exported.splitlines()
    assert lines[0] == ",".join(ALL_COLUMNS)
    assert lines[1].endswith(",2,,")  # 0001, Track 2
    assert lines[2] == (
        "UA1000001,Coal mine methane at Zasyadko,UA,JP,Green Carbon Ltd;Kyiv Utilities,"
        "Bureau Veritas Certification,1;13,false,false,50000,,2009-05-04,,2009-05-04,,1,"
        "Order 123 of the Ministry,Resolution 206 of 22 February 2006"
    )
    result = import_projects(exported, now=NOW)
    assert result.created == []
    assert result.unchanged == ["0001", "UA1000001", "UA1000002", "UA1000003"]
    assert (Project.objects.count(), Event.objects.count()) == before
    assert export() == exported
    # The same row with another national approval is a different record.
    errors = rejected(text(track1_row(national_approval_reference="Order 124")))
    assert errors[0].reason == (
        "reference UA1000001 exists with different data (national_approval_reference)"
    )


def test_export_of_track2_projects_keeps_its_columns(parties):
    import_projects(text(row()), now=NOW)
    assert export().splitlines()[0] == ",".join(COLUMNS)


def test_import_command_takes_the_track_column(parties, tmp_path):
    path = tmp_path / "projects.csv"
    path.write_text(text(track1_row(), row()), encoding="utf-8")
    out = io.StringIO()
    call_command("import_projects", str(path), stdout=out)
    assert out.getvalue().startswith(f"Imported {path}: created 2, unchanged 0")
    assert Project.objects.get(reference="UA1000001").track == "1"


def test_imported_track1_project_is_public_on_the_lists(parties, client, secretariat):
    import_projects(text(track1_row(), row()), now=NOW)
    r = client.get("/api/projects/?track=1")
    assert [p["key"] for p in r.json()["results"]] == ["UA1000001"]
    assert client.get("/projects/UA1000001/").status_code == 200
    login(client, secretariat)
    page = client.get("/projects/import/")
    assert "<code>track</code>" in page.content.decode()
