"""Secretariat pages for the JISC membership and the roster of experts."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from jitrack.web import GET_POST, bind, refuse
from projects.models import SectoralScope, User

from .models import Expert, JiscMember


class JiscMemberForm(forms.ModelForm):
    class Meta:
        model = JiscMember
        fields = [
            "user",
            "party",
            "seat",
            "constituency",
            "term_start",
            "term_end",
            "acting_for",
            "acting_from",
            "acting_until",
        ]
        widgets = {
            "term_start": forms.DateInput(attrs={"type": "date"}),
            "term_end": forms.DateInput(attrs={"type": "date"}),
            "acting_from": forms.DateInput(attrs={"type": "date"}),
            "acting_until": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {
            "user": gettext_lazy("User"),
            "party": gettext_lazy("Party"),
            "seat": gettext_lazy("Seat"),
            "constituency": gettext_lazy("Constituency"),
            "term_start": gettext_lazy("Term start"),
            "term_end": gettext_lazy("Term end"),
            "acting_for": gettext_lazy("Acting for"),
            "acting_from": gettext_lazy("Acting from"),
            "acting_until": gettext_lazy("Acting until"),
        }
        help_texts = {
            "acting_for": gettext_lazy(
                "The absent member this alternate acts for, from and until the dates below."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(role=User.Role.JISC)

    def clean(self):
        data = super().clean()
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", _("The term cannot end before it starts."))
        acting_for = data.get("acting_for")
        acting = (acting_for, data.get("acting_from"), data.get("acting_until"))
        if any(acting) and not all(acting):
            self.add_error("acting_for", _("Give the absent member and the first and last day."))
        elif acting_for is not None:
            if data.get("seat") != JiscMember.Seat.ALTERNATE:
                self.add_error("acting_for", _("Only an alternate acts for an absent member."))
            elif acting[2] < acting[1]:
                self.add_error("acting_until", _("The last day cannot be before the first."))
        return data


class ExpertForm(forms.ModelForm):
    class Meta:
        model = Expert
        fields = ["user", "scopes", "active"]
        widgets = {"scopes": forms.CheckboxSelectMultiple}
        labels = {
            "user": gettext_lazy("User"),
            "scopes": gettext_lazy("Sectoral scopes"),
            "active": gettext_lazy("Active"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(role=User.Role.EXPERT)
        self.fields["scopes"].queryset = SectoralScope.objects.all()


def _denied(request):
    return refuse(request, _("Only the secretariat manages the JISC and the roster of experts."))


def _allowed(user) -> bool:
    return user.has_perm("reviews.manage")


@login_required
@require_safe
def committee(request):
    if not _allowed(request.user):
        return _denied(request)
    members = JiscMember.objects.select_related("user", "party").order_by(
        "seat", "user__last_name", "term_start"
    )
    experts = (
        Expert.objects.select_related("user")
        .prefetch_related("scopes")
        .order_by("user__last_name", "user__username")
    )
    return render(
        request,
        "reviews/committee.html",
        {"members": members, "experts": experts, "today": timezone.localdate()},
    )


def _save(request, form, *, title, done, context=None):
    status = 200
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, done)
            return redirect("committee")
        status = 400
    return render(
        request,
        "reviews/committee_form.html",
        {"form": form, "title": title, **(context or {})},
        status=status,
    )


@login_required
@GET_POST
def member_new(request):
    if not _allowed(request.user):
        return _denied(request)
    form = bind(request, JiscMemberForm)
    return _save(request, form, title=_("Add a JISC member or alternate"), done=_("Member added."))


@login_required
@GET_POST
def member_edit(request, pk: int):
    if not _allowed(request.user):
        return _denied(request)
    member = get_object_or_404(JiscMember.objects.select_related("user"), pk=pk)
    form = bind(request, JiscMemberForm, instance=member)
    return _save(
        request,
        form,
        title=_("Edit the term of %(member)s") % {"member": member},
        done=_("Term saved."),
    )


@login_required
@GET_POST
def expert(request, pk: int | None = None):
    if not _allowed(request.user):
        return _denied(request)
    instance = (
        None if pk is None else get_object_or_404(Expert.objects.select_related("user"), pk=pk)
    )
    form = bind(request, ExpertForm, instance=instance)
    title = (
        _("Edit the expert %(instance)s") % {"instance": instance}
        if instance
        else _("Add an expert to the roster")
    )
    return _save(request, form, title=title, done=_("Expert saved."))
