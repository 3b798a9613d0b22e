"""A large, realistic, deterministic registry for benchmarks (issue 13, "Registry scale"):
``manage.py generate_registry --projects N --seed S [--today YYYY-MM-DD] [--windows W]``.

The data set, for N projects (20,000 for the benchmark):

* Reference data, added only where missing: the 15 sectoral scopes, 35 host Parties that meet
  para 21 (a), (b) and (d) (weighted as JI was: Ukraine and the Russian Federation host most
  projects), 30 AIEs accredited for determination and verification in every scope, N/4
  participant organisations (5,000; at least 20) with varied names, Latin and Cyrillic, a
  designated focal point for each host Party and six JISC members (users that cannot log in).
* Projects of every status in realistic proportions (most final), references "0001", "0002", …
  in order of publication (five digits past 9999), titles from word lists in English and, for
  about one in ten, in Russian, dates from 2006 to the day before ``--today``. Each has its
  participants (1–4), scopes (1–2), expected reductions per year, the PDD, the host's letter of
  approval, then what its status implies: comments and answers, the determination (F-JI-DRep)
  and its report, a review for some, monitoring reports and verifications (F-JI-VRep) for final
  projects, ERUs issued from the host's AAUs for reductions of 2008–2020, and the event of every
  step — the kinds, statuses, labels and data the workflow writes (``projects.workflow``,
  ``determinations``, ``reviews``); ``projects.search.rebuild`` indexes its participants.
* Windows open or closed in the last 365 days (comment periods, 45-day and 15-day periods):
  ``--windows`` a project on average. An active final project reports on its latest monitoring
  periods, as many as that takes, so each such window is a verification with its three or four
  events: the default 1.5 gives about 20 events a project (≈400,000 for 20,000 projects, the
  issue's data set) and 30,000 such windows; 5 gives the issue's 100,000 windows and about 35
  events a project. Nothing is due when the data is written: every open window closes after
  ``--today``, so the deadline sweep run right after finds nothing to do.
* Long-history projects, 0.1 % of them (at least one from N = 10): 2,000 events, 500 comments,
  50 documents and 20 verifications each (``--long-*``), the projects with the most events; the
  command lists their references.

Deterministic: the same (projects, seed, today, options) write the same rows — the same values
and, on a fresh database, the same primary keys (the ids in event data too). Every draw comes
from ``random.Random``: one seeded with ``seed`` decides each project's status and publication
day; each project's details come from its own ``Random`` seeded with ``seed`` and its number, so
they do not depend on the chunk size. Every date is reckoned back from ``today``.

Fast and bounded: the projects are written 1,000 at a time (``--chunk``) with ``bulk_create`` in
one transaction; nothing holds more than one chunk's rows. Documents have no file of their own:
every row points at one small PDF written once to the media storage. Bulk writes send no
signals, so the page cache is invalidated at the end (``jitrack.pagecache``).

Rows are written in the status their generated history reached, each status checked against its
writer's table (``Machine.initial``) as ``projects.workflow.imported_project`` does for imported
records; the events of that history are written with them. Events have no ``actor`` (no user
acted); their ``actor_label`` names who did, as the workflow shows it. Fees are not generated.
"""

from __future__ import annotations

import calendar
import hashlib
import random
import time as timer
from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery

from determinations.models import (
    AauLedgerEntry,
    Determination,
    EruBlock,
    EruIssuance,
    MonitoringReport,
    Verification,
)
from determinations.verification import MONITORING, VERIFICATION
from determinations.workflow import DETERMINATION, compile_comment_summary
from jitrack import pagecache
from jitrack.files import one_page_pdf
from projects import deadlines, search
from projects.models import (
    Accreditation,
    Comment,
    Counter,
    Document,
    Engagement,
    Event,
    ExpectedReduction,
    LetterOfApproval,
    Organisation,
    Party,
    Project,
    SectoralScope,
    User,
    average_tonnes,
)
from projects.workflow import ENGAGEMENT, SYSTEM_LABEL, imported_project, next_due
from reviews import deadlines as review_deadlines
from reviews.models import JiscMember, Review, ReviewRequest, ReviewTeamMember
from reviews.workflow import REVIEW

S = Project.Status
MAX_PROJECTS = 200_000
FIRST_DAY = date(2006, 1, 10)  # the first PDD made available
ERU_START = date(2008, 1, 1)  # determinations.verification: the first monitoring day
CP_YEARS = {1: (2008, 2012), 2: (2013, 2020)}
SECRETARIAT = "Secretariat"
PDF_NAME = "generated/registry-document.pdf"
RECENT_DAYS = 365  # a window "recently closed" closed this many days before today or fewer


@dataclass(frozen=True)
class Options:
    projects: int
    seed: int
    today: date
    chunk: int = 1000
    windows: float = 1.5  # open or recently closed windows a project, on average
    long_events: int = 2000
    long_comments: int = 500
    long_documents: int = 50
    long_verifications: int = 20


def long_history_count(projects: int) -> int:
    """0.1 % of the projects, at least one from ten projects on."""
    return 0 if projects < 10 else max(1, round(projects / 1000))


def reference_of(number: int) -> str:
    """Four digits, then five or six (``projects.workflow.REFERENCE_LIMIT``)."""
    return f"{number:04d}"


# --- word lists ----------------------------------------------------------------------------------


def _items(text: str) -> list[str]:
    """The "|"-separated items of ``text``, stripped."""
    return [item.strip() for item in text.split("|") if item.strip()]


def _pairs(text: str) -> list[tuple[str, str]]:
    """ "CODE name | CODE name…" -> [(code, name), …]."""
    return [(item[:2], item[3:]) for item in _items(text)]


def _technologies(text: str) -> list[tuple[str, list[int]]]:
    """ "1 13: title | …" -> [(title, [1, 13]), …]."""
    out = []
    for item in _items(text):
        scopes, title = item.split(":", 1)
        out.append((title.strip(), [int(n) for n in scopes.split()]))
    return out


# The Parties that host projects, with their weights (JI was mostly Ukraine and the Russian
# Federation); all meet para 21 (a), (b) and (d) in the reference data that ships with the product.
HOSTS = [
    (code, name, weight)
    for (code, name), weight in zip(
        _pairs(
            "UA Ukraine | RU Russian Federation | BG Bulgaria | CZ Czechia | PL Poland | RO Romania"
            "| LT Lithuania | HU Hungary | EE Estonia | DE Germany | FR France | LV Latvia"
            "| SK Slovakia | FI Finland | NZ New Zealand | SE Sweden | ES Spain | GR Greece"
            "| SI Slovenia | NO Norway | AT Austria | BE Belgium | DK Denmark | NL Netherlands"
            "| IT Italy | PT Portugal | IE Ireland"
            "| GB United Kingdom of Great Britain and Northern Ireland | CH Switzerland | JP Japan"
            "| AU Australia | IS Iceland | LU Luxembourg | LI Liechtenstein | MC Monaco"
        ),
        [300, 260, 60, 50, 50, 50, 40, 40, 30, 30, 30, 20, 20, 20, 20, 10, 10, 10, 10, 10]
        + [5] * 11
        + [3, 3, 2, 2],
        strict=True,
    )
]
# The Parties that buy: the other Parties involved, the home of foreign participants.
INVESTORS = "JP NL DK CH DE GB AT SE FI FR ES IT BE NO".split()
# JISC members' nationalities: Parties that neither host nor buy.
JISC = _pairs("BR Brazil | CN China | IN India | KE Kenya | MX Mexico | ZA South Africa")
# "CODE name" of the AIEs: the code is the AIE's country.
AIES = _pairs(
    "FR Bureau Veritas Certification Holding SAS | DE TÜV SÜD Industrie Service GmbH"
    "| NO Det Norske Veritas Certification AS | GB SGS United Kingdom Ltd"
    "| JP TÜV Rheinland Japan Ltd | DE TÜV NORD CERT GmbH"
    "| JP Japan Quality Assurance Organization | NL KPMG Sustainability B.V."
    "| JP Deloitte Tohmatsu Evaluation and Certification Organization"
    "| GB Lloyd's Register Quality Assurance Ltd"
    "| ES Spanish Association for Standardisation and Certification (AENOR)"
    "| ES LGAI Technological Center S.A. | DE Germanischer Lloyd Certification GmbH"
    "| GB ERM Certification and Verification Services Ltd | JP Japan Consulting Institute"
    "| CH Swiss Association for Quality and Management Systems (SQS)"
    "| LT Baltic Verification Bureau UAB | FI Nordic Carbon Assurance Oy"
    "| RO Danube Climate Certification S.R.L. | UA Carpathian Verification Services LLC"
    "| RU Volga Emission Audit OOO | CZ Central European Verification s.r.o."
    "| HU Pannonian Environmental Assessment Kft. | PL Vistula Carbon Audit Sp. z o.o."
    "| BG Thracian Certification AD | EE Amber Coast Verification OÜ"
    "| LV Daugava Assurance SIA | AT Alpine Emission Verification AG"
    "| NZ Southern Cross Carbon Assurance Ltd | DE Rhine Climate Audit GmbH"
)

