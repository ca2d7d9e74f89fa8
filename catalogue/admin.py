from django import forms
from django.contrib import admin, messages

from catalogue import services
from catalogue.models import Category, Item


class CategoryAdminForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "slug", "parent", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Two levels: only top categories can be parents.
        self.fields["parent"].queryset = Category.objects.filter(parent__isnull=True).exclude(pk=self.instance.pk)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryAdminForm
    list_display = ("name", "slug", "parent", "position")
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("parent",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("parent__position", "parent__name", "position", "name")


class ItemModerationForm(forms.ModelForm):
    """Everything about an item is the seller's; a moderator only decides whether it is hidden."""

    hidden = forms.BooleanField(
        required=False,
        label="Hidden by a moderator",
        help_text="Hidden items are invisible to everyone but their seller.",
    )

    class Meta:
        model = Item
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hidden"].initial = self.instance.status == Item.Status.HIDDEN


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    form = ItemModerationForm
    list_display = (
        "id",
        "title",
        "seller",
        "category",
        "price",
        "quantity",
        "reserved",
        "sold",
        "status",
        "created_at",
    )
    list_filter = ("status", "category")
    list_select_related = ("seller", "category__parent")
    search_fields = ("=id", "title", "seller__username")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    actions = ["hide_selected", "unhide_selected"]
    readonly_fields = (
        "seller",
        "category",
        "title",
        "description",
        "price",
        "quantity",
        "reserved",
        "sold",
        "status",
        "picture",
        "created_at",
        "updated_at",
    )
    fields = ("hidden", *readonly_fields)

    def has_add_permission(self, request):
        return False  # sellers list items; moderators only moderate

    def has_delete_permission(self, request, obj=None):
        return False  # orders point at items: withdraw or hide instead

    def save_model(self, request, obj, form, change):
        # Through the same services as the bulk actions, so the change is a conditional UPDATE.
        if "hidden" not in form.changed_data:
            return
        if form.cleaned_data["hidden"]:
            changed = services.hide_items(item_ids=[obj.pk], actor_id=request.user.pk)
        else:
            changed = services.unhide_items(item_ids=[obj.pk], actor_id=request.user.pk)
        if not changed:
            messages.warning(request, "Only active items can be hidden, and only hidden items unhidden.")

    @admin.action(description="Hide selected items", permissions=["change"])
    def hide_selected(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        changed = services.hide_items(item_ids=ids, actor_id=request.user.pk)
        self._log(request, ids, "Hidden by a moderator.")
        messages.success(request, f"{changed} item(s) hidden; {len(ids) - changed} were not active.")

    @admin.action(description="Unhide selected items", permissions=["change"])
    def unhide_selected(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        changed = services.unhide_items(item_ids=ids, actor_id=request.user.pk)
        self._log(request, ids, "Unhidden by a moderator.")
        messages.success(request, f"{changed} item(s) back on sale; {len(ids) - changed} were not hidden.")

    def _log(self, request, ids, message):
        for item in Item.objects.filter(pk__in=ids):
            self.log_change(request, item, message)
