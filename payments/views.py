from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

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
            "wallet": services.get_wallet(user_id=request.user.pk),
            "form": form,
            "ledger": ledger,
        },
        status=400 if form.errors else 200,
    )
