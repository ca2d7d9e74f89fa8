"""Forms of community's pages; the rules themselves are checked by the services."""

from django import forms

from community import services

STARS = [(n, "★" * n) for n in range(5, 0, -1)]


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Your message",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": services.MAX_MESSAGE_LENGTH}),
    )


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(label="Rating", choices=STARS, coerce=int, widget=forms.RadioSelect)
    text = forms.CharField(
        label="Your review (optional)",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": services.MAX_REVIEW_LENGTH}),
    )


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Your reply",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": services.MAX_REVIEW_LENGTH}),
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label="Reason", choices=services.REPORT_REASONS, widget=forms.RadioSelect)
    text = forms.CharField(
        label="What is wrong? (needed for “Something else”)",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": services.MAX_REPORT_LENGTH}),
    )
