"""REST API for fees: the determination fee record and its payment (ji-rules §5)."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from projects.api import ERRORS, load_project, responses, validated
from projects.errors import Forbidden, NotFound

from . import services
from .serializers import FeeSerializer, PaymentSerializer


@extend_schema(
    responses={200: FeeSerializer, **{k: ERRORS[k] for k in (401, 403, 404)}}, tags=["fees"]
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def determination_fee(request, key):
    """The determination fee (advance) of a project: for its participants and the secretariat."""
    project = load_project(request, key)
    if not request.user.has_perm("fees.view_fees", project):
        raise Forbidden("Fees are visible to the paying participants and the secretariat only.")
    fee = services.determination_fee_record(project)
    if fee is None:
        raise NotFound("No fee has been assessed for this project yet.", code="no_fee")
    return Response(FeeSerializer(fee).data)


@extend_schema(request=PaymentSerializer, responses=responses(200, FeeSerializer), tags=["fees"])
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def record_payment(request, key):
    """Secretariat: the determination fee was received in full."""
    project = load_project(request, key)
    data = validated(PaymentSerializer, request).validated_data
    fee = services.record_payment(request.user, project, reference=data["reference"])
    return Response(FeeSerializer(fee).data)
