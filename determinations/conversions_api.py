"""``GET /api/parties/{code}/conversions/``: a host Party's ERUs per calendar year by track, the
AAUs they consumed, and its assigned amount and reported emissions where recorded, with the
share of the ERUs the surplus accounts for (``determinations.conversions``, CONVERSIONS).
Decimals are exact and written as strings; a year has at most one row, so the list is short
(the years with ERUs or emissions recorded and those of a period whose assigned amount is)."""

import re

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from jitrack.api import ERRORS
from jitrack.errors import NotFound
from projects.models import Party

from . import conversions

PARTY_CODE = re.compile(r"[A-Za-z]{2}")


class Exact(serializers.DecimalField):
    """A decimal as exactly as it was computed: "1000000.5", "120000" (never an exponent)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=20, decimal_places=3, allow_null=True, **kwargs)

    def to_representation(self, value):
        return None if value is None else str(value)


def _percent(**kwargs):
    return serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True, coerce_to_string=True, **kwargs
    )


class ConversionYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    commitment_period = serializers.IntegerField(
        allow_null=True, help_text="1 (2008-2012), 2 (2013-2020) or null."
    )
    erus_track1 = serializers.IntegerField(help_text="ERUs for the year's reductions, Track 1.")
    erus_track2 = serializers.IntegerField(help_text="ERUs for the year's reductions, Track 2.")
    erus = serializers.IntegerField()
    aaus_converted = serializers.IntegerField(help_text="One AAU cancelled per ERU.")
    assigned_amount_annual = Exact(
        help_text="The period's assigned amount divided by its years; null if not recorded."
    )
    emissions = serializers.IntegerField(allow_null=True, help_text="Reported; null if not.")
    surplus = Exact(help_text="Annual share less emissions, at least 0; null without both.")
    erus_from_surplus = Exact(help_text="min(ERUs, surplus); null without both figures.")
    surplus_share_percent = _percent(
        help_text="ERUs from the surplus ÷ ERUs, per cent; null without both figures or ERUs."
    )


class ConversionPeriodSerializer(serializers.Serializer):
    commitment_period = serializers.IntegerField()
    first_year = serializers.IntegerField()
    last_year = serializers.IntegerField()
    assigned_amount = serializers.IntegerField(allow_null=True)
    assigned_amount_source = serializers.CharField(allow_blank=True)
    assigned_amount_annual = Exact()
    aaus_converted = serializers.IntegerField(help_text="The AAU ledger's conversions.")


class ConversionsSerializer(serializers.Serializer):
    party = serializers.CharField()
    name = serializers.CharField()
    erus_track1 = serializers.IntegerField()
    erus_track2 = serializers.IntegerField()
    erus = serializers.IntegerField()
    aaus_converted = serializers.IntegerField()
    erus_with_data = serializers.IntegerField(
        help_text="ERUs of the years whose assigned amount and emissions are both recorded."
    )
    erus_from_surplus = Exact()
    surplus_share_percent = _percent()
    commitment_periods = ConversionPeriodSerializer(many=True)
    years = ConversionYearSerializer(many=True)


def party_for(code: str) -> Party:
    """The Party by its ISO 3166-1 alpha-2 code (case-insensitive); else 404."""
    party = Party.objects.filter(code=code.upper()).first() if PARTY_CODE.fullmatch(code) else None
    if party is None:
        raise NotFound(f"No Party {code!r}.")
    return party


@extend_schema(responses={200: ConversionsSerializer, 404: ERRORS[404]}, tags=["issuance"], auth=[])
@api_view(["GET"])
@permission_classes([AllowAny])
def party_conversions(request, code):
    """Public: per calendar year, the ERUs the host Party issued under Track 1 and Track 2 (the
    year of the reductions they were issued for), the AAUs converted (one per ERU, 13/CMP.1 annex
    para 29), the annual share of its assigned amount (Kyoto Protocol Article 3, paragraphs 7 and
    8) and its reported emissions where recorded, the surplus and the ERUs it accounts for."""
    party = party_for(code)
    return Response(ConversionsSerializer(conversions.for_party(party).as_dict()).data)
