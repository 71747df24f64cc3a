from django.urls import path

from contacts.views import contacts as views
from contacts.views import dnc as views_dnc
from contacts.views import imports as views_import

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list, name="list"),
    path("new/", views.contact_create, name="create"),
    path("<int:pk>/", views.contact_detail, name="detail"),
    path("<int:pk>/edit/", views.contact_edit, name="edit"),
    path("<int:pk>/add-to-list/", views.contact_add_to_list, name="add_to_list"),
    path("<int:pk>/dnc/", views.contact_mark_dnc, name="mark_dnc"),
    path("lists/", views_import.list_index, name="lists"),
    path("import/", views_import.import_upload, name="import_upload"),
    path("import/<int:pk>/", views_import.import_detail, name="import"),
    path("import/<int:pk>/errors.csv", views_import.import_errors, name="import_errors"),
    path("dnc/", views_dnc.dnc_list, name="dnc"),
    path("dnc/<int:pk>/remove/", views_dnc.dnc_delete, name="dnc_remove"),
]
