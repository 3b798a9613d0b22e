"""Reference data that ships with the product (issue 12): the 15 JI sectoral scopes and the
Parties to the UNFCCC with their para 21 eligibility (ji-rules §1, §2).

Idempotent: every row is written with ``update_or_create`` by its key (the scope's number, the
Party's ISO 3166-1 alpha-2 code), so running it on a database that already holds some of them
brings those rows to the values below and adds the missing ones; nothing is ever deleted.
Reversing it is a no-op (the rows stay: Parties and scopes are referenced by the record).

Later changes of a Party's eligibility are acts of the secretariat with a public event
(``projects.parties.change_eligibility``), not new migrations.

How the values were compiled
----------------------------
- ``annex_i``: Annex I of the Convention as amended (Malta since 2010, Cyprus since 2013).
  Kazakhstan is an Annex I Party for the purposes of the Kyoto Protocol only and is recorded
  False here.
- ``kp_party`` (para 21 (a)): the status of ratification of the Kyoto Protocol. Not Parties:
  the United States (signed, never ratified), Canada (withdrew with effect from 15 December
  2012), Andorra, South Sudan and the Holy See; the State of Palestine is recorded False
  (conservative: its accession is not confirmed here).
- (b)-(f): only for the Parties with a commitment inscribed in Annex B, as the UNFCCC JI
  website's list of the Parties' eligibility showed them in 2012. Where a Party's eligibility was
  before the enforcement branch of the Compliance Committee and its outcome is not confirmed
  here, the requirements in question are recorded False (conservative) and the source says so.
  Every other Party (no commitment in Annex B) has (b)-(f) False: para 21 does not apply to it.
- ``eligibility_source`` says, for every row, where its values come from.
"""

from django.db import migrations

SCOPES = [
    "Energy industries (renewable / non-renewable sources)",
    "Energy distribution",
    "Energy demand",
    "Manufacturing industries",
    "Chemical industry",
    "Construction",
    "Transport",
    "Mining/mineral production",
    "Metal production",
    "Fugitive emissions from fuels (solid, oil and gas)",
    "Fugitive emissions from production and consumption of halocarbons and SF6",
    "Solvent use",
    "Waste handling and disposal",
    "Afforestation and reforestation",
    "Agriculture",
]

FLAGS = (
    "kp_party",
    "assigned_amount_recorded",
    "national_system",
    "national_registry",
    "inventory_submitted",
    "supplementary_info",
)

JI_LIST = "UNFCCC JI website, eligibility of Parties (as of 2012)"
SUSPENDED = (
    JI_LIST + "; (c), (e), (f) recorded False (conservative): its eligibility was suspended by "
    "the enforcement branch of the Compliance Committee in 2011 and the reinstatement is not "
    "confirmed here"
)
NON_ANNEX_B = (
    "UNFCCC status of ratification (Convention, Kyoto Protocol); no commitment in Annex B, so "
    "para 21 (b)-(f) do not apply (recorded False)"
)
NOT_KP = (
    "UNFCCC status of ratification: not a Party to the Kyoto Protocol; para 21 does not apply "
    "(recorded False)"
)

ALL_SIX = (True, True, True, True, True, True)
TRACK2_ONLY = (True, True, False, True, False, False)  # (a), (b), (d): para 24
KP_ONLY = (True, False, False, False, False, False)
NONE = (False, False, False, False, False, False)