# Towns of the host Parties, for titles and participants' names.
PLACE_TEXT = {
    "UA": "Kyiv | Kharkiv | Dnipro | Donetsk | Zaporizhzhia | Lviv | Odesa | Kryvyi Rih | Mariupol"
    "| Luhansk | Poltava | Vinnytsia | Zhytomyr | Rivne | Chernihiv | Mykolaiv | Kherson"
    "| Pavlohrad | Makiivka | Horlivka | Alchevsk | Avdiivka | Kremenchuk | Cherkasy | Sumy"
    "| Ivano-Frankivsk | Ternopil | Uzhhorod | Lutsk | Bila Tserkva",
    "RU": "Kemerovo | Novokuznetsk | Surgut | Nizhnevartovsk | Tyumen | Perm | Ufa | Kazan"
    "| Samara | Volgograd | Chelyabinsk | Magnitogorsk | Cherepovets | Lipetsk | Novosibirsk"
    "| Krasnoyarsk | Irkutsk | Omsk | Yekaterinburg | Norilsk | Arkhangelsk | Murmansk"
    "| Yaroslavl | Vorkuta | Orenburg | Saratov | Tomsk | Barnaul | Khabarovsk | Vladivostok",
    "BG": "Sofia | Plovdiv | Varna | Burgas | Ruse | Stara Zagora | Pleven | Sliven | Dobrich",
    "CZ": "Prague | Brno | Ostrava | Plzen | Liberec | Olomouc | Usti nad Labem | Karvina | Most",
    "PL": "Warsaw | Krakow | Lodz | Wroclaw | Poznan | Gdansk | Szczecin | Katowice | Rybnik",
    "RO": "Bucharest | Cluj-Napoca | Timisoara | Iasi | Constanta | Craiova | Brasov | Galati",
    "LT": "Vilnius | Kaunas | Klaipeda | Siauliai | Panevezys | Alytus | Mazeikiai | Jonava",
    "HU": "Budapest | Debrecen | Szeged | Miskolc | Pecs | Gyor | Nyiregyhaza | Kecskemet",
    "EE": "Tallinn | Tartu | Narva | Parnu | Kohtla-Jarve | Viljandi | Rakvere | Maardu",
    "DE": "Leipzig | Dresden | Chemnitz | Cottbus | Magdeburg | Rostock | Duisburg | Essen",
    "FR": "Lyon | Marseille | Toulouse | Lille | Dunkirk | Le Havre | Strasbourg | Rouen",
    "LV": "Riga | Daugavpils | Liepaja | Jelgava | Jurmala | Ventspils | Rezekne | Valmiera",
    "SK": "Bratislava | Kosice | Presov | Zilina | Nitra | Banska Bystrica | Trnava | Martin",
    "FI": "Helsinki | Espoo | Tampere | Turku | Oulu | Jyvaskyla | Lahti | Kuopio | Pori",
    "NZ": "Auckland | Wellington | Christchurch | Hamilton | Tauranga | Dunedin | Rotorua",
}
GENERIC_PLACES = _items("North | South | East | West | Central | Riverside | Lakeside | Harbour")
PLACES = {code: _items(text) for code, text in PLACE_TEXT.items()}
PLACE_TEXT_RU = {
    "RU": "Кемерово | Новокузнецк | Сургут | Нижневартовск | Тюмень | Пермь | Уфа | Казань"
    "| Самара | Волгоград | Челябинск | Магнитогорск | Череповец | Липецк | Новосибирск"
    "| Красноярск | Иркутск | Омск | Екатеринбург | Норильск | Архангельск | Мурманск"
    "| Ярославль | Воркута | Оренбург | Саратов | Томск | Барнаул",
    "UA": "Донецк | Харьков | Днепр | Запорожье | Львов | Одесса | Кривой Рог | Мариуполь"
    "| Луганск | Полтава | Винница | Житомир | Ровно | Чернигов | Николаев | Херсон"
    "| Павлоград | Макеевка | Горловка | Алчевск",
}
PLACES_RU = {code: _items(text) for code, text in PLACE_TEXT_RU.items()}

# "scopes: title" ({place} is a town of the host Party).
TECHNOLOGIES = _technologies(
    "13: Landfill gas capture and flaring at the {place} municipal landfill"
    "| 1 13: Landfill gas to power at {place}"
    "| 8 10: Coal mine methane utilisation at the {place} mine"
    "| 10: Associated petroleum gas utilisation at the {place} oil field"
    "| 5: Reduction of N2O emissions at the {place} nitric acid plant"
    "| 1: Wind farm near {place} | 1: Small hydro power plant on the river at {place}"
    "| 1: Biomass boiler house in {place} | 1 2: District heating modernisation in {place}"
    "| 3 9: Energy efficiency at the {place} steel works"
    "| 4: Switch from wet to dry cement process at {place}"
    "| 9 10: Coke oven gas utilisation at the {place} coke plant"
    "| 10: Reduction of leaks in the {place} gas distribution network"
    "| 13: Methane capture at the {place} wastewater treatment plant"
    "| 11: Reduction of SF6 emissions at the {place} substation"
    "| 1: Combined heat and power plant in {place}"
    "| 1: Fuel switch from coal to natural gas at the {place} power plant"
    "| 3 4: Waste heat recovery at the {place} glass works"
    "| 2: Rehabilitation of the {place} electricity grid"
    "| 14: Afforestation of degraded land near {place} | 15: Manure management at {place} pig farms"
    "| 1: Solar power plant at {place} | 1: Geothermal heating in {place}"
    "| 3: Energy-efficient street lighting in {place}"
    "| 10: Modernisation of the {place} gas compressor station"
    "| 10: Flare gas recovery at the {place} refinery"
    "| 3 6: Thermal insulation of public buildings in {place}"
    "| 9: Electric arc furnace modernisation at {place}"
    "| 9 11: PFC emission reduction at the {place} aluminium smelter"
    "| 13 15: Biogas plant at the {place} sugar factory | 7: Trolleybus fleet renewal in {place}"
    "| 7: Railway electrification near {place} | 9: Sinter plant waste heat recovery at {place}"
    "| 4: Oxy-fuel conversion of glass furnaces at {place}"
    "| 12: Solvent recovery at the {place} printing works"
    "| 8: Fuel switch at the {place} limestone quarry"
    "| 1 3: Boiler replacement at the {place} paper mill"
    "| 3: Heat pumps for the {place} water utility"
)
TECHNOLOGIES_RU = _technologies(
    "13: Утилизация свалочного газа на полигоне ТБО г. {place}"
    "| 8 10: Утилизация шахтного метана, г. {place}"
    "| 10: Утилизация попутного нефтяного газа, {place}"
    "| 5: Сокращение выбросов закиси азота на производстве азотной кислоты, г. {place}"
    "| 1 2: Модернизация системы централизованного теплоснабжения г. {place}"
    "| 1: Реконструкция котельной с переводом на биомассу, г. {place}"
    "| 9 10: Утилизация коксового газа на коксохимическом заводе, г. {place}"
    "| 3 9: Повышение энергоэффективности металлургического комбината, г. {place}"
    "| 4: Перевод цементного завода на сухой способ производства, г. {place}"
    "| 10: Снижение утечек природного газа в распределительных сетях г. {place}"
    "| 1: Строительство ветроэлектростанции вблизи г. {place}"
    "| 1: Когенерационная установка на ТЭЦ г. {place}"
    "| 13: Утилизация метана на очистных сооружениях г. {place}"
)
QUALIFIERS = ["", "", "", "", "", " (phase II)", " (phase III)", ", unit 2", " (extension)"]
QUALIFIERS_RU = ["", "", "", "", " (вторая очередь)", " (расширение)"]
METHODOLOGIES = "ACM0001 ACM0002 ACM0008 ACM0012 AM0009 AM0028 AM0034 AMS-I.D AMS-II.D".split()
MONITORING_APPROACHES = _items(
    "Continuous metering of gas flow and methane content; annual monitoring reports."
    "| Electricity delivered to the grid metered at the substation; quarterly readings."
    "| Fuel consumption from invoices and calibrated meters; monthly data, yearly reports."
    "| N2O measured by an automated monitoring system in the stack."
    "| Heat delivered metered at each substation; baseline fuel from the 2006 records."
)

# Participants' names: "<stem or town> <domain> [<extra>] <legal form of the country>".
STEMS = (
    "Nordic Baltic Carpathian Volga Danube Dnipro Pontic Boreal Alpine Polar Ural Siberian "
    "Donbas Caspian Northern Eastern Transcarpathian Pannonian Bohemian Silesian Moravian "
    "Thracian Balkan Aegean Adriatic Iberian Atlantic Kamchatka Sakhalin Taiga Steppe Tundra "
    "Amber Granite Cobalt Meridian Horizon Summit Evergreen Orion Vega Polaris Zenith Aurora "
    "Sarmatian Scythian Livonian Hanseatic Elbe Oder Vistula Neman Daugava Tisza Prut Dniester "
    "Don Kama Yenisei Lena Angara Amur Pechora Onega Ladoga Valdai"
).split()
DOMAINS = _items(
    "Energy | Carbon | Methane | Power | Heat | Gas | Renewables | Climate | Efficiency"
    "| Utilities | Steel | Chemicals | Waste Management | Environmental Investments | Capital"
    "| Resources | Bioenergy | Hydro | Wind | Coal | Oil and Gas | Cement | Fertilisers"
    "| Engineering | Grid | Thermal | Emission Reductions | Carbon Finance"
)
EXTRAS = ["", "", "", "", "Holding", "Group", "Trading", "Services", "Development", "Partners"]
LEGAL = {
    code: forms.split(";")
    for code, forms in _pairs(
        "UA LLC;PJSC;JSC | RU OOO;OAO;ZAO | DE GmbH;AG | JP Co., Ltd.;Corporation | NL B.V.;N.V."
        "| DK A/S;ApS | CH AG;SA | GB Ltd;plc | FR SAS;SA | SE AB | FI Oy;Oyj | NO AS;ASA"
        "| AT GmbH;AG | ES S.L.;S.A. | IT S.r.l.;S.p.A. | BE NV;SA | PL Sp. z o.o.;S.A."
        "| CZ s.r.o.;a.s. | SK s.r.o.;a.s. | BG EOOD;AD | RO S.R.L.;S.A. | LT UAB;AB | LV SIA;AS"
        "| EE OÜ;AS | HU Kft.;Zrt."
    )
}
LEGAL_RU = ["ООО", "АО", "ПАО"]
STEMS_RU = (
    "Северная Уральская Сибирская Волжская Донбасская Приднепровская Кузбасская Балтийская "
    "Восточная Южная Западная Центральная Полярная Таёжная Степная Приазовская Слобожанская"
).split()
DOMAINS_RU = _items(
    "энергетическая компания | генерирующая компания | угольная компания | газовая компания"
    "| тепловая компания | металлургическая компания | химическая компания | нефтяная компания"
    "| экологическая компания | сетевая компания"
)

