"""Wagtail admin screens for importing and exporting the catalog.

``/admin/catalog-import/``: choose a sheet (agencies, sectors, procedures),
upload an .xlsx/.csv file, read the dry-run report (every row's change and
every row error with its spreadsheet row number), then confirm. Export
buttons give each sheet back in the same layout.

The uploaded file is kept in the private storage (default storage if none is
configured) under a random name; the name is known only to the uploader's
session, so nobody else can preview or confirm it. The work is done by
``catalog.services``; these views only handle the request, the session and
the permissions (add + change on the model to import, view or change to
export). A confirmed import runs in the background (``catalog.import_runs``):
the run page shows its progress, then its result.
"""

import time
import uuid

from django import forms
from django.core.files.base import ContentFile
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from catalog.import_runs import import_run_progress, import_run_start, upload_storage
from catalog.models import ImportRun
from catalog.resources import RESOURCES
from catalog.services import (
    CONTENT_TYPES,
    FILE_FORMATS,
    MODEL_LABELS,
    catalog_export,
    catalog_import,
    export_filename,
    format_from_filename,
)
from portal.core.formatting import format_datetime
from portal.core.uploads import validate_upload

SESSION_KEY = "catalog_import_uploads"
UPLOAD_DIR = "catalog-import"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_PENDING_UPLOADS = 5
PENDING_UPLOAD_SECONDS = 24 * 3600


# ---------------------------------------------------------------------------
# Permissions and storage
# ---------------------------------------------------------------------------


def _perm(model_key, action):
    opts = RESOURCES[model_key]._meta.model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def can_import(user, model_key):
    return user.has_perms([_perm(model_key, "add"), _perm(model_key, "change")])


def can_export(user, model_key):
    return user.has_perm(_perm(model_key, "view")) or user.has_perm(_perm(model_key, "change"))


def importable_keys(user):
    return [key for key in RESOURCES if can_import(user, key)]


def exportable_keys(user):
    return [key for key in RESOURCES if can_export(user, key)]


# ---------------------------------------------------------------------------
# Pending uploads, bound to the session
# ---------------------------------------------------------------------------


def _pending(request):
    return request.session.setdefault(SESSION_KEY, {})


def _discard(request, token):
    entry = _pending(request).pop(token, None)
    request.session.modified = True
    if entry:
        try:
            upload_storage().delete(entry["path"])
        except OSError:
            pass


def _prune(request):
    pending = _pending(request)
    now = time.time()
    by_age = sorted(pending.items(), key=lambda item: item[1].get("created", 0), reverse=True)
    for index, (token, entry) in enumerate(by_age):
        if index >= MAX_PENDING_UPLOADS - 1 or now - entry.get("created", 0) > PENDING_UPLOAD_SECONDS:
            _discard(request, token)


def _get_upload(request, token):
    entry = _pending(request).get(str(token))
    if not entry or entry.get("user_id") != request.user.pk:
        raise Http404
    return entry


# ---------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------


class UploadForm(forms.Form):
    model_key = forms.ChoiceField(label=gettext_lazy("What to import"), widget=forms.RadioSelect)
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("Excel workbook (.xlsx) or CSV saved as UTF-8, in the layout of the export."),
    )

    def __init__(self, *args, model_keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model_key"].choices = [(key, MODEL_LABELS[key]) for key in model_keys]
        if len(model_keys) == 1:
            self.fields["model_key"].initial = model_keys[0]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if format_from_filename(upload.name) is None:
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(size)s MB).") % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        if format_from_filename(upload.name) == "xlsx":
            validate_upload(upload)  # a real workbook, not a "zip bomb" for the spreadsheet reader
        return upload


