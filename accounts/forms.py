from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError

from accounts import services
from shop.common.errors import InvalidInput


class SignUpForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="Letters, digits and @/./+/-/_ only.")
    email = forms.EmailField()
    password1 = forms.CharField(
        label="Password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if services.username_taken(username):
            raise ValidationError(services.USERNAME_TAKEN)
        return username

    def clean_email(self):
        email = self.cleaned_data["email"]
        if services.email_taken(email):
            raise ValidationError(services.EMAIL_TAKEN)
        return email

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password1")
        if password and password != cleaned.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        elif password:
            # Checked here too (the service checks again) so every field's problem shows at once.
            candidate = get_user_model()(username=cleaned.get("username", ""), email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(password, user=candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned

    def register(self) -> services.AccountSummary | None:
        """Create the account, or put the service's refusal beside its field."""
        try:
            return services.register_user(
                username=self.cleaned_data["username"],
                email=self.cleaned_data["email"],
                password=self.cleaned_data["password1"],
            )
        except InvalidInput as exc:
            self.add_error("password1" if exc.field == "password" else exc.field, exc.detail)
            return None


class ProfileForm(forms.Form):
    email = forms.EmailField()
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
