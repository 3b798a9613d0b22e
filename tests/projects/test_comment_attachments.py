"""A public comment may carry a PDF ([our reading] ji-rules §7 "Public comments": 20,000
characters, with PDF attachments): published with the comment, hidden with it when the
secretariat removes it, refused when it is not a PDF — and a refusal keeps nothing."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jitrack.errors import Invalid
from projects import workflow as wf
from projects.models import Comment
from tests.factories import pdf_bytes, pdf_upload
from tests.support import assert_error, html

pytestmark = pytest.mark.django_db

BODY = {
    "name": "Olena",
    "affiliation": "Ecoclub",
    "category": "stakeholder",
    "email": "olena@example.org",
    "text": "Our submission is attached.",
}


def test_the_attachment_is_public_with_the_comment_and_gone_with_it(client, cycle, secretariat):
    project = cycle.open()
    content = pdf_bytes("submission")
    comment = wf.add_comment(
        project, **BODY, attachment=SimpleUploadedFile("submission.pdf", content)
    )
    assert (comment.attachment_name, comment.attachment_size) == ("submission.pdf", len(content))
    assert comment.attachment_sha256 == hashlib.sha256(content).hexdigest()
    page = html(client.get(f"/projects/{project.key}/"))
    assert "Attachment: submission.pdf (PDF," in page
    response = client.get(f"/comments/{comment.pk}/attachment/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == content
    wf.remove_comment(secretariat, comment, "Abusive attachment.")
    assert client.get(f"/comments/{comment.pk}/attachment/").status_code == 404
    assert "submission.pdf" not in html(client.get(f"/projects/{project.key}/"))
    assert Comment.objects.get(pk=comment.pk).attachment  # kept, nothing accepted is lost
    for pk in (0, 999999, 2**70):
        assert client.get(f"/comments/{pk}/attachment/").status_code == 404


def test_a_comment_without_an_attachment_has_none(client, cycle):
    comment = wf.add_comment(cycle.open(), **BODY)
    assert comment.attachment_sha256 == ""
    assert client.get(f"/comments/{comment.pk}/attachment/").status_code == 404


def test_a_non_pdf_attachment_is_refused_and_nothing_is_kept(client, cycle):
    project = cycle.open()
    with pytest.raises(Invalid) as refused:
        wf.add_comment(
            project, **BODY, attachment=SimpleUploadedFile("x.pdf", b"MZ not a pdf at all")
        )
    assert (refused.value.code, refused.value.field) == ("not_a_pdf", "attachment")
    response = client.post(
        f"/projects/{project.key}/comments/",
        {**BODY, "attachment": SimpleUploadedFile("x.pdf", b"GIF89a")},
    )
    assert response.status_code == 400
    assert "The file is not a PDF." in html(response)
    assert not Comment.objects.exists()


def test_the_web_form_and_the_api_take_an_attachment(client, anon, cycle):
    project = cycle.open()
    response = client.post(
        f"/projects/{project.key}/comments/", {**BODY, "attachment": pdf_upload("long.pdf")}
    )
    assert response.status_code == 302
    assert Comment.objects.get().attachment_name == "long.pdf"
    r = anon.post(
        f"/api/projects/{project.key}/comments/",
        {**BODY, "attachment": pdf_upload("api.pdf")},
        format="multipart",
    )
    assert r.status_code == 201, r.content
    url = r.json()["attachment_url"]
    assert url.endswith(f"/comments/{r.json()['id']}/attachment/")
    detail = anon.get(f"/api/projects/{project.key}/").json()
    assert [c["attachment_url"] for c in detail["comments"]][-1] == url
    bad = anon.post(
        f"/api/projects/{project.key}/comments/",
        {**BODY, "attachment": SimpleUploadedFile("a.pdf", b"plain text")},
        format="multipart",
    )
    assert_error(bad, 400, "not_a_pdf", "attachment")
    assert Comment.objects.count() == 2
