"""Importing projects from earlier records (CSV), and exporting them in the same format."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from determinations import workflow as dwf
from fees import services as fee_services
from projects import search
from projects import workflow as wf
from projects.models import Counter, Event, Organisation, Project
from registry import clock
from registry.importer import (
    COLUMNS,
    IMPORT_LABEL,
    ImportRejected,
    RowError,
    derive,
    export_rows,
    import_projects,
    parse,
)
from reviews import workflow as rwf
from tests.factories import PartyFactory
from tests.support import FINDINGS, ROW, csv_text, row

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def rejected(text: str, now=NOW) -> list[RowError]:
    with pytest.raises(ImportRejected) as info:
        import_projects(text, now=now)
    return info.value.errors


def counts() -> tuple[int, ...]:
    return (
        Project.objects.count(),
        Event.objects.count(),
        Organisation.objects.count(),
        Counter.objects.filter(name="project_reference").values_list("value", flat=True).first(),
    )


def export() -> str:
    out = io.StringIO()
    call_command("export_projects", stdout=out)
    return out.getvalue()


@pytest.fixture
def parties(ukraine, japan, scopes):
    PartyFactory(code="DE", name="Germany")


# --- the pure step -------------------------------------------------------------------------------


def test_parse_reads_a_row_into_a_record():
    records, errors = parse(
        csv_text(row(parties_involved="jp; DE", small_scale="TRUE")),
        now=NOW,
        party_codes={"UA", "JP", "DE"},
    )
    assert errors == []
    (record,) = records
    assert record.line == 2
    assert record.host_party == "UA"
    assert record.parties_involved == ("DE", "JP")
    assert record.participants == ("Green Carbon Ltd", "Kyiv Utilities")
    assert record.sectoral_scopes == (1, 13)
    assert record.small_scale is True and record.poa is False
    assert record.expected_annual_reductions == 50000
    assert record.pdd_available_on == dt.date(2008, 7, 29)
    assert record.determination_available_on is None


def test_empty_cells_are_unknown():
    records, errors = parse(
        csv_text(
            row(
                parties_involved="",
                participants="",
                aie="",
                sectoral_scopes="",
                small_scale="",
                poa="",
                expected_annual_reductions="",
            )
        ),
        now=NOW,
        party_codes={"UA"},
    )
    assert errors == []
    (record,) = records
    assert (record.parties_involved, record.participants, record.aie) == ((), (), "")
    assert (record.sectoral_scopes, record.small_scale, record.expected_annual_reductions) == (
        (),
        False,
        0,
    )


# --- derived instants --------------------------------------------------------------------------


def test_comment_window_ending_on_a_sunday_does_not_roll_forward(parties):
    import_projects(csv_text(row(pdd_available_on="2008-11-08")), now=NOW)
    project = Project.objects.get(reference="0001")
    assert project.comments_close_at == dt.datetime(2008, 12, 7, 17, 0, tzinfo=UTC)
    assert project.comments_close_at.strftime("%A") == "Sunday"
    closed = project.events.get(kind="comments_closed")
    assert closed.created_at == dt.datetime(2008, 12, 7, 17, 0, tzinfo=UTC)


def test_review_window_ending_on_a_saturday_does_not_roll_forward(parties):
    import_projects(
        csv_text(row(pdd_available_on="2009-03-01", determination_available_on="2009-04-16")),
        now=NOW,
    )
    project = Project.objects.get(reference="0001")
    assert project.review_window_closes_at == dt.datetime(2009, 5, 30, 17, 0, tzinfo=UTC)
    assert project.review_window_closes_at.strftime("%A") == "Saturday"
    assert project.status == "final"
    assert project.final_on == dt.date(2009, 5, 30)


def test_windows_across_the_year_end(parties):
    import_projects(
        csv_text(
            row(reference="0001", pdd_available_on="2008-12-10"),
            row(
                reference="0002",
                pdd_available_on="2009-10-01",
                determination_available_on="2009-11-20",
            ),
        ),
        now=NOW,
    )
    first = Project.objects.get(reference="0001")
    assert first.comments_close_at == dt.datetime(2009, 1, 8, 17, 0, tzinfo=UTC)
    second = Project.objects.get(reference="0002")
    assert second.comments_close_at == dt.datetime(2009, 10, 30, 17, 0, tzinfo=UTC)
    assert second.review_window_closes_at == dt.datetime(2010, 1, 3, 17, 0, tzinfo=UTC)
    assert second.final_on == dt.date(2010, 1, 3)
    final = second.events.get(kind="determination_final")
    assert final.created_at == dt.datetime(2010, 1, 3, 17, 0, tzinfo=UTC)
    assert final.data["final_on"] == "2010-01-03"


def test_events_of_a_full_history(parties):
    import_projects(
        csv_text(
            row(
                pdd_available_on="2008-07-29",
                determination_available_on="2011-04-16",
                review_requested_on="2011-05-30",
                final_on="2011-10-03",
            )
        ),
        now=NOW,
    )
    project = Project.objects.get(reference="0001")
    events = list(project.events.order_by("created_at", "pk"))
    assert [(e.kind, e.from_status, e.to_status, e.created_at) for e in events] == [
        ("pdd_published", "", "open_for_comments", dt.datetime(2008, 7, 29, tzinfo=UTC)),
        (
            "comments_closed",
            "open_for_comments",
            "comments_closed",
            dt.datetime(2008, 8, 27, 17, 0, tzinfo=UTC),
        ),
        (
            "determination_published",
            "comments_closed",
            "determination_published",
            dt.datetime(2011, 4, 16, tzinfo=UTC),
        ),
        (
            "review_started",
            "determination_published",
            "under_review",
            dt.datetime(2011, 5, 30, tzinfo=UTC),
        ),
        ("determination_final", "under_review", "final", dt.datetime(2011, 10, 3, tzinfo=UTC)),
    ]
    assert all(e.public and e.actor is None and e.actor_label == IMPORT_LABEL for e in events)
    assert events[0].data["reference"] == "0001"
    assert events[0].data["comments_close_at"] == "2008-08-27T17:00:00+00:00"
    assert project.status == "final"
    assert project.final_on == dt.date(2011, 10, 3)
    assert project.review_window_closes_at == dt.datetime(2011, 5, 30, 17, 0, tzinfo=UTC)
    assert project.due_at is None
    assert project.created_at == dt.datetime(2008, 7, 29, tzinfo=UTC)


def test_imported_project_keeps_its_reference_and_parties(parties, pp_org):
    result = import_projects(csv_text(row(reference="0042")), now=NOW)
    assert result.created == ["0042"] and result.unchanged == []
    project = Project.objects.get(reference="0042")
    assert project.host_party.code == "UA"
    assert [p.code for p in project.parties_involved.all()] == ["JP"]
    assert sorted(s.number for s in project.sectoral_scopes.all()) == [1, 13]
    assert project.expected_annual_reductions == 50000
    assert project.aie.kind == "aie" and project.aie.historical
    # "Green Carbon Ltd" exists (pp_org) and is reused; the unknown participant is created.
    assert {o.name for o in project.participants.all()} == {"Green Carbon Ltd", "Kyiv Utilities"}
    assert Organisation.objects.get(pk=pp_org.pk).historical is False
    new = Organisation.objects.get(name="Kyiv Utilities")
    assert (new.kind, new.historical) == ("participant", True)
    assert result.organisations == ["Bureau Veritas Certification", "Kyiv Utilities"]
    # searched by its participants' names, though bulk rows send no signal (projects.search)
    assert project.participants_text == "Green Carbon Ltd Kyiv Utilities"
    assert list(search.matching(Project.objects.all(), "kyiv util")) == [project]


# --- status as of now ---------------------------------------------------------------------------

PDD = "2026-01-05"  # comments until 2026-02-03 17:00 GMT
DET = "2026-02-10"  # review requests until 2026-03-26 17:00 GMT


@pytest.mark.parametrize(
    ("cells", "at", "status", "final_on", "due_at"),
    [
        ({}, "2026-02-03 17:00:00", "open_for_comments", None, "2026-02-03 17:00:00"),
        ({}, "2026-02-03 17:00:01", "comments_closed", None, None),
        (
            {"determination_available_on": DET},
            "2026-03-26 17:00:00",
            "determination_published",
            None,
            "2026-03-26 17:00:00",
        ),
        (
            {"determination_available_on": DET},
            "2026-03-26 17:00:01",
            "final",
            dt.date(2026, 3, 26),
            None,
        ),
        (
            {"determination_available_on": DET, "review_requested_on": "2026-03-20"},
            "2026-04-20 09:00:00",
            "under_review",
            None,
            None,
        ),
        (
            {
                "determination_available_on": DET,
                "review_requested_on": "2026-03-20",
                "final_on": "2026-04-15",
            },
            "2026-04-20 09:00:00",
            "final",
            dt.date(2026, 4, 15),
            None,
        ),
        ({"withdrawn_on": "2026-01-20"}, "2026-04-20 09:00:00", "withdrawn", None, None),
        (
            {"determination_available_on": DET, "withdrawn_on": "2026-03-26"},
            "2026-04-20 09:00:00",
            "withdrawn",
            None,
            None,
        ),
    ],
)
def test_status_as_of_now(parties, cells, at, status, final_on, due_at):
    with time_machine.travel(dt.datetime.fromisoformat(at).replace(tzinfo=UTC), tick=False):
        import_projects(csv_text(row(pdd_available_on=PDD, **cells)))
    project = Project.objects.get(reference="0001")
    assert project.status == status
    assert project.final_on == final_on
    expected_due = dt.datetime.fromisoformat(due_at).replace(tzinfo=UTC) if due_at else None
    assert project.due_at == expected_due
    assert project.events.order_by("created_at", "pk").last().to_status == status


def test_withdrawal_in_the_comment_period_has_no_comments_closed_event(parties):
    with time_machine.travel(dt.datetime(2026, 4, 1, tzinfo=UTC), tick=False):
        import_projects(csv_text(row(pdd_available_on=PDD, withdrawn_on="2026-01-20")))
    project = Project.objects.get(reference="0001")
    assert list(project.events.values_list("kind", "from_status")) == [
        ("pdd_published", ""),
        ("withdrawn", "open_for_comments"),
    ]
    assert project.withdrawn_at == dt.datetime(2026, 1, 20, tzinfo=UTC)


def test_derive_is_pure_and_agrees_with_the_clock(parties):
    records, _ = parse(csv_text(row(pdd_available_on=PDD)), now=NOW, party_codes={"UA", "JP"})
    derived = derive(records[0], dt.datetime(2026, 1, 10, tzinfo=UTC))
    assert derived.status == "open_for_comments"
    assert [s.kind for s in derived.steps] == ["pdd_published"]


def test_the_clock_closes_an_imported_comment_period(parties):
    with time_machine.travel(dt.datetime(2026, 1, 10, tzinfo=UTC), tick=False):
        import_projects(csv_text(row(pdd_available_on=PDD)))
    after = dt.datetime(2026, 2, 3, 17, 0, 1, tzinfo=UTC)
    assert clock.enforce_deadlines(after)["comments_closed"] == 1
    assert clock.enforce_deadlines(after)["comments_closed"] == 0
    assert Project.objects.get(reference="0001").status == "comments_closed"


def test_the_clock_makes_an_imported_determination_final(parties):
    with time_machine.travel(dt.datetime(2026, 3, 1, tzinfo=UTC), tick=False):
        import_projects(csv_text(row(pdd_available_on=PDD, determination_available_on=DET)))
    clock.enforce_deadlines(dt.datetime(2026, 3, 26, 17, 0, 1, tzinfo=UTC))
    assert Project.objects.get(reference="0001").status == "final"


# --- all or nothing -----------------------------------------------------------------------------


def test_one_bad_row_among_good_ones_writes_nothing_and_lists_every_bad_row(parties):
    before = counts()
    errors = rejected(
        csv_text(
            row(reference="0001"),
            row(reference="0002", host_party="XX"),
            row(reference="0003"),
            row(reference="0004", pdd_available_on="29/07/2008", expected_annual_reductions="-5"),
            row(reference="0005", aie="A brand new AIE"),
        )
    )
    assert [(e.line, e.column) for e in errors] == [
        (3, "host_party"),
        (5, "expected_annual_reductions"),
        (5, "pdd_available_on"),
    ]
    assert errors[0].reason == "unknown Party code XX"
    assert errors[2].reason == "'29/07/2008' is not a date YYYY-MM-DD"
    assert counts() == before
    assert not Organisation.objects.filter(name="A brand new AIE").exists()


def test_report_names_lines_columns_and_reasons(parties):
    with pytest.raises(ImportRejected) as info:
        import_projects(csv_text(row(), row(reference="0002", host_party="XX")), now=NOW)
    assert info.value.detail == (
        "The file was rejected and nothing was imported: 1 problem(s).\n"
        "line 3, host_party: unknown Party code XX"
    )


NOT_A_REFERENCE = "is not a reference of four to six digits (0001-999999)"


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ({"reference": "42"}, "reference", f"'42' {NOT_A_REFERENCE}"),
        ({"reference": "00042"}, "reference", f"'00042' {NOT_A_REFERENCE}"),
        ({"reference": ""}, "reference", "required"),
        ({"title": ""}, "title", "required"),
        ({"host_party": "Ukraine"}, "host_party", "'Ukraine' is not an ISO 3166-1 alpha-2 code"),
        ({"parties_involved": "JP;ZZ"}, "parties_involved", "unknown Party code ZZ"),
        (
            {"parties_involved": "UA"},
            "parties_involved",
            "lists the host Party UA; list only the others",
        ),
        (
            {"sectoral_scopes": "1;16"},
            "sectoral_scopes",
            "'16' is not a sectoral scope number 1-15",
        ),
        ({"small_scale": "yes"}, "small_scale", "'yes' is not true or false"),
        (
            {"expected_annual_reductions": "1.5"},
            "expected_annual_reductions",
            "'1.5' is not a whole, non-negative number of tonnes",
        ),
        (
            {"pdd_available_on": ""},
            "pdd_available_on",
            "required when determination_available_on is empty",
        ),
        (
            {"pdd_available_on": "2008-02-30"},
            "pdd_available_on",
            "'2008-02-30' is not a date YYYY-MM-DD",
        ),
        (
            {"pdd_available_on": "20080729"},
            "pdd_available_on",
            "'20080729' is not a date YYYY-MM-DD",
        ),
        ({"pdd_available_on": "2026-03-04"}, "pdd_available_on", "2026-03-04 is in the future"),
        ({"withdrawn_on": "2026-03-03"}, "withdrawn_on", "2026-03-03 is in the future"),
    ],
)
def test_invalid_cells_are_row_errors(parties, cells, column, reason):
    assert rejected(csv_text(row(**cells))) == [RowError(2, column, reason)]
    assert Project.objects.count() == 0


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        (
            {"determination_available_on": "2008-07-01"},
            "determination_available_on",
            "2008-07-01 is not after the comment period, which ended 2008-08-27 17:00 GMT",
        ),
        (
            {"determination_available_on": "2008-08-27"},
            "determination_available_on",
            "2008-08-27 is not after the comment period, which ended 2008-08-27 17:00 GMT",
        ),
        (
            {"review_requested_on": "2009-01-10"},
            "review_requested_on",
            "a review needs determination_available_on",
        ),
        (
            {"determination_available_on": "2009-01-05", "review_requested_on": "2009-02-19"},
            "review_requested_on",
            "2009-02-19 is outside the 45-day window (2009-01-05 to 2009-02-18 17:00 GMT)",
        ),
        (
            {"determination_available_on": "2009-01-05", "final_on": "2009-01-04"},
            "final_on",
            "2009-01-04 is before the determination was available (2009-01-05)",
        ),
        (
            {
                "pdd_available_on": "2026-01-05",
                "determination_available_on": "2026-02-10",
                "final_on": "2026-03-01",
            },
            "final_on",
            "the 45-day window is open until 2026-03-26 17:00 GMT",
        ),
        (
            {"determination_available_on": "2009-01-05", "final_on": "2009-02-19"},
            "final_on",
            "without a review the determination is final on the window's last day, 2009-02-18, "
            "not 2009-02-19",
        ),
        (
            {
                "determination_available_on": "2009-01-05",
                "review_requested_on": "2009-02-10",
                "final_on": "2009-02-09",
            },
            "final_on",
            "2009-02-09 is before the review was requested (2009-02-10)",
        ),
        (
            {"withdrawn_on": "2008-07-28"},
            "withdrawn_on",
            "2008-07-28 is before 2008-07-29, an earlier step",
        ),
        (
            {
                "determination_available_on": "2009-01-05",
                "final_on": "2009-02-18",
                "withdrawn_on": "2009-03-01",
            },
            "withdrawn_on",
            "a project cannot be withdrawn once its determination is final",
        ),
        (
            {"determination_available_on": "2009-01-05", "withdrawn_on": "2009-02-19"},
            "withdrawn_on",
            "the determination was already final on 2009-02-18",
        ),
    ],
)
def test_dates_out_of_order_are_row_errors(parties, cells, column, reason):
    assert rejected(csv_text(row(**cells))) == [RowError(2, column, reason)]


@pytest.mark.parametrize(
    ("columns", "problem"),
    [
        (
            [c for c in COLUMNS if c != "aie"],
            "missing columns: aie",
        ),
        ([*COLUMNS, "notes"], "unknown columns: 'notes'"),
        ([*COLUMNS, "aie"], "repeated columns: aie"),
    ],
)
def test_wrong_column_set_rejects_the_file(parties, columns, problem):
    (error,) = rejected(csv_text(row(), columns=columns))
    assert error.line == 1
    assert error.reason.startswith(f"wrong column set ({problem}); expected: reference, title")
    assert Project.objects.count() == 0


def test_columns_may_come_in_any_order(parties):
    import_projects(csv_text(row(), columns=list(reversed(COLUMNS))), now=NOW)
    assert Project.objects.get(reference="0001").title == ROW["title"]


def test_a_row_with_too_few_cells_is_a_row_error(parties):
    text = csv_text(row()) + "0002,Short row\n"
    assert rejected(text) == [RowError(3, "", "has 2 cells; the header has 15")]


def test_an_empty_file_is_rejected(db):
    assert rejected("") == [
        RowError(1, "", "the file is empty; the first line must name the columns")
    ]


def test_a_file_that_is_not_utf8_is_rejected(parties):
    data = csv_text(row(), row(reference="0002", title="Płock")).encode("utf-8")
    data = data.replace("Płock".encode(), "Płock".encode("cp1250"))
    with pytest.raises(ImportRejected) as info:
        import_projects(data, now=NOW)
    assert info.value.errors == [
        RowError(3, "", "the file is not UTF-8 text (save it as CSV UTF-8)")
    ]


def test_a_utf8_byte_order_mark_is_accepted(parties):
    import_projects(("\ufeff" + csv_text(row(title="Zaporizhzhia — Ukrenergo"))).encode(), now=NOW)
    assert Project.objects.get(reference="0001").title == "Zaporizhzhia — Ukrenergo"


def test_line_numbers_count_blank_lines_and_quoted_line_breaks(parties):
    text = (
        csv_text(row(title="Two\nlines"))
        + "\n"
        + csv_text(row(reference="0002", host_party="XX")).split("\n", 1)[1]
    )
    # A title is one line (jitrack.text): the quoted line break is refused, and counted.
    assert rejected(text) == [
        RowError(2, "title", "contains the control character U+000A"),
        RowError(5, "host_party", "unknown Party code XX"),
    ]


# --- duplicates and idempotency ---------------------------------------------------------------


def test_duplicate_reference_within_the_file(parties):
    errors = rejected(csv_text(row(), row(title="Other"), row(reference="0002"), row()))
    assert errors == [
        RowError(3, "reference", "duplicate reference 0001 (line 2)"),
        RowError(5, "reference", "duplicate reference 0001 (line 2)"),
    ]
    assert Project.objects.count() == 0


def test_reference_existing_with_different_data(parties):
    import_projects(csv_text(row()), now=NOW)
    before = counts()
    errors = rejected(
        csv_text(row(title="Another title", sectoral_scopes="1"), row(reference="0002"))
    )
    assert errors == [
        RowError(
            2,
            "reference",
            "reference 0001 exists with different data (title, sectoral_scopes)",
        )
    ]
    assert counts() == before


def test_reference_of_a_project_published_here(parties, cycle):
    project = cycle.open()
    errors = rejected(csv_text(row(reference=project.reference)))
    assert errors[0].reason.startswith(f"reference {project.reference} exists with different data")


def test_reimporting_the_same_file_changes_nothing(parties):
    text = csv_text(
        row(reference="0001"),
        row(reference="0002", determination_available_on="2009-01-05"),
        row(
            reference="0003",
            determination_available_on="2009-01-05",
            review_requested_on="2009-02-01",
            final_on="2009-06-30",
        ),
        row(reference="0004", withdrawn_on="2008-09-01"),
        row(reference="0005", pdd_available_on="2026-02-20", aie="New AIE"),
    )
    first = import_projects(text, now=NOW)
    assert first.created == ["0001", "0002", "0003", "0004", "0005"]
    before = counts()
    again = import_projects(text, now=NOW)
    assert (again.created, again.unchanged, again.organisations) == (
        [],
        ["0001", "0002", "0003", "0004", "0005"],
        [],
    )
    assert counts() == before
    # Later, after 0005's comment period closed, the same file is still the same data.
    later = import_projects(text, now=NOW + dt.timedelta(days=60))
    assert later.created == [] and counts() == before


def test_an_existing_organisation_of_another_kind_is_a_row_error(parties, aie_org):
    errors = rejected(csv_text(row(participants=aie_org.name)))
    assert errors == [
        RowError(
            2,
            "participants",
            f"{aie_org.name} is registered as accredited independent entity, "
            "not as project participant",
        )
    ]


def test_a_new_name_used_as_participant_and_as_aie_is_a_row_error(parties):
    errors = rejected(
        csv_text(row(aie="Carbon Co"), row(reference="0002", participants="Carbon Co"))
    )
    assert errors == [
        RowError(
            3, "participants", "Carbon Co is also named as accredited independent entity on line 2"
        )
    ]


# --- export and round trip ------------------------------------------------------------------------


def test_export_writes_the_import_columns(parties):
    import_projects(
        csv_text(
            row(reference="0002", determination_available_on="2009-01-05"),
            row(reference="0001", parties_involved="JP;DE", small_scale="true"),
        ),
        now=NOW,
    )
    lines = export().splitlines()
    assert lines[0] == ",".join(COLUMNS)
    assert lines[1] == (
        "0001,Landfill gas capture at Kyiv,UA,DE;JP,Green Carbon Ltd;Kyiv Utilities,"
        "Bureau Veritas Certification,1;13,true,false,50000,2008-07-29,,,,"
    )
    assert lines[2] == (
        "0002,Landfill gas capture at Kyiv,UA,JP,Green Carbon Ltd;Kyiv Utilities,"
        "Bureau Veritas Certification,1;13,false,false,50000,2008-07-29,2009-01-05,,2009-02-18,"
    )


@pytest.mark.parametrize("n", [1, 6])
def test_export_takes_five_queries_whatever_the_number_of_projects(
    parties, django_assert_num_queries, n
):
    import_projects(
        csv_text(
            *(
                row(reference=f"{i:04d}", determination_available_on="2009-01-05")
                for i in range(1, n + 1)
            )
        ),
        now=NOW,
    )
    with django_assert_num_queries(5):
        rows = export_rows()
    assert len(rows) == n


def test_export_imports_again_unchanged(parties):
    text = csv_text(
        row(reference="0001", title='Wind park "Krym", phase 1, Ukraine'),
        row(reference="0002", determination_available_on="2009-01-05"),
        row(
            reference="0003",
            determination_available_on="2009-01-05",
            review_requested_on="2009-02-01",
            final_on="2009-06-30",
        ),
        row(reference="0004", withdrawn_on="2008-09-01", participants="", aie=""),
    )
    import_projects(text, now=NOW)
    before = counts()
    exported = export()
    result = import_projects(exported, now=NOW)
    assert result.created == [] and result.unchanged == ["0001", "0002", "0003", "0004"]
    assert counts() == before
    assert export() == exported


def test_export_to_a_file(parties, tmp_path):
    import_projects(csv_text(row()), now=NOW)
    out = io.StringIO()
    call_command("export_projects", output=str(tmp_path / "p.csv"), stdout=out)
    assert out.getvalue() == f"Exported 1 project(s) to {tmp_path / 'p.csv'}.\n"
    assert (tmp_path / "p.csv").read_text(encoding="utf-8") == export()


def _determine(cycle, project) -> Project:
    """Close comments, file and publish the determination today (paying the advance if due)."""
    wf.close_comments(project.pk, project.comments_close_at + dt.timedelta(seconds=1))
    dwf.submit_determination(cycle.aie_user, project, findings=dict(FINDINGS), outcome="positive")
    if fee_services.determination_fee_record(project).status == "due":
        fee_services.pay_balance(cycle.secretariat, project, reference="BANK-1")
    dwf.check_determination(cycle.secretariat, project, accept=True)
    return Project.objects.get(pk=project.pk)


def test_projects_run_through_the_cycle_here_export_and_import_unchanged(
    parties, cycle, party_user
):
    """Published, determined, reviewed, withdrawn and deemed final here over months of clock."""
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, 0, tzinfo=UTC), tick=False) as t:
        final, reviewed, withdrawn, _ = (cycle.open(title=f"P{i}") for i in range(4))
        t.move_to(dt.datetime(2026, 2, 10, 9, 0, tzinfo=UTC))
        final, reviewed = _determine(cycle, final), _determine(cycle, reviewed)
        wf.withdraw(cycle.participant, withdrawn, reason="Financing fell through.")
        cycle.open(title="P4")
        t.move_to(dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        rwf.request_review(
            party_user,
            reviewed,
            reasons={"additionality": "The investment analysis is out of date."},
            summary="Additionality is not shown.",
        )
        t.move_to(dt.datetime(2026, 3, 27, 9, 0, tzinfo=UTC))
        clock.enforce_deadlines()
        statuses = dict(Project.objects.values_list("title", "status"))
        assert statuses == {
            "P0": "final",
            "P1": "under_review",
            "P2": "withdrawn",
            "P3": "comments_closed",
            "P4": "comments_closed",
        }
        before = counts()
        exported = export()
        result = import_projects(exported)
        assert result.created == []
        assert len(result.unchanged) == 5
        assert counts() == before
    lines = exported.splitlines()
    assert lines[2].endswith(",2026-01-05,2026-02-10,2026-03-02,,")


# --- publications after the import ----------------------------------------------------------------


def test_new_publications_continue_after_the_highest_imported_reference(parties, cycle):
    import_projects(csv_text(row(reference="0007"), row(reference="0042")), now=NOW)
    assert Counter.objects.get(name="project_reference").value == 42
    project = cycle.open()
    assert project.reference == "0043"


def test_importing_lower_references_keeps_the_counter(parties, cycle):
    cycle.open()
    cycle.open()
    Counter.objects.filter(name="project_reference").update(value=5)
    import_projects(csv_text(row(reference="0003")), now=NOW)
    assert Counter.objects.get(name="project_reference").value == 5


# --- commands --------------------------------------------------------------------------------


def test_import_command_prints_the_summary(parties, tmp_path):
    path = tmp_path / "projects.csv"
    path.write_text(csv_text(row(), row(reference="0002")), encoding="utf-8")
    out = io.StringIO()
    call_command("import_projects", str(path), stdout=out)
    assert out.getvalue() == (
        f"Imported {path}: created 2, unchanged 0; new historical organisations: "
        "Bureau Veritas Certification, Green Carbon Ltd, Kyiv Utilities.\n"
    )
    out = io.StringIO()
    call_command("import_projects", str(path), stdout=out)
    assert out.getvalue() == f"Imported {path}: created 0, unchanged 2.\n"


def test_import_command_fails_with_the_report(parties, tmp_path):
    path = tmp_path / "projects.csv"
    path.write_text(csv_text(row(), row(reference="0002", host_party="XX")), encoding="utf-8")
    with pytest.raises(CommandError) as info:
        call_command("import_projects", str(path))
    assert str(info.value) == (
        "The file was rejected and nothing was imported: 1 problem(s).\n"
        "line 3, host_party: unknown Party code XX"
    )
    assert Project.objects.count() == 0


def test_import_command_on_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_projects", str(tmp_path / "nope.csv"))


# --- a record without the PDD's date (issue 12) ------------------------------------------------


def test_a_determination_without_a_known_pdd_date_is_imported(parties):
    """An empty cell is unknown: the project keeps no PDD date and no comment period, and its
    timeline starts with the determination; what follows from the determination's date is
    derived as usual."""
    result = import_projects(
        csv_text(row(pdd_available_on="", determination_available_on="2009-04-16")), now=NOW
    )
    assert result.created == ["0001"]
    project = Project.objects.get(reference="0001")
    assert project.pdd_available_on is None and project.comments_close_at is None
    assert project.determination_available_on == dt.date(2009, 4, 16)
    assert project.review_window_closes_at == dt.datetime(2009, 5, 30, 17, 0, tzinfo=UTC)
    assert (project.status, project.final_on, project.due_at) == (
        "final",
        dt.date(2009, 5, 30),
        None,
    )
    assert project.created_at == dt.datetime(2009, 4, 16, tzinfo=UTC)
    assert [
        (e.kind, e.from_status, e.to_status, e.created_at)
        for e in project.events.order_by("created_at", "pk")
    ] == [
        (
            "determination_published",
            "",
            "determination_published",
            dt.datetime(2009, 4, 16, tzinfo=UTC),
        ),
        (
            "determination_final",
            "determination_published",
            "final",
            dt.datetime(2009, 5, 30, 17, 0, tzinfo=UTC),
        ),
    ]


def test_without_a_pdd_date_a_review_and_a_withdrawal_are_derived_as_usual(parties):
    import_projects(
        csv_text(
            row(
                reference="0001",
                pdd_available_on="",
                determination_available_on="2011-04-16",
                review_requested_on="2011-05-30",
                final_on="2011-10-03",
            ),
            row(
                reference="0002",
                pdd_available_on="",
                determination_available_on="2011-04-16",
                withdrawn_on="2011-05-01",
            ),
        ),
        now=NOW,
    )
    reviewed = Project.objects.get(reference="0001")
    assert list(reviewed.events.order_by("created_at", "pk").values_list("kind", flat=True)) == [
        "determination_published",
        "review_started",
        "determination_final",
    ]
    assert (reviewed.status, reviewed.final_on) == ("final", dt.date(2011, 10, 3))
    withdrawn = Project.objects.get(reference="0002")
    assert list(withdrawn.events.values_list("kind", "from_status")) == [
        ("determination_published", ""),
        ("withdrawn", "determination_published"),
    ]


def test_without_a_pdd_date_the_open_window_is_on_the_clock(parties):
    with time_machine.travel(dt.datetime(2026, 3, 1, tzinfo=UTC), tick=False):
        import_projects(csv_text(row(pdd_available_on="", determination_available_on=DET)))
    project = Project.objects.get(reference="0001")
    assert project.status == "determination_published"
    assert project.due_at == dt.datetime(2026, 3, 26, 17, 0, tzinfo=UTC)
    clock.enforce_deadlines(dt.datetime(2026, 3, 26, 17, 0, 1, tzinfo=UTC))
    assert Project.objects.get(reference="0001").status == "final"


def test_a_row_without_either_publication_date_is_a_row_error(parties):
    assert rejected(csv_text(row(pdd_available_on="", determination_available_on=""))) == [
        RowError(2, "pdd_available_on", "required when determination_available_on is empty")
    ]


def test_without_a_pdd_date_the_other_dates_are_still_checked(parties):
    errors = rejected(
        csv_text(
            row(
                pdd_available_on="",
                determination_available_on="2009-01-05",
                review_requested_on="2009-02-19",
            )
        )
    )
    assert errors == [
        RowError(
            2,
            "review_requested_on",
            "2009-02-19 is outside the 45-day window (2009-01-05 to 2009-02-18 17:00 GMT)",
        )
    ]


def test_a_record_without_a_pdd_date_exports_and_imports_again_unchanged(parties):
    text = csv_text(row(pdd_available_on="", determination_available_on="2009-04-16"))
    import_projects(text, now=NOW)
    before = counts()
    exported = export()
    assert exported.splitlines()[1].endswith(",50000,,2009-04-16,,2009-05-30,")
    again = import_projects(exported, now=NOW)
    assert (again.created, again.unchanged) == ([], ["0001"])
    assert import_projects(text, now=NOW).unchanged == ["0001"]
    assert counts() == before


def test_derive_without_a_pdd_date_is_pure():
    records, errors = parse(
        csv_text(row(pdd_available_on="", determination_available_on=DET)),
        now=NOW,
        party_codes={"UA", "JP"},
    )
    assert errors == []
    derived = derive(records[0], dt.datetime(2026, 3, 1, tzinfo=UTC))
    assert (derived.status, derived.comments_close_at) == ("determination_published", None)
    assert [s.kind for s in derived.steps] == ["determination_published"]


def test_a_fresh_install_imports_a_ukrainian_project_without_seeding(db, tmp_path):
    """The Parties and scopes ship with the product: no fixture, no seed_demo."""
    path = tmp_path / "projects.csv"
    row_two = row(reference="0002", pdd_available_on="", determination_available_on="2009-04-16")
    path.write_text(csv_text(row(parties_involved="JP;DE"), row_two), encoding="utf-8")
    out = io.StringIO()
    call_command("import_projects", str(path), stdout=out)
    assert out.getvalue().startswith(f"Imported {path}: created 2, unchanged 0")
    project = Project.objects.get(reference="0001")
    assert project.host_party.name == "Ukraine"
    assert sorted(p.code for p in project.parties_involved.all()) == ["DE", "JP"]
    assert sorted(s.number for s in project.sectoral_scopes.all()) == [1, 13]


def test_a_project_imported_without_a_pdd_date_is_public(parties, client):
    import_projects(
        csv_text(row(pdd_available_on="", determination_available_on="2009-04-16")), now=NOW
    )
    assert client.get("/projects/0001/").status_code == 200