# Annex I Parties: code -> (flags (a)-(f), source). Those with a commitment in Annex B first.
ANNEX_I = {
    "AT": (ALL_SIX, JI_LIST),
    "AU": (ALL_SIX, JI_LIST),
    "BE": (ALL_SIX, JI_LIST),
    "BG": (
        ALL_SIX,
        JI_LIST + "; eligibility suspended by the enforcement branch in 2010 and reinstated in "
        "2011",
    ),
    "CH": (ALL_SIX, JI_LIST),
    "CZ": (ALL_SIX, JI_LIST),
    "DE": (ALL_SIX, JI_LIST),
    "DK": (ALL_SIX, JI_LIST),
    "EE": (ALL_SIX, JI_LIST),
    "ES": (ALL_SIX, JI_LIST),
    "EU": (ALL_SIX, JI_LIST),
    "FI": (ALL_SIX, JI_LIST),
    "FR": (ALL_SIX, JI_LIST),
    "GB": (ALL_SIX, JI_LIST),
    "GR": (
        ALL_SIX,
        JI_LIST + "; eligibility suspended by the enforcement branch in April 2008 and "
        "reinstated in November 2008",
    ),
    "HU": (ALL_SIX, JI_LIST),
    "IE": (ALL_SIX, JI_LIST),
    "IS": (ALL_SIX, JI_LIST),
    "IT": (ALL_SIX, JI_LIST),
    "JP": (ALL_SIX, JI_LIST),
    "LI": (ALL_SIX, JI_LIST),
    "LU": (ALL_SIX, JI_LIST),
    "LV": (ALL_SIX, JI_LIST),
    "MC": (ALL_SIX, JI_LIST),
    "NL": (ALL_SIX, JI_LIST),
    "NO": (ALL_SIX, JI_LIST),
    "NZ": (ALL_SIX, JI_LIST),
    "PL": (ALL_SIX, JI_LIST),
    "PT": (ALL_SIX, JI_LIST),
    "RU": (ALL_SIX, JI_LIST),
    "SE": (ALL_SIX, JI_LIST),
    "SI": (ALL_SIX, JI_LIST),
    "SK": (ALL_SIX, JI_LIST),
    "UA": (TRACK2_ONLY, SUSPENDED),
    "RO": (TRACK2_ONLY, SUSPENDED),
    "LT": (
        TRACK2_ONLY,
        JI_LIST + "; (c), (e), (f) recorded False (conservative): a question of implementation "
        "concerning Lithuania was before the enforcement branch in 2011 and its outcome is not "
        "confirmed here",
    ),
    "HR": (
        KP_ONLY,
        JI_LIST + "; (b)-(f) recorded False (conservative): the enforcement branch found in 2009 "
        "that Croatia's assigned amount was not calculated in accordance with Article 3, "
        "paragraphs 7 and 8; its later eligibility is not confirmed here",
    ),
    "CA": (
        (False, True, True, True, True, True),
        JI_LIST + "; withdrew from the Kyoto Protocol with effect from 15 December 2012, so "
        "(a) is recorded False; (b)-(f) as the list showed them before the withdrawal",
    ),
    # Annex I without a commitment inscribed in Annex B for the first commitment period.
    "US": (
        NONE,
        "UNFCCC status of ratification: signed, never ratified the Kyoto Protocol; para 21 does "
        "not apply (recorded False)",
    ),
    "BY": (
        KP_ONLY,
        "UNFCCC JI website: the amendment adding Belarus to Annex B (decision 10/CMP.2) has not "
        "entered into force; no assigned amount, so (b)-(f) are recorded False",
    ),
    "TR": (
        KP_ONLY,
        "UNFCCC status of ratification: Party to the Kyoto Protocol since 2009 without a "
        "commitment in Annex B; (b)-(f) recorded False",
    ),
    "MT": (
        KP_ONLY,
        "UNFCCC: Annex I Party since 2010, without a commitment in Annex B for the first "
        "commitment period; (b)-(f) recorded False",
    ),
    "CY": (
        KP_ONLY,
        "UNFCCC: Annex I Party since 2013, without a commitment in Annex B for the first "
        "commitment period; (b)-(f) recorded False",
    ),
}

# Not in Annex I of the Convention, with a source of its own.
OTHERS = {
    "KZ": (
        KP_ONLY,
        "UNFCCC status of ratification: Party to the Kyoto Protocol since 2009, an Annex I Party "
        "for the purposes of the Protocol only, without a commitment in Annex B; (b)-(f) "
        "recorded False",
    ),
}

# Not Parties to the Kyoto Protocol (besides the United States and Canada above).
NOT_KP_PARTIES = {
    "AD": NOT_KP,
    "SS": NOT_KP,
    "VA": NOT_KP,
    "PS": (
        "UNFCCC status of ratification; (a) recorded False (conservative): accession to the "
        "Kyoto Protocol not confirmed here; para 21 (b)-(f) do not apply (recorded False)"
    ),
}