class CatalogImportView(View):
    viewset = None
    template_name = None
    page_title = gettext_lazy("Catalog import and export")

    def url(self, name, *args):
        return reverse(self.viewset.get_url_name(name), args=args)

    def forbidden(self):
        return TemplateResponse(
            self.request, "catalog/admin/forbidden.html", self.context(page_title=_("Permission denied")), status=403
        )

    def context(self, **kwargs):
        title = kwargs.pop("page_title", self.page_title)
        return {
            "view": self,
            "page_title": title,
            "header_title": title,
            "header_icon": self.viewset.icon,
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": self.url("index"), "label": self.page_title},
                *kwargs.pop("extra_breadcrumbs", []),
            ],
            "index_url": self.url("index"),
            **kwargs,
        }

    def render(self, template_name, status=200, **kwargs):
        return TemplateResponse(self.request, template_name, self.context(**kwargs), status=status)


class IndexView(CatalogImportView):
    def dispatch(self, request, *args, **kwargs):
        self.import_keys = importable_keys(request.user)
        self.export_keys = exportable_keys(request.user)
        if not self.import_keys and not self.export_keys:
            return self.forbidden()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render_index(UploadForm(model_keys=self.import_keys))

    def post(self, request):
        model_key = request.POST.get("model_key")
        if model_key in RESOURCES and model_key not in self.import_keys:
            return self.forbidden()
        form = UploadForm(request.POST, request.FILES, model_keys=self.import_keys)
        if not form.is_valid():
            return self.render_index(form)
        upload = form.cleaned_data["file"]
        file_format = format_from_filename(upload.name)
        token = str(uuid.uuid4())
        _prune(request)
        stored = upload_storage().save(f"{UPLOAD_DIR}/{token}.{file_format}", ContentFile(upload.read()))
        _pending(request)[token] = {
            "path": stored,
            "model_key": form.cleaned_data["model_key"],
            "file_format": file_format,
            "filename": upload.name,
            "user_id": request.user.pk,
            "created": time.time(),
            "dry_run_ok": False,
        }
        request.session.modified = True
        return redirect(self.url("preview", token))

    def render_index(self, form):
        layouts = [
            {
                "key": key,
                "label": MODEL_LABELS[key],
                "columns": RESOURCES[key].columns.ORDER,
                "required": RESOURCES[key].columns.REQUIRED,
            }
            for key in RESOURCES
            if key in self.import_keys
        ]
        exports = [
            {
                "label": MODEL_LABELS[key],
                "links": [(file_format, self.url("export", key, file_format)) for file_format in FILE_FORMATS],
            }
            for key in self.export_keys
        ]
        return self.render(
            "catalog/admin/import_index.html",
            form=form,
            can_upload=bool(self.import_keys),
            layouts=layouts,
            exports=exports,
            action_url=self.url("index"),
        )


class UploadMixin:
    def dispatch(self, request, token, *args, **kwargs):
        self.token = str(token)
        self.upload = _get_upload(request, self.token)
        if self.upload["model_key"] not in RESOURCES or not can_import(request.user, self.upload["model_key"]):
            return self.forbidden()
        return super().dispatch(request, *args, **kwargs)

    def read_upload(self):
        try:
            with upload_storage().open(self.upload["path"], "rb") as handle:
                return handle.read()
        except (FileNotFoundError, OSError):
            return None

    def missing_file(self):
        _discard(self.request, self.token)
        messages.error(self.request, _("The uploaded file is no longer available; please upload it again."))
        return redirect(self.url("index"))

    def render_preview(self, result, status=200):
        label = MODEL_LABELS[self.upload["model_key"]]
        return self.render(
            "catalog/admin/import_preview.html",
            status=status,
            page_title=_("Import preview"),
            extra_breadcrumbs=[{"url": "", "label": _("Import preview")}],
            result=result,
            model_label=label,
            filename=self.upload["filename"],
            confirm_url=self.url("confirm", self.token),
            cancel_url=self.url("cancel", self.token),
        )


class PreviewView(UploadMixin, CatalogImportView):
    def get(self, request):
        data = self.read_upload()
        if data is None:
            return self.missing_file()
        result = catalog_import(
            model_key=self.upload["model_key"],
            file_bytes=data,
            file_format=self.upload["file_format"],
            dry_run=True,
            user=request.user,
        )
        self.upload["dry_run_ok"] = not result.has_errors
        request.session.modified = True
        return self.render_preview(result)