# Commenters and what they ask.
FIRST_NAMES = (
    "Anna Maria Olena Iryna Natalia Katarzyna Eva Ingrid Sofia Laura Petra Julia Hanna Marta "
    "Elena Taras Andriy Dmitry Sergei Jan Piotr Tomas Lars Hiroshi Kenji Pieter Jonas Martin "
    "David Mikhail Viktor Oleg Pavel Luca Marco Jean Pierre Aino Rasa Ilze"
).split()
LAST_NAMES = _items(
    "Kovalenko | Shevchenko | Bondarenko | Melnyk | Petrov | Ivanova | Nowak | Kowalski | Novak"
    "| Svoboda | Nielsen | Jensen | Tanaka | Suzuki | de Vries | Jansen | Weber | Schmidt"
    "| Becker | Laurent | Martin | Dubois | Rossi | Bianchi | Garcia | Lopez | Virtanen"
    "| Korhonen | Kazlauskas | Berzins | Tamm | Horvath | Nagy | Popescu | Ionescu | Dimitrov"
    "| Georgieva | Andersson | Johansson"
)
NAMES_RU = _items(
    "Ирина Коваленко | Сергей Петров | Ольга Смирнова | Андрей Кузнецов | Наталья Попова"
    "| Дмитрий Соколов | Татьяна Лебедева | Алексей Новиков | Юлия Морозова | Михаил Волков"
    "| Елена Бондаренко | Тарас Мельник"
)
STAKEHOLDERS = _items(
    "Ecoclub Rivne | Green Ukraine | Bellona | CEE Bankwatch Network | Carbon Market Watch"
    "| Friends of the Earth | Local residents' association | Regional ecological council"
    "| Socio-Ecological Union | Climate Action Network Europe | Ecoaction | Arnika | Za Zemiata"
    "| Polish Ecological Club | Estonian Fund for Nature"
) + [""]
OBSERVERS = _items(
    "International Emissions Trading Association | Environmental Defense Fund | Öko-Institut"
    "| Stockholm Environment Institute | Institute for Global Environmental Strategies"
    "| Climate Markets and Investment Association"
)
QUESTIONS = _items(
    "How will the monitoring plan handle periods when the meters are out of service?"
    "| Please explain why the project is not the baseline scenario given current gas prices."
    "| Which emission factor of the grid is used, and from which year?"
    "| Is leakage from transporting the biomass accounted for?"
    "| How are the residents informed about construction noise and traffic?"
    "| The investment analysis uses a discount rate that seems high; please justify it."
    "| Will the flare be enclosed? Residents are worried about odour."
    "| How is double counting with the EU ETS avoided for this installation?"
    "| Please confirm the methane baseline against the official cadastre."
    "| What happens to the ERUs if the plant operates fewer hours than expected?"
    "| Was an environmental impact assessment carried out under national law?"
    "| The common practice analysis omits two similar plants in the region."
    "| How is the destruction efficiency of the flare monitored?"
    "| Please publish the spreadsheets behind the baseline calculation."
    "| Does the crediting period start before the approval of the host Party?"
)
QUESTIONS_RU = _items(
    "Как будет обеспечен мониторинг в периоды неисправности счётчиков?"
    "| Почему проект не является базовым сценарием при текущих ценах на газ?"
    "| Проводилась ли оценка воздействия на окружающую среду по национальному законодательству?"
    "| Как жители будут информированы о ходе строительства?"
)
ANSWERS = _items(
    "Missing data are replaced by the conservative default of the monitoring plan."
    "| See section B.2 of the PDD: the investment analysis is updated with 2009 prices."
    "| The grid factor of the host Party's 2008 study is used, as the PDD states in annex 2."
    "| Leakage is estimated conservatively and deducted; see section B.6."
    "| The participants hold public meetings before each stage of construction."
    "| The discount rate follows the central bank's long-term rate plus the sector premium."
    "| The EIA was approved by the regional authority; the approval is annexed to the PDD."
    "| The two plants use a different technology; the analysis is extended in version 2."
    "| Double counting is excluded: the installation is not covered by emissions trading."
    "| The flare is enclosed and its efficiency measured continuously, as the plan requires."
)
FINDINGS = {
    "approval": (True, "Letters of approval of the Parties involved were checked."),
    "additionality": (True, "The investment analysis shows the project is not the baseline."),
    "baseline_monitoring": (True, "Baseline and monitoring plan follow appendix B."),
    "environmental": (True, "The EIA under national law was reviewed; no significant impacts."),
}
NOT_ADDITIONAL = (False, "The project is common practice in the region; not additional.")
REVIEW_REASONS = {"additionality": "The investment analysis uses prices later tariffs overtook."}
WITHDRAWAL_REASONS = _items(
    "The project participants abandoned the project. | The financing of the project fell through."
    "| The plant was sold and the new owner does not pursue JI."
    "| The equipment supplier went out of business."
)
TERMINATION_REASONS = _items(
    "The crediting period has ended. | The plant was decommissioned."
    "| The participants ended the project after the last verification."
)

# Status weights (per thousand projects): most are final, as on the JI registry.
STATUS_WEIGHTS = [
    (S.FINAL, 600),
    (S.TERMINATED, 60),
    (S.REJECTED, 30),
    (S.WITHDRAWN, 50),
    (S.UNDER_REVIEW, 10),
    (S.DETERMINATION_PUBLISHED, 40),
    (S.DETERMINATION_SUBMITTED, 30),
    (S.COMMENTS_CLOSED, 40),
    (S.OPEN_FOR_COMMENTS, 50),
    (S.PDD_SUBMITTED, 20),
    (S.ENGAGED, 30),
    (S.DRAFT, 40),
]
# The status a withdrawn project was in when it was withdrawn.
WITHDRAWN_FROM = [
    (S.DRAFT, 15),
    (S.ENGAGED, 20),
    (S.PDD_SUBMITTED, 5),
    (S.OPEN_FOR_COMMENTS, 15),
    (S.COMMENTS_CLOSED, 20),
    (S.DETERMINATION_SUBMITTED, 15),
    (S.DETERMINATION_PUBLISHED, 10),
]
UNPUBLISHED = (S.DRAFT, S.ENGAGED, S.PDD_SUBMITTED)


def _weighted(rng: random.Random, pairs):
    values = [v for v, _ in pairs]
    weights = [w for _, w in pairs]
    return rng.choices(values, weights)[0]


def _between(rng: random.Random, first: date, last: date) -> date:
    """A day in [first, last]; ``first`` when the range is empty."""
    if last <= first:
        return first
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _skewed(rng: random.Random, first: date, last: date) -> date:
    """A day in [first, last], more of them recent (the registry grows)."""
    if last <= first:
        return first
    return first + timedelta(days=int((last - first).days * rng.random() ** 0.7))


def _at(day: date, rng: random.Random, first_hour: int = 8, last_hour: int = 17) -> datetime:
    return datetime.combine(
        day, time(rng.randint(first_hour, last_hour), rng.randint(0, 59)), tzinfo=UTC
    )


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _commitment_period(year: int) -> int | None:
    for period, (first, last) in CP_YEARS.items():
        if first <= year <= last:
            return period
    return None


def _generated_pdf() -> bytes:
    """One small valid PDF every generated document points at."""
    return one_page_pdf("jitrack generated registry: a benchmark document")


def _in(machine, status: str, **fields):
    """A new row of ``machine``'s model in ``status``, which its writer's table must know (the
    status a generated history reached; its events are written with it)."""
    return machine.model(**fields, **{machine.field: machine.initial(status)})


# --- reference data ------------------------------------------------------------------------------


@dataclass
class Reference:
    scopes: dict[int, SectoralScope]
    hosts: list[Party]
    host_weights: list[int]
    investors: list[Party]
    aies: list[Organisation]
    participants: dict[int, list[Organisation]]  # by country (Party pk)
    foreign: list[Organisation]
    dfp: dict[int, User]  # host Party pk -> its focal point
    jisc: list[User]
    pdf: dict  # file, sha256, size
    created: Tally = field(default_factory=Tally)


def _party(code: str, name: str, **flags) -> Party:
    party = Party.objects.filter(code=code).first()
    if party is None:
        if Party.objects.filter(name=name).exists():
            name = f"{name} ({code})"
        party = Party.objects.create(code=code, name=name, **flags)
    return party


def reference_data(opts: Options) -> Reference:
    """The reference rows the projects use, created where missing (scopes and Parties normally
    ship with the product: ``projects`` migration 0005)."""
    created: Tally = Tally()
    for number, name in enumerate(SectoralScope.NAMES, 1):
        _, new = SectoralScope.objects.get_or_create(number=number, defaults={"name": name})
        created["scopes"] += new
    scopes = {s.number: s for s in SectoralScope.objects.all()}
    track2 = {"kp_party": True, "assigned_amount_recorded": True, "national_registry": True}
    hosts, weights = [], []
    for code, name, weight in HOSTS:
        party = _party(code, name, **track2)
        if party.track2_eligible:  # a Party that lost its eligibility hosts nothing new
            hosts.append(party)
            weights.append(weight)
    by_code = {p.code: p for p in hosts}
    investors = [by_code[c] for c in INVESTORS if c in by_code]
    nationals = [_party(code, name, kp_party=True) for code, name in JISC]

    pdf = _generated_pdf()
    if not default_storage.exists(PDF_NAME):
        default_storage.save(PDF_NAME, ContentFile(pdf))
    pdf_info = {"file": PDF_NAME, "sha256": hashlib.sha256(pdf).hexdigest(), "size": len(pdf)}

    aies = []
    all_scopes = list(scopes.values())
    for i, (code, name) in enumerate(AIES):
        org, new = Organisation.objects.get_or_create(
            name=name,
            defaults={
                "kind": Organisation.Kind.AIE,
                "country": Party.objects.filter(code=code).first(),
                "email": f"ji-{i + 1:02d}@aie.example.org",
            },
        )
        if org.kind != Organisation.Kind.AIE:
            continue
        created["aies"] += new
        complete = True
        for function in Accreditation.Function.values:
            acc = Accreditation.objects.filter(aie=org, function=function).first()
            if acc is None:
                # Created accredited (the model's default status) in every scope, with the
                # public event the secretariat's act writes.
                acc = Accreditation.objects.create(
                    aie=org, function=function, reference=f"JI-E-{i + 1:04d}"
                )
                acc.scopes.set(all_scopes)
                Event.objects.create(
                    organisation=org,
                    kind=Event.Kind.ACCREDITATION_GRANTED,
                    actor_label=SECRETARIAT,
                    reason="Accredited by the JISC (generated registry).",
                    data={"aie": org.name, "function": function, "scopes": sorted(scopes)},
                    created_at=datetime(2005, 11, 1 + i % 28, 10, 0, tzinfo=UTC),
                )
            elif acc.status != Accreditation.Status.ACCREDITED or acc.scopes.count() < len(scopes):
                complete = False
        if complete:
            aies.append(org)
    if not aies:
        raise ValueError("no AIE accredited in every scope is available")

    participants = _participants(opts, hosts, weights, investors, created)
    by_country: dict[int, list[Organisation]] = {}
    for org in participants:
        by_country.setdefault(org.country_id, []).append(org)
    investor_ids = {p.pk for p in investors}
    foreign = [o for o in participants if o.country_id in investor_ids]

    unusable = make_password(None)
    dfp = {}
    for party in hosts:
        user, new = User.objects.get_or_create(
            username=f"registry-dfp-{party.code.lower()}",
            defaults={
                "role": User.Role.PARTY,
                "party": party,
                "password": unusable,
                "first_name": "Focal point",
                "last_name": party.name[:150],
                "email": f"dfp-{party.code.lower()}@example.org",
            },
        )
        created["users"] += new
        dfp[party.pk] = user
    jisc = []
    for i, party in enumerate(nationals, 1):
        user, new = User.objects.get_or_create(
            username=f"registry-jisc-{i}",
            defaults={
                "role": User.Role.JISC,
                "party": party,
                "password": unusable,
                "first_name": FIRST_NAMES[i * 3],
                "last_name": LAST_NAMES[i * 5],
                "email": f"jisc-{i}@example.org",
            },
        )
        created["users"] += new
        if new:
            JiscMember.objects.create(
                user=user,
                party=party,
                constituency=JiscMember.Constituency.NON_ANNEX_I,
                term_start=date(2006, 1, 1),
                term_end=date(opts.today.year + 2, 12, 31),
            )
        jisc.append(user)
    return Reference(
        scopes=scopes,
        hosts=hosts,
        host_weights=weights,
        investors=investors,
        aies=aies,
        participants=by_country,
        foreign=foreign or participants,
        dfp=dfp,
        jisc=jisc,
        pdf=pdf_info,
        created=created,
    )


