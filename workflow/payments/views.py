"""The payer's side of online payment: start, the demo provider's sandbox, the return page and the providers'
server notifications. Every decision is in :mod:`workflow.payments.services`."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from workflow.errors import DossierError
from workflow.models import CallbackOutcome, Payment, PaymentStatus
from workflow.payments import providers, services
from workflow.payments.providers.demo import DemoProvider


def _urls(request, provider_name):
    return (
        request.build_absolute_uri(reverse("payments:return", args=[provider_name])),
        request.build_absolute_uri(reverse("payments:notify", args=[provider_name])),
    )


@login_required
@require_POST
def start(request, dossier_id):
    provider_name = request.POST.get("provider", "")
    return_url, notify_url = _urls(request, provider_name)
    try:
        _payment, address = services.payment_start(
            actor=request.user,
            dossier_id=dossier_id,
            provider_name=provider_name,
            return_url=return_url,
            notify_url=notify_url,
            client_ip=request.META.get("REMOTE_ADDR", "127.0.0.1"),
        )
    except DossierError as error:
        return render(request, "workflow/payments/result.html", {"error": error.message}, status=error.http_status)
    return redirect(address)


@require_http_methods(["GET", "POST"])
def demo_sandbox(request, reference):
    """The demo provider's page: approve, decline or cancel; the answer comes back signed, as from a real one."""
    if "demo" not in providers.enabled():
        raise Http404
    payment = get_object_or_404(Payment.objects.select_related("dossier"), reference=reference, provider="demo")
    next_url = request.GET.get("next") or request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("payments:return", args=["demo"])
    if request.method == "POST" and payment.status == PaymentStatus.PENDING:
        result = request.POST.get("result")
        if result in ("approved", "declined", "cancelled"):
            message = DemoProvider().message(payment, result, f"DEMO{payment.pk:08d}")
            services.payment_message(provider_name="demo", params=message, kind="notify")  # the server call first
            return redirect(f"{next_url}?{urlencode(message)}")
    return render(request, "workflow/payments/demo_sandbox.html", {"payment": payment, "next": next_url})


def payment_return(request, provider):
    """Where the provider sends the payer back: the message is taken like a notification (it may come first)."""
    if provider not in providers.enabled():
        raise Http404
    outcome, payment = services.payment_message(provider_name=provider, params=request.GET.dict(), kind="return")
    paid = payment is not None and payment.status == PaymentStatus.PAID
    context = {"payment": payment, "paid": paid, "refused": outcome in REFUSED, "outcome": outcome}
    return render(request, "workflow/payments/result.html", context, status=400 if outcome in REFUSED else 200)


REFUSED = {CallbackOutcome.FORGED, CallbackOutcome.UNKNOWN, CallbackOutcome.MISMATCH, CallbackOutcome.ERROR}


@csrf_exempt
@require_http_methods(["GET", "POST"])
def notify(request, provider):
    """The provider's server-to-server notification (VNPay's IPN is a GET); answered in the provider's terms."""
    if provider not in providers.enabled():
        raise Http404
    params = request.GET.dict() if request.method == "GET" else request.POST.dict()
    outcome, _payment = services.payment_message(provider_name=provider, params=params, kind="notify")
    body, status = providers.get(provider).answer(outcome)
    return JsonResponse(body, status=status)