class ConfirmView(UploadMixin, CatalogImportView):
    """Queue the import of a file whose dry run had no error; the run page follows it."""

    def post(self, request):
        if not self.upload.get("dry_run_ok"):
            messages.error(request, _("Nothing was imported: the dry run of this file has errors."))
            return redirect(self.url("preview", self.token))
        if not upload_storage().exists(self.upload["path"]):
            return self.missing_file()
        run = import_run_start(
            user=request.user,
            model_key=self.upload["model_key"],
            file_path=self.upload["path"],
            file_format=self.upload["file_format"],
            filename=self.upload["filename"],
        )
        # The file now belongs to the run (its job deletes it); the upload cannot be confirmed twice.
        _pending(request).pop(self.token, None)
        request.session.modified = True
        return redirect(self.url("run", run.pk))


class RunMixin:
    def dispatch(self, request, run_id, *args, **kwargs):
        self.run = ImportRun.objects.filter(pk=run_id).first()
        if self.run is None or (self.run.user_id != request.user.pk and not request.user.is_superuser):
            raise Http404
        if self.run.model_key not in RESOURCES or not can_import(request.user, self.run.model_key):
            return self.forbidden()
        return super().dispatch(request, *args, **kwargs)


class RunView(RunMixin, CatalogImportView):
    """Progress of a confirmed import (the page reloads itself until it is finished), then its result."""

    REFRESH_SECONDS = 2

    def get(self, request):
        run = self.run
        title = _("Import of “%(file)s”") % {"file": run.filename}
        return self.render(
            "catalog/admin/import_run.html",
            page_title=title,
            extra_breadcrumbs=[{"url": "", "label": title}],
            run=run,
            confirmed_at=format_datetime(run.created_at),
            progress=import_run_progress(run),
            model_label=MODEL_LABELS.get(run.model_key, run.model_key),
            refresh_seconds=self.REFRESH_SECONDS,
            status_url=self.url("run_status", run.pk),
        )


class RunStatusView(RunMixin, CatalogImportView):
    """The run's progress as JSON (status, rows done / total, counts)."""

    def get(self, request):
        return JsonResponse(import_run_progress(self.run))


class CancelView(UploadMixin, CatalogImportView):
    def post(self, request):
        _discard(request, self.token)
        messages.success(request, _("The upload was discarded; nothing was imported."))
        return redirect(self.url("index"))


class ExportView(CatalogImportView):
    def get(self, request, model_key, file_format):
        if model_key not in RESOURCES or file_format not in FILE_FORMATS:
            raise Http404
        if not can_export(request.user, model_key):
            return self.forbidden()
        response = HttpResponse(
            catalog_export(model_key=model_key, file_format=file_format), content_type=CONTENT_TYPES[file_format]
        )
        response["Content-Disposition"] = f'attachment; filename="{export_filename(model_key, file_format)}"'
        return response


# ---------------------------------------------------------------------------
# Viewset and menu item
# ---------------------------------------------------------------------------


class CatalogImportMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(importable_keys(request.user) or exportable_keys(request.user))


class CatalogImportViewSet(ViewSet):
    name = "catalog_import"
    url_prefix = "catalog-import"
    icon = "upload"
    menu_label = gettext_lazy("Catalog import / export")
    menu_name = "catalog-import"
    menu_order = 201  # right after the "Catalog" group (200)
    add_to_admin_menu = True
    menu_item_class = CatalogImportMenuItem

    def get_urlpatterns(self):
        def view(view_class):
            return view_class.as_view(viewset=self)

        return [
            path("", view(IndexView), name="index"),
            path("preview/<uuid:token>/", view(PreviewView), name="preview"),
            path("confirm/<uuid:token>/", view(ConfirmView), name="confirm"),
            path("cancel/<uuid:token>/", view(CancelView), name="cancel"),
            path("run/<int:run_id>/", view(RunView), name="run"),
            path("run/<int:run_id>/status/", view(RunStatusView), name="run_status"),
            path("export/<str:model_key>/<str:file_format>/", view(ExportView), name="export"),
        ]
