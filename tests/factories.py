"""Factories for tests. The reference data (scopes, Parties) ships with the product as a data
migration; ``make_scopes`` and ``PartyFactory`` find its rows (and add them where a test
emptied the database)."""

import datetime as dt

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from jitrack.files import one_page_pdf
from projects.models import (
    Accreditation,
    Organisation,
    Party,
    Project,
    SectoralScope,
    User,
)

SCOPE_NAMES = SectoralScope.NAMES


def make_scopes():
    for i, name in enumerate(SCOPE_NAMES, 1):
        SectoralScope.objects.get_or_create(number=i, defaults={"name": name})


def pdf_bytes(text: str = "jitrack test") -> bytes:
    """A small valid PDF showing ``text`` (uploads are parsed: ``jitrack.files``)."""
    return one_page_pdf(text)


def pdf_upload(name: str = "pdd.pdf", text: str = "jitrack test") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


class PartyFactory(factory.django.DjangoModelFactory):
    """A Party with exactly the name and para 21 requirements the test gives (the defaults:
    (a), (b) and (d), a Track 2 host that cannot use Track 1). The Parties ship with the
    product (``projects`` migration 0005), so the row of a real code usually exists: it is found
    by its code and brought to these values, whatever the reference data says."""

    class Meta:
        model = Party
        django_get_or_create = ("code",)

    @classmethod
    def _get_or_create(cls, model_class, *args, **kwargs):
        party = super()._get_or_create(model_class, *args, **kwargs)
        changed = [name for name, value in kwargs.items() if getattr(party, name) != value]
        if changed:
            for name in changed:
                setattr(party, name, kwargs[name])
            party.save(update_fields=changed)
        return party

    code = factory.Sequence(lambda n: f"{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    name = factory.LazyAttribute(lambda o: f"Party {o.code}")
    kp_party = True
    assigned_amount_recorded = True
    national_system = False
    national_registry = True
    inventory_submitted = False
    supplementary_info = False


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Participant Ltd {n}")
    kind = Organisation.Kind.PARTICIPANT


class AIEFactory(OrganisationFactory):
    class Meta:
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Verifier AIE {n}")
    kind = Organisation.Kind.AIE

    @factory.post_generation
    def accredited(self, create, extracted, **kwargs):
        """``accredited=[scope numbers]`` (default all 15) for determination and verification."""
        if not create:
            return
        numbers = extracted if extracted is not None else list(range(1, 16))
        make_scopes()
        for function in (Accreditation.Function.DETERMINATION, Accreditation.Function.VERIFICATION):
            acc = Accreditation.objects.create(aie=self, function=function)
            acc.scopes.set(SectoralScope.objects.filter(number__in=numbers))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "demo")
    role = User.Role.PARTICIPANT

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


def project_data(host: Party, scopes=(1,), **overrides) -> dict:
    make_scopes()
    data = {
        "title": "Landfill gas capture at Kyiv",
        "host_party": host,
        "parties_involved": [],
        "participants": [],
        "sectoral_scopes": list(SectoralScope.objects.filter(number__in=scopes)),
        "small_scale": False,
        "poa": False,
        "crediting_start": dt.date(2008, 1, 1),
        "crediting_end": dt.date(2012, 12, 31),
        "baseline_approach": Project.Approach.JI_SPECIFIC,
        "methodology": "",
        "monitoring_approach": "Metered gas flow and methane content.",
        "expected": {2008: 40000, 2009: 50000, 2010: 60000},
    }
    data.update(overrides)
    if data["small_scale"] and "small_scale_type" not in overrides:
        # A type I claim (renewable output capacity) limits no reductions figure.
        data.update(small_scale_type=Project.SmallScaleType.RENEWABLE, small_scale_figure=10)
    return data
