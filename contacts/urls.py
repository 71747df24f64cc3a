from django.urls import path

from contacts.views import contacts, dnc, imports

app_name = "contacts"
urlpatterns = [
    path("", contacts.contact_list, name="list"),
    path("new/", contacts.contact_create, name="create"),
    path("<int:pk>/", contacts.contact_detail, name="detail"),
    path("<int:pk>/edit/", contacts.contact_edit, name="edit"),
    path("<int:pk>/add-to-list/", contacts.contact_add_to_list, name="add_to_list"),
    path("<int:pk>/dnc/", contacts.contact_mark_dnc, name="mark_dnc"),
    path("lists/", imports.list_index, name="lists"),
    path("import/", imports.import_upload, name="import_upload"),
    path("import/<int:pk>/", imports.import_detail, name="import"),
    path("import/<int:pk>/errors.csv", imports.import_errors, name="import_errors"),
    path("dnc/", dnc.dnc_list, name="dnc"),
    path("dnc/<int:pk>/remove/", dnc.dnc_delete, name="dnc_remove"),
]
