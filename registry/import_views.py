"""The secretariat's page for importing projects from earlier records (issue 6)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jitrack.web import GET_POST, bind, refuse
from registry.importer import COLUMNS, TRACK_COLUMNS, ImportRejected, RowError, import_projects

MAX_UPLOAD = 10 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file (UTF-8)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=gettext_lazy("One project per row; a header row naming the columns below."),
    )


@login_required
@GET_POST
def import_page(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("projects.import_projects"):
        return refuse(request, _("Only the secretariat imports projects from earlier records."))
    form = bind(request, ImportForm)
    context = {
        "form": form,
        "columns": COLUMNS,
        "track_columns": TRACK_COLUMNS,
        "errors": None,
        "result": None,
    }
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_UPLOAD:
                    raise ImportRejected(
                        [
                            RowError(
                                0,
                                "",
                                _("the file is larger than %(value)s MB")
                                % {"value": MAX_UPLOAD // 2**20},
                            )
                        ]
                    )
                context["result"] = import_projects(upload.read())
                status = 200
            except ImportRejected as err:
                context["errors"] = err.errors
    return render(request, "projects/import.html", context, status=status)
