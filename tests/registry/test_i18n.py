"""The public pages in Russian (issue 6): the visitor's language from the set_language cookie or
Accept-Language, English by default and for any language we do not have; the API and the data
downloads stay English; the catalogue is complete and compiled."""

import ast
import datetime as dt
import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from jitrack import charts
from jitrack.errors import Conflict
from projects import workflow as wf
from projects.templatetags.jitrack import countdown, countdown_words, day, gmt, usd

PO = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}


def html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)">', html).group(1)


# --- pages ---------------------------------------------------------------------------------


def test_home_page_is_russian_with_accept_language(client, publish_many):
    publish_many(1, "open_for_comments")
    response = client.get("/", **RU)
    html = response.content.decode()
    assert response.status_code == 200
    assert html_lang(html) == "ru"
    assert response["Content-Language"] == "ru"
    assert "<h1>Совместное осуществление: процедура второго направления</h1>" in html
    assert "ПТД, открытые для замечаний" in html
    assert "Замечания принимаются до" in html
    assert "Открыт для замечаний" not in html  # the home page shows no status badge
    assert "PDDs open for comment" not in html
    # Month names follow the language; "GMT" stays.
    assert re.search(
        r"\d{1,2} (января|февраля|марта|апреля|мая|июня|июля|августа|сентября"
        r"|октября|ноября|декабря) \d{4} 17:00 GMT",
        html,
    )


def test_home_page_is_english_by_default(client, publish_many):
    publish_many(1, "open_for_comments")
    response = client.get("/")
    html = response.content.decode()
    assert html_lang(html) == "en"
    assert "PDDs open for comment" in html
    assert "ПТД" not in html


@pytest.mark.parametrize("accept", ["de", "fr-CA, de;q=0.8", "zh-Hans", "*"])
def test_unsupported_language_falls_back_to_english(client, db, accept):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert html_lang(html) == "en"
    assert "PDDs open for comment" in html


def test_a_regional_russian_browser_gets_russian(client, db):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9,en;q=0.5").content.decode()
    assert html_lang(html) == "ru"


