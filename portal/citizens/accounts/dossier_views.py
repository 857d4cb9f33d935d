"""My dossiers: the list, one dossier with its history in plain words, its files, and the applicant's actions."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from feedback.ratings import is_rated, rating_account_url
from portal.citizens.accounts.decorators import citizen_required
from portal.citizens.accounts.dossiers import (
    WARNING_TEXT,
    Thresholds,
    dossier_view,
    my_dossiers,
    visible_document,
)
from portal.citizens.accounts.forms import SupplementForm, WithdrawalForm
from portal.citizens.accounts.store import stored_document_to_upload
from portal.citizens.accounts.store_views import download_name, private_file_response
from portal.lookup import lookup_url, qr_data_uri
from workflow.dossiers import services, transitions
from workflow.dossiers.services import Upload
from workflow.errors import DossierError
from workflow.models import Action, PaymentStatus, Status
from workflow.models.dossier import OPEN_STATUSES, STATUS_PLAIN
from workflow.payments import providers

PAGE_SIZE = 20
FINISHED = (Status.RESOLVED, Status.RETURNED)


@citizen_required
def dossier_list(request):
    thresholds = Thresholds.at()
    queryset = my_dossiers(request.user)
    show = request.GET.get("show", "")
    if show == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif show == "closed":
        queryset = queryset.exclude(status__in=OPEN_STATUSES)
    page = Paginator(queryset.order_by("-submitted_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for dossier in page.object_list:
        warning = thresholds.warning(dossier)
        rows.append(
            {
                "dossier": dossier,
                "status_plain": STATUS_PLAIN.get(dossier.status, ""),
                "warning": warning,
                "warning_text": WARNING_TEXT.get(warning, ""),
            }
        )
    return render(
        request,
        "portal/accounts/dossier_list.html",
        {
            "rows": rows,
            "page_obj": page,
            "show": show,
        },
    )


def _own(request, pk):
    return get_object_or_404(
        my_dossiers(request.user).select_related("process", "current_step"),
        pk=pk,
    )


def _may(request, dossier, action):
    """What the applicant may do now, by the same table the service checks (workflow/dossiers/transitions.py)."""
    return transitions.permitted(request.user, dossier, action)


def _detail(request, dossier, *, supplement_form=None, withdrawal_form=None, status=200):
    view = dossier_view(dossier)
    warning = Thresholds.at().warning(dossier)
    can_supplement = _may(request, dossier, Action.RESUBMIT)
    can_withdraw = _may(request, dossier, transitions.REQUEST_WITHDRAWAL)
    if can_supplement and supplement_form is None:
        supplement_form = SupplementForm(user=request.user, initial={"revision": dossier.revision})
    if can_withdraw and withdrawal_form is None:
        withdrawal_form = WithdrawalForm(initial={"revision": dossier.revision})
    return render(
        request,
        "portal/accounts/dossier_detail.html",
        {
            "dossier": dossier,
            "view": view,
            "status_plain": STATUS_PLAIN.get(dossier.status, ""),
            "warning": warning,
            "warning_text": WARNING_TEXT.get(warning, ""),
            "qr": qr_data_uri(dossier),
            "lookup_link": lookup_url(dossier),
            "can_download_receipt": dossier.received_at is not None,
            "supplement_form": supplement_form if can_supplement else None,
            "withdrawal_form": withdrawal_form if can_withdraw else None,
            "show_pay": dossier.status == Status.PAYMENT,
            "payment_providers": [(name, providers.get(name).label) for name in providers.enabled()],
            "payments": list(dossier.payments.filter(status=PaymentStatus.PAID).order_by("settled_at")),
            "show_rate": dossier.status in FINISHED,
            "already_rated": is_rated(dossier),
            "rating_link": rating_account_url(dossier),
        },
        status=status,
    )


@citizen_required
def dossier_detail(request, pk):
    return _detail(request, _own(request, pk))


@citizen_required
def dossier_document(request, pk, document_id):
    dossier = _own(request, pk)
    document = visible_document(dossier, document_id)
    if document is None:
        raise Http404
    return private_file_response(document.file, download_name(document.name, document.file.name))


@citizen_required
def dossier_receipt(request, pk):
    """The receipt and appointment slip (AG 13 appendix) of the citizen's received dossier, as PDF."""
    from workflow.slips import render_slip

    dossier = get_object_or_404(my_dossiers(request.user).select_related("agency__parent"), pk=pk)
    if dossier.received_at is None:
        raise Http404
    rendered = render_slip(dossier, "receipt", "pdf")
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = content_disposition_header(True, rendered.filename)
    response["Cache-Control"] = "private, no-store"
    return response


@citizen_required
def dossier_payment_receipt(request, pk, payment_id):
    """The e-receipt of one of the citizen's paid payments, as PDF."""
    from workflow.payments.receipts import receipt_filename, receipt_pdf

    dossier = _own(request, pk)
    payment = get_object_or_404(
        dossier.payments.select_related("agency", "dossier__procedure"), pk=payment_id, status=PaymentStatus.PAID
    )
    response = HttpResponse(receipt_pdf(payment), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, receipt_filename(payment))
    response["Cache-Control"] = "private, no-store"
    return response


@citizen_required
def dossier_supplement(request, pk):
    """Answer a supplement request (status 5) with uploads and/or documents from the data store."""
    dossier = _own(request, pk)
    if request.method != "POST":
        return redirect("citizen:dossier", pk=dossier.pk)
    form = SupplementForm(request.POST, request.FILES, user=request.user)
    waiting = _may(request, dossier, Action.RESUBMIT)
    if waiting and form.is_valid():
        data = form.cleaned_data
        files = [Upload(file.name, file) for file in data["files"]]
        files += [stored_document_to_upload(document) for document in data["stored"]]
        try:
            services.dossier_resubmit(
                actor=request.user,
                dossier_id=dossier.pk,
                revision=data["revision"],
                files=files,
                comment=data["comment"],
            )
        except DossierError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Thank you. Your documents were sent to the agency."))
            return redirect("citizen:dossier", pk=dossier.pk)
    elif not waiting:
        messages.error(request, _("This dossier is not waiting for documents from you."))
        return redirect("citizen:dossier", pk=dossier.pk)
    dossier.refresh_from_db()
    return _detail(request, dossier, supplement_form=form, status=400)


@citizen_required
def dossier_withdraw(request, pk):
    """Ask to withdraw the dossier (status 7); an official then closes it."""
    dossier = _own(request, pk)
    if request.method != "POST":
        return redirect("citizen:dossier", pk=dossier.pk)
    form = WithdrawalForm(request.POST, request.FILES)
    if not _may(request, dossier, transitions.REQUEST_WITHDRAWAL):
        messages.error(request, _("This dossier can no longer be withdrawn."))
        return redirect("citizen:dossier", pk=dossier.pk)
    if form.is_valid():
        data = form.cleaned_data
        files = [Upload(data["file"].name, data["file"])] if data.get("file") else []
        try:
            services.dossier_request_withdrawal(
                actor=request.user, dossier_id=dossier.pk, revision=data["revision"], reason=data["reason"], files=files
            )
        except DossierError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Your request to withdraw the dossier was sent to the agency."))
            return redirect("citizen:dossier", pk=dossier.pk)
    dossier.refresh_from_db()
    return _detail(request, dossier, withdrawal_form=form, status=400)
