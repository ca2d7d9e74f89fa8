from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import ProfileForm, SignUpForm
from shop.common.errors import InvalidInput


@require_http_methods(["GET", "POST"])
def signup_view(request):
    if request.user.is_authenticated:
        return redirect("/")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = form.register()
        if account is not None:
            login(
                request,
                get_user_model().objects.get(pk=account.user_id),
                backend="django.contrib.auth.backends.ModelBackend",
            )
            messages.success(request, f"Welcome to Bazaar, {account.username}! Your wallet is open.")
            return redirect("/")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def profile_view(request):
    account = services.get_account(user_id=request.user.pk)
    initial = {"email": account.email, "first_name": account.first_name, "last_name": account.last_name}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_profile(user_id=request.user.pk, **form.cleaned_data)
        except InvalidInput as exc:
            form.add_error(exc.field, exc.detail)
        else:
            messages.success(request, "Profile saved.")
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "account": account})
