from decimal import Decimal

from django import forms

from catalogue import selectors
from catalogue.models import Item
from catalogue.pictures import validate_picture
from catalogue.services import MAX_QUANTITY


def category_choices(tree: list[selectors.CategoryNode]) -> list:
    """Grouped choices: subcategories under their top category (a top category alone if it has none)."""
    choices: list = [("", "Choose a category")]
    for top in tree:
        if top.children:
            choices.append((top.name, [(child.slug, child.name) for child in top.children]))
        else:
            choices.append((top.slug, top.name))
    return choices


class ItemForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 6}), strip=False
    )
    category = forms.ChoiceField()
    price = forms.DecimalField(min_value=Decimal("0.01"), max_digits=14, decimal_places=2, help_text="In credits.")
    quantity = forms.IntegerField(min_value=0, max_value=MAX_QUANTITY, initial=1, help_text="Units you have to sell.")
    # Not required: the select always sends one; a post without it (a script) keeps the
    # listing's condition, or lists a new item as good like the API.
    condition = forms.ChoiceField(choices=Item.Condition.choices, initial=Item.Condition.GOOD, required=False)
    picture = forms.ImageField(
        required=False, validators=[validate_picture], help_text="Optional: JPEG, PNG or WebP, up to 5 MB."
    )

    def __init__(self, *args, categories: list[selectors.CategoryNode], editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(categories)
        self.fields["picture"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"
        if editing:
            self.fields["remove_picture"] = forms.BooleanField(required=False, label="Remove the current picture")
