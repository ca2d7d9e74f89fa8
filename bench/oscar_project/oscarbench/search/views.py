"""CatalogueView and ProductCategoryView on the database (see __init__.py).

Oscar 4.2.1's templates, context, redirects and page-number handling are kept (the view
methods below are Oscar 4.2.1's, from oscar.apps.search.views.catalogue); only the source
of the products changes, from a haystack SearchQuerySet to the queryset of Oscar 3.2.3's
SimpleProductSearchHandler: Product.objects.browsable().base_queryset(), for a category
only the products in the category or its descendants (a subquery where Oscar 3.2.3 had a
DISTINCT join, see ProductCategoryView), paginated by OSCAR_PRODUCTS_PER_PAGE, in the
model's order (newest first). No sorting, no facets.
"""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from oscar.apps.search.views import catalogue
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")


class Hit:
    """Oscar 4's templates render `product.object`, a haystack result's model instance."""

    __slots__ = ("object",)

    def __init__(self, product) -> None:
        self.object = product


class DatabaseListView(TemplateView):
    paginate_by = settings.OSCAR_PRODUCTS_PER_PAGE
    context_object_name = "products"

    def get_queryset(self):
        return Product.objects.browsable().base_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(self.get_queryset(), self.paginate_by)
        try:
            page = paginator.page(self.request.GET.get("page") or 1)
        except InvalidPage as exc:
            raise Http404(str(exc)) from exc
        context.update(
            paginator=paginator,
            page_obj=page,
            page=page,
            is_paginated=page.has_other_pages(),
            products=[Hit(product) for product in page.object_list],
            selected_facets=[],
            has_facets=False,
        )
        return context


class CatalogueView(DatabaseListView):
    template_name = catalogue.CatalogueView.template_name

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            messages.error(request, _("The given page number was invalid."))
            return redirect("catalogue:index")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summary"] = _("All products")
        return context


class ProductCategoryView(DatabaseListView):
    template_name = catalogue.ProductCategoryView.template_name
    enforce_paths = True
    # Oscar 4.2.1's own methods: fetch by primary key, public check, canonical-URL redirect.
    get_category = catalogue.ProductCategoryView.get_category
    is_viewable = catalogue.ProductCategoryView.is_viewable
    redirect_if_necessary = catalogue.ProductCategoryView.redirect_if_necessary

    def get(self, request, *args, **kwargs):
        self.category = self.get_category()
        if not self.is_viewable(self.category, request):
            raise Http404()
        potential_redirect = self.redirect_if_necessary(request.path, self.category)
        if potential_redirect is not None:
            return potential_redirect
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            messages.error(request, _("The given page number was invalid."))
            return redirect(self.category.get_absolute_url())

    def get_queryset(self):
        # Oscar 3.2.3 wrote filter(categories__in=...).distinct(): a DISTINCT over every
        # product column (description included) of the category's 11,541 rows, twice a page
        # (count, then rows), about 2 s each on the bench machine. The same products through
        # a subquery, without DISTINCT: a faster Oscar than its own handler, not a slower one.
        categories = self.category.get_descendants_and_self()
        in_category = ProductCategory.objects.filter(category__in=categories).values("product_id")
        return super().get_queryset().filter(pk__in=in_category)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["category"] = self.category
        return context