# The Parties to the UNFCCC (197 States and the European Union, which uses the code ISO 3166
# reserves for it): code, name as the UNFCCC lists it.
PARTIES = [
    ("AF", "Afghanistan"),
    ("AL", "Albania"),
    ("DZ", "Algeria"),
    ("AD", "Andorra"),
    ("AO", "Angola"),
    ("AG", "Antigua and Barbuda"),
    ("AR", "Argentina"),
    ("AM", "Armenia"),
    ("AU", "Australia"),
    ("AT", "Austria"),
    ("AZ", "Azerbaijan"),
    ("BS", "Bahamas"),
    ("BH", "Bahrain"),
    ("BD", "Bangladesh"),
    ("BB", "Barbados"),
    ("BY", "Belarus"),
    ("BE", "Belgium"),
    ("BZ", "Belize"),
    ("BJ", "Benin"),
    ("BT", "Bhutan"),
    ("BO", "Bolivia (Plurinational State of)"),
    ("BA", "Bosnia and Herzegovina"),
    ("BW", "Botswana"),
    ("BR", "Brazil"),
    ("BN", "Brunei Darussalam"),
    ("BG", "Bulgaria"),
    ("BF", "Burkina Faso"),
    ("BI", "Burundi"),
    ("CV", "Cabo Verde"),
    ("KH", "Cambodia"),
    ("CM", "Cameroon"),
    ("CA", "Canada"),
    ("CF", "Central African Republic"),
    ("TD", "Chad"),
    ("CL", "Chile"),
    ("CN", "China"),
    ("CO", "Colombia"),
    ("KM", "Comoros"),
    ("CG", "Congo"),
    ("CK", "Cook Islands"),
    ("CR", "Costa Rica"),
    ("CI", "Côte d'Ivoire"),
    ("HR", "Croatia"),
    ("CU", "Cuba"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("KP", "Democratic People's Republic of Korea"),
    ("CD", "Democratic Republic of the Congo"),
    ("DK", "Denmark"),
    ("DJ", "Djibouti"),
    ("DM", "Dominica"),
    ("DO", "Dominican Republic"),
    ("EC", "Ecuador"),
    ("EG", "Egypt"),
    ("SV", "El Salvador"),
    ("GQ", "Equatorial Guinea"),
    ("ER", "Eritrea"),
    ("EE", "Estonia"),
    ("SZ", "Eswatini"),
    ("ET", "Ethiopia"),
    ("EU", "European Union"),
    ("FJ", "Fiji"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("GA", "Gabon"),
    ("GM", "Gambia"),
    ("GE", "Georgia"),
    ("DE", "Germany"),
    ("GH", "Ghana"),
    ("GR", "Greece"),
    ("GD", "Grenada"),
    ("GT", "Guatemala"),
    ("GN", "Guinea"),
    ("GW", "Guinea-Bissau"),
    ("GY", "Guyana"),
    ("HT", "Haiti"),
    ("VA", "Holy See"),
    ("HN", "Honduras"),
    ("HU", "Hungary"),
    ("IS", "Iceland"),
    ("IN", "India"),
    ("ID", "Indonesia"),
    ("IR", "Iran (Islamic Republic of)"),
    ("IQ", "Iraq"),
    ("IE", "Ireland"),
    ("IL", "Israel"),
    ("IT", "Italy"),
    ("JM", "Jamaica"),
    ("JP", "Japan"),
    ("JO", "Jordan"),
    ("KZ", "Kazakhstan"),
    ("KE", "Kenya"),
    ("KI", "Kiribati"),
    ("KW", "Kuwait"),
    ("KG", "Kyrgyzstan"),
    ("LA", "Lao People's Democratic Republic"),
    ("LV", "Latvia"),
    ("LB", "Lebanon"),
    ("LS", "Lesotho"),
    ("LR", "Liberia"),
    ("LY", "Libya"),
    ("LI", "Liechtenstein"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("MG", "Madagascar"),
    ("MW", "Malawi"),
    ("MY", "Malaysia"),
    ("MV", "Maldives"),
    ("ML", "Mali"),
    ("MT", "Malta"),
    ("MH", "Marshall Islands"),
    ("MR", "Mauritania"),
    ("MU", "Mauritius"),
    ("MX", "Mexico"),
    ("FM", "Micronesia (Federated States of)"),
    ("MC", "Monaco"),
    ("MN", "Mongolia"),
    ("ME", "Montenegro"),
    ("MA", "Morocco"),
    ("MZ", "Mozambique"),
    ("MM", "Myanmar"),
    ("NA", "Namibia"),
    ("NR", "Nauru"),
    ("NP", "Nepal"),
    ("NL", "Netherlands"),
    ("NZ", "New Zealand"),
    ("NI", "Nicaragua"),
    ("NE", "Niger"),
    ("NG", "Nigeria"),
    ("NU", "Niue"),
    ("MK", "North Macedonia"),
    ("NO", "Norway"),
    ("OM", "Oman"),
    ("PK", "Pakistan"),
    ("PW", "Palau"),
    ("PA", "Panama"),
    ("PG", "Papua New Guinea"),
    ("PY", "Paraguay"),
    ("PE", "Peru"),
    ("PH", "Philippines"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("QA", "Qatar"),
    ("KR", "Republic of Korea"),
    ("MD", "Republic of Moldova"),
    ("RO", "Romania"),
    ("RU", "Russian Federation"),
    ("RW", "Rwanda"),
    ("KN", "Saint Kitts and Nevis"),
    ("LC", "Saint Lucia"),
    ("VC", "Saint Vincent and the Grenadines"),
    ("WS", "Samoa"),
    ("SM", "San Marino"),
    ("ST", "Sao Tome and Principe"),
    ("SA", "Saudi Arabia"),
    ("SN", "Senegal"),
    ("RS", "Serbia"),
    ("SC", "Seychelles"),
    ("SL", "Sierra Leone"),
    ("SG", "Singapore"),
    ("SK", "Slovakia"),
    ("SI", "Slovenia"),
    ("SB", "Solomon Islands"),
    ("SO", "Somalia"),
    ("ZA", "South Africa"),
    ("SS", "South Sudan"),
    ("ES", "Spain"),
    ("LK", "Sri Lanka"),
    ("PS", "State of Palestine"),
    ("SD", "Sudan"),
    ("SR", "Suriname"),
    ("SE", "Sweden"),
    ("CH", "Switzerland"),
    ("SY", "Syrian Arab Republic"),
    ("TJ", "Tajikistan"),
    ("TH", "Thailand"),
    ("TL", "Timor-Leste"),
    ("TG", "Togo"),
    ("TO", "Tonga"),
    ("TT", "Trinidad and Tobago"),
    ("TN", "Tunisia"),
    ("TR", "Türkiye"),
    ("TM", "Turkmenistan"),
    ("TV", "Tuvalu"),
    ("UG", "Uganda"),
    ("UA", "Ukraine"),
    ("AE", "United Arab Emirates"),
    ("GB", "United Kingdom of Great Britain and Northern Ireland"),
    ("TZ", "United Republic of Tanzania"),
    ("US", "United States of America"),
    ("UY", "Uruguay"),
    ("UZ", "Uzbekistan"),
    ("VU", "Vanuatu"),
    ("VE", "Venezuela (Bolivarian Republic of)"),
    ("VN", "Viet Nam"),
    ("YE", "Yemen"),
    ("ZM", "Zambia"),
    ("ZW", "Zimbabwe"),
]


def party_rows():
    """(code, values) for every Party, values as the model's fields."""
    for code, name in PARTIES:
        if code in ANNEX_I:
            (flags, source), annex_i = ANNEX_I[code], True
        elif code in OTHERS:
            (flags, source), annex_i = OTHERS[code], False
        elif code in NOT_KP_PARTIES:
            flags, source, annex_i = NONE, NOT_KP_PARTIES[code], False
        else:
            flags, source, annex_i = KP_ONLY, NON_ANNEX_B, False
        yield code, {
            "name": name,
            "annex_i": annex_i,
            **dict(zip(FLAGS, flags, strict=True)),
            "eligibility_source": source,
        }


def load(apps, schema_editor):
    SectoralScope = apps.get_model("projects", "SectoralScope")
    Party = apps.get_model("projects", "Party")
    for number, name in enumerate(SCOPES, 1):
        SectoralScope.objects.update_or_create(number=number, defaults={"name": name})
    for code, values in party_rows():
        # Party.name is unique: a row of another code that already bears the name keeps it, and
        # this one keeps its own name (or, when new, is told apart by its code).
        if Party.objects.filter(name=values["name"]).exclude(code=code).exists():
            current = Party.objects.filter(code=code).values_list("name", flat=True).first()
            values = {**values, "name": current or f"{values['name']} ({code})"}
        Party.objects.update_or_create(code=code, defaults=values)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0004_documents_comments_approvals_termination"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop, elidable=False),
    ]