def _participants(opts, hosts, weights, investors, created) -> list[Organisation]:
    """About N/4 participant organisations (at least 20): 70 % of host Parties, the rest of
    investor Parties; names from the word lists, some Russian and Ukrainian ones in Cyrillic. An
    organisation of the same name that exists already is used as it is."""
    rng = random.Random(f"{opts.seed}:organisations")  # nosec B311 # benchmark data repeatable from --seed, no secret
    wanted = max(20, opts.projects // 4)
    existing = {o.name: o for o in Organisation.objects.filter(kind=Organisation.Kind.PARTICIPANT)}
    taken = set(Organisation.objects.values_list("name", flat=True)) - set(existing)
    rows: list[Organisation] = []
    names: list[str] = []
    seen: set[str] = set()
    for n in range(wanted):
        party = rng.choices(hosts, weights)[0] if rng.random() < 0.7 else rng.choice(investors)
        name = _org_name(rng, party.code, n)
        while name in seen or name in taken:
            name = _org_name(rng, party.code, n, extra=True)
        seen.add(name)
        names.append(name)
        if name not in existing:
            rows.append(
                Organisation(
                    name=name,
                    kind=Organisation.Kind.PARTICIPANT,
                    country=party,
                    email=f"projects-{n + 1}@participant.example.org",
                )
            )
    Organisation.objects.bulk_create(rows, batch_size=2000)
    created["participants"] = len(rows)
    by_name = {o.name: o for o in Organisation.objects.filter(kind=Organisation.Kind.PARTICIPANT)}
    return [by_name[n] for n in names]


def _org_name(rng: random.Random, code: str, n: int, extra: bool = False) -> str:
    if code in PLACES_RU and rng.random() < 0.15:
        stem = rng.choice(STEMS_RU) if rng.random() < 0.5 else rng.choice(PLACES_RU[code])
        name = f"{rng.choice(LEGAL_RU)} «{stem} {rng.choice(DOMAINS_RU)}»"
        return f"{name} {n}" if extra else name
    places = PLACES.get(code, GENERIC_PLACES)
    stem = rng.choice(STEMS) if rng.random() < 0.6 else rng.choice(places)
    parts = [stem, rng.choice(DOMAINS), rng.choice(EXTRAS)]
    if extra:
        parts.append(rng.choice(["International", "Invest", "Consulting", "Management", str(n)]))
    legal = rng.choice(LEGAL.get(code, ["Ltd"]))
    return " ".join(p for p in (*parts, legal) if p)


# --- the skeleton: status and publication of every project -------------------------------------


@dataclass(slots=True)
class Plan:
    index: int  # draw order: seeds the project's own Random
    status: str
    stage: str  # the status it was withdrawn from; else its status
    pdd: date | None  # PDD made available (None: never published)
    minute: int  # publication minute after 08:00 (orders publications of one day)
    created: date | None = None  # creation day of a project never published
    long: bool = False
    showcase: bool = False  # a final project with an ERU issuance and an open verification
    reference: str | None = None


def skeleton(opts: Options) -> list[Plan]:
    """Every project's status and publication day, in order of publication (the projects never
    published last, by creation). The first twelve draws take every status once."""
    rng = random.Random(opts.seed)  # nosec B311 # benchmark data repeatable from --seed, no secret
    today = opts.today
    statuses = [s for s, _ in STATUS_WEIGHTS]
    plans = []
    for i in range(opts.projects):
        status = statuses[i] if i < len(statuses) else _weighted(rng, STATUS_WEIGHTS)
        stage = _weighted(rng, WITHDRAWN_FROM) if status == S.WITHDRAWN else status
        plan = Plan(i, status, stage, _pdd_day(rng, status, stage, today), rng.randint(0, 599))
        if plan.pdd is None:
            plan.created = today - timedelta(days=rng.randint(20, 400))
        plans.append(plan)
    finals = [p for p in plans if p.status == S.FINAL]
    for plan in rng.sample(finals, min(long_history_count(opts.projects), len(finals))):
        plan.long = True
        plan.pdd = _between(rng, FIRST_DAY, date(2008, 6, 30))
    showcase = next((p for p in finals if not p.long), None)
    if showcase is not None:
        showcase.showcase = True
        showcase.pdd = _between(rng, date(2006, 6, 1), date(2009, 6, 30))
    published = sorted((p for p in plans if p.pdd), key=lambda p: (p.pdd, p.minute, p.index))
    for number, plan in enumerate(published, 1):
        plan.reference = reference_of(number)
    unpublished = sorted((p for p in plans if not p.pdd), key=lambda p: (p.created, p.index))
    return published + unpublished


def _pdd_day(rng: random.Random, status: str, stage: str, today: date) -> date | None:
    """When the PDD was made available, so that what follows fits before ``today``."""

    def ago(fewest: int, most: int) -> date:
        return today - timedelta(days=rng.randint(fewest, most))

    if stage in UNPUBLISHED:
        return None
    if status == S.WITHDRAWN:
        return _skewed(rng, FIRST_DAY, today - timedelta(days=120))
    if stage == S.OPEN_FOR_COMMENTS:
        return ago(1, 28)  # the period ends after today
    if stage in (S.COMMENTS_CLOSED, S.DETERMINATION_SUBMITTED, S.UNDER_REVIEW):
        return ago(40, 400)
    if stage == S.DETERMINATION_PUBLISHED:
        return ago(40, 200)
    if stage == S.TERMINATED:
        return _skewed(rng, FIRST_DAY, today - timedelta(days=900))
    return _skewed(rng, FIRST_DAY, today - timedelta(days=120))


# --- one chunk of projects -----------------------------------------------------------------------


@dataclass
class Step:
    kind: str
    at: datetime
    label: str
    from_status: str = ""
    to_status: str = ""
    public: bool = True
    reason: str = ""
    data: dict | Callable[[], dict] = field(default_factory=dict)


class Chunk:
    """The rows of one chunk of projects, written together in dependency order."""

    def __init__(self):
        self.projects: list[Project] = []
        self.participants: list[tuple[Project, list[Organisation]]] = []
        self.scopes: list[tuple[Project, list[int]]] = []
        self.involved: list[tuple[Project, list[Party]]] = []
        self.rows: dict[type, list] = {
            model: []
            for model in (
                ExpectedReduction,
                Engagement,
                Document,
                LetterOfApproval,
                Determination,
                Comment,
                MonitoringReport,
                Verification,
                Review,
                ReviewRequest,
                ReviewTeamMember,
                EruIssuance,
                EruBlock,
                AauLedgerEntry,
            )
        }
        self.steps: list[tuple[Project, list[Step]]] = []

    def add(self, row) -> None:
        self.rows[type(row)].append(row)

    def write(self, params: int) -> int:
        """Insert everything, at most ``params`` values a statement; the number of events."""

        def batch(model) -> int:
            return max(1, min(5000, params // len(model._meta.concrete_fields)))

        Project.objects.bulk_create(self.projects, batch_size=batch(Project))
        for attr, pairs, target in (
            ("participants", self.participants, "organisation_id"),
            ("sectoral_scopes", self.scopes, "sectoralscope_id"),
            ("parties_involved", self.involved, "party_id"),
        ):
            through = getattr(Project, attr).through
            rows = [
                through(project_id=p.pk, **{target: getattr(o, "pk", o)})
                for p, targets in pairs
                for o in targets
            ]
            through.objects.bulk_create(rows, batch_size=batch(through))
        for model, rows in self.rows.items():
            model.objects.bulk_create(rows, batch_size=batch(model))
        events = [
            Event(
                project=project,
                kind=s.kind,
                from_status=s.from_status,
                to_status=s.to_status,
                actor_label=s.label,
                reason=s.reason,
                data=s.data() if callable(s.data) else s.data,
                public=s.public,
                created_at=s.at,
            )
            for project, steps in self.steps
            for s in steps
        ]
        Event.objects.bulk_create(events, batch_size=batch(Event))
        written = Project.objects.filter(pk__gte=self.projects[0].pk, pk__lte=self.projects[-1].pk)
        search.rebuild(written)  # the searched names: bulk writes send no signals
        # ``updated_at`` (auto_now) is the instant of the project's last event, not the run's.
        last = Event.objects.filter(project=OuterRef("pk")).order_by("-created_at", "-pk")
        written.update(updated_at=Subquery(last.values("created_at")[:1]))
        return len(events)


@dataclass
class Totals:
    events: int = 0
    comments: int = 0
    documents: int = 0
    verifications: int = 0
    issuances: int = 0
    reviews: int = 0
    windows: int = 0
    open_windows: int = 0
    recent_windows: int = 0
    by_status: Tally = field(default_factory=Tally)
    long: list[str] = field(default_factory=list)
    conversions: Tally = field(default_factory=Tally)  # (party pk, period) -> AAUs converted
    seconds: float = 0.0


class ProjectWriter:
    """Builds one project's rows and events from its plan and its own Random."""

    def __init__(self, opts: Options, ref: Reference, chunk: Chunk, totals: Totals, serials):
        self.opts = opts
        self.ref = ref
        self.chunk = chunk
        self.totals = totals
        self.serials = serials  # host Party pk -> next free ERU serial
        self.today = opts.today
        self.last = opts.today - timedelta(days=1)  # every act happened by yesterday

    # -- helpers --

    def window(self, closes_at: datetime) -> None:
        self.totals.windows += 1
        day = closes_at.date()
        if day > self.today:
            self.totals.open_windows += 1
        elif day >= self.today - timedelta(days=RECENT_DAYS):
            self.totals.recent_windows += 1

    def step(self, kind: str, at: datetime, label: str, **fields) -> Step:
        step = Step(kind, at, label, **fields)
        self.steps.append(step)
        self.last_at = max(self.last_at, at)
        return step

    def latest(self) -> datetime:
        """The instant of the project's latest event so far."""
        return self.last_at

    def document(self, kind: str, title: str, filename: str, at: datetime, **fields) -> Document:
        self.versions[kind] = self.versions.get(kind, 0) + 1
        doc = Document(
            project=self.project,
            kind=kind,
            title=title,
            file=self.ref.pdf["file"],
            filename=filename,
            sha256=self.ref.pdf["sha256"],
            size=self.ref.pdf["size"],
            version=self.versions[kind],
            uploaded_at=at,
            **fields,
        )
        self.chunk.add(doc)
        self.totals.documents += 1
        return doc

    # -- the project --

    def write(self, plan: Plan) -> None:
        rng = self.rng = random.Random(f"{self.opts.seed}:{plan.index}")  # nosec B311 # benchmark data repeatable from --seed, no secret
        self.plan = plan
        self.steps: list[Step] = []
        self.last_at = datetime.min.replace(tzinfo=UTC)
        self.versions: dict[str, int] = {}
        self.docs: list[Document] = []  # published with the PDD
        self.answers: list[tuple[Step, Comment]] = []
        self.published_at: datetime | None = None
        self.verifications = 0
        host = self.host = rng.choices(self.ref.hosts, self.ref.host_weights)[0]
        self.dfp_label = f"{host.name} (designated focal point)"
        title, scope_numbers, cyrillic = self.title(host)
        local = self.ref.participants.get(host.pk) or self.ref.foreign
        participants = [rng.choice(local)]
        for _ in range(rng.choices([0, 1, 2, 3], [35, 35, 20, 10])[0]):
            org = rng.choice(self.ref.foreign if rng.random() < 0.6 else local)
            if org not in participants:
                participants.append(org)
        self.pp_label = participants[0].name
        involved = []
        for _ in range(rng.choices([0, 1, 2], [30, 55, 15])[0]):
            party = rng.choice(self.ref.investors)
            if party != host and party not in involved:
                involved.append(party)
        self.aie = rng.choice(self.ref.aies)
        stage, withdrawn = plan.stage, plan.status == S.WITHDRAWN

        # Before publication: created, PDD uploaded, AIE engaged, approved, PDD submitted.
        if plan.pdd:
            submitted = plan.pdd - timedelta(days=rng.randint(1, 20))
            engaged = submitted - timedelta(days=rng.randint(3, 90))
            created = engaged - timedelta(days=rng.randint(5, 150))
        else:
            created = plan.created
            engaged = min(created + timedelta(days=rng.randint(1, 60)), self.last)
            submitted = min(engaged + timedelta(days=rng.randint(1, 60)), self.last)
        self.created_at = _at(created, rng, 8, 9)
        small = rng.random() < 0.15
        # 3,000 to 50,000 t a year for a small-scale project, 10,000 to 2,000,000 t otherwise
        annual = rng.randint(3_000, 50_000) if small else int(10 ** rng.uniform(4, 6.3))
        self.annual = annual
        first_year = (plan.pdd or created).year + rng.randint(0, 1)
        credit_start = date(max(ERU_START.year, first_year), 1, 1)
        if plan.long or plan.showcase:
            credit_start = ERU_START
        credit_end = date(credit_start.year + rng.choice([10, 14, 15, 20, 21]) - 1, 12, 31)
        # An active final project still reports: its crediting period runs past this year.
        self.active = plan.status == S.FINAL and (plan.long or plan.showcase or rng.random() < 0.8)
        if self.active and credit_end.year <= self.today.year:
            credit_end = date(self.today.year + rng.randint(1, 8), 12, 31)
        self.credit_start, self.credit_end = credit_start, credit_end
        expected = {}
        # the PDD's table of expected reductions: the first years of the crediting period
        listed = min(credit_end.year, credit_start.year + rng.choice([3, 4, 6, 9]))
        for year in range(credit_start.year, listed + 1):
            ramp = 0.5 if year == credit_start.year else 1.0
            expected[year] = max(1, int(annual * ramp * rng.uniform(0.9, 1.1)))
        small_type = rng.choice(["I", "II", "III"]) if small else ""
        figure = {
            "I": Decimal(rng.randint(500, 15_000)) / 1000,  # MW
            "II": Decimal(rng.randint(5_000, 60_000)) / 1000,  # GWh a year
            "III": Decimal(annual),  # t CO2e a year
        }.get(small_type)
        cdm = rng.random() < 0.3

        self.project = project = imported_project(
            status=plan.status,
            reference=plan.reference,
            title=title,
            host_party=host,
            small_scale=small,
            small_scale_type=small_type,
            small_scale_figure=figure,
            poa=rng.random() < 0.05,
            crediting_start=credit_start,
            crediting_end=credit_end,
            baseline_approach=(
                Project.Approach.CDM_METHODOLOGY if cdm else Project.Approach.JI_SPECIFIC
            ),
            methodology=rng.choice(METHODOLOGIES) if cdm else "",
            monitoring_approach=rng.choice(MONITORING_APPROACHES),
            expected_annual_reductions=average_tonnes(list(expected.values())),
            aie=self.aie if stage != S.DRAFT else None,
            created_at=self.created_at,
        )
        self.chunk.projects.append(project)
        self.chunk.participants.append((project, participants))
        self.chunk.scopes.append((project, scope_numbers))
        self.chunk.involved.append((project, involved))
        for year, tonnes in expected.items():
            self.chunk.add(ExpectedReduction(project=project, year=year, tonnes=tonnes))
        self.totals.by_status[plan.status] += 1

        self.step(
            "project_created", self.created_at, self.pp_label, to_status=S.DRAFT, public=False
        )
        pdd_at = min(_at(created + timedelta(days=rng.randint(0, 3)), rng), _at(engaged, rng, 7, 7))
        pdd_at = max(pdd_at, self.created_at + timedelta(minutes=5))
        self.upload("pdd", "Project design document", "pdd.pdf", pdd_at)
        extra_docs = rng.choices([0, 1, 2], [50, 35, 15])[0]
        if plan.long:
            extra_docs = max(0, self.opts.long_documents - 2 - 2 * self.opts.long_verifications)
        for n in range(extra_docs):
            kind = ["additionality", "baseline", "eia", "supporting"][n % 4]
            title_of = str(Document.Kind(kind).label)
            self.upload(kind, title_of, f"{kind}-{n + 1}.pdf", pdd_at + timedelta(minutes=n + 1))

        if stage == S.DRAFT:
            if withdrawn or rng.random() < 0.4:  # asked an AIE, waiting for its answer
                status = Engagement.Status.ENDED if withdrawn else Engagement.Status.PENDING
                asked = max(_at(engaged, rng), self.latest() + timedelta(minutes=5))
                self.engagement(status, asked, None)
            if withdrawn:
                self.withdraw(S.DRAFT, _between(rng, engaged, self.last))
            return self.finish()
        asked = _at(engaged - timedelta(days=rng.randint(1, 5)), rng)
        asked = max(asked, self.latest() + timedelta(minutes=5))
        accepted = max(_at(engaged, rng), asked + timedelta(hours=1))
        status = Engagement.Status.ENDED if withdrawn else Engagement.Status.ACCEPTED
        self.engagement(status, asked, accepted)
        approval = max(_at(_between(rng, engaged, submitted), rng), accepted + timedelta(minutes=5))
        self.approval(host, approval)
        # The other Parties involved approve before publication, some of them.
        for party in involved:
            if rng.random() < 0.6:
                day = _between(rng, engaged, submitted)
                self.approval(party, max(_at(day, rng), accepted + timedelta(minutes=10)))
        if stage == S.ENGAGED:
            if withdrawn:
                self.withdraw(S.ENGAGED, _between(rng, approval.date(), self.last))
            return self.finish()
        pdd_submitted = max(_at(submitted, rng), self.latest() + timedelta(minutes=5))
        self.step(
            "pdd_submitted",
            pdd_submitted,
            self.aie.name,
            from_status=S.ENGAGED,
            to_status=S.PDD_SUBMITTED,
            public=False,
        )
        if stage == S.PDD_SUBMITTED:
            if withdrawn:
                self.withdraw(S.PDD_SUBMITTED, _between(rng, submitted, self.last))
            return self.finish()
        self.published(plan, cyrillic)
        return self.finish()

    def title(self, host: Party) -> tuple[str, list[int], bool]:
        rng = self.rng
        if host.code in PLACES_RU and rng.random() < 0.2:
            template, scopes = rng.choice(TECHNOLOGIES_RU)
            place = rng.choice(PLACES_RU[host.code])
            return template.format(place=place) + rng.choice(QUALIFIERS_RU), list(scopes), True
        template, scopes = rng.choice(TECHNOLOGIES)
        place = rng.choice(PLACES.get(host.code, GENERIC_PLACES))
        scopes = list(scopes)
        if len(scopes) == 1 and rng.random() < 0.15:
            scopes.append(rng.choice([n for n in range(1, 16) if n != scopes[0]]))
        return template.format(place=place) + rng.choice(QUALIFIERS), scopes, False

    def upload(self, kind: str, title: str, filename: str, at: datetime) -> None:
        """The participants upload a document while the project is a draft."""
        confidential = kind == "supporting" and self.rng.random() < 0.3
        doc = self.document(kind, title, filename, at, confidential=confidential)
        if not confidential:
            self.docs.append(doc)
        self.step(
            "document_uploaded",
            at,
            self.pp_label,
            public=False,
            data=lambda: {"document_id": doc.pk, "kind": kind, "version": doc.version},
        )

    def engagement(self, status: str, asked: datetime, decided: datetime | None) -> None:
        aie = self.aie
        self.chunk.add(
            _in(
                ENGAGEMENT,
                status,
                project=self.project,
                aie=aie,
                requested_at=asked,
                decided_at=decided,
            )
        )
        self.step(
            "engagement_requested",
            asked,
            self.pp_label,
            public=False,
            data=lambda: {"aie_id": aie.pk, "aie": aie.name},
        )
        if decided is not None:
            self.step(
                "engagement_accepted",
                decided,
                aie.name,
                from_status=S.DRAFT,
                to_status=S.ENGAGED,
                public=False,
                data=lambda: {"aie_id": aie.pk},
            )

    def approval(self, party: Party, at: datetime) -> None:
        """The Party's focal point records its own letter (on record at once)."""
        issued = at.date() - timedelta(days=self.rng.randint(0, 30))
        self.chunk.add(
            LetterOfApproval(
                project=self.project,
                party=party,
                issued_on=issued,
                reference=f"{party.code}-LoA-{issued.year}-{self.plan.index + 1:06d}",
                recorded_at=at,
                confirmed_at=at,
            )
        )
        self.step(
            "approval_recorded",
            at,
            f"{party.name} (designated focal point)",
            public=self.published_at is not None,
            data={"party": party.code, "issued_on": issued.isoformat(), "confirmed": True},
        )

    def withdraw(self, from_status: str, day: date) -> None:
        at = max(_at(min(day, self.last), self.rng), self.latest() + timedelta(minutes=30))
        self.project.withdrawn_at = at
        self.step(
            "withdrawn",
            at,
            self.pp_label,
            from_status=from_status,
            to_status=S.WITHDRAWN,
            public=self.project.reference is not None,
            reason=self.rng.choice(WITHDRAWAL_REASONS),
        )

    def finish(self) -> None:
        if self.plan.long:
            self.pad(self.opts.long_events)
            self.totals.long.append(self.plan.reference)
        if self.last_at.date() > self.last:  # a bug: nothing happens today or later
            raise AssertionError(f"project {self.plan} has an event on {self.last_at}")
        # the clock's next act, now that the windows are known (``imported_project`` does it too)
        self.project.due_at = next_due(self.project)
        self.steps.sort(key=lambda s: s.at)
        self.chunk.steps.append((self.project, self.steps))
        self.totals.events += len(self.steps)

    def pad(self, target: int) -> None:
        """A long-history project's remaining events up to ``target``: the AIE revised half of
        its answers while the comments were discussed, and the participants updated the draft
        many times before the AIE was engaged."""
        rng = self.rng
        filed = next((s.at for s in self.steps if s.kind == "determination_submitted"), None)
        revisions = (target - len(self.steps)) // 2
        for answer, comment in self.answers:
            at = answer.at + timedelta(hours=1)
            if revisions <= 0 or filed is None or at >= filed:
                break
            comment.answer = f"{comment.answer} (Revised: see the updated annex.)"
            comment.answered_at = at
            self.step(
                "comment_answer_revised",
                at,
                self.aie.name,
                data=lambda c=comment, text=comment.answer: {"comment_id": c.pk, "answer": text},
            )
            revisions -= 1
        engaged = next(s.at for s in self.steps if s.kind == "engagement_accepted")
        span = int((engaged - self.created_at).total_seconds()) - 2
        for _ in range(target - len(self.steps)):
            at = self.created_at + timedelta(seconds=1 + rng.randint(0, span))
            self.step("project_updated", at, self.pp_label, public=False)

    # -- published: comments, determination, review, monitoring --

    def published(self, plan: Plan, cyrillic: bool) -> None:
        rng, project = self.rng, self.project
        pdd, stage = plan.pdd, plan.stage
        withdrawn = plan.status == S.WITHDRAWN
        self.published_at = datetime.combine(pdd, time(8, 0), tzinfo=UTC) + timedelta(
            minutes=plan.minute
        )
        closes = deadlines.comments_close_at(pdd)
        project.pdd_available_on = pdd
        project.comments_close_at = closes
        for doc in self.docs:
            doc.published_at = self.published_at
        self.step(
            "pdd_published",
            self.published_at,
            SECRETARIAT,
            from_status=S.PDD_SUBMITTED,
            to_status=S.OPEN_FOR_COMMENTS,
            data={
                "reference": plan.reference,
                "available_on": pdd.isoformat(),
                "comments_close_at": closes.isoformat(),
            },
        )
        self.window(closes)
        count = rng.choices([0, 1, 2, 3], [70, 15, 10, 5])[0]
        if plan.long:
            count = self.opts.long_comments
        if stage == S.OPEN_FOR_COMMENTS:
            if withdrawn:  # withdrawn before the period ended
                day = _between(rng, pdd, min(closes.date() - timedelta(days=1), self.last))
                until = datetime.combine(day, time(0), tzinfo=UTC)
                self.comments(count, until, answer_by=until, cyrillic=cyrillic)
                return self.withdraw(S.OPEN_FOR_COMMENTS, day)
            until = min(closes, _at(self.last, rng, 23, 23))
            self.comments(count, until, answer_by=until, cyrillic=cyrillic)
            return None
        # The determination is filed after the period, once every comment is answered; a
        # project withdrawn after the period is answered no more.
        filed = None if stage == S.COMMENTS_CLOSED else self.filing(plan, closes)
        answer_by = _at(filed[0], rng, 7, 7) if filed else _at(self.last, rng, 23, 23)
        if stage == S.COMMENTS_CLOSED and withdrawn:
            withdrawn_on = _between(rng, closes.date() + timedelta(days=1), self.last)
            answer_by = datetime.combine(withdrawn_on, time(0), tzinfo=UTC)
        comments = self.comments(
            count, closes, answer_by=answer_by, must_answer=filed is not None, cyrillic=cyrillic
        )
        self.step(
            "comments_closed",
            closes + timedelta(minutes=1),
            SYSTEM_LABEL,
            from_status=S.OPEN_FOR_COMMENTS,
            to_status=S.COMMENTS_CLOSED,
            data={"comments": len(comments)},
        )
        if stage == S.COMMENTS_CLOSED:
            if withdrawn:
                self.withdraw(S.COMMENTS_CLOSED, withdrawn_on)
            return None
        self.determination(plan, comments, filed)
        return None

    def filing(self, plan: Plan, closes: datetime) -> tuple[date, date | None]:
        """(the day the determination is filed, the day it is made available or None)."""
        rng, stage = self.rng, plan.stage
        first = closes.date() + timedelta(days=1)
        if stage == S.DETERMINATION_SUBMITTED:
            return _between(rng, first, min(first + timedelta(days=150), self.last)), None
        earliest = plan.pdd + timedelta(days=33)
        if stage == S.DETERMINATION_PUBLISHED and plan.status != S.WITHDRAWN:
            # in its 45-day period today
            day = _between(rng, max(self.today - timedelta(days=43), earliest), self.last)
        elif stage == S.UNDER_REVIEW:
            day = _between(
                rng, max(self.today - timedelta(days=150), earliest), self.today - timedelta(days=4)
            )
        else:  # the 45-day period ended by yesterday
            latest = self.today - timedelta(days=46)
            if plan.long or plan.showcase:
                latest = min(latest, plan.pdd + timedelta(days=120))
            day = _between(rng, earliest, min(plan.pdd + timedelta(days=420), latest))
        return max(first, day - timedelta(days=rng.randint(2, 30))), day

    def comments(
        self,
        count: int,
        until: datetime,
        *,
        answer_by: datetime,
        must_answer: bool = False,
        cyrillic: bool,
    ) -> list[Comment]:
        """``count`` comments received until ``until``; the AIE answers each within ten days
        when that is before ``answer_by`` (the day the determination is filed: then at the
        latest that morning)."""
        rng, project = self.rng, self.project
        start = self.published_at + timedelta(minutes=10)
        if count == 0 or until <= start:
            return []
        span = int((until - start).total_seconds())
        out = []
        for k in range(count):
            at = start + timedelta(seconds=rng.randint(0, span))
            category = rng.choices(["stakeholder", "party", "observer"], [70, 15, 15])[0]
            if cyrillic and rng.random() < 0.5:
                name, text = rng.choice(NAMES_RU), rng.choice(QUESTIONS_RU)
            else:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                name, text = f"{first} {last}", rng.choice(QUESTIONS)
            if category == "party":
                party = rng.choice([self.host, *self.ref.investors[:4]])
                affiliation = f"Ministry of the Environment, {party.name}"[:200]
            elif category == "observer":
                affiliation = rng.choice(OBSERVERS)
            else:
                affiliation = rng.choice(STAKEHOLDERS)
            comment = Comment(
                project=project,
                name=name,
                affiliation=affiliation,
                category=category,
                email=f"commenter-{self.plan.index + 1}-{k + 1}@example.org",
                text=text,
                submitted_at=at,
            )
            self.chunk.add(comment)
            out.append(comment)
            self.step(
                "comment_received",
                at,
                name,
                data=lambda c=comment, cat=category: {"comment_id": c.pk, "category": cat},
            )
            answered = at + timedelta(minutes=rng.randint(60, 14400))
            if answered >= answer_by:
                if not must_answer:
                    continue  # not answered (yet)
                answered = answer_by - timedelta(seconds=count - k)
            comment.answer = rng.choice(ANSWERS)
            comment.answered_at = answered
            step = self.step(
                "comment_answered",
                answered,
                self.aie.name,
                data=lambda c=comment, text=comment.answer: {"comment_id": c.pk, "answer": text},
            )
            self.answers.append((step, comment))
        self.totals.comments += len(out)
        return sorted(out, key=lambda c: c.submitted_at)

    def determination(self, plan: Plan, comments: list[Comment], filed) -> None:
        rng, project, aie = self.rng, self.project, self.aie
        filed_day, available = filed
        stage, status = plan.stage, plan.status
        # A review decided within ~6 months of a request made in the 45-day period.
        room = available is not None and available + timedelta(days=44 + 175) <= self.last
        negative = status == S.REJECTED and (rng.random() < 0.65 or not room)
        findings = dict(FINDINGS)
        if negative:
            findings["additionality"] = NOT_ADDITIONAL
        outcome = "negative" if negative else "positive"
        filed_at = max(_at(filed_day, rng, 8, 16), self.latest() + timedelta(minutes=5))
        report = self.document(
            "determination_report",
            "Determination report F-JI-DRep (1)",
            f"F-JI-DRep-{plan.reference}-1.pdf",
            filed_at,
        )
        det = dict(
            project=project,
            aie=aie,
            number=1,
            outcome=outcome,
            comments_summary=compile_comment_summary(comments),
            due_account="Each comment is answered in section E of the report." if comments else "",
            submitted_at=filed_at,
            report=report,
            **{f"{k}_met": met for k, (met, _) in findings.items()},
            **{f"{k}_reasons": reasons for k, (_, reasons) in findings.items()},
        )
        self.step(
            "determination_submitted",
            filed_at,
            aie.name,
            from_status=S.COMMENTS_CLOSED,
            to_status=S.DETERMINATION_SUBMITTED,
            data={"determination": 1, "outcome": outcome, "report_sha256": report.sha256},
        )
        if available is None:  # filed, not yet published
            if status == S.WITHDRAWN:
                self.withdraw(S.DETERMINATION_SUBMITTED, _between(rng, filed_day, self.last))
            self.chunk.add(
                _in(DETERMINATION, "withdrawn" if status == S.WITHDRAWN else "submitted", **det)
            )
            return
        published_at = max(_at(available, rng, 8, 10), filed_at + timedelta(hours=1))
        window_closes = deadlines.review_window_closes_at(available)
        report.published_at = published_at
        project.determination_available_on = available
        project.review_window_closes_at = window_closes
        det.update(available_on=available, review_window_closes_at=window_closes)
        self.step(
            "determination_published",
            published_at,
            SECRETARIAT,
            from_status=S.DETERMINATION_SUBMITTED,
            to_status=S.DETERMINATION_PUBLISHED,
            data={
                "determination": 1,
                "outcome": outcome,
                "available_on": available.isoformat(),
                "review_window_closes_at": window_closes.isoformat(),
            },
        )
        self.window(window_closes)
        if stage == S.DETERMINATION_PUBLISHED:
            if status == S.WITHDRAWN:
                last = min(window_closes.date() - timedelta(days=1), self.last)
                self.withdraw(S.DETERMINATION_PUBLISHED, _between(rng, available, last))
            self.chunk.add(
                _in(DETERMINATION, "withdrawn" if status == S.WITHDRAWN else "published", **det)
            )
            return
        reviewed = (
            status == S.UNDER_REVIEW
            or (status == S.REJECTED and not negative)
            or (status in (S.FINAL, S.TERMINATED) and room and rng.random() < 0.05)
        )
        if reviewed:
            self.review(plan, det, available, window_closes)
        else:  # para 35: final (or rejected) when the 45-day period ends without a review
            day = window_closes.date()
            project.final_on = det["final_on"] = day
            self.chunk.add(_in(DETERMINATION, "rejected" if negative else "final", **det))
            self.step(
                "determination_rejected" if negative else "determination_final",
                window_closes + timedelta(minutes=1),
                SYSTEM_LABEL,
                from_status=S.DETERMINATION_PUBLISHED,
                to_status=S.REJECTED if negative else S.FINAL,
                data={"determination": 1, "final_on": day.isoformat()},
            )
        if status in (S.FINAL, S.TERMINATED):
            self.monitoring(plan)

    def review(self, plan: Plan, det_fields: dict, available: date, closes: datetime) -> None:
        """A Party involved (the host) requests a review: it starts at once (para 35); the
        secretariat appoints two JISC members two days later; the JISC decides (final or
        rejected), or the review is still under way."""
        rng, project, host = self.rng, self.project, self.host
        last_request = min(closes.date(), self.last - timedelta(days=1))
        day = _between(rng, available + timedelta(days=1), last_request)
        requested = max(_at(day, rng, 9, 15), self.latest() + timedelta(minutes=5))
        due = review_deadlines.review_due("determination", requested)
        decided, decision = None, ""
        if plan.status != S.UNDER_REVIEW:
            decided_day = min(requested.date() + timedelta(days=rng.randint(60, 170)), self.last)
            decided = _at(decided_day, rng, 10, 16)
            decision = "rejected" if plan.status == S.REJECTED else "confirmed"
            project.final_on = det_fields["final_on"] = decided.date()
            det = _in(
                DETERMINATION, "final" if decision == "confirmed" else "rejected", **det_fields
            )
        else:
            det = _in(DETERMINATION, "under_review", **det_fields)
        self.chunk.add(det)
        appointed = requested + timedelta(days=2)
        team = appointed.date() <= self.last
        if decided is not None:
            review = _in(
                REVIEW,
                Review.Status.DECIDED,
                project=project,
                determination=det,
                requested_at=requested,
                due_at=due,
                recommendation=decision,
                report="The review team examined the request and the AIE's answers.",
                reported_at=decided - timedelta(days=rng.randint(5, 30)),
                decision=decision,
                decision_reasons="The JISC decided as the review team recommended.",
                decided_at=decided,
            )
        else:
            review = _in(
                REVIEW,
                Review.Status.IN_PROGRESS if team else Review.Status.REQUESTED,
                project=project,
                determination=det,
                requested_at=requested,
                due_at=due,
            )
        self.chunk.add(review)
        self.totals.reviews += 1
        self.chunk.add(
            ReviewRequest(
                project=project,
                determination=det,
                review=review,
                by=ReviewRequest.By.PARTY,
                requested_by=self.ref.dfp[host.pk],
                party=host,
                reasons=dict(REVIEW_REASONS),
                summary="The additionality of the project is not shown with current prices.",
                received_at=requested,
            )
        )
        self.step(
            "review_request_received",
            requested,
            host.name,
            data={"by": "party", "party": host.code, "jisc_member_requests": 0},
        )
        self.step(
            "review_started",
            requested + timedelta(seconds=1),
            SYSTEM_LABEL,
            from_status=S.DETERMINATION_PUBLISHED,
            to_status=S.UNDER_REVIEW,
            data={"parties": [host.code], "jisc_member_requests": 0, "due_at": due.isoformat()},
        )
        if team:
            lead, other = rng.sample(self.ref.jisc, 2)
            for user in (lead, other):
                self.chunk.add(
                    ReviewTeamMember(
                        review=review,
                        user=user,
                        lead=user is lead,
                        no_conflict_declared_at=appointed,
                        appointed_at=appointed,
                    )
                )
            self.step(
                "review_team_appointed", appointed, SECRETARIAT, data=lambda: {"review": review.pk}
            )
        if decided is not None:
            self.step(
                "review_decided",
                decided,
                SECRETARIAT,
                from_status=S.UNDER_REVIEW,
                to_status=S.FINAL if decision == "confirmed" else S.REJECTED,
                reason=review.decision_reasons,
                data=lambda: {"decision": decision, "meeting": None, "review": review.pk},
            )

    # -- monitoring, verification, issuance --

    def periods(self, plan: Plan) -> list[tuple[date, date]]:
        """The project's monitoring periods, oldest first. An active project reports on its
        latest periods, the last one ended in the last months: as many as the windows wanted
        (``Options.windows``), each 12 months divided by their number; some also reported once
        for each Kyoto commitment period before. The others reported for a few calendar years
        and stopped."""
        rng = self.rng
        first = max(ERU_START, self.credit_start)
        if not self.active:
            end_limit = min(self.credit_end, self.today - timedelta(days=400))
            out = []
            for year in range(first.year, first.year + rng.randint(1, 3)):
                start, end = max(first, date(year, 1, 1)), date(year, 12, 31)
                if end > end_limit:
                    break
                out.append((start, end))
            return out
        if plan.long:  # quarters (shorter when they do not fit), all final by today
            count, lag = self.opts.long_verifications, rng.randint(200, 260)
            room = (self.today.year - first.year) * 12 + self.today.month - first.month - 9
            months = max(1, min(3, room // count))
        else:
            # The projects' own windows give ~0.3 a project, the active final projects (~48 %
            # of all) the rest; 0.45 is measured, since some report less than planned (final
            # too recently, or their latest reports still waiting).
            mean = max(0.5, (self.opts.windows - 0.3) / 0.45)
            count = max(1, round(mean * rng.uniform(0.6, 1.4)))
            months = max(1, 12 // count)
            lag = 60 if plan.showcase else rng.randint(15, 75)
        end = _month_end(self.today - timedelta(days=lag + 31))
        recent = []
        for _ in range(count):
            start = _add_months(end, 1 - months)
            if start < first:
                break
            recent.append((start, end))
            end = start - timedelta(days=1)
        recent.reverse()
        begin = recent[0][0] if recent else self.today
        older = []
        if not plan.long and first.year <= 2012 and begin > date(2013, 1, 1):
            if plan.showcase or rng.random() < 0.3:
                older.append((first, date(2012, 12, 31)))
        second = max(first, date(2013, 1, 1))
        if not plan.long and second.year <= 2020 and begin > date(2021, 1, 1):
            if rng.random() < 0.3:
                older.append((second, date(2020, 12, 31)))
        return older + recent

    def monitoring(self, plan: Plan) -> None:
        """Para 36-39: each period's report, its verification, publication and 15-day window;
        the last ones may still be waiting or open today."""
        rng, project = self.rng, self.project
        final_day = project.final_on
        periods = self.periods(plan)
        previous = self.latest()  # reports follow one another; verifications may overlap
        for number, (start, end) in enumerate(periods, 1):
            showcase = plan.showcase and number == len(periods)  # its window is open today
            # those that report often are quick about it
            months = min(12, (end - start).days // 30 + 1)
            lag = 15 if showcase else rng.randint(10, 20 + 6 * months)
            day = max(end + timedelta(days=lag), final_day + timedelta(days=rng.randint(3, 30)))
            submitted = previous = max(_at(day, rng), previous + timedelta(hours=1))
            if submitted.date() > self.last:
                break
            verified_on = submitted.date() + timedelta(days=rng.randint(5, 10 + 3 * months))
            available = verified_on + timedelta(days=rng.randint(2, 7))
            if showcase:
                available = self.today - timedelta(days=rng.randint(1, 8))
                verified_on = min(verified_on, available - timedelta(days=2))
            if deadlines.last_day(available, deadlines.VERIFICATION_FINALITY_DAYS) == self.today:
                available -= timedelta(days=1)  # never due between now and the end of today
            self.verification(plan, number, (start, end), submitted, verified_on, available)
        if plan.status == S.TERMINATED:
            latest = self.latest()
            day = _between(rng, min(latest.date() + timedelta(days=30), self.last), self.last)
            at = max(_at(day, rng), latest + timedelta(hours=1))
            by_secretariat = self.credit_end < at.date()  # the crediting period has ended
            project.terminated_at = at
            self.step(
                "terminated",
                at,
                SECRETARIAT if by_secretariat else self.pp_label,
                from_status=S.FINAL,
                to_status=S.TERMINATED,
                reason=TERMINATION_REASONS[0]
                if by_secretariat
                else rng.choice(TERMINATION_REASONS[1:]),
            )

    def verification(
        self,
        plan: Plan,
        number: int,
        period: tuple[date, date],
        submitted: datetime,
        verified_on: date,
        available: date,
    ) -> None:
        rng, project, aie = self.rng, self.project, self.aie
        start, end = period
        claimed, verified = {}, {}
        for year in range(start.year, end.year + 1):
            first, last = max(start, date(year, 1, 1)), min(end, date(year, 12, 31))
            share = ((last - first).days + 1) / 365
            tonnes = max(1, int(self.annual * share * rng.uniform(0.7, 1.05)))
            claimed[str(year)] = tonnes
            verified[str(year)] = int(tonnes * rng.uniform(0.9, 1.0))
        mr_doc = self.document(
            "monitoring_report",
            f"Monitoring report {number} ({start:%d %b %Y}–{end:%d %b %Y})",
            f"monitoring-report-{number}.pdf",
            submitted,
            published_at=submitted,  # para 36: made public when submitted
        )
        report = dict(
            project=project,
            number=number,
            period_start=start,
            period_end=end,
            aie=aie,
            claimed=claimed,
            report=mr_doc,
            submitted_at=submitted,
        )
        self.step(
            "monitoring_report_submitted",
            submitted,
            self.pp_label,
            data={
                "number": number,
                "period_start": start.isoformat(),
                "period_end": end.isoformat(),
                "claimed": claimed,
                "aie": aie.name,
            },
        )
        if verified_on > self.last:
            self.chunk.add(_in(MONITORING, "submitted", **report))
            return
        self.verifications += 1
        ver_number = self.verifications
        ver_at = max(_at(verified_on, rng), submitted + timedelta(hours=1))
        total = sum(verified.values())
        ver_doc = self.document(
            "verification_report",
            f"Verification report F-JI-VRep ({ver_number})",
            f"F-JI-VRep-{plan.reference}-{ver_number}.pdf",
            ver_at,
        )
        ver = dict(
            project=project,
            number=ver_number,
            aie=aie,
            verified=verified,
            verified_total=total,
            findings="Meters calibrated; data checked against sales invoices.",
            conditions_hold=True,
            conditions_reasons="No change to the determined design.",
            no_overlap_declared=True,
            report=ver_doc,
            submitted_at=ver_at,
        )
        self.step(
            "verification_submitted",
            ver_at,
            aie.name,
            public=False,
            data={"verification": ver_number, "verified_total": total},
        )
        self.totals.verifications += 1
        if available > self.last:  # filed, not yet published
            mr = _in(MONITORING, "verified", **report)
            self.chunk.add(mr)
            self.chunk.add(_in(VERIFICATION, "submitted", monitoring_report=mr, **ver))
            return
        published_at = max(_at(available, rng, 8, 10), ver_at + timedelta(hours=1))
        closes = deadlines.period_end(available, deadlines.VERIFICATION_FINALITY_DAYS)
        ver_doc.published_at = published_at
        ver.update(available_on=available, review_window_closes_at=closes)
        self.step(
            "verification_published",
            published_at,
            SECRETARIAT,
            data={
                "verification": ver_number,
                "available_on": available.isoformat(),
                "review_window_closes_at": closes.isoformat(),
                "verified_total": total,
            },
        )
        self.window(closes)
        if closes.date() > self.last:  # open: the clock makes it final after today
            mr = _in(MONITORING, "verified", **report)
            self.chunk.add(mr)
            self.chunk.add(
                _in(VERIFICATION, "published", monitoring_report=mr, due_at=closes, **ver)
            )
            return
        final_on = closes.date()
        self.step(
            "verification_final",
            closes + timedelta(minutes=1),
            SYSTEM_LABEL,
            data={"verification": ver_number, "final_on": final_on.isoformat()},
        )
        mr = _in(MONITORING, "final", **report)
        self.chunk.add(mr)
        row = _in(VERIFICATION, "final", monitoring_report=mr, final_on=final_on, **ver)
        self.chunk.add(row)
        self.issue(plan, row, verified, closes)

    def issue(self, plan: Plan, ver: Verification, verified: dict, closes: datetime) -> None:
        """The host's focal point converts AAUs into ERUs for the reductions of 2008–2020
        (``determinations.issuance``), one block per commitment period."""
        rng, host = self.rng, self.host
        by_period: Tally = Tally()
        for year, tonnes in verified.items():
            period = _commitment_period(int(year))
            if period and tonnes:
                by_period[period] += tonnes
        if not by_period or not (plan.showcase or rng.random() < 0.85):
            return
        day = closes.date() + timedelta(days=rng.randint(10, 120))
        if day > self.last:
            return
        at = _at(day, rng)
        total = sum(by_period.values())
        dfp = self.ref.dfp[host.pk]
        issuance = EruIssuance(
            verification=ver, party=host, quantity=total, recorded_by=dfp, recorded_at=at
        )
        self.chunk.add(issuance)
        blocks = []
        for period, quantity in sorted(by_period.items()):
            first = self.serials.get(host.pk, 1)
            self.serials[host.pk] = first + quantity
            blocks.append([first, first + quantity - 1])
            self.chunk.add(
                EruBlock(
                    issuance=issuance,
                    originating_party=host,
                    serial_start=first,
                    serial_end=first + quantity - 1,
                    commitment_period=period,
                    project_identifier=f"JI-{plan.reference}",
                    account=f"{host.code} national registry",
                    created_at=at,
                )
            )
            self.chunk.add(
                AauLedgerEntry(
                    party=host,
                    commitment_period=period,
                    kind=AauLedgerEntry.Kind.CONVERSION,
                    quantity=-quantity,
                    note=f"Converted to ERUs for project {plan.reference}",
                    issuance=issuance,
                    recorded_by=dfp,
                    recorded_at=at,
                )
            )
            self.totals.conversions[(host.pk, period)] += quantity
        ver.erus_issued = total
        self.totals.issuances += 1
        self.step(
            "erus_issued",
            at,
            self.dfp_label,
            data={"verification": ver.number, "quantity": total, "blocks": blocks},
        )


# --- the run -------------------------------------------------------------------------------------


class NotEmpty(Exception):
    """The database already holds projects: nothing is written."""


def generate(opts: Options, say: Callable[[str], None]) -> Totals:
    """Write the registry into a database without projects (``NotEmpty`` otherwise, before
    anything is written), in one transaction; ``say`` hears of each chunk."""
    started = timer.monotonic()
    # PostgreSQL binds at most 65,535 values a statement; SQLite's limit Django applies itself.
    params = 60_000 if connection.vendor == "postgresql" else 30_000
    plans = skeleton(opts)
    totals = Totals()
    serials: dict[int, int] = {}
    with transaction.atomic():
        existing = Project.objects.count()
        if existing:
            raise NotEmpty(existing)
        ref = reference_data(opts)
        created = ", ".join(f"{n} {k}" for k, n in ref.created.items() if n)
        say(
            f"reference data: {len(ref.hosts)} host Parties, {len(ref.aies)} AIEs, "
            f"{sum(len(v) for v in ref.participants.values())} participants"
            + (f" (new: {created})" if created else "")
        )
        for first in range(0, len(plans), opts.chunk):
            chunk = Chunk()
            writer = ProjectWriter(opts, ref, chunk, totals, serials)
            for plan in plans[first : first + opts.chunk]:
                writer.write(plan)
            events = chunk.write(params)
            say(
                f"projects {first + 1}–{first + len(chunk.projects)} of {len(plans)}: "
                f"{events:,} events ({timer.monotonic() - started:.1f} s)"
            )
        _holdings(ref, totals)
        pagecache.invalidate()  # bulk writes send no signals
        counter, _ = Counter.objects.get_or_create(name="project_reference")
        published = sum(1 for p in plans if p.reference)
        if counter.value < published:
            counter.value = published
            counter.save(update_fields=["value"])
    if connection.vendor == "postgresql":
        # A bulk load leaves the planner's statistics behind: without them it plans for the
        # empty tables it last saw (autovacuum would catch up, later).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    totals.seconds = timer.monotonic() - started
    return totals


def _holdings(ref: Reference, totals: Totals) -> None:
    """Each host's focal point stated its AAU holding of each commitment period before the first
    conversion: the AAUs converted, rounded up to a million, and a million more."""
    first_day = {1: datetime(2008, 1, 15, 10, tzinfo=UTC), 2: datetime(2013, 7, 1, 10, tzinfo=UTC)}
    hosts = {p.pk: p for p in ref.hosts}
    rows = []
    for (party_pk, period), converted in sorted(totals.conversions.items()):
        stated = (converted // 1_000_000 + 2) * 1_000_000
        rows.append(
            AauLedgerEntry(
                party=hosts[party_pk],
                commitment_period=period,
                kind=AauLedgerEntry.Kind.HOLDING,
                quantity=stated,
                stated=stated,
                note="Holding stated by the focal point (generated registry)",
                recorded_by=ref.dfp[party_pk],
                recorded_at=first_day[period],
            )
        )
    AauLedgerEntry.objects.bulk_create(rows)
