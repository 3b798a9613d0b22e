"""Text search over titles and participants (projects.search): full-text through GIN indexes on
PostgreSQL, word by word on SQLite; one writer keeps the searched text right."""

import pytest
from django.db import connection

from projects import search
from projects import workflow as wf
from projects.models import Organisation, Project
from tests.factories import OrganisationFactory, project_data


@pytest.fixture
def projects(ukraine, scopes, participant):
    def make(title, *others):
        orgs = [OrganisationFactory(name=name) for name in others]
        data = project_data(ukraine, title=title, participants=orgs)
        return wf.create_project(participant, **data)

    return {
        "wind": make("Zaporizhzhia wind farms", "Vindkraft Nordic AS"),
        "mine": make("Coal mine methane utilisation at Krasnodon"),
        "russian": make("Ветровая электростанция в Крыму", "ООО Зелёный углерод"),
    }


def found(text):
    return set(search.matching(Project.objects.all(), text).values_list("title", flat=True))


def test_every_word_of_a_title_or_participant_is_found_by_its_beginning(projects):
    assert found("wind farm") == {"Zaporizhzhia wind farms"}
    assert found("Zapor") == {"Zaporizhzhia wind farms"}
    assert found("vindkraft") == {"Zaporizhzhia wind farms"}  # a participant's name
    assert found("green carbon") == set(Project.objects.values_list("title", flat=True))
    assert found("methane wind") == set()  # every word must match
    assert found("Ветровая") == {"Ветровая электростанция в Крыму"}
    assert found("углерод") == {"Ветровая электростанция в Крыму"}


def test_stop_words_are_found_as_written(projects):
    """English drops "at", Russian "в": the ``simple`` configuration still finds them."""
    assert found("at") == {"Coal mine methane utilisation at Krasnodon"}
    assert found("в Крыму") == {"Ветровая электростанция в Крыму"}  # SQLite folds ASCII only


def test_query_syntax_is_text_not_operators(projects):
    for text in ("wind & !farm", "'); drop table", "wind | coal", ":*", "(", "\\"):
        found(text)  # no error whatever the input
    assert found("wind & !farm") == {"Zaporizhzhia wind farms"}  # the words, not the operators
    assert found("  ") == set(Project.objects.values_list("title", flat=True))


def test_the_searched_text_follows_edits_and_renamed_participants(projects, participant):
    project = projects["mine"]
    wf.update_project(participant, project, title="Blast furnace gas recovery")
    assert found("furnace") == {"Blast furnace gas recovery"}
    assert found("methane") == set()
    org = Organisation.objects.get(name="Vindkraft Nordic AS")
    org.name = "Nordvind Energi AS"
    org.save()
    assert found("nordvind") == {"Zaporizhzhia wind farms"}
    assert found("vindkraft") == set()


def test_rebuild_writes_what_the_signals_would(projects):
    project = projects["wind"]
    project.refresh_from_db()
    assert project.participants_text == "Green Carbon Ltd Vindkraft Nordic AS"
    Project.objects.update(participants_text="")
    assert search.rebuild() == 3
    project.refresh_from_db()
    assert project.participants_text == "Green Carbon Ltd Vindkraft Nordic AS"


def test_a_project_written_directly_is_found_too(ukraine, pp_org):
    """The title is searched as it is; names follow ``participants.add`` whoever calls it."""
    project = Project.objects.create(title="Biomass boiler at Lutsk", host_party=ukraine)
    project.participants.add(OrganisationFactory(name="Teplo Energo"))
    assert found("lutsk teplo") == {"Biomass boiler at Lutsk"}
    pp_org.projects.add(project)  # from the organisation's side
    assert found("green teplo") == {"Biomass boiler at Lutsk"}


def test_postgresql_answers_from_the_gin_indexes(projects):
    """On PostgreSQL the plan reads the two full-text indexes (with sequential scans off, as
    on a large table); on SQLite the simple path is a LIKE per word."""
    sql, params = search.matching(Project.objects.all(), "wind farm").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            for config in search.CONFIGS:
                assert f"project_search_{config}" in plan, plan
        else:
            assert sql.count("LIKE") == 4  # two words, each in the title or the names
