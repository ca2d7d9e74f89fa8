from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from payments import services
from payments.forms import TopUpForm


@login_required
@require_http_methods(["GET", "POST"])
def wallet_view(request):
    form = TopUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wallet = services.top_up(user_id=request.user.pk, amount=form.cleaned_data["amount"])
        messages.success(request, f"Added {form.cleaned_data['amount']} credits. New balance: {wallet.balance}.")
        return redirect("payments:wallet")
    ledger = Paginator(services.list_ledger(user_id=request.user.pk), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/wallet.html",
        {
            "wallet": services.get_wallet_overview(user_id=request.user.pk),
            "form": form,
            "ledger": ledger,
        },
    )


@login_required
@require_GET
def invoice_download_view(request, order_id: int):
    """/orders/<id>/invoice/: the PDF as an attachment, for the buyer or a moderator.

    While it is being generated: 202 with a page that refreshes itself until the link
    appears. Someone else's order, or one without invoice: 404.
    """
    document = _document_or_404(order_id=order_id, user_id=request.user.pk)
    pdf = services.open_invoice_pdf(document=document)
    if pdf is None:
        return render(request, "payments/invoice_pending.html", {"document": document}, status=202)
    return FileResponse(pdf, as_attachment=True, filename=document.download_name, content_type="application/pdf")


@login_required
@require_GET
def invoice_status_view(request, order_id: int):
    """/orders/<id>/invoice/status/: the htmx fragment polled from the order page."""
    document = _document_or_404(order_id=order_id, user_id=request.user.pk)
    return render(request, "payments/invoice_status.html", {"document": document})


def _document_or_404(*, order_id: int, user_id: int) -> services.InvoiceDocument:
    try:
        return services.get_invoice_for_user(order_id=order_id, user_id=user_id)
    except services.InvoiceNotFound as exc:
        raise Http404(exc.detail) from exc


# --- Credit notes (DESIGN §2 Fulfilment): a refunded parcel's, for its buyer or a moderator.
# payments knows parcels only by their escrow hold reference, "parcel:<id>".


@login_required
@require_GET
def credit_note_download_view(request, parcel_id: int):
    """/parcels/<id>/credit-note/: the PDF, or 202 with a page that offers it when ready."""
    document = _credit_note_or_404(parcel_id=parcel_id, user_id=request.user.pk)
    pdf = services.open_credit_note_pdf(document=document)
    if pdf is None:
        context = {"document": document, "parcel_id": parcel_id}
        return render(request, "payments/credit_note_pending.html", context, status=202)
    return FileResponse(pdf, as_attachment=True, filename=document.download_name, content_type="application/pdf")


@login_required
@require_GET
def credit_note_status_view(request, parcel_id: int):
    """/parcels/<id>/credit-note/status/: the htmx fragment the pending page polls."""
    document = _credit_note_or_404(parcel_id=parcel_id, user_id=request.user.pk)
    return render(request, "payments/credit_note_status.html", {"document": document, "parcel_id": parcel_id})


def _credit_note_or_404(*, parcel_id: int, user_id: int) -> services.CreditNoteDocument:
    try:
        return services.get_credit_note(reference=f"parcel:{parcel_id}", user_id=user_id)
    except services.CreditNoteNotFound as exc:
        raise Http404(exc.detail) from exc
