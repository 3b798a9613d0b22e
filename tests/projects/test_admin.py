"""The admin loads every changelist, add page and change page, and never moves a status."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from projects.models import Event, Project, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_seeded(client, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    client.force_login(User.objects.get(username="admin"))
    return client


def test_admin_loads_every_changelist_add_and_change_page(admin_client_seeded):
    failures = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        changelist = admin_client_seeded.get(reverse(f"{name}_changelist"))
        if changelist.status_code != 200:
            failures.append(f"{name}_changelist: {changelist.status_code}")
        add = admin_client_seeded.get(reverse(f"{name}_add"))
        expected = 200 if model_admin.has_add_permission(add.wsgi_request) else 403
        if add.status_code != expected:
            failures.append(f"{name}_add: {add.status_code}, expected {expected}")
        obj = model._default_manager.first()
        if obj is not None:
            change = admin_client_seeded.get(reverse(f"{name}_change", args=[obj.pk]))
            if change.status_code != 200:
                failures.append(f"{name}_change: {change.status_code}")
    assert not failures
    assert len(admin.site._registry) >= 12


def test_admin_index_loads(admin_client_seeded):
    assert admin_client_seeded.get(reverse("admin:index")).status_code == 200


def test_admin_cannot_change_a_published_project(admin_client_seeded):
    project = Project.objects.get(status="open_for_comments")
    url = reverse("admin:projects_project_change", args=[project.pk])
    page = admin_client_seeded.get(url)
    assert 'name="status"' not in page.content.decode()
    admin_client_seeded.post(url, {"title": "Changed", "status": "final"})
    project.refresh_from_db()
    assert (project.title, project.status) == ("Landfill gas capture at Kyiv", "open_for_comments")


def test_admin_edit_of_a_draft_is_logged(admin_client_seeded):
    project = Project.objects.get(status="draft")
    url = reverse("admin:projects_project_change", args=[project.pk])
    page = admin_client_seeded.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["title"] = "Wind farm at Zaporizhzhia (revised)"
    for prefix, formset in (
        (fs.formset.prefix, fs.formset) for fs in page.context["inline_admin_formsets"]
    ):
        data[f"{prefix}-TOTAL_FORMS"] = formset.total_form_count()
        data[f"{prefix}-INITIAL_FORMS"] = formset.initial_form_count()
        for i, f in enumerate(formset.forms):
            data[f"{prefix}-{i}-id"] = f.instance.pk
            data[f"{prefix}-{i}-project"] = project.pk
    response = admin_client_seeded.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    project.refresh_from_db()
    assert project.title == "Wind farm at Zaporizhzhia (revised)"
    assert project.status == "draft"
    event = Event.objects.filter(project=project).last()
    assert (event.kind, event.data) == ("project_updated", {"via": "admin", "fields": ["title"]})


def test_admin_cannot_add_or_delete_events(admin_client_seeded):
    event = Event.objects.first()
    assert admin_client_seeded.get(reverse("admin:projects_event_add")).status_code == 403
    delete = reverse("admin:projects_event_delete", args=[event.pk])
    assert admin_client_seeded.post(delete, {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


def test_admin_books_no_payment_without_amount_date_and_reference(admin_client_seeded):
    """A payment states the amount, the date and the bank reference (ji-rules §7), so the admin
    has no bulk action that would book an invoice's balance."""
    project = Project.objects.get(status="determination_submitted")
    fee = project.fees.get()
    url = reverse("admin:fees_feeassessment_changelist")
    response = admin_client_seeded.get(url)
    assert "record_payment" not in response.content.decode()
    admin_client_seeded.post(
        url, {"action": "record_payment", "_selected_action": [fee.pk], "index": 0}
    )
    fee.refresh_from_db()
    assert fee.status == "due"
    assert not project.events.filter(kind="fee_paid").exists()


def test_a_staff_member_without_domain_rights_opens_the_admin(client, db):
    """Domain permissions (``projects.view_document`` …) asked without an object answer no
    rather than failing."""
    staff = UserFactory(username="clerk", role=User.Role.PARTICIPANT, is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/projects/document/").status_code == 403