def test_the_switcher_sets_a_cookie_that_outlasts_accept_language(client, db):
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/opendata/?q=wind"})
    assert response.status_code == 302
    assert response["Location"] == "/opendata/?q=wind"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    html = client.get("/opendata/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html_lang(html) == "ru"
    assert "<h1>Открытые данные</h1>" in html
    assert "Словарь данных, версия 1.3" in html
    assert "Выбор проектов" in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert html_lang(client.get("/opendata/", **RU).content.decode()) == "en"


def test_the_switcher_is_a_form_that_works_without_script(client, db):
    html = client.get("/statistics/?x=1").content.decode()
    form = re.search(r'<form class="lang-switch".*?</form>', html, re.S).group(0)
    assert 'method="post" action="/i18n/setlang/"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<input type="hidden" name="next" value="/statistics/?x=1">' in form
    assert '<label for="language-select">Language</label>' in form
    assert '<option value="ru" lang="ru">Русский</option>' in form
    assert '<option value="en" lang="en" selected>English</option>' in form
    assert '<button class="button button-small button-light" type="submit">' in form


def test_open_data_page_is_russian(client, db):
    html = client.get("/opendata/", **RU).content.decode()
    assert html_lang(html) == "ru"
    assert "<h1>Открытые данные</h1>" in html
    assert "Публичный реестр · словарь данных, версия 1.3" in html
    # The dictionary's meanings are translated; field names and values stay as in the files.
    assert "Название проекта, как в его ПТД." in html
    assert "<code>host_party_code</code>" in html
    assert "<code>open_for_comments</code>" in html
    assert '<option value="open_for_comments">Открыт для замечаний</option>' in html


def test_statistics_page_is_russian(client, db):
    html = client.get("/statistics/", **RU).content.decode()
    assert html_lang(html) == "ru"
    assert "<h1>Статистика</h1>" in html
    assert "Проекты по принимающим Сторонам" in html
    assert (
        html.count("Данных пока нет, поэтому диаграммы нет.") == 9
    )  # the per-track tables added two charts (issue 16)


def test_not_found_page_is_russian(client, db):
    response = client.get("/no-such-page/", **RU)
    html = response.content.decode()
    assert response.status_code == 404
    assert html_lang(html) == "ru"
    assert "<h1>Не найдено</h1>" in html
    assert "Вернуться на главную страницу" in html


def test_comment_form_speaks_russian_with_its_errors(client, publish_many):
    project = publish_many(1, "open_for_comments")[0]
    page = client.get(f"/projects/{project.reference}/comments/", **RU).content.decode()
    assert '<label for="id_name">Ваше имя' in page
    assert "Аккредитованный наблюдатель" in page
    response = client.post(f"/projects/{project.reference}/comments/", {}, **RU)
    html = response.content.decode()
    assert "Обязательное поле." in html  # Django's own catalogue
    assert "This field is required." not in html


def test_language_adds_no_query(client, publish_many):
    publish_many(3, "open_for_comments")
    counts = {}
    for lang in ("en", "ru"):
        client.get("/", HTTP_ACCEPT_LANGUAGE=lang)  # warm up the session cache
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/", HTTP_ACCEPT_LANGUAGE=lang).status_code == 200
        counts[lang] = len(ctx.captured_queries)
    assert counts["ru"] == counts["en"] <= 10


# --- data and the API stay English ---------------------------------------------------------


def test_api_error_detail_stays_english(client, db):
    missing = client.get("/api/projects/9999/", **RU)
    assert missing.status_code == 404
    assert missing.json() == {"code": "not_found", "detail": "No project '9999'."}
    # DRF's own messages have a Russian catalogue: the API must not follow Accept-Language.
    invalid = client.post("/api/auth/token/", {}, content_type="application/json", **RU)
    assert invalid.status_code == 400
    assert invalid.json()["detail"] == "username: This field is required."
    assert invalid["Content-Language"] == "en"


def test_api_stays_english_with_the_language_cookie(client, db):
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    invalid = client.post("/api/auth/token/", {}, content_type="application/json")
    assert invalid.json()["detail"] == "username: This field is required."


def test_data_dictionary_and_statistics_csv_stay_english(client, db):
    data = client.get("/opendata/dictionary.json", **RU)
    assert data["Content-Language"] == "en"
    body = data.json()
    assert body["types"]["string"] == "Text."
    assert body["datasets"][0]["title"] == "Projects"
    csv = client.get("/statistics/projects-by-status.csv", **RU)
    assert b"".join(csv.streaming_content).decode().splitlines() == ["status,status_label,projects"]


# --- filters and the countdown -------------------------------------------------------------

NOW = dt.datetime(2008, 8, 1, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("delta", "english", "russian"),
    [
        (dt.timedelta(days=1, hours=2), "1 day 2 h left", "остался 1 день 2 ч"),
        (dt.timedelta(days=3, hours=4), "3 days 4 h left", "осталось 3 дня 4 ч"),
        (dt.timedelta(days=12, hours=4), "12 days 4 h left", "осталось 12 дней 4 ч"),
        (dt.timedelta(days=21), "21 days 0 h left", "остался 21 день 0 ч"),
        (dt.timedelta(days=25), "25 days 0 h left", "осталось 25 дней 0 ч"),
        (dt.timedelta(hours=5, minutes=7), "5 h 7 min left", "осталось 5 ч 7 мин"),
        (dt.timedelta(minutes=9), "9 min left", "осталось 9 мин"),
        (dt.timedelta(0), "closed", "срок истёк"),
    ],
)
def test_countdown_follows_the_language(delta, english, russian):
    with translation.override("en"):
        assert countdown(NOW + delta, NOW) == english
    with translation.override("ru"):
        assert countdown(NOW + delta, NOW) == russian


def test_dates_follow_the_language_and_stay_in_gmt():
    instant = dt.datetime(2008, 8, 27, 17, 0, tzinfo=dt.UTC)
    with translation.override("en"):
        assert gmt(instant) == "27 Aug 2008 17:00 GMT"
        assert day(dt.date(2008, 7, 29)) == "29 Jul 2008"
    with translation.override("ru"):
        assert gmt(instant) == "27 августа 2008 17:00 GMT"
        assert day(dt.date(2008, 7, 29)) == "29 июля 2008"


def test_amounts_use_the_separators_of_the_language():
    with translation.override("en"):
        assert usd("10500") == "USD 10,500.00"
    with translation.override("ru"):
        assert usd("10500") == "USD 10\xa0500,00"


def test_russian_chart_labels_are_cut_to_fit_the_label_column():
    label = "Период представления замечаний закрыт"
    shown, full = charts.fit_label(label)
    assert shown.endswith("…") and full == label
    assert charts.text_px(shown) <= charts.LABEL_W - 12
    assert charts.fit_label("Determination published")[0] == "Determination published"
    assert charts.fit_label("Bureau Veritas Certification Holding SAS")[0] == (
        "Bureau Veritas Certific…"
    )


def test_countdown_script_gets_its_words_from_the_page():
    with translation.override("ru"):
        words = str(countdown_words())
    assert 'data-closed="срок истёк"' in words
    assert 'data-days-one="остался %(days)s день %(hours)s ч"' in words
    assert 'data-days-few="осталось %(days)s дня %(hours)s ч"' in words
    assert 'data-days-many="осталось %(days)s дней %(hours)s ч"' in words
    assert 'data-minutes="осталось %(minutes)s мин %(seconds)s с"' in words
    script = (Path(settings.BASE_DIR) / "jitrack" / "static" / "countdown.js").read_text()
    for key in ("closed", "daysOther", "hours", "minutes", "local"):
        assert f"words.{key}" in script


# --- the catalogue -------------------------------------------------------------------------


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: ``{"flags", "msgctxt", "msgid", "msgid_plural", "msgstr[n]"…}``."""
    entries, entry, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
            entry = None
            continue
        if entry is None:
            entry = {"flags": set()}
        if line.startswith("#,"):
            entry["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return entries


def catalogue(entries: list[dict]) -> dict:
    """The .po as the keys and values GNUTranslations reads from a .mo."""
    out = {}
    for e in entries:
        msgid = e["msgid"] if "msgctxt" not in e else f"{e['msgctxt']}\x04{e['msgid']}"
        if "msgid_plural" in e:
            for k, v in e.items():
                if k.startswith("msgstr["):
                    out[(msgid, int(k[7:-1]))] = v
        else:
            out[msgid] = e["msgstr"]
    return out


def test_every_message_has_a_russian_translation():
    entries = read_po(PO)
    assert entries[0]["msgid"] == ""
    assert "fuzzy" not in entries[0]["flags"]
    assert "Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : " in entries[0]["msgstr"]
    messages = entries[1:]
    assert len(messages) > 300
    for e in messages:
        assert "fuzzy" not in e["flags"], e["msgid"]
        forms = [v for k, v in e.items() if k.startswith("msgstr")]
        assert forms and all(f.strip() for f in forms), e["msgid"]
        if "msgid_plural" in e:
            assert len(forms) == 3, e["msgid"]


def test_compiled_catalogue_matches_the_po_file():
    """A forgotten ``compilemessages`` fails here: the .mo holds exactly the .po's messages."""
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog
    expected = catalogue(read_po(PO))
    # The header differs only by the POT-Creation-Date msgfmt leaves out.
    compiled.pop("")
    expected.pop("")
    assert compiled == expected


def test_po_file_passes_msgfmt_checks():
    """Placeholders (python-format) and plural forms as GNU gettext checks them."""
    assert shutil.which("msgfmt"), "msgfmt is missing: ./scripts/test installs Debian's gettext"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(PO)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_a_closed_comment_period_is_refused_in_the_visitors_language(client, cycle):
    project = cycle.comments_closed()
    form = {"name": "Olena", "category": "stakeholder", "email": "o@example.org", "text": "Late."}
    page = client.post(f"/projects/{project.key}/comments/", form, HTTP_ACCEPT_LANGUAGE="ru")
    assert page.status_code == 409
    assert "Период представления замечаний по этой ПТД закрыт." in page.content.decode()
    api = client.post(
        f"/api/projects/{project.key}/comments/",
        form,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert api.status_code == 409
    assert api.json() == {
        "code": "window_closed",
        "detail": "The comment period for this PDD is closed.",
    }


def test_a_refusal_on_a_page_names_the_status_in_the_same_language(cycle):
    project = cycle.open()
    with translation.override("ru"), pytest.raises(Conflict) as refused:
        wf.update_project(cycle.participant, project, title="New title")
    assert refused.value.detail == (
        "Нельзя изменять проект, пока статус проекта — «открыт для замечаний»."
    )
    with pytest.raises(Conflict) as refused:
        wf.update_project(cycle.participant, project, title="New title")
    assert refused.value.detail == (
        "You cannot edit the project while the project is “open for comments”."
    )
